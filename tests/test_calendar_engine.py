"""Deadline arithmetic against the 2025–2026 official calendar (DOMAIN.md §6)."""

import datetime as dt

import pytest

from motcua.calendars.engine import (
    EARLY,
    LATE,
    ON_TIME,
    VN_TZ,
    CalendarError,
    DeadlineRule,
    Override,
    WorkingCalendar,
    classify,
    due_same_day,
    due_working_days,
    due_working_hours,
    extension_check,
    received_moment,
    remaining,
    restart_due,
    resume_due,
)
from motcua.calendars.selectors import calendar_for_office


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.fixture
def cal(db):
    """The nationwide calendar as the platform builds it: holidays package + shipped official overrides."""
    return calendar_for_office(None)


# --- Tết 2026: off Sat 14/2 – Sun 22/2 ------------------------------------------------------------------
def test_received_just_before_tet(cal):
    # The example: Friday 13/2 16:00, 3 working days → Wednesday 25/2 17:00.
    assert due_working_days(cal, at("2026-02-13T16:00"), 3) == at("2026-02-25T17:00")
    assert due_working_days(cal, at("2026-02-12T10:00"), 1) == at("2026-02-13T17:00")


def test_received_online_during_tet_counts_from_the_first_working_morning(cal):
    assert received_moment(cal, at("2026-02-17T09:00")) == at("2026-02-23T07:30")
    assert due_working_days(cal, at("2026-02-17T09:00"), 3) == at("2026-02-26T17:00")


def test_received_just_after_tet(cal):
    assert due_working_days(cal, at("2026-02-23T08:00"), 3) == at("2026-02-26T17:00")
    assert due_same_day(cal, at("2026-02-23T08:00")) == at("2026-02-23T17:00")


def test_every_tet_day_is_off(cal):
    for day in range(14, 23):
        assert not cal.is_working_day(dt.date(2026, 2, day)), day
    assert cal.is_working_day(dt.date(2026, 2, 13)) and cal.is_working_day(dt.date(2026, 2, 23))


# --- Hùng Kings' day 2026 (Sun 26/4, compensated Mon 27/4), 30/4 and 1/5 -----------------------------------
def test_hung_kings_day_and_its_compensation_monday(cal):
    assert not cal.is_working_day(dt.date(2026, 4, 27))
    assert due_working_days(cal, at("2026-04-24T10:00"), 1) == at("2026-04-28T17:00")
    # 30/4 (Thu) and 1/5 (Fri) are off too: three working days reach Monday 4/5.
    assert due_working_days(cal, at("2026-04-24T10:00"), 3) == at("2026-05-04T17:00")


def test_reunification_and_labour_day(cal):
    assert due_working_days(cal, at("2026-04-29T14:00"), 1) == at("2026-05-04T17:00")
    assert received_moment(cal, at("2026-04-30T09:00")) == at("2026-05-04T07:30")


# --- make-up Saturdays -----------------------------------------------------------------------------------
def test_2025_make_up_saturday_26_april(cal):
    # Friday 2/5/2025 was off in exchange for Saturday 26/4/2025.
    assert cal.is_working_day(dt.date(2025, 4, 26))
    assert not cal.is_working_day(dt.date(2025, 5, 2))
    assert due_working_days(cal, at("2025-04-25T10:00"), 1) == at("2025-04-26T17:00")
    assert due_working_days(cal, at("2025-04-25T10:00"), 4) == at("2025-05-05T17:00")


def test_2026_make_up_saturday_10_january(cal):
    # Friday 2/1/2026 off, worked on Saturday 10/1/2026 (shipped official override).
    assert not cal.is_working_day(dt.date(2026, 1, 2))
    assert cal.is_working_day(dt.date(2026, 1, 10))
    assert due_working_days(cal, at("2025-12-31T10:00"), 1) == at("2026-01-05T17:00")
    assert due_working_days(cal, at("2026-01-09T10:00"), 1) == at("2026-01-10T17:00")
    # A make-up Saturday keeps normal office hours: an online submission at 09:00 counts at once.
    assert received_moment(cal, at("2026-01-10T09:00")) == at("2026-01-10T09:00")


# --- night, Sunday, lunch, the 15:00 cut-off ------------------------------------------------------------
def test_submission_at_night(cal):
    assert received_moment(cal, at("2026-03-03T22:00")) == at("2026-03-04T07:30")
    assert due_working_days(cal, at("2026-03-03T22:00"), 2) == at("2026-03-06T17:00")


def test_submission_on_sunday_and_at_lunch(cal):
    assert received_moment(cal, at("2026-03-08T10:00")) == at("2026-03-09T07:30")
    assert received_moment(cal, at("2026-03-09T12:00")) == at("2026-03-09T13:30")
    assert received_moment(cal, at("2026-03-09T17:00")) == at("2026-03-10T07:30")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-03-09T14:59", "2026-03-09T17:00"),
        ("2026-03-09T15:00", "2026-03-09T17:00"),
        ("2026-03-09T15:01", "2026-03-10T17:00"),
        ("2026-03-08T20:00", "2026-03-09T17:00"),  # Sunday night: counts from Monday morning
        ("2026-02-13T15:01", "2026-02-23T17:00"),  # after 15:00 on the eve of Tết: after the holiday
    ],
)
def test_same_day_cut_off(cal, received, due):
    assert due_same_day(cal, at(received)) == at(due)


def test_working_hours(cal):
    assert due_working_hours(cal, at("2026-03-09T10:00"), 8) == at("2026-03-10T10:30")
    assert due_working_hours(cal, at("2026-03-09T07:30"), 7.5) == at("2026-03-09T17:00")


