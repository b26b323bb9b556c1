"""Issue 13, kind 7: past the due moment, whoever must act sees it (officer's dossier page and worklists),
and the citizen's page says the dossier is late and what they may do."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import lateness
from motcua.dossiers.services import dossier_submit, dossier_transition

from .conftest import advance


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=timezone.get_current_timezone())


@pytest.fixture
def late_dossier(catalog, citizen, office_a, staff, settings):
    """A 3-working-day dossier received on Monday 2/3/2026 09:00: due Thursday 5/3 17:00."""
    settings.OFFICER_TOTP_REQUIRED = False
    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.004873",
        form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
        now=at("2026-03-02T09:00"),
    )
    assert timezone.localtime(dossier.due_at) == at("2026-03-05T17:00")
    return advance(dossier, staff, [("accept", "tiepnhan", {})])


def test_lateness_is_counted_in_working_time(late_dossier):
    assert lateness(late_dossier, now=at("2026-03-05T16:59")) is None
    # Friday 6/3 17:00 is one working day late; the weekend does not count; Monday 9/3 10:30 adds 3 hours.
    one_day = lateness(late_dossier, now=at("2026-03-06T17:00"))
    assert (one_day.days, one_day.hours) == (1, 0) and one_day.text() == "1 ngày"
    monday = lateness(late_dossier, now=at("2026-03-09T10:30"))
    assert (monday.days, monday.hours) == (1, 3) and monday.text() == "1 ngày 3 giờ"


def test_a_dossier_waiting_for_the_citizen_is_not_late(late_dossier, staff):
    paused = dossier_transition(
        code=late_dossier.code,
        action="request_supplement",
        actor=staff["tiepnhan"],
        version=late_dossier.version,
        note="Thiếu giấy tờ",
        now=at("2026-03-03T09:00"),
    )
    assert lateness(paused, now=at("2026-03-20T10:00")) is None


def test_worklist_and_officer_page_show_overdue(client, late_dossier, staff):
    Dossier.objects.filter(pk=late_dossier.pk).update(due_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(staff["tiepnhan"])
    for view in ("open", "overdue"):
        page = client.get(f"/can-bo/ho-so?xem={view}").content.decode()
        assert late_dossier.code in page
        assert 'data-testid="overdue">Quá hạn ' in page and "ngày" in page
    assert 'data-testid="overdue-count">1<' in client.get("/can-bo/ho-so").content.decode()
    detail = client.get(f"/can-bo/ho-so/{late_dossier.code}").content.decode()
    assert 'data-testid="overdue-notice"' in detail and "Quá hạn" in detail
    # A dossier that is not late has no badge.
    Dossier.objects.filter(pk=late_dossier.pk).update(due_at=timezone.now() + dt.timedelta(days=10))
    assert 'data-testid="overdue"' not in client.get("/can-bo/ho-so?xem=open").content.decode()
    assert 'data-testid="overdue-notice"' not in client.get(f"/can-bo/ho-so/{late_dossier.code}").content.decode()


def test_citizen_page_says_late_and_what_to_do(client, late_dossier, citizen, office_a):
    Dossier.objects.filter(pk=late_dossier.pk).update(due_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(citizen)
    page = client.get(f"/ho-so/{late_dossier.code}").content.decode()
    assert 'data-testid="late-notice"' in page and "đã quá hạn trả kết quả" in page
    # What they may do: ask the office, complain through the hotline, other contacts.
    assert 'href="tel:02143880123"' in page and 'href="tel:0912000101"' in page and 'href="/lien-he"' in page
    # Public tracking says it too.
    client.logout()
    tracked = client.post("/tra-cuu", {"ma": late_dossier.code, "dien-thoai": "0912345001"}).content.decode()
    assert 'data-testid="late-notice"' in tracked


def test_citizen_page_is_quiet_when_on_time_or_finished(client, late_dossier, citizen, staff):
    client.force_login(citizen)
    Dossier.objects.filter(pk=late_dossier.pk).update(due_at=timezone.now() + dt.timedelta(days=10))
    assert 'data-testid="late-notice"' not in client.get(f"/ho-so/{late_dossier.code}").content.decode()
    finished = advance(
        Dossier.objects.get(pk=late_dossier.pk),
        staff,
        [
            ("assign", "tiepnhan", {"assignee": "chuyenvien"}),
            ("appraise", "chuyenvien", {}),
            ("approve", "lanhdao", {}),
            ("sign", "lanhdao", {"confirm": True}),
            ("return_result", "tiepnhan", {"method": "online"}),
        ],
    )
    Dossier.objects.filter(pk=finished.pk).update(due_at=timezone.now() - dt.timedelta(days=10))
    assert 'data-testid="late-notice"' not in client.get(f"/ho-so/{late_dossier.code}").content.decode()


def test_api_detail_reports_lateness(client, late_dossier, citizen, api_token):
    Dossier.objects.filter(pk=late_dossier.pk).update(due_at=timezone.now() - dt.timedelta(days=10))
    token = api_token(citizen)
    body = client.get(f"/api/v1/dossiers/{late_dossier.code}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["late"]["days"] >= 5 and body["late"]["text"].startswith(str(body["late"]["days"]))
