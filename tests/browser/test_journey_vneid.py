import pytest

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vneid_demo(settings, live_server):
    settings.DEMO = True
    settings.VNEID_ISSUER = live_server.url + "/gia-lap/vneid"
    settings.VNEID_CLIENT_ID = "motcua-test"
    settings.VNEID_CLIENT_SECRET = "bi-mat-thu-nghiem"


def test_citizen_signs_in_through_the_vneid_simulator_on_a_phone(phone_page, vneid_demo, citizen, office_a):
    page = phone_page
    page.goto("/dang-nhap")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url("**/gia-lap/vneid/dang-nhap?**")
    assert page.get_by_role("heading", level=1).inner_text() == "Chọn người đăng nhập bằng VNeID"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    # Agreeing without choosing anyone: the error state.
    page.get_by_role("button", name="Đồng ý chia sẻ và đăng nhập").click()
    assert page.title().startswith("Lỗi:")
    assert_accessible(page)
    page.get_by_label("Lò Thị Mai").check()
    page.get_by_role("button", name="Đồng ý chia sẻ và đăng nhập").click()
    # Her account was made at the counter and holds no consent yet: asked once, before anything is linked.
    page.wait_for_url("**/dang-nhap/vneid/dong-y")
    assert page.get_by_role("heading", level=1).inner_text() == "Một bước trước khi vào tài khoản"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.get_by_label("Tôi đã đọc và đồng ý cho xử lý dữ liệu cá nhân như trên").check()
    page.get_by_role("button", name="Đồng ý và tiếp tục").click()
    page.wait_for_url("**/tai-khoan")
    assert page.get_by_test_id("user-name").inner_text() == "Lò Thị Mai"
    assert page.get_by_text("Định danh điện tử mức 2").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
