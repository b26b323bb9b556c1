import pytest

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_logs_in_on_a_phone_and_sees_their_name(phone_page, citizen, office_a):
    page = phone_page
    page.goto("/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    # No horizontal scroll on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Số điện thoại, số định danh cá nhân hoặc tên đăng nhập").fill("congdan1")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    # The error state: title prefixed, summary first, the message next to the field.
    assert page.title().startswith("Lỗi:")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tai-khoan")
    assert page.get_by_test_id("user-name").inner_text() == "Lò Thị Mai"
    assert_accessible(page)
