"""Writes for the calendar: administrators' overrides and the official list shipped with the code."""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import ADMIN_ROLES
from motcua.accounts.selectors import user_has_role
from motcua.core.errors import NotFound
from motcua.core.repeats import earlier_request
from motcua.places.models import AdministrativeUnit

from .followers import calendar_day_changed, change_message, recent_runs
from .models import CalendarOverride, OverrideKind

OFFICIAL_FILE = Path(__file__).parent / "data" / "official_overrides.json"


def official_overrides_load(path: Path = OFFICIAL_FILE) -> int:
    """Create or update the nationwide overrides listed in the shipped data file (idempotent)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    with transaction.atomic():
        for entry in data["entries"]:
            CalendarOverride.objects.update_or_create(
                date=dt.date.fromisoformat(entry["date"]),
                unit=None,
                defaults={"kind": entry["kind"], "name": entry["name"], "legal_basis": entry.get("legal_basis", "")},
            )
            count += 1
    return count


def override_create(
    *, actor, date: dt.date, kind: str, name: str, unit: AdministrativeUnit, legal_basis: str = ""
) -> CalendarOverride:
    """An administrator adds a day off or a make-up day for a unit in their scope."""
    if not user_has_role(user=actor, role=ADMIN_ROLES, unit=unit):
        raise NotFound(_("Không tìm thấy địa bàn này trong phạm vi quản trị của bạn"))
    errors = {}
    if kind not in OverrideKind.values:
        errors["kind"] = [_("Chọn ngày nghỉ hoặc ngày làm việc bù")]
    if not name.strip():
        errors["name"] = [_("Nhập lý do, ví dụ: Nghỉ do bão số 3")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            override = CalendarOverride.objects.create(
                date=date, kind=kind, name=name.strip(), unit=unit, legal_basis=legal_basis.strip(), created_by=actor
            )
            override.recalculation = override_changed(override=override, actor=actor)
            return override
    except IntegrityError:
        with transaction.atomic():
            # A double click: the same day, kind and name just added by the same administrator is the first
            # click's outcome, with its recalculation; anything else on that day is a real clash.
            same = earlier_request(
                CalendarOverride.objects.filter(date=date, unit=unit, kind=kind, name=name.strip(), created_by=actor),
                user=actor,
            )
        if same is not None:
            runs = recent_runs(units=[unit])
            same.recalculation = runs[0] if runs else None
            return same
        raise ValidationError(
            {
                "date": [
                    _("Ngày %(d)s đã có trong lịch của địa bàn này; hãy xóa mục cũ trước") % {"d": f"{date:%d/%m/%Y}"}
                ]
            }
        ) from None


def override_delete(*, actor, override_id: int):
    """Remove an override; returns the recalculation of the open dossiers it touched."""
    override = CalendarOverride.objects.select_related("unit").filter(pk=override_id, unit__isnull=False).first()
    if override is None or not user_has_role(user=actor, role=ADMIN_ROLES, unit=override.unit):
        raise NotFound(_("Không tìm thấy mục lịch này"))
    with transaction.atomic():
        override.delete()
        return override_changed(override=override, actor=actor, removed=True)


def override_changed(*, override: CalendarOverride, actor=None, removed: bool = False, before=None):
    """A day of a unit's calendar changed (added, edited, removed, in the workspace or the admin): queue
    the recalculation of the open dossiers it touches. An edit that moves the day or the unit touches
    both the old and the new place; the returned run is the new one's."""
    if before is not None and (before.date, before.unit_id) != (override.date, override.unit_id):
        calendar_day_changed(
            day=before.date, unit=before.unit, kind=before.kind, name=before.name, removed=True, actor=actor
        )
    return calendar_day_changed(
        day=override.date, unit=override.unit, kind=override.kind, name=override.name, removed=removed, actor=actor
    )


def recalculation_message(run) -> str:
    """What the administrator is told, truthfully: done already, or still running for N dossiers (said by
    the follower that did the work, calendars.followers)."""
    return change_message(run)
