"""Issue 11 kind 6: every number and date has a documented range, checked before any work or write,
answered 422 with the field; a dossier already stored with an absurd due date never breaks a page."""

import datetime as dt

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_submit, dossier_transition

from .conftest import BIRTH_FORM, advance, documents_for


# --- the calendar API (no login) -----------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"received": "2026-11-30T10:00", "working_days": "1000000"}, "working_days"),
        ({"received": "2026-11-30T10:00", "working_days": str(10**30)}, "working_days"),
        ({"received": "2026-11-30T10:00", "working_hours": "1e9"}, "working_hours"),
        ({"received": "2026-11-30T10:00", "working_hours": "nan"}, "working_hours"),
        ({"received": "2026-11-30T10:00", "working_days": "²"}, "working_days"),
        ({"received": "9999-12-31T10:00", "working_days": "3"}, "received"),
        ({"received": "9999-12-31T23:59:00Z", "working_days": "3"}, "received"),
        ({"received": "0001-01-01T00:00:00+14:00", "working_days": "3"}, "received"),
        ({"received": "1800-01-01T10:00", "working_days": "3"}, "received"),
    ],
)
def test_calendar_due_refuses_out_of_range_values(client, params, field):
    response = client.get("/api/v1/calendar/due", params)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_calendar_due_at_the_limits_still_answers(client):
    ok = client.get("/api/v1/calendar/due", {"received": "2026-11-30T10:00", "working_days": "365"})
    assert ok.status_code == 200
    year = client.get("/api/v1/calendar/99999999999999999999")
    assert year.status_code == 422


# --- the worklist API and page --------------------------------------------------------------------------------
@pytest.fixture
def officer_token(catalog, office_a, staff, api_token):
    return api_token(staff["tiepnhan"])


@pytest.mark.parametrize(
    ("page", "size"), [(str(10**20), "50"), ("²", "50"), ("0", "50"), ("1", "100000"), ("-5", "1")]
)
def test_worklist_api_pages_are_bounded(client, officer_token, page, size):
    response = client.get(
        "/api/v1/worklist", {"page": page, "page_size": size}, HTTP_AUTHORIZATION=f"Bearer {officer_token}"
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) & {"page", "page_size"}


@pytest.mark.parametrize("page", [str(10**20), "²", "-1", "abc"])
def test_worklist_page_numbers_never_fail(client, catalog, office_a, staff, page):
    client.force_login(staff["tiepnhan"])
    assert client.get("/can-bo/ho-so", {"trang": page}).status_code == 200


# --- apology with a new date ----------------------------------------------------------------------------------
@pytest.fixture
def received(catalog, citizen, office_a, staff):
    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.004873",
        form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
        idempotency_key="bounds",
    )
    return advance(dossier, staff, steps=[("accept", "tiepnhan", {})])


@pytest.mark.parametrize("new_due", ["29/12/2062", "9999-12-31", "31/12/9999"])
def test_an_apology_cannot_move_the_due_date_decades_ahead(received, staff, new_due):
    from motcua.core.errors import ValidationFailed

    before = Dossier.objects.get(pk=received.pk)
    with pytest.raises(ValidationFailed) as exc:
        dossier_transition(
            code=received.code,
            action="extend",
            actor=staff["tiepnhan"],
            version=received.version,
            note="Chờ xác minh",
            params={"new_due": new_due},
        )
    assert "new_due" in exc.value.fields and "chậm nhất" in exc.value.message
    after = Dossier.objects.get(pk=received.pk)
    assert (after.due_at, after.version, after.extension_count) == (before.due_at, before.version, 0)


