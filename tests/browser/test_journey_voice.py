"""Issue 19 in Chromium (points 2, 4, 5): a duty officer records a hotline call, the leader broadcasts an
urgent message to two villages and reads the delivery figures, and a citizen reads the notice in their inbox
and ticks villages to receive by SMS — each page (and its error state) passes axe-core."""

import pytest

from .conftest import assert_accessible
from .test_journey_dossier import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def villages(commune_a, village_a):
    from motcua.broadcasts.models import ZaloGroup
    from motcua.broadcasts.services import subscription_set
    from motcua.places.models import UnitType

    from ..conftest import make_unit

    v2 = make_unit("02839-02", "Thôn Bản Phố", UnitType.VILLAGE, commune_a)
    for village in (village_a, v2):
        ZaloGroup.objects.create(village=village, group_id=f"zg-{village.code}", name=f"Zalo {village.name}")
    subscription_set(village=village_a, phone="0912000001", active=True)
    subscription_set(village=v2, phone="0912000002", active=True)
    return [village_a, v2]


def test_hotline_broadcast_and_inbox_journey(browser, live_server, catalog, citizen, office_a, staff, villages):
    from motcua.broadcasts.models import Broadcast
    from motcua.notifications.models import InAppMessage, SimulatedSms

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="vi-VN")
    office = desk.new_page()
    login(office, "lanhdao")

    # Hotline: an empty form is refused with an error summary, then a call is recorded.
    office.goto("/can-bo/duong-day-nong/ghi")
    office.get_by_role("button", name="Lưu cuộc gọi").click()
    office.wait_for_load_state()
    assert office.title().startswith("Lỗi:")
    assert_accessible(office)
    office.get_by_label("Số điện thoại người gọi").fill("0912 000 003")
    office.get_by_label("Sự cố khẩn cấp (thiên tai, dịch bệnh)").check()
    office.get_by_label("Nội dung cuộc gọi").fill("Báo nước suối Nậm Mòn dâng cao, ngập ngầm tràn.")
    office.get_by_label("Chuyển cơ quan khác").check()
    office.get_by_role("button", name="Lưu cuộc gọi").click()
    office.wait_for_load_state()
    assert office.get_by_test_id("caller-phone").inner_text().startswith("0912000003")
    assert_accessible(office)
    office.goto("/can-bo/duong-day-nong")
    assert "1" in office.get_by_test_id("calls-per-topic").inner_text()
    assert_accessible(office)

    # Broadcast: preview warns about a long SMS; the urgent message goes to both villages.
    office.goto("/can-bo/phat-tin/moi")
    office.get_by_label("Thôn Na Hối").check()
    office.get_by_label("Thôn Bản Phố").check()
    office.get_by_label("Khẩn cấp (thiên tai, dịch bệnh)").check()
    office.get_by_label("Nội dung tin").fill(
        "Lũ trên suối Nậm Mòn dâng cao. Không qua ngầm tràn, di chuyển đồ đạc lên cao. " * 5
    )
    office.get_by_role("button", name="Xem trước tin SMS").click()
    office.wait_for_load_state()
    assert office.get_by_test_id("sms-warning").is_visible()
    assert_accessible(office)
    office.get_by_label("Bản ngắn cho SMS").fill("Lũ suối Nậm Mòn: không qua ngầm tràn, đưa đồ đạc lên cao.")
    office.get_by_role("button", name="Gửi tin").click()
    office.wait_for_url("**/can-bo/phat-tin/*")
    office.reload()
    assert office.get_by_test_id("sms-sent").inner_text() == "2"
    assert office.get_by_test_id("zalo-sent").inner_text() == "2"
    assert_accessible(office)
    assert Broadcast.objects.get().status == "sent"
    assert (
        sorted(SimulatedSms.objects.values_list("text", flat=True))
        == ["Lu suoi Nam Mon: khong qua ngam tran, dua do dac len cao."] * 2
    )
    logout(office)

    # Inbox: a notice written for the citizen shows in the header and opens.
    InAppMessage.objects.create(
        user=citizen, title="Hồ sơ H15.02839-0001 cần bổ sung", body="Thiếu giấy chứng sinh.", url="/ho-so"
    )
    phone = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="vi-VN")
    page = phone.new_page()
    login(page, "congdan1")
    assert page.get_by_test_id("inbox-unread").inner_text() == "1"
    page.get_by_test_id("inbox-link").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Hồ sơ H15.02839-0001 cần bổ sung").click()
    page.wait_for_load_state()
    assert "Thiếu giấy chứng sinh" in page.get_by_test_id("message-body").inner_text()
    assert page.get_by_test_id("inbox-unread").count() == 0
    assert_accessible(page)

    # Subscriptions: the citizen ticks a village for their own phone.
    page.goto("/nhan-tin-thon")
    page.get_by_label("Thôn Bản Phố").check()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()
    assert page.get_by_label("Thôn Bản Phố").is_checked()
    assert_accessible(page)