def test_n_must_be_positive(cal):
    with pytest.raises(CalendarError):
        due_working_days(cal, at("2026-03-09T10:00"), 0)
    with pytest.raises(CalendarError):
        due_working_hours(cal, at("2026-03-09T10:00"), -1)


# --- pause and resume -----------------------------------------------------------------------------------
def test_pause_and_resume_across_a_holiday(cal):
    received = at("2026-04-13T08:00")
    due = due_working_days(cal, received, 5)
    assert due == at("2026-04-20T17:00")
    # Paused Wednesday evening with three working days left; resumed on Friday 24/4 at 10:00.
    new_due = resume_due(cal, due_at=due, paused_at=at("2026-04-15T17:00"), resumed_at=at("2026-04-24T10:00"))
    # 22.5 working hours from Fri 10:00, skipping Mon 27/4 (Hùng Kings), 30/4 and 1/5.
    assert new_due == at("2026-05-04T10:00")


def test_restart_from_zero_after_a_supplement(cal):
    rule = DeadlineRule(DeadlineRule.WORKING_DAYS, 5)
    assert restart_due(cal, rule, resumed_at=at("2026-04-24T10:00")) == at("2026-05-06T17:00")


def test_a_dossier_late_when_paused_stays_late(cal):
    due = at("2026-03-10T17:00")
    assert resume_due(cal, due_at=due, paused_at=at("2026-03-11T09:00"), resumed_at=at("2026-03-16T09:00")) == due


# --- extension (apology with a new date) ------------------------------------------------------------------
def test_extension_once_in_time_later_and_on_a_working_day(cal):
    due = at("2026-02-25T17:00")
    ok = extension_check(
        cal, due_at=due, now=at("2026-02-24T10:00"), new_due=dt.date(2026, 3, 2), already_extended=False
    )
    assert ok == at("2026-03-02T17:00")
    refusals = [
        ("only_once", {"now": at("2026-02-24T10:00"), "new_due": dt.date(2026, 3, 2), "already_extended": True}),
        ("too_late", {"now": at("2026-02-25T08:00"), "new_due": dt.date(2026, 3, 2), "already_extended": False}),
        (
            "not_working_day",
            {"now": at("2026-02-24T10:00"), "new_due": dt.date(2026, 2, 28), "already_extended": False},
        ),
        (
            "new_due_not_later",
            {"now": at("2026-02-24T10:00"), "new_due": dt.date(2026, 2, 24), "already_extended": False},
        ),
        ("new_due_too_far", {"now": at("2026-02-24T10:00"), "new_due": dt.date(2026, 6, 1), "already_extended": False}),
    ]
    for code, kwargs in refusals:
        with pytest.raises(CalendarError) as exc:
            extension_check(cal, due_at=due, **kwargs)
        assert exc.value.code == code, (code, str(exc.value))


def test_extension_deadline_skips_the_holiday_before_the_due_day(cal):
    # Due Monday 23/2 (first day after Tết): the apology had to go out by Friday 13/2 17:00.
    due = at("2026-02-23T17:00")
    with pytest.raises(CalendarError) as exc:
        extension_check(
            cal, due_at=due, now=at("2026-02-16T09:00"), new_due=dt.date(2026, 2, 27), already_extended=False
        )
    assert exc.value.code == "too_late" and "17:00 ngày 13/02/2026" in str(exc.value)  # the moment it names


# --- remaining time and classification ----------------------------------------------------------------------
def test_remaining_and_overdue_texts(cal):
    due = at("2026-02-25T17:00")
    assert remaining(cal, now=at("2026-02-23T10:00"), due_at=due).text() == "còn 2 ngày 5 giờ"
    assert remaining(cal, now=at("2026-02-25T16:15"), due_at=due).text() == "còn 45 phút"
    assert remaining(cal, now=at("2026-02-26T10:00"), due_at=due).text() == "quá hạn 2 giờ"
    assert remaining(cal, now=at("2026-02-27T09:30"), due_at=due).text() == "quá hạn 1 ngày 2 giờ"
    assert remaining(cal, now=at("2026-02-28T09:30"), due_at=at("2026-02-27T17:00")).text() == "đã quá hạn"


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        ("2026-02-24T16:00", EARLY),
        ("2026-02-25T08:00", ON_TIME),
        ("2026-02-25T17:00", ON_TIME),
        ("2026-02-25T17:01", LATE),
        ("2026-02-26T09:00", LATE),
    ],
)
def test_classification(cal, finished, expected):
    assert classify(cal, finished_at=at(finished), due_at=at("2026-02-25T17:00")) == expected


# --- overrides and office hours ----------------------------------------------------------------------------------
def test_override_precedence_and_custom_hours():
    saturday_morning = {d: ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17))) for d in range(5)}
    saturday_morning[5] = ((dt.time(7, 30), dt.time(11, 30)),)
    cal = WorkingCalendar(hours=saturday_morning, overrides={dt.date(2026, 3, 10): Override(False, "Bão")})
    # The office works Saturday mornings: a Friday dossier with 1 working day is due Saturday 11:30.
    assert due_working_days(cal, at("2026-03-13T10:00"), 1) == at("2026-03-14T11:30")
    assert due_working_days(cal, at("2026-03-09T10:00"), 1) == at("2026-03-11T17:00")


def test_unknown_kind_is_refused(cal):
    with pytest.raises(CalendarError):
        DeadlineRule("fortnight", 1).due(cal, at("2026-03-09T10:00"))


def test_naive_moments_are_local_time(cal):
    assert due_working_days(cal, dt.datetime(2026, 2, 13, 16, 0), 3) == at("2026-02-25T17:00")
    utc = dt.datetime(2026, 2, 13, 9, 0, tzinfo=dt.UTC)  # 16:00 in Vietnam
    assert due_working_days(cal, utc, 3) == at("2026-02-25T17:00")
