"""Writes for administrative units and offices."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from .models import AdministrativeUnit, UnitType

# The two-tier local government (provinces and communes, no districts) started on this day.
REFORM_2025_START = dt.date(2025, 7, 1)

_PROVINCE_TYPES = {"tỉnh": UnitType.PROVINCE, "thành phố trung ương": UnitType.CITY}
_WARD_TYPES = {"xã": UnitType.COMMUNE, "phường": UnitType.WARD, "đặc khu": UnitType.SPECIAL_ZONE}


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    unit_type: str
    parent_code: str | None


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def unit_save(*, unit: AdministrativeUnit) -> AdministrativeUnit:
    """Save a unit and keep the materialised paths of the unit and everything below it right."""
    with transaction.atomic():
        old_path = unit.path
        unit.path = unit.compute_path()
        unit.depth = unit.path.count("/") - 2
        unit.save()
        if old_path and old_path != unit.path:
            for child in AdministrativeUnit.objects.filter(parent=unit):
                unit_save(unit=child)
    return unit


def official_unit_rows(province_codes: Iterable[str] | None = None) -> list[UnitRow]:
    """The current official list (34 provinces, 3,321 communes since 1/7/2025) from `vietnam-provinces`."""
    from vietnam_provinces import Province, Ward

    wanted = {c.zfill(2) for c in province_codes} if province_codes else None
    rows: list[UnitRow] = []
    for province in Province.iter_all():
        pcode = f"{int(province.code):02d}"
        if wanted is not None and pcode not in wanted:
            continue
        ptype = _PROVINCE_TYPES[province.division_type.value]
        name = province.name if ptype == UnitType.CITY else f"Tỉnh {province.name}"
        rows.append(UnitRow(code=pcode, name=name, unit_type=ptype, parent_code=None))
    province_set = {r.code for r in rows}
    for ward in Ward.iter_all():
        pcode = f"{int(ward.province_code):02d}"
        if pcode not in province_set:
            continue
        rows.append(
            UnitRow(
                code=f"{int(ward.code):05d}",
                name=ward.name,
                unit_type=_WARD_TYPES[ward.division_type.value],
                parent_code=pcode,
            )
        )
    return rows


def units_load(
    *,
    rows: list[UnitRow],
    source: str,
    valid_from: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Create or update units from rows (parents before children). Idempotent: a second run changes
    nothing. Runs in one transaction, so an interrupted load leaves the previous list intact."""
    report = LoadReport()
    with transaction.atomic():
        existing = {
            u.code: u for u in AdministrativeUnit.objects.filter(valid_to__isnull=True).select_related("parent")
        }
        for row in rows:
            parent = existing.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                raise ValueError(f"unit {row.code}: parent {row.parent_code} is not loaded")
            unit = existing.get(row.code)
            if unit is None:
                unit = AdministrativeUnit(
                    code=row.code,
                    name=row.name,
                    unit_type=row.unit_type,
                    parent=parent,
                    valid_from=valid_from,
                    source=source,
                )
                unit_save(unit=unit)
                existing[row.code] = unit
                report.created += 1
            elif (unit.name, unit.unit_type, unit.parent_id) != (
                row.name,
                row.unit_type,
                parent.pk if parent else None,
            ):
                unit.name, unit.unit_type, unit.parent = row.name, row.unit_type, parent
                unit.source = source
                unit_save(unit=unit)
                report.updated += 1
            else:
                report.unchanged += 1
            if progress:
                progress(1)
    return report
