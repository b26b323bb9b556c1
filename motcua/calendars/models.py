from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.places.models import AdministrativeUnit


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


class CalendarOverride(TimeStampedModel):
    """An exception to the national calendar: a day off (a typhoon closure, a swap the `holidays` package
    does not know yet) or a make-up working day. With no unit it applies nationwide; with a unit, to every
    office in it. The most specific unit wins."""

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=16, choices=OverrideKind.choices)
    name = models.CharField(_("tên, lý do"), max_length=200)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("áp dụng cho địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: áp dụng toàn quốc"),
    )
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="calendar_override_unique_unit"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(unit__isnull=True), name="calendar_override_unique_national"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}: {self.name}"
