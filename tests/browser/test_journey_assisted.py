import datetime as dt
import re

import pytest

from motcua.accounts.models import Role
from motcua.notifications.models import OutboxMessage
from motcua.outreach.models import Member, Team

from ..conftest import PASSWORD, PDF_BYTES
from .conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team_member(make_officer, commune_a, village_a):
    team = Team.objects.create(unit=commune_a, name="Tổ công nghệ số xã Bắc Hà")
    user = make_officer("tonhom", Role.TEAM_MEMBER, commune_a)
    Member.objects.create(
        team=team, user=user, full_name="Lù Văn Páo", phone="0912000114", active_from=dt.date(2026, 1, 1)
    )
    return user


def _login(page, username: str) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Số điện thoại, số định danh cá nhân hoặc tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_team_member_starts_an_assisted_dossier_that_the_citizen_confirms(
    browser, live_server, phone_page, team_member, citizen, catalog, office_a, staff, tmp_path
):
    page = phone_page
    _login(page, "tonhom")
    page.goto("/to-cong-nghe/ho-tro-nop")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.get_by_label("Thủ tục").select_option("1.001193")
    page.get_by_label("Số định danh cá nhân của công dân").fill("010 190 012 345")
    page.get_by_role("button", name="Bắt đầu hồ sơ").click()
    page.wait_for_url("**/to-cong-nghe/ho-tro-nop/*")
    assert "L. T. M." in page.locator(".caption").inner_text()  # initials only
    page.fill("input[name=ho_ten_tre]", "Hoàng Thị Lan")
    page.fill("input[name=ngay_sinh_0]", "20")
    page.fill("input[name=ngay_sinh_1]", "11")
    page.fill("input[name=ngay_sinh_2]", "2026")
    page.check("input[name=gioi_tinh][value='Nữ']")
    page.fill("input[name=noi_sinh]", "Trạm Y tế xã Bắc Hà")
    page.fill("input[name=ho_ten_me]", "Lò Thị Mai")
    page.fill("input[name=so_dinh_danh_me]", "010190012345")
    page.check("input[name=quan_he_nguoi_nop][value='Mẹ']")
    scan = tmp_path / "chung-sinh.pdf"
    scan.write_bytes(PDF_BYTES)
    for box in page.locator("input[type=file][name^=tep-]").all():
        box.set_input_files(str(scan))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.get_by_role("button", name="Gửi mã xác nhận tới điện thoại công dân").click()
    page.wait_for_url("**/xac-nhan")
    assert_accessible(page)
    sms = OutboxMessage.objects.filter(recipient="0912345001").latest("pk")
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    page.get_by_label("Mã xác nhận công dân nhận được").fill(code)
    page.get_by_role("button", name="Xác nhận và gửi hồ sơ").click()
    dossier_code = page.get_by_test_id("dossier-code").inner_text()
    assert dossier_code.startswith("H15.02839-")
    assert_accessible(page)
    # The citizen finds it in their own account.
    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=live_server.url, is_mobile=True)
    mine = context.new_page()
    _login(mine, "congdan1")
    mine.goto("/ho-so")
    assert dossier_code in mine.content()
    context.close()
