"""Issue 19 in Chromium: a citizen sends feedback about a late dossier, the leader assigns it, an officer
answers within the deadline, the sender rates the answer, and it appears anonymised on the public page."""

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import assert_accessible
from .test_journey_dossier import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def act(page, code, label, fill=None):
    page.goto(f"/can-bo/phan-anh/{code}")
    card = page.locator("form.action-card", has=page.get_by_role("heading", name=label))
    for field, value in (fill or {}).items():
        if field == "select":
            card.locator("select").select_option(value)
        else:
            card.get_by_label(field).fill(value)
    card.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_feedback_about_a_late_dossier_journey(browser, live_server, catalog, citizen, office_a, staff):
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_submit, dossier_transition
    from motcua.feedback.models import Feedback

    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.004873",
        form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
    )
    dossier = dossier_transition(code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - dt.timedelta(days=4))

    phone = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="vi-VN")
    page = phone.new_page()
    login(page, "congdan1")
    page.goto(f"/ho-so/{dossier.code}")
    page.get_by_test_id("late-feedback-link").click()
    page.wait_for_load_state()
    assert page.get_by_label("Mã hồ sơ").input_value() == dossier.code
    assert page.get_by_label("Về việc giải quyết một hồ sơ").is_checked()
    page.get_by_role("button", name="Gửi phản ánh").click()  # subject and text missing
    assert page.title().startswith("Lỗi:")
    assert_accessible(page)
    page.get_by_label("Tiêu đề").fill("Hồ sơ xác nhận tình trạng hôn nhân quá hẹn")
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill(
        "Tôi là Lò Thị Mai, số điện thoại 0912345001. Hồ sơ đã quá hẹn 4 ngày mà chưa có kết quả."
    )
    page.get_by_label("Tôi đồng ý công khai").check()
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url("**/phan-anh/da-gui")
    code = page.get_by_test_id("feedback-code").inner_text()
    assert code.startswith("PA-")
    assert_accessible(page)
    logout(page)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="vi-VN")
    office = desk.new_page()
    login(office, "lanhdao")
    office.goto("/can-bo/phan-anh/?xem=unassigned")
    office.get_by_role("link", name=code).click()
    office.wait_for_load_state()
    assert_accessible(office)
    act(office, code, "Phân công xử lý", {"select": "chuyenvien"})
    assert office.get_by_test_id("status").inner_text() == "Đang xử lý"
    logout(office)

    login(office, "chuyenvien")
    office.goto("/can-bo/phan-anh/?xem=mine")
    office.get_by_role("link", name=code).click()
    act(
        office,
        code,
        "Gửi trả lời",
        {"Nội dung trả lời": "Cảm ơn bà Lò Thị Mai. Hồ sơ đã có kết quả, mời bà nhận tại quầy số 2."},
    )
    assert office.get_by_test_id("status").inner_text() == "Đã xử lý, chờ công khai"
    item = Feedback.objects.get(code=code)
    assert item.answered_at <= item.due_at  # within the deadline
    logout(office)

    login(page, "congdan1")
    page.goto("/phan-anh/cua-toi")
    page.get_by_role("link", name=code).click()
    assert "quầy số 2" in page.get_by_test_id("answer").inner_text()
    page.get_by_label("4 — Hài lòng").check()
    page.get_by_label("Lý do").fill("Được trả lời nhanh")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("rated").is_visible()
    assert_accessible(page)
    logout(page)

    login(office, "lanhdao")
    act(office, code, "Công khai kết quả")
    assert office.get_by_test_id("status").inner_text() == "Đã công khai kết quả"
    logout(office)

    page.goto("/phan-anh/")
    published = page.get_by_test_id("published-item").filter(has_text=code)
    text = published.inner_text()
    assert "quá hẹn 4 ngày" in text and "quầy số 2" in text
    assert "Lò Thị Mai" not in text and "0912345001" not in text
    assert_accessible(page)
    phone.close()
    desk.close()
