"""Reads for administrative units and offices."""

from django.conf import settings
from django.db.models import QuerySet

from .models import COMMUNE_LEVEL, AdministrativeUnit, Office


def unit_get(*, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.current().get(code=code)


def communes_of(*, province: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.current().filter(parent=province, unit_type__in=COMMUNE_LEVEL).order_by("name")


def offices_within(*, unit: AdministrativeUnit) -> QuerySet[Office]:
    return Office.objects.filter(unit__path__startswith=unit.path, is_active=True).select_related("unit")


def main_office() -> Office | None:
    """The office whose contacts head the citizen pages: MOTCUA_OFFICE, else the first one registered."""
    offices = Office.objects.filter(is_active=True).select_related("unit")
    return offices.filter(code=settings.MOTCUA_OFFICE).first() or offices.order_by("pk").first()
