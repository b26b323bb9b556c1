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
from motcua.places.models import AdministrativeUnit

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
            return CalendarOverride.objects.create(
                date=date, kind=kind, name=name.strip(), unit=unit, legal_basis=legal_basis.strip(), created_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            {
                "date": [
                    _("Ngày %(d)s đã có trong lịch của địa bàn này; hãy xóa mục cũ trước") % {"d": f"{date:%d/%m/%Y}"}
                ]
            }
        ) from None


def override_delete(*, actor, override_id: int) -> None:
    override = CalendarOverride.objects.select_related("unit").filter(pk=override_id, unit__isnull=False).first()
    if override is None or not user_has_role(user=actor, role=ADMIN_ROLES, unit=override.unit):
        raise NotFound(_("Không tìm thấy mục lịch này"))
    override.delete()
