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
    message: Callable[[object], str] | None = None  # None: the follower keeps no run to tell about
    recent: Callable[..., Sequence] | None = None


_FOLLOWERS: list[CalendarFollower] = []


def register_calendar_follower(follower: CalendarFollower) -> None:
    _FOLLOWERS[:] = [f for f in _FOLLOWERS if f != follower] + [follower]


def calendar_day_changed(*, day: dt.date, unit, kind: str, name: str, removed: bool, actor=None):
    """Tell every follower that ``day`` of ``unit``'s calendar (None: nationwide) changed, in the caller's
    transaction; the run of the follower that keeps runs is returned (the dossier engine's recalculation;
    feedback items are recalculated at once and keep none)."""
    run = None
    for follower in _FOLLOWERS:
        outcome = follower.changed(day=day, unit=unit, kind=kind, name=name, removed=removed, actor=actor)
        if follower.message is not None:
            run = outcome
    return run


def _telling() -> CalendarFollower | None:
    return next((f for f in reversed(_FOLLOWERS) if f.message is not None), None)


def change_message(run) -> str:
    """What the administrator is told about a change's run, truthfully."""
    follower = _telling()
    if run is None or follower is None:
        return _("Không có hồ sơ đang giải quyết nào bị ảnh hưởng.")
    return follower.message(run)


def recent_runs(*, units) -> Sequence:
    """The followers' runs for the units, newest first (empty without a follower)."""
    follower = _telling()
    return follower.recent(units=units) if follower is not None and follower.recent is not None else []
