"""Issue 13 (kinds 6, 7) in Chromium: the late notice, the overdue badge, the supplement checklist and the
counter's document checklist pass axe-core."""

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import assert_accessible
from .test_journey_dossier import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_late_dossier_pages_are_clear_and_accessible(browser, live_server, catalog, citizen, office_a, staff):
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_submit, dossier_transition

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
    notice = page.get_by_test_id("late-notice")
    assert notice.is_visible() and "quá hạn" in notice.inner_text()
    assert_accessible(page)
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="vi-VN")
    office = desk.new_page()
    login(office, "tiepnhan")
    office.goto("/can-bo/ho-so?xem=overdue")
    assert office.get_by_test_id("overdue").first.inner_text().startswith("Quá hạn")
    assert_accessible(office)
    office.goto(f"/can-bo/ho-so/{dossier.code}")
    assert office.get_by_test_id("overdue-notice").is_visible()
    assert office.get_by_label("Giấy tờ chứng minh đã ly hôn hoặc người vợ/chồng đã chết (nếu có)").is_visible()
    assert_accessible(office)
    office.goto("/can-bo/tiep-nhan?thu-tuc=2.000815")
    assert office.get_by_label("Lý do tiếp nhận khi còn thiếu giấy tờ (chỉ khi có ngoại lệ)").is_visible()
    assert_accessible(office)
    desk.close()
