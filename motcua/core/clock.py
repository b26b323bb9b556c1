"""One clock for everything that leaves the system: Asia/Ho_Chi_Minh (settings.TIME_ZONE).

Every API datetime is ISO 8601 with the local offset and whole seconds ("2026-11-30T09:15:00+07:00"),
whether the value was just computed (local) or read back from the database (UTC); pages show the same
moment in the same zone. Naive datetimes are taken as local time, which is how the project creates them.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


def iso(moment: dt.datetime | None) -> str | None:
    """The one format of an API datetime field."""
    if moment is None:
        return None
    return local(moment).isoformat(timespec="seconds")


def display(moment: dt.datetime | None, pattern: str = "%H:%M %d/%m/%Y") -> str:
    """A moment as a page or a message shows it (local time, dd/mm/yyyy)."""
    return local(moment).strftime(pattern) if moment is not None else ""
