"""Deadline alerts (issue 18, point 4). One row per alert actually sent; the unique constraints are what
make "once per dossier, kind and step" hold when the job runs twice at once or on two machines: the job
inserts with ON CONFLICT DO NOTHING and notifies only for the rows its own INSERT returned."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    APOLOGY = "apology", _("Nhắc gửi văn bản xin lỗi (Mẫu 04)")
    DIGEST = "digest", _("Tóm tắt buổi sáng cho lãnh đạo")


class Alert(models.Model):
    kind = models.CharField(_("loại"), max_length=10, choices=AlertKind.choices)
    # Dossier alerts: the dossier, the step ("" = the overall due moment) and the due moment warned about.
    # A new due moment (an apology's new date, the clock restarted after a supplement, a calendar change)
    # is a new deadline and gets its own alert.
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("hồ sơ")
    )
    step = models.CharField(_("bước"), max_length=30, blank=True, default="")
    due_at = models.DateTimeField(_("hạn"), null=True, blank=True)
    unit = models.ForeignKey(
        "places.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Digests: the leader and the local day.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(_("số người nhận"), default=0)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("cảnh báo thời hạn")
        verbose_name_plural = _("cảnh báo thời hạn")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "step", "due_at"],
                condition=Q(dossier__isnull=False),
                name="alert_once_per_dossier_kind_step",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "day"], condition=Q(kind="digest"), name="alert_digest_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", user__isnull=False, day__isnull=False)
                | (~Q(kind="digest") & Q(dossier__isnull=False, due_at__isnull=False)),
                name="alert_has_its_subject",
            ),
        ]
        indexes = [models.Index(fields=["unit", "-created_at"], name="alert_unit_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier_id or self.user_id} {self.step}"
