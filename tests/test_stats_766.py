"""The 766 index on small hand-built cases (issue 18, "Done when"), and the two stats API endpoints."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.accounts.models import Role
from motcua.calendars.engine import VN_TZ
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_transition
from motcua.stats import index766, selectors
from motcua.stats.models import COUNTERS
from motcua.stats.rollups import timeliness_766

from .factories import DossierFactory


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def counts(**values):
    return {**dict.fromkeys(COUNTERS, 0), **values}


def indicator(result, key):
    return next(row for row in result["indicators"] if row["key"] == key)


FULL_CATALOGUE = index766.Catalogue(
    procedures=10, online=10, online_with_dossiers=10, fee_bearing=4, fee_bearing_online=4
)


# --- the rules --------------------------------------------------------------------------------------------
def test_two_supplement_requests_count_as_late():
    assert timeliness_766(timeliness="early", supplement_count=2) == "late"
    assert timeliness_766(timeliness="on_time", supplement_count=1) == "on_time"
    assert timeliness_766(timeliness="", supplement_count=0) == "late"


def test_thresholds_and_proportional_points():
    # 3.3 dossiers online: full at ≥ 50 %; 40 % of 6 points = 0.4 × 6 ÷ 0.5 = 4.8.
    assert index766.points(Fraction(2, 5), maximum=6, threshold=Fraction(1, 2)) == 4.8
    assert index766.points(Fraction(1, 2), maximum=6, threshold=Fraction(1, 2)) == 6.0
    assert index766.points(Fraction(9, 10), maximum=6, threshold=Fraction(1, 2)) == 6.0
    # 2.1 has no threshold below 100 %: 90 % on time of 18 points = 16.2.
    result = index766.compute(counts(finished_early=5, finished_on_time=4, finished_late=1), FULL_CATALOGUE)
    row = indicator(result, "2.1")
    assert (row["numerator"], row["denominator"], row["rate"], row["points"]) == (9, 10, 0.9, 16.2)
    assert "1 hồ sơ" in row["what_it_takes"]
    # 3.1 procedures online: 7 of 10 (threshold 80 %) → 0.7 × 3 ÷ 0.8 = 2.63; one more procedure reaches it.
    catalogue = index766.Catalogue(procedures=10, online=7, online_with_dossiers=7, fee_bearing=0)
    row = indicator(index766.compute(counts(), catalogue), "3.1")
    assert (row["rate"], row["points"]) == (0.7, 2.62) or (row["rate"], row["points"]) == (0.7, 2.63)
    assert row["what_it_takes"].startswith("Cần thêm 1 ")


def test_what_it_takes_online_share():
    # 3 of 10 finished dossiers online (threshold 50 %): two more online reach full points.
    result = index766.compute(
        counts(finished_early=10, finished_online=3, finished_online_ok=3, e_result=10), FULL_CATALOGUE
    )
    row = indicator(result, "3.3")
    assert (row["numerator"], row["denominator"], row["points"]) == (3, 10, 3.6)
    assert row["what_it_takes"].startswith("Cần thêm 2 hồ sơ trực tuyến")
    # Paid online 1 of 4 fee-bearing dossiers: three more.
    result = index766.compute(counts(received_online=4, received_fee=4, paid_online=1), FULL_CATALOGUE)
    assert indicator(result, "3.6")["what_it_takes"].startswith("Cần thêm 3 hồ sơ thanh toán trực tuyến")


def test_a_unit_with_no_dossiers():
    result = index766.compute(counts(), index766.Catalogue())
    assert {g["key"]: g["max"] for g in result["groups"]} == {"1": 18, "2": 20, "3": 22, "4": 22, "5": 18}
    assert sum(g["max"] for g in result["groups"]) == 100
    assert result["total"] == 0
    for row in result["indicators"]:
        assert row["rate"] is None
        assert row["points"] is None if row["data_missing"] else row["points"] == 0
        assert row["what_it_takes"]
    # Where the platform lacks the data it says so instead of inventing a value.
    assert {r["key"] for r in result["indicators"] if r["data_missing"]} == {"1.1", "1.2", "1.3", "1.4", "4.4", "4.5"}
    assert sum(r["max"] for r in result["indicators"]) == 100


@given(
    allowed=st.integers(min_value=-(10**12), max_value=10**12),
    used=st.integers(min_value=-(10**12), max_value=10**12),
    early=st.integers(min_value=0, max_value=10**6),
    late=st.integers(min_value=0, max_value=10**6),
)
def test_every_rate_is_a_share_and_no_points_are_negative(allowed, used, early, late):
    """Odd data (a due moment before the receipt, hand-edited rows) never makes a rate leave 0–1 or points go
    below 0 or above the indicator's maximum (2.2 once showed −21.73 points on a dashboard)."""
    hour = 3600 * 10**6
    result = index766.compute(
        counts(finished_early=early, finished_late=late, time_allowed_us=allowed * hour, time_used_us=used * hour),
        FULL_CATALOGUE,
    )
    for row in result["indicators"]:
        if row["rate"] is not None:
            assert 0 <= row["rate"] <= 1 and 0 <= row["points"] <= row["max"], row
    assert all(0 <= g["points"] <= g["max"] for g in result["groups"])
    assert 0 <= result["total"] <= 100


