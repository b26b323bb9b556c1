"""Reads for administrative units and offices."""

from django.conf import settings

from .models import COMMUNE_LEVEL, VILLAGE_LEVEL, AdministrativeUnit, Office


def main_office() -> Office | None:
    """The office whose contacts head the citizen pages: MOTCUA_OFFICE, else the first one registered."""
    offices = Office.objects.filter(is_active=True).select_related("unit")
    return offices.filter(code=settings.MOTCUA_OFFICE).first() or offices.order_by("pk").first()


def offices_active():
    """Every open office with its unit, contacts and hours (the public contacts page)."""
    return Office.objects.filter(is_active=True).select_related("unit").prefetch_related("contacts", "hours")


def communes_of(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The current commune-level units directly under a province."""
    return list(AdministrativeUnit.objects.current().filter(parent=unit, unit_type__in=COMMUNE_LEVEL))


def villages_under(unit: AdministrativeUnit):
    """The current villages (thôn, bản, tổ dân phố) under a unit, by name."""
    return (
        AdministrativeUnit.objects.current()
        .filter(unit_type__in=VILLAGE_LEVEL, path__startswith=unit.path)
        .order_by("name")
    )


def office_first_active(unit: AdministrativeUnit) -> Office | None:
    """The unit's first open office (its one-stop desk)."""
    return Office.objects.filter(unit=unit, is_active=True).order_by("pk").first()
