"""Reads for administrative units and offices."""

from django.conf import settings

from .models import Office


def main_office() -> Office | None:
    """The office whose contacts head the citizen pages: MOTCUA_OFFICE, else the first one registered."""
    offices = Office.objects.filter(is_active=True).select_related("unit")
    return offices.filter(code=settings.MOTCUA_OFFICE).first() or offices.order_by("pk").first()