def test_a_dossier_handled_before_its_receipt_moment_used_no_time(db):
    """Submitted at 03:15 (received from 07:30, the next opening) and finished at 03:16: it used no time,
    not minus four hours, and 2.2 says full points rather than "0 points, maximum reached"."""
    from motcua.stats.rollups import finish_deltas

    dossier = Dossier(
        outcome="completed",
        timeliness="early",
        supplement_count=0,
        channel="online",
        received_at=at("2026-12-01T07:30:00"),
        finished_at=at("2026-12-01T03:16:00"),
        due_at=at("2026-12-04T17:00:00"),
    )
    deltas = finish_deltas(dossier)
    assert deltas["time_used_us"] == 0 and deltas["time_allowed_us"] > 0
    row = indicator(index766.compute(counts(**deltas), FULL_CATALOGUE), "2.2")
    assert row["points"] == row["max"] and row["rate"] == 1.0 and row["denominator"] == 0
    assert row["what_it_takes"] == "Đã đạt điểm tối đa"


def test_feedback_indicators():
    """5.1 processed ÷ received; 5.2 on time ÷ processed; 5.3 (feedback − disliked − overdue) ÷ feedback; 5.4
    loses the dossiers complained about."""
    feedback = index766.Feedback(received=10, processed=8, on_time=6, disliked=1, overdue=3, complaints=1)
    result = index766.compute(counts(finished_early=9, finished_late=1), FULL_CATALOGUE, feedback)
    rows = {key: indicator(result, key) for key in ("5.1", "5.2", "5.3", "5.4")}
    assert (rows["5.1"]["numerator"], rows["5.1"]["denominator"], rows["5.1"]["points"]) == (8, 10, 4.0)
    assert (rows["5.2"]["numerator"], rows["5.2"]["denominator"], rows["5.2"]["points"]) == (6, 8, 3.75)
    assert (rows["5.3"]["numerator"], rows["5.3"]["denominator"], rows["5.3"]["points"]) == (6, 10, 1.2)
    # 5.4: 10 completed − 1 late − 1 complained about = 8 → 80 % of a 90 % threshold → 6 × 0.8 ÷ 0.9.
    assert (rows["5.4"]["numerator"], rows["5.4"]["denominator"], rows["5.4"]["points"]) == (8, 10, 5.33)
    assert rows["5.4"]["what_it_takes"].startswith("Cần thêm 1 ")


def test_group_totals_add_their_indicators():
    c = counts(
        received_online=8,
        received_counter=2,
        received_fee=5,
        paid_online=5,
        digitised=10,
        reused=8,
        finished_early=8,
        finished_on_time=2,
        finished_online=8,
        finished_online_ok=8,
        e_result=10,
        time_used_us=10 * 3600 * 10**6,
        time_allowed_us=20 * 3600 * 10**6,
        ratings_count=4,
        ratings_sum=20,
    )
    result = index766.compute(c, FULL_CATALOGUE)
    groups = {g["key"]: g["points"] for g in result["groups"]}
    assert groups == {"1": 0, "2": 20.0, "3": 22.0, "4": 16.0, "5": 6.0}  # no feedback: 5.1–5.3 score 0
    assert result["total"] == 64.0


# --- the rules on dossiers walked through the engine -----------------------------------------------------
@pytest.fixture
def march(catalog, citizen, office_a, staff):
    def step(d, action, actor, when, **params):
        note = params.pop("note", "")
        fresh = Dossier.objects.get(pk=d.pk)
        return dossier_transition(
            code=fresh.code, action=action, actor=actor, version=fresh.version, note=note, params=params, now=at(when)
        )

    return step


