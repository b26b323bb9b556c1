"""The CLI, the API and the pages of the calendar, and administrators' overrides."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.accounts.models import Role
from motcua.calendars.engine import VN_TZ, due_working_days
from motcua.calendars.models import CalendarOverride
from motcua.calendars.selectors import calendar_for_office
from motcua.places.models import Office


def _cli(*args) -> str:
    out = StringIO()
    call_command("due_date", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_cli_prints_the_due_moment_on_its_last_line(db):
    assert _cli("--received", "2026-02-13T16:00", "--working-days", "3") == "2026-02-25T17:00:00+07:00"
    assert _cli("--received", "2026-03-09T15:01", "--same-day") == "2026-03-10T17:00:00+07:00"
    assert _cli("--received", "2026-03-09T10:00", "--working-hours", "8") == "2026-03-10T10:30:00+07:00"


def test_cli_uses_the_office_calendar(office_a, commune_a):
    CalendarOverride.objects.create(date=dt.date(2026, 9, 15), kind="day_off", name="Nghỉ do bão", unit=commune_a)
    assert _cli("--received", "2026-09-14T10:00", "--working-days", "1") == "2026-09-15T17:00:00+07:00"
    with_office = _cli("--received", "2026-09-14T10:00", "--working-days", "1", "--office", office_a.code)
    assert with_office == "2026-09-16T17:00:00+07:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "13/2/2026 4pm", "--working-days", "3"], "Không đọc được thời điểm"),
        (["--received", "2026-02-13T16:00", "--working-days", "0"], "lớn hơn 0"),
        (["--received", "2026-02-13T16:00", "--working-days", "2", "--office", "KHONG-CO"], "Không có cơ quan"),
    ],
)
def test_cli_bad_input_exits_with_a_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("due_date", *args, stdout=StringIO())


def test_cli_exit_status_is_non_zero(db):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "due_date", "--received", "nonsense", "--working-days", "3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Không đọc được thời điểm" in result.stderr


def test_api_due(client, db):
    response = client.get("/api/v1/calendar/due", {"received": "2026-02-13T16:00", "working_days": 3})
    assert response.status_code == 200
    assert response.json() == {
        "received_at": "2026-02-13T16:00:00+07:00",
        "counted_from": "2026-02-13T16:00:00+07:00",
        "due_at": "2026-02-25T17:00:00+07:00",
    }
    night = client.get("/api/v1/calendar/due", {"received": "2026-03-08T20:00:00+07:00", "same_day": "true"}).json()
    assert night["counted_from"] == "2026-03-09T07:30:00+07:00" and night["due_at"] == "2026-03-09T17:00:00+07:00"
    hours = client.get("/api/v1/calendar/due", {"received": "2026-03-09T03:00:00Z", "working_hours": 8}).json()
    assert hours["received_at"] == "2026-03-09T10:00:00+07:00" and hours["due_at"] == "2026-03-10T10:30:00+07:00"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"received": "hôm qua", "working_days": 3}, 422, "invalid_date"),
        ({"received": "2026-02-13T16:00", "working_days": 0}, 422, "invalid_amount"),
        ({"received": "2026-02-13T16:00", "working_days": -2}, 422, "invalid_amount"),
        ({"received": "2026-02-13T16:00"}, 422, "invalid"),
        ({"received": "2026-02-13T16:00", "working_days": 2, "same_day": "true"}, 422, "invalid"),
        ({"received": "2026-02-13T16:00", "working_days": 2, "office": "KHONG-CO"}, 422, "unknown_office"),
        ({"received": "2026-02-13T16:00", "working_days": "ba"}, 422, "invalid"),
    ],
)
def test_api_due_bad_input(client, db, params, status, code):
    response = client.get("/api/v1/calendar/due", params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["message"] and set(body) == {"code", "message", "fields"}


def test_api_year(client, db):
    body = client.get("/api/v1/calendar/2026").json()
    off = {d["date"]: d["name"] for d in body["days_off"]}
    assert off["2026-02-17"] == "Tết Nguyên Đán"
    assert off["2026-04-27"] == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert "2026-01-02" in off
    make_up = {d["date"] for d in body["make_up_days"]}
    assert {"2026-01-10", "2026-08-22"} <= make_up
    assert client.get("/api/v1/calendar/1800").status_code == 422


def test_public_calendar_page(client, db):
    response = client.get("/lich-lam-viec/2026")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tết Nguyên Đán" in body and "17/02/2026" in body and "10/01/2026" in body
    assert "07:30–11:30" in body
    assert len(response.content) < 60_000
    assert client.get("/lich-lam-viec").status_code == 200


class TestAdministratorOverrides:
    @pytest.fixture
    def unit_admin(self, make_officer, commune_a, settings):
        settings.OFFICER_TOTP_REQUIRED = False
        return make_officer("quantrixa", Role.UNIT_ADMIN, commune_a)

    def test_typhoon_closure_moves_deadlines_of_that_commune_only(self, client, unit_admin, office_a, commune_b):
        client.force_login(unit_admin)
        response = client.post(
            "/can-bo/lich-lam-viec",
            {"date": "15/09/2026", "kind": "day_off", "name": "Nghỉ do bão số 5", "unit": "02839"},
        )
        assert response.status_code == 302
        received = dt.datetime(2026, 9, 14, 10, tzinfo=VN_TZ)
        assert due_working_days(calendar_for_office(office_a), received, 1).date() == dt.date(2026, 9, 16)
        office_b = Office.objects.create(unit=commune_b, code="UBND-03037", agency_code="H15.03037", name="Tả Van")
        assert due_working_days(calendar_for_office(office_b), received, 1).date() == dt.date(2026, 9, 15)

    def test_bad_form_keeps_values_and_explains(self, client, unit_admin):
        client.force_login(unit_admin)
        response = client.post("/can-bo/lich-lam-viec", {"date": "31/02/2026", "name": "Bão", "unit": "02839"})
        body = response.content.decode()
        assert response.status_code == 400
        assert "ngày/tháng/năm" in body and "Chọn ngày nghỉ hoặc ngày làm việc bù" in body
        assert 'value="Bão"' in body
        assert CalendarOverride.objects.filter(unit__isnull=False).count() == 0

    def test_duplicate_date_is_refused(self, client, unit_admin):
        client.force_login(unit_admin)
        data = {"date": "15/09/2026", "kind": "day_off", "name": "Bão", "unit": "02839"}
        client.post("/can-bo/lich-lam-viec", data)
        # The same form sent again at once is a double click: the day stays added once, no error.
        assert client.post("/can-bo/lich-lam-viec", data).status_code == 302
        assert CalendarOverride.objects.filter(date=dt.date(2026, 9, 15)).count() == 1
        response = client.post("/can-bo/lich-lam-viec", {**data, "name": "Lũ quét"})
        assert response.status_code == 400 and "đã có trong lịch" in response.content.decode()

    def test_admin_of_one_commune_cannot_touch_another(self, client, unit_admin, commune_b):
        client.force_login(unit_admin)
        response = client.post(
            "/can-bo/lich-lam-viec", {"date": "15/09/2026", "kind": "day_off", "name": "Bão", "unit": "03037"}
        )
        assert response.status_code == 400  # not a choice offered to this administrator
        other = CalendarOverride.objects.create(date=dt.date(2026, 9, 15), kind="day_off", name="Bão", unit=commune_b)
        assert client.post(f"/can-bo/lich-lam-viec/{other.pk}/xoa").status_code == 404
        assert CalendarOverride.objects.filter(pk=other.pk).exists()

    def test_officers_without_admin_role_get_404(self, client, intake_a, settings):
        settings.OFFICER_TOTP_REQUIRED = False
        client.force_login(intake_a)
        assert client.get("/can-bo/lich-lam-viec").status_code == 404

    def test_delete(self, client, unit_admin, commune_a):
        client.force_login(unit_admin)
        item = CalendarOverride.objects.create(date=dt.date(2026, 9, 15), kind="day_off", name="Bão", unit=commune_a)
        assert client.post(f"/can-bo/lich-lam-viec/{item.pk}/xoa").status_code == 302
        assert not CalendarOverride.objects.filter(pk=item.pk).exists()


def test_official_overrides_are_loaded_by_migration(db):
    assert CalendarOverride.objects.filter(unit__isnull=True, date=dt.date(2026, 1, 10), kind="working_day").exists()
    out = StringIO()
    call_command("calendar_load_official", stdout=out)
    assert CalendarOverride.objects.filter(unit__isnull=True).count() == 2


def test_a_crafted_choice_gets_a_message_naming_the_field(client, db, make_officer, commune_a, settings):
    from motcua.accounts.models import Role

    settings.OFFICER_TOTP_REQUIRED = False
    client.force_login(make_officer("qtx", Role.UNIT_ADMIN, commune_a))
    page = client.post(
        "/can-bo/lich-lam-viec", {"date": "15/09/2026", "kind": "nghi-vo-han", "name": "Bão", "unit": "99999"}
    )
    text = page.content.decode()
    assert page.status_code == 400 and "Hãy chọn một lựa chọn hợp lệ" not in text
    assert "Chọn một địa bàn trong danh sách" in text and "trong các lựa chọn có sẵn" in text