def test_an_apology_through_the_api_is_bounded_too(client, received, staff, api_token):
    token = api_token(staff["tiepnhan"])
    response = client.post(
        f"/api/v1/dossiers/{received.code}/transitions",
        {"action": "extend", "version": received.version, "note": "Chờ", "new_due": "9999-12-31"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422 and "new_due" in response.json()["fields"]


def test_a_reasonable_apology_still_works(received, staff):
    from motcua.calendars.engine import due_working_days
    from motcua.calendars.selectors import calendar_for_office

    cal = calendar_for_office(received.office)
    new_day = cal.local(due_working_days(cal, received.due_at, 5)).date()
    try:
        dossier = dossier_transition(
            code=received.code,
            action="extend",
            actor=staff["tiepnhan"],
            version=received.version,
            note="Chờ xác minh",
            params={"new_due": new_day.strftime("%d/%m/%Y")},
        )
    except Exception as exc:  # the apology window (one working day before the due day) may have closed
        assert "chậm nhất trước hạn" in str(exc)
    else:
        assert cal.local(dossier.due_at).date() == new_day


# --- existing data with an absurd due date ----------------------------------------------------------------------
def test_a_stored_absurd_due_date_does_not_break_pages(client, received, staff, citizen, api_token):
    far = dt.datetime(9999, 12, 31, 10, tzinfo=dt.UTC)
    Dossier.objects.filter(pk=received.pk).update(due_at=far)
    client.force_login(staff["tiepnhan"])
    assert client.get(f"/can-bo/ho-so/{received.code}").status_code == 200
    worklist = client.get("/can-bo/ho-so", {"xem": "open"})
    assert worklist.status_code == 200 and "còn hơn 3 năm" in worklist.content.decode()
    for path in ("/can-bo/ho-so?xem=due_soon", "/can-bo/ho-so?xem=overdue"):
        assert client.get(path).status_code == 200
    token = api_token(staff["tiepnhan"])
    assert client.get(f"/api/v1/dossiers/{received.code}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    client.force_login(citizen)
    assert client.get(f"/ho-so/{received.code}").status_code == 200
    assert client.get("/ho-so").status_code == 200


def test_a_dossier_late_for_years_says_so_everywhere(client, received, staff, api_token):
    """Past the 3-year horizon the working time is not counted: the row, the dossier page and the API say
    "hơn 3 năm", never "dưới 1 giờ" (the zeros the horizon leaves)."""
    Dossier.objects.filter(pk=received.pk).update(due_at=dt.datetime(2022, 6, 1, 10, tzinfo=dt.UTC))
    client.force_login(staff["tiepnhan"])
    row = client.get("/can-bo/ho-so", {"xem": "overdue"}).content.decode()
    page = client.get(f"/can-bo/ho-so/{received.code}").content.decode()
    assert "Quá hạn hơn 3 năm" in row
    assert "Quá hạn hơn 3 năm làm việc" in page
    assert "dưới 1 giờ" not in row + page
    token = api_token(staff["tiepnhan"])
    late = client.get(f"/api/v1/dossiers/{received.code}", HTTP_AUTHORIZATION=f"Bearer {token}").json()["late"]
    assert late["text"] == "hơn 3 năm" and late["beyond_horizon"] is True


# --- e-form numbers and dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("birth", "ok"), [("2099-01-01", False), ("1800-01-01", False), ("2026-11-20", True)])
def test_birth_dates_are_not_in_the_future_nor_absurdly_past(catalog, citizen, office_a, birth, ok):
    from motcua.core.errors import ValidationFailed

    form = {**BIRTH_FORM, "ngay_sinh": birth}
    if ok:
        dossier, _ = dossier_submit(
            citizen=citizen,
            procedure_code="1.001193",
            form=form,
            idempotency_key=birth,
            attachment_ids=documents_for(citizen),
        )
        assert dossier.form_data["ngay_sinh"] == birth
    else:
        with pytest.raises(ValidationFailed) as exc:
            dossier_submit(citizen=citizen, procedure_code="1.001193", form=form, idempotency_key=birth)
        assert "ngay_sinh" in exc.value.fields
        assert not Dossier.objects.exclude(status="draft").exists()


@pytest.mark.parametrize(
    ("copies", "ok"), [(2, True), (0, False), (21, False), (10**20, False), (-1, False), ("²", False), (True, False)]
)
def test_copy_counts_through_the_api(client, catalog, citizen, office_a, api_token, copies, ok):
    token = api_token(citizen)
    body = {
        "procedure_code": "2.000635",
        "form": {"loai_trich_luc": "Khai sinh", "ho_ten_nguoi_duoc_cap": "Lò Thị Mai", "so_ban": copies},
    }
    response = client.post(
        "/api/v1/dossiers",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=f"copies-{copies}",
    )
    assert response.status_code == (201 if ok else 422), response.content
    if not ok:
        assert "so_ban" in response.json()["fields"]