def _to_signed(step, d, staff, day):
    d = step(d, "accept", staff["tiepnhan"], f"{day}T11:00")
    d = step(d, "assign", staff["tiepnhan"], f"{day}T11:05", assignee="chuyenvien")
    d = step(d, "appraise", staff["chuyenvien"], f"{day}T11:10", note="ok")
    d = step(d, "approve", staff["lanhdao"], f"{day}T11:20")
    return step(d, "sign", staff["lanhdao"], f"{day}T11:30", confirm=True)


def test_supplement_time_is_excluded(march, citizen, office_a, staff, commune_a):
    """Filed 9/3 (due 12/3); the citizen took a week to supplement; finished 18/3, before the new due 19/3:
    on time for 766, although after the first due date."""
    step = march
    d = DossierFactory(citizen=citizen, office=office_a, now=at("2026-03-09T10:00"))
    d = step(d, "request_supplement", staff["tiepnhan"], "2026-03-09T14:00", note="Thiếu bản sao")
    d = step(d, "submit_supplement", citizen, "2026-03-16T09:00", note="Đã bổ sung")
    d = _to_signed(step, d, staff, "2026-03-17")
    d = step(d, "return_result", staff["tiepnhan"], "2026-03-18T15:00", method="online")
    result = selectors.index_766(unit=commune_a, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    row = indicator(result, "2.1")
    assert (row["numerator"], row["denominator"], row["points"]) == (1, 1, 18.0)


def test_online_dossier_without_e_result_is_not_online(march, citizen, office_a, staff, commune_a, monkeypatch):
    """Two online dossiers finished: one signed with an e-result, one whose result was not issued
    electronically (no issue_result event): only the first counts as online (3.3)."""
    step = march
    good = DossierFactory(citizen=citizen, office=office_a, now=at("2026-03-09T10:00"))
    d = _to_signed(step, good, staff, "2026-03-09")
    step(d, "return_result", staff["tiepnhan"], "2026-03-10T09:00", method="online")
    # A workflow whose signing issues no e-result: the same file without the effect.
    from motcua.stats import rollups

    other = DossierFactory(citizen=citizen, office=office_a, now=at("2026-03-09T10:30"))
    d = _to_signed(step, other, staff, "2026-03-09")
    # Remove the second dossier's e-result event from what the counters see as issued.
    monkeypatch.setattr(rollups, "_has_e_result", lambda dossier_id: dossier_id != other.pk)
    step(d, "return_result", staff["tiepnhan"], "2026-03-10T09:30", method="online")
    result = selectors.index_766(unit=commune_a, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    row = indicator(result, "3.3")
    assert (row["numerator"], row["denominator"]) == (1, 2)
    assert row["rate"] == 0.5 and row["points"] == 6.0


# --- API ----------------------------------------------------------------------------------------------------
@pytest.fixture
def one_finished(march, citizen, office_a, staff):
    d = DossierFactory(citizen=citizen, office=office_a, now=at("2026-03-09T10:00"))
    d = _to_signed(march, d, staff, "2026-03-09")
    return march(d, "return_result", staff["tiepnhan"], "2026-03-10T09:00", method="online")


def test_api_summary_and_766_for_an_officer_in_scope(client, one_finished, staff, api_token, commune_a):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(staff['lanhdao'])}"}
    response = client.get(f"/api/v1/stats/summary?unit={commune_a.code}&from=2026-03-01&to=2026-03-31", **auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "received",
        "finished",
        "in_progress",
        "overdue_now",
        "open_at_end",
        "supplement_requests",
        "refused",
        "withdrawn",
        "paid_online",
        "e_result",
        "rating",
    }
    assert body["received"] == {"online": 1, "counter": 0, "assisted": 0, "post": 0}
    assert body["finished"] == {"early": 1, "on_time": 0, "late": 0}
    assert body["rating"] == {"count": 0, "average": None}
    assert body["open_at_end"] == {"in_time": 0, "late": 0}
    response = client.get(f"/api/v1/stats/766?unit={commune_a.code}&from=2026-03-01&to=2026-03-31", **auth)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total", "groups", "indicators"}
    assert {"key", "numerator", "denominator", "rate", "points", "max", "data_missing"} <= set(body["indicators"][0])
    assert indicator(body, "2.1")["points"] == 18.0


def test_api_anyone_else_gets_404(client, one_finished, staff, api_token, commune_a, commune_b, citizen, make_officer):
    url = f"/api/v1/stats/summary?unit={commune_a.code}&from=2026-03-01&to=2026-03-31"
    assert client.get(url).status_code == 404  # anonymous
    citizen_auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(citizen)}"}
    assert client.get(url, **citizen_auth).status_code == 404
    other = {"HTTP_AUTHORIZATION": f"Bearer {api_token(staff['tiepnhan2'])}"}  # commune B's officer
    body = client.get(url, **other)
    assert body.status_code == 404 and body.json()["code"] == "not_found"
    assert client.get(url.replace(commune_a.code, "99999"), **other).json() == body.json()
    # A province admin sees the commune; the commune's officer does not see the province.
    admin = make_officer("tinh", Role.PROVINCE_ADMIN, commune_a.parent)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {api_token(admin)}").status_code == 200
    leader = {"HTTP_AUTHORIZATION": f"Bearer {api_token(staff['lanhdao'])}"}
    assert client.get(url.replace(commune_a.code, commune_a.parent.code), **leader).status_code == 404


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("from=2026-02-30&to=2026-03-31", "invalid_date", "from"),
        ("from=01/03/2026&to=2026-03-31", "invalid_date", "from"),
        ("from=2026-03-01", "invalid_date", "to"),
        ("from=2026-04-01&to=2026-03-01", "invalid_range", "from"),
        ("from=2020-01-01&to=2026-03-01", "range_too_long", "to"),
    ],
)
def test_api_bad_dates_are_422_in_vietnamese(client, staff, api_token, commune_a, query, code, field):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(staff['lanhdao'])}"}
    for path in ("summary", "766"):
        response = client.get(f"/api/v1/stats/{path}?unit={commune_a.code}&{query}", **auth)
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == code and field in body["fields"]
        assert "Ngày" in body["message"] or "năm" in body["message"]


