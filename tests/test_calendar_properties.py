"""Property-based checks of the deadline engine over 2024–2027 with random typhoon closures."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.calendars.engine import (
    VN_TZ,
    Override,
    WorkingCalendar,
    add_working_time,
    due_same_day,
    due_working_days,
    due_working_hours,
    received_moment,
    working_time_between,
)

moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 6, 30)).map(
    lambda m: m.replace(second=0, microsecond=0, tzinfo=VN_TZ)
)
closures = st.dictionaries(
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)),
    st.just(Override(False, "Nghỉ do bão")),
    max_size=8,
)


def _calendar(extra):
    base = {dt.date(2026, 1, 2): Override(False, "hoán đổi"), dt.date(2026, 1, 10): Override(True, "làm bù")}
    return WorkingCalendar(overrides={**base, **extra})


def _inside_office_hours(cal, moment):
    return any(start <= moment <= end for start, end in cal.periods(moment.date()))


@settings(max_examples=300, deadline=None)
@given(received=moments, days=st.integers(min_value=1, max_value=40), extra=closures)
def test_due_by_working_days(received, days, extra):
    cal = _calendar(extra)
    due = due_working_days(cal, received, days)
    assert cal.is_working_day(due.date())
    assert due >= received
    assert due == cal.day_end(due.date())
    longer = due_working_days(cal, received, days + 1)
    assert longer > due and cal.is_working_day(longer.date())


@settings(max_examples=300, deadline=None)
@given(received=moments, hours=st.integers(min_value=1, max_value=120), extra=closures)
def test_due_by_working_hours(received, hours, extra):
    cal = _calendar(extra)
    due = due_working_hours(cal, received, hours)
    assert cal.is_working_day(due.date())
    assert _inside_office_hours(cal, due)
    assert due >= received
    assert due_working_hours(cal, received, hours + 1) > due
    # Exactly the asked working time lies between the counted start and the due moment.
    assert working_time_between(cal, received_moment(cal, received), due) == dt.timedelta(hours=hours)


@settings(max_examples=200, deadline=None)
@given(received=moments, extra=closures)
def test_same_day(received, extra):
    cal = _calendar(extra)
    due = due_same_day(cal, received)
    assert cal.is_working_day(due.date()) and due >= received
    assert due <= due_working_days(cal, received, 1)


@settings(max_examples=200, deadline=None)
@given(start=moments, minutes=st.integers(min_value=0, max_value=60 * 200))
def test_adding_working_time_is_consistent(start, minutes):
    cal = _calendar({})
    end = add_working_time(cal, start, dt.timedelta(minutes=minutes))
    assert end >= start
    assert working_time_between(cal, start, end) == dt.timedelta(minutes=minutes)


# Running totals against the plain walk over periods (issue 15, point 8): the same working time, to the
# microsecond, for moments anywhere (seconds and microseconds too, nights, lunch, holidays), in any order,
# asked of one calendar one after another, so that its table grows backwards and forwards between questions.
precise_moments = st.datetimes(min_value=dt.datetime(2023, 6, 1), max_value=dt.datetime(2028, 6, 30)).map(
    lambda m: m.replace(tzinfo=VN_TZ)
)
custom_hours = st.sampled_from(
    [
        None,
        {0: [(dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))], 5: [(dt.time(8), dt.time(11))]},
        {d: [(dt.time(0), dt.time(23, 59, 59, 999999))] for d in range(7)},
    ]
)


def _walked(cal, start, end):
    """The reference: working time summed period by period (what `working_time_between` did before the
    running totals)."""
    if end < start:
        return -_walked(cal, end, start)
    total = dt.timedelta(0)
    for begin, finish in cal.iter_periods_from(start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total


@settings(max_examples=300, deadline=None)
@given(
    pairs=st.lists(st.tuples(precise_moments, precise_moments), min_size=1, max_size=6),
    extra=closures,
    hours=custom_hours,
)
def test_running_totals_equal_the_walk_over_periods(pairs, extra, hours):
    cal = WorkingCalendar(hours=hours, overrides=extra)
    for start, end in pairs:
        assert cal.working_time(start, end) == _walked(cal, start, end)
        assert working_time_between(cal, start, end) == -working_time_between(cal, end, start)


def test_running_totals_at_the_ends_of_the_calendar_and_past_ten_years():
    """Moments near year 1 or 9999 (stored nonsense) are counted, not a ValueError from the table's padding;
    more than ten years apart is a CalendarError, as the walk over periods always gave."""
    import pytest

    from motcua.calendars.engine import CalendarError

    cal = WorkingCalendar()
    late = dt.datetime(9999, 12, 30, 10, tzinfo=VN_TZ)
    assert cal.working_time(late - dt.timedelta(days=20), late) == _walked(cal, late - dt.timedelta(days=20), late)
    early = dt.datetime(1, 1, 3, 10, tzinfo=VN_TZ)
    assert cal.working_time(early, early + dt.timedelta(days=20)) > dt.timedelta(0)
    # Asked about year 9999 and then year 1, the calendar keeps a table around the question, not both ends.
    assert len(cal._before[1]) < 100
    start = dt.datetime(2026, 12, 8, 9, tzinfo=VN_TZ)
    assert working_time_between(cal, start, start + dt.timedelta(days=3660)) > dt.timedelta(0)
    with pytest.raises(CalendarError):
        working_time_between(cal, start, start + dt.timedelta(days=3661))
