"""What follows a change of a unit's working calendar. The dossier engine recalculates the due moments of
the open dossiers a changed day touches (dossiers/deadlines.py); it registers itself here in
AppConfig.ready, so calendars never imports dossiers (docs/architecture.md, layers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CalendarFollower:
    """``changed(day=, unit=, kind=, name=, removed=, actor=) -> run`` queues the work a changed day causes
    (inside the caller's transaction) and returns its run record (or None); ``message(run) -> str`` tells the
    administrator what it did or is doing; ``recent(units) -> runs`` lists the runs of the units, newest
    first (the calendar page's progress table)."""

    changed: Callable[..., object]
    message: Callable[[object], str]
    recent: Callable[..., Sequence]


_FOLLOWERS: list[CalendarFollower] = []


def register_calendar_follower(follower: CalendarFollower) -> None:
    _FOLLOWERS[:] = [f for f in _FOLLOWERS if f != follower] + [follower]


def calendar_day_changed(*, day: dt.date, unit, kind: str, name: str, removed: bool, actor=None):
    """Tell every follower that ``day`` of ``unit``'s calendar (None: nationwide) changed; the last
    follower's run is returned (one follower today: the dossier engine)."""
    run = None
    for follower in _FOLLOWERS:
        run = follower.changed(day=day, unit=unit, kind=kind, name=name, removed=removed, actor=actor)
    return run


def change_message(run) -> str:
    """What the administrator is told about a change's run, truthfully."""
    if run is None or not _FOLLOWERS:
        return _("Không có hồ sơ đang giải quyết nào bị ảnh hưởng.")
    return _FOLLOWERS[-1].message(run)


def recent_runs(*, units) -> Sequence:
    """The followers' runs for the units, newest first (empty without a follower)."""
    return _FOLLOWERS[-1].recent(units=units) if _FOLLOWERS else []