def test_feedback_numbers_come_from_the_feedback_app(catalog, citizen, office_a, staff, commune_a):
    """Three items in March 2026: one answered in time, one refused in time, one still open past its due
    moment: 5.1 = 2/3, 5.2 = 2/2, 5.3 = (3 − 0 − 1)/3; another month counts nothing."""
    from motcua.feedback.models import Feedback
    from motcua.feedback.services import feedback_submit, feedback_transition

    def submit(when):
        return feedback_submit(
            category="service", subject="Chờ lâu", text="Tôi chờ hai tiếng.", sender=citizen, now=at(when)
        )

    def act(fb, action, actor, when, **params):
        note = params.pop("note", "")
        fresh = Feedback.objects.get(pk=fb.pk)
        return feedback_transition(
            code=fb.code, action=action, actor=actor, version=fresh.version, note=note, params=params, now=at(when)
        )

    answered = submit("2026-03-02T09:00")
    act(answered, "assign", staff["lanhdao"], "2026-03-02T10:00", assignee="chuyenvien")
    act(answered, "answer", staff["chuyenvien"], "2026-03-04T10:00", note="Đã chấn chỉnh")
    refused = submit("2026-03-03T09:00")
    act(refused, "refuse", staff["lanhdao"], "2026-03-03T10:00", note="Không thuộc thẩm quyền")
    submit("2026-03-05T09:00")  # open; due in April, past due now
    numbers = selectors.feedback_counts(
        unit_ids=[commune_a.pk], date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    )
    assert numbers == index766.Feedback(received=3, processed=2, on_time=2, disliked=0, overdue=1, complaints=0)
    result = selectors.index_766(unit=commune_a, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    assert (indicator(result, "5.1")["numerator"], indicator(result, "5.1")["denominator"]) == (2, 3)
    assert indicator(result, "5.3")["numerator"] == 2
    april = selectors.feedback_counts(
        unit_ids=[commune_a.pk], date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 30)
    )
    assert april.received == 0
    ranked = selectors.units_ranked(
        parent=commune_a.parent, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    )
    assert next(r for r in ranked if r["unit"] == commune_a)["index_total"] == result["total"]


@pytest.mark.parametrize(("first", "last"), [("9999-01-01", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_years_the_platform_cannot_hold_are_422_not_500(client, staff, api_token, commune_a, first, last):
    token = api_token(staff["lanhdao"])
    for path in ("summary", "766"):
        answer = client.get(
            f"/api/v1/stats/{path}?unit={commune_a.code}&from={first}&to={last}",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_date", answer.content
        assert "1995–2100" in answer.json()["message"]


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_the_public_page_answers_far_years_with_a_form_error(client, commune_a, year):
    answer = client.get(f"/cong-khai?tu=01/01/{year}&den=31/12/{year}")
    assert answer.status_code in (200, 400, 422) and "1995–2100" in answer.content.decode()
