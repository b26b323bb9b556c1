"""Working calendar and deadline arithmetic (DOMAIN.md §6). Pure functions: the calendar is passed in,
nothing here reads the database or the clock, so every rule is testable and the same everywhere.

All moments are timezone-aware; arithmetic happens in the calendar's time zone (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext, ngettext

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Period = tuple[dt.time, dt.time]
WeekHours = Mapping[int, Sequence[Period]]

DEFAULT_PERIODS: tuple[Period, ...] = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))
DEFAULT_HOURS: dict[int, tuple[Period, ...]] = {weekday: DEFAULT_PERIODS for weekday in range(5)}
SAME_DAY_CUTOFF = dt.time(15, 0)
_MAX_DAYS_SCANNED = 3660  # ten years: a guard against a calendar with no working day at all
_FIRST_DAY, _LAST_DAY = dt.date.min.toordinal(), dt.date.max.toordinal()
# The running-totals table of a calendar never spans more than this (a question spans at most ten years).
_MAX_TABLE_DAYS = 2 * _MAX_DAYS_SCANNED

# "Ngày nghỉ (thay cho ngày 26/04/2025)": a bridge day off, worked on the date named in brackets.
_SWAP = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


class CalendarError(ValueError):
    """A deadline cannot be computed as asked; the message is for the user, ``code`` (stable, for programs
    and tests) says which rule refused it."""

    def __init__(self, message: str, *, code: str = "calendar"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class YearFacts:
    days_off: dict[dt.date, str]
    make_up_days: dict[dt.date, str]


@lru_cache(maxsize=64)
def national_year(year: int) -> YearFacts:
    """Vietnam's public holidays and official swaps for a year, from the `holidays` package."""
    days_off: dict[dt.date, str] = {}
    make_up: dict[dt.date, str] = {}
    for day, name in holidays.country_holidays("VN", years=year, language="vi").items():
        days_off[day] = name
        match = _SWAP.search(name)
        if match:
            worked = dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            make_up[worked] = f"Làm bù cho ngày nghỉ {day:%d/%m/%Y}"
    # A swap announced in one year can name a make-up day in the previous or next year.
    for neighbour in (year - 1, year + 1):
        for day, name in holidays.country_holidays("VN", years=neighbour, language="vi").items():
            match = _SWAP.search(name)
            if match and int(match.group(3)) == year:
                worked = dt.date(year, int(match.group(2)), int(match.group(1)))
                make_up[worked] = f"Làm bù cho ngày nghỉ {day:%d/%m/%Y}"
    return YearFacts(days_off=days_off, make_up_days=make_up)


@dataclass(frozen=True)
class Override:
    """An administrator's decision for one date: a day off (typhoon closure) or a make-up working day."""

    working: bool
    name: str


class WorkingCalendar:
    """Which days are worked and when. Precedence: an override for the date, then the national make-up
    days, then the national days off, then the office's weekly hours."""

    def __init__(
        self,
        *,
        hours: WeekHours | None = None,
        overrides: Mapping[dt.date, Override] | None = None,
        national: Callable[[int], YearFacts] = national_year,
        tz: dt.tzinfo = VN_TZ,
    ):
        self.hours = {k: tuple(v) for k, v in (hours or DEFAULT_HOURS).items() if v}
        if not self.hours:
            raise CalendarError("Lịch làm việc phải có ít nhất một ngày làm việc trong tuần")
        self.overrides = dict(overrides or {})
        self.national = national
        self.tz = tz
        # A make-up Saturday is worked on normal weekday hours.
        self._make_up_periods = self.hours.get(0) or next(iter(self.hours.values()))
        # Running totals of working time per day, for `working_time`: see `_table_covering`.
        self._before: tuple[int, list[dt.timedelta]] = (0, [])

    # --- days -------------------------------------------------------------------------------------
    def day_status(self, day: dt.date) -> tuple[bool, str]:
        """(is it a working day, the name of the holiday / override if any)."""
        override = self.overrides.get(day)
        if override is not None:
            return override.working, override.name
        facts = self.national(day.year)
        if day in facts.make_up_days:
            return True, facts.make_up_days[day]
        if day in facts.days_off:
            return False, facts.days_off[day]
        return day.weekday() in self.hours, ""

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_status(day)[0]

    def periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_working_day(day):
            return []
        spec = self.hours.get(day.weekday(), self._make_up_periods)
        return [(self._at(day, start), self._at(day, end)) for start, end in spec]

    def day_end(self, day: dt.date) -> dt.datetime:
        return self.periods(day)[-1][1]

    def next_working_day(self, day: dt.date) -> dt.date:
        for _ in range(_MAX_DAYS_SCANNED):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise CalendarError("Không tìm thấy ngày làm việc nào trong lịch")

    def previous_working_day(self, day: dt.date) -> dt.date:
        for _ in range(_MAX_DAYS_SCANNED):
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise CalendarError("Không tìm thấy ngày làm việc nào trong lịch")

    def standard_day_length(self) -> dt.timedelta:
        spec = self._make_up_periods
        return sum((_span(start, end) for start, end in spec), dt.timedelta())

    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def iter_periods_from(self, moment: dt.datetime):
        """Working periods that end after the moment, in order, the first clipped to start at it."""
        local = self.local(moment)
        day = local.date()
        for _ in range(_MAX_DAYS_SCANNED):
            for start, end in self.periods(day):
                if end > local:
                    yield max(start, local), end
            day += dt.timedelta(days=1)
        raise CalendarError("Không tìm thấy ngày làm việc nào trong lịch")

    # --- working time as a difference of two running totals ---------------------------------------------
    def working_time(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from `start` to `end` (negative when `end` is earlier): the running total of working
        time at `end` minus the one at `start`, both read off one per-day table that this calendar keeps and
        grows as needed. A worklist page's 25 rows, or a dossier months overdue, cost two look-ups each
        instead of a walk over every working period in between (issue 15, point 8); the result is the sum
        of the periods, to the microsecond (tests/test_calendar_properties.py compares the two). CalendarError
        for moments more than ten years apart."""
        start, end = self.local(start), self.local(end)
        if abs(end - start) > dt.timedelta(days=_MAX_DAYS_SCANNED):
            raise CalendarError("Không tìm thấy ngày làm việc nào trong lịch")
        first, totals = self._table_covering(min(start, end).date(), max(start, end).date())
        return self._total_at(end, first, totals) - self._total_at(start, first, totals)

    def _total_at(self, local: dt.datetime, first: int, totals: list[dt.timedelta]) -> dt.timedelta:
        day = local.date()
        total = totals[day.toordinal() - first]
        for start, end in self.periods(day):
            if start >= local:
                break
            total += min(end, local) - start
        return total

    def _table_covering(self, low: dt.date, high: dt.date) -> tuple[int, list[dt.timedelta]]:
        """(first day's ordinal, working time from that day's start to the start of each day), covering
        `low`..`high`. Grown by at least its own length each time (a walk through the days costs linear
        time); a new table replaces the old whole, so threads sharing a cached calendar never see it half
        built."""
        first, totals = self._before
        lo, hi = low.toordinal(), high.toordinal()
        if totals and first <= lo and hi < first + len(totals):
            return first, totals
        pad = max(len(totals), 31)
        grown = (min(first, lo - pad), max(first + len(totals), hi + pad))
        if totals and grown[1] - grown[0] <= _MAX_TABLE_DAYS:
            lo, hi = grown
        else:  # the first table, or one far from the last (a stored 9999 date): a new table around the request
            lo, hi = lo - 7, hi + 31
        lo, hi = max(lo, _FIRST_DAY), min(hi, _LAST_DAY + 1)  # within the dates Python can hold
        table, running = [], dt.timedelta(0)
        for ordinal in range(lo, hi):
            table.append(running)
            running += sum((e - s for s, e in self.periods(dt.date.fromordinal(ordinal))), dt.timedelta(0))
        self._before = (lo, table)
        return lo, table


def _span(start: dt.time, end: dt.time) -> dt.timedelta:
    return dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)


# --- deadline rules ------------------------------------------------------------------------------------
def received_moment(cal: WorkingCalendar, submitted_at: dt.datetime) -> dt.datetime:
    """When the clock starts: the submission itself if inside office hours, else the start of the next
    working period (night, lunch break, weekend, holiday)."""
    start, _end = next(cal.iter_periods_from(submitted_at))
    return start


def due_working_days(cal: WorkingCalendar, received_at: dt.datetime, days: int) -> dt.datetime:
    """End of office hours on the N-th working day after the day of receipt (Civil Code Art. 147: the
    day of receipt is not counted)."""
    _positive(days)
    day = received_moment(cal, received_at).date()
    for _ in range(days):
        day = cal.next_working_day(day)
    return cal.day_end(day)


def due_working_hours(cal: WorkingCalendar, received_at: dt.datetime, hours: float) -> dt.datetime:
    _positive(hours)
    return add_working_time(cal, received_moment(cal, received_at), dt.timedelta(hours=hours))


def due_same_day(cal: WorkingCalendar, received_at: dt.datetime, cutoff: dt.time = SAME_DAY_CUTOFF) -> dt.datetime:
    """End of the day of receipt; received after the cut-off (15:00), end of the next working day."""
    counted = received_moment(cal, received_at)
    if counted.timetz().replace(tzinfo=None) > cutoff:
        return cal.day_end(cal.next_working_day(counted.date()))
    return cal.day_end(counted.date())


@dataclass(frozen=True)
class DeadlineRule:
    """How a procedure states its processing time: N working days, N working hours, or the same day."""

    kind: str  # "working_days" | "working_hours" | "same_day"
    amount: float = 0

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    SAME_DAY = "same_day"

    def due(self, cal: WorkingCalendar, received_at: dt.datetime) -> dt.datetime:
        if self.kind == self.WORKING_DAYS:
            if self.amount != int(self.amount):
                raise CalendarError("Số ngày làm việc phải là số nguyên")
            return due_working_days(cal, received_at, int(self.amount))
        if self.kind == self.WORKING_HOURS:
            return due_working_hours(cal, received_at, self.amount)
        if self.kind == self.SAME_DAY:
            return due_same_day(cal, received_at)
        raise CalendarError(f"Không biết cách tính thời hạn loại {self.kind!r}")


def _positive(amount: float) -> None:
    if amount <= 0:
        raise CalendarError("Thời hạn phải lớn hơn 0")


# --- working time ----------------------------------------------------------------------------------------
def add_working_time(cal: WorkingCalendar, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The moment when `amount` of working time has passed after `start`."""
    if amount <= dt.timedelta(0):
        return received_moment(cal, start)
    remaining = amount
    for begin, end in cal.iter_periods_from(start):
        available = end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise CalendarError("Không tìm thấy ngày làm việc nào trong lịch")  # pragma: no cover - guarded above


def working_time_between(cal: WorkingCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time from start to end; negative when end is before start (`WorkingCalendar.working_time`).
    CalendarError for moments more than ten years apart, as the walk over periods that it replaced gave: no
    deadline spans that long, and pages stop at REMAINING_HORIZON first."""
    return cal.working_time(start, end)


# --- pause, resume, extension --------------------------------------------------------------------------
def resume_due(
    cal: WorkingCalendar, *, due_at: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime
) -> dt.datetime:
    """The clock stopped at `paused_at` and restarts at `resumed_at`: the working time that was left is
    counted again from the resumption, so the citizen's time does not count against the agency. A dossier
    already late when paused stays late: its due moment does not move."""
    if resumed_at < paused_at:
        raise CalendarError("Thời điểm tiếp tục phải sau thời điểm tạm dừng")
    left = working_time_between(cal, paused_at, due_at)
    if left <= dt.timedelta(0):
        return due_at
    return add_working_time(cal, received_moment(cal, resumed_at), left)


def restart_due(cal: WorkingCalendar, rule: DeadlineRule, *, resumed_at: dt.datetime) -> dt.datetime:
    """The clock restarts from zero when the completed dossier arrives (Decree 61/2018 Art. 19, after a
    supplement request): the full processing time counts again from the new receipt."""
    return rule.due(cal, resumed_at)


def extension_latest_moment(cal: WorkingCalendar, due_at: dt.datetime) -> dt.datetime:
    """An apology with a new date must be issued at least one working day before the due date: by the
    end of the working day before the due day."""
    due_day = cal.local(due_at).date()
    return cal.day_end(cal.previous_working_day(due_day))


# An apology may move the due date by at most this much (docs/calendar.md): a new date further away is
# almost always a typo (29/12/2062 for 29/12/2026), and would stall the dossier for good.
EXTENSION_MAX_WORKING_DAYS = 30
EXTENSION_MAX_CALENDAR_DAYS = 90


def extension_latest_new_day(cal: WorkingCalendar, due_at: dt.datetime) -> dt.date:
    return cal.local(due_working_days(cal, due_at, EXTENSION_MAX_WORKING_DAYS)).date()


def extension_check(
    cal: WorkingCalendar,
    *,
    due_at: dt.datetime,
    now: dt.datetime,
    new_due: dt.datetime | dt.date,
    already_extended: bool,
) -> dt.datetime:
    """Validate an apology with a new date (once, in time, later than the old date, on a working day) and
    return the new due moment (a date means the end of that working day)."""
    if already_extended:
        raise CalendarError("Chỉ được hẹn lại ngày trả kết quả một lần cho mỗi hồ sơ", code="only_once")
    latest = extension_latest_moment(cal, due_at)
    if now > latest:
        raise CalendarError(
            "Văn bản xin lỗi và hẹn lại phải gửi chậm nhất trước hạn một ngày làm việc, "
            f"tức là trước {latest:%H:%M ngày %d/%m/%Y}",
            code="too_late",
        )
    if isinstance(new_due, dt.datetime):
        new_day, new_moment = cal.local(new_due).date(), cal.local(new_due)
    else:
        new_day, new_moment = new_due, None
    # Bounded before any calendar work: a typo such as 29/12/2062 (or 9999-12-31 through the API) used to
    # be committed and then break every page showing the dossier.
    try:
        latest_new = extension_latest_new_day(cal, due_at)
    except OverflowError:
        raise CalendarError("Hạn cũ của hồ sơ không hợp lệ; hãy báo quản trị hệ thống") from None
    if (new_day - cal.local(due_at).date()).days > EXTENSION_MAX_CALENDAR_DAYS or new_day > latest_new:
        raise CalendarError(
            f"Ngày hẹn mới chậm nhất là {latest_new:%d/%m/%Y} "
            f"({EXTENSION_MAX_WORKING_DAYS} ngày làm việc sau hạn cũ); hãy kiểm tra lại ngày đã nhập",
            code="new_due_too_far",
        )
    if not cal.is_working_day(new_day):
        raise CalendarError(
            f"Ngày hẹn mới {new_day:%d/%m/%Y} không phải ngày làm việc; hãy chọn ngày khác", code="not_working_day"
        )
    if new_moment is None:
        new_moment = cal.day_end(new_day)
    if new_moment <= cal.local(due_at):
        raise CalendarError("Ngày hẹn mới phải sau ngày hẹn cũ", code="new_due_not_later")
    return new_moment


# --- reporting -----------------------------------------------------------------------------------------
EARLY, ON_TIME, LATE = "early", "on_time", "late"


def classify(cal: WorkingCalendar, *, finished_at: dt.datetime, due_at: dt.datetime) -> str:
    """Early: finished on a day before the due day. On time: by the due moment. Late: after it."""
    finished, due = cal.local(finished_at), cal.local(due_at)
    if finished.date() < due.date():
        return EARLY
    if finished <= due:
        return ON_TIME
    return LATE


# Beyond this distance working-time arithmetic means nothing to a reader and would scan years of calendar:
# a due date stored that far away (old data) is shown as "more than 3 years", never as an error.
REMAINING_HORIZON = dt.timedelta(days=3 * 365)


@dataclass(frozen=True)
class Remaining:
    overdue: bool
    days: int
    hours: int
    minutes: int
    beyond_horizon: bool = False

    def text(self) -> str:
        if self.beyond_horizon:
            return gettext("quá hạn hơn 3 năm") if self.overdue else gettext("còn hơn 3 năm")
        parts = []
        if self.days:
            parts.append(ngettext("%(n)s ngày", "%(n)s ngày", self.days) % {"n": self.days})
        if self.hours:
            parts.append(ngettext("%(n)s giờ", "%(n)s giờ", self.hours) % {"n": self.hours})
        if not parts:
            if self.minutes == 0:
                return gettext("đã quá hạn") if self.overdue else gettext("đến hạn")
            parts.append(ngettext("%(n)s phút", "%(n)s phút", self.minutes) % {"n": self.minutes})
        span = " ".join(parts)
        return (gettext("quá hạn %(span)s") if self.overdue else gettext("còn %(span)s")) % {"span": span}


def remaining(cal: WorkingCalendar, *, now: dt.datetime, due_at: dt.datetime) -> Remaining:
    """Working time left until the due moment (or past it), in working days of the office's standard
    length, hours and minutes: "còn 2 ngày 3 giờ", "quá hạn 1 ngày 2 giờ"."""
    overdue = cal.local(now) > cal.local(due_at)
    if abs(cal.local(due_at) - cal.local(now)) > REMAINING_HORIZON:
        return Remaining(overdue=overdue, days=0, hours=0, minutes=0, beyond_horizon=True)
    delta = working_time_between(cal, now, due_at)
    seconds = int(abs(delta).total_seconds())
    day_seconds = int(cal.standard_day_length().total_seconds())
    days, rest = divmod(seconds, day_seconds)
    hours, rest = divmod(rest, 3600)
    return Remaining(overdue=overdue, days=days, hours=hours, minutes=rest // 60)
