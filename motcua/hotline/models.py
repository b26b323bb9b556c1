"""The 24/7 hotline log (issue 19, point 2): calls a duty officer records, and the duty roster that says who
answers the published number each day and night. DOMAIN.md §14."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.places.models import AdministrativeUnit

# Callers' numbers are kept in full this long, then masked by the daily job (personal data, Decree 13/2023).
RETENTION_DAYS = 90
# The day shift runs 07:00–19:00 local time; the night shift 19:00 to 07:00 the next morning and belongs to
# the date it starts on.
DAY_STARTS, NIGHT_STARTS = dt.time(7, 0), dt.time(19, 0)


class Topic(models.TextChoices):
    PROCEDURE = "procedure", _("Hỏi về thủ tục")
    DOSSIER = "dossier", _("Tình trạng hồ sơ")
    FEE = "fee", _("Phí, lệ phí")
    COMPLAINT = "complaint", _("Phản ánh, kiến nghị")
    EMERGENCY = "emergency", _("Sự cố khẩn cấp (thiên tai, dịch bệnh)")
    OTHER = "other", _("Việc khác")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Đã giải đáp")
    FOLLOW_UP = "follow_up", _("Cần xử lý tiếp")
    TRANSFERRED = "transferred", _("Chuyển cơ quan khác")
    FEEDBACK = "feedback", _("Đã chuyển thành phản ánh")
    ASSISTED = "assisted", _("Đã hỗ trợ nộp hồ sơ")


class Shift(models.TextChoices):
    DAY = "day", _("Ca ngày (07:00–19:00)")
    NIGHT = "night", _("Ca đêm (19:00–07:00 hôm sau)")


class CallQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one door for calls: officers see the calls of the units they serve (and below); anyone
        else sees none, so "not yours" and "missing" are the same 404."""
        from motcua.accounts.models import OFFICER_ROLES
        from motcua.accounts.selectors import grants_of

        if not getattr(user, "is_authenticated", False):
            return self.none()
        paths = sorted({g.unit.path for g in grants_of(user=user, roles=OFFICER_ROLES)})
        if not paths:
            return self.none()
        served = Q()
        for path in paths:
            served |= Q(unit__path__startswith=path)
        return self.filter(served)


class Call(models.Model):
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("thời điểm gọi"))
    caller_phone = models.CharField(_("số điện thoại người gọi"), max_length=20)
    phone_masked_at = models.DateTimeField(_("đã che số điện thoại lúc"), null=True, blank=True)
    caller_name = models.CharField(_("tên người gọi"), max_length=150, blank=True)
    topic = models.CharField(_("chủ đề"), max_length=20, choices=Topic.choices)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("thủ tục"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("nội dung"))
    outcome = models.CharField(_("kết quả"), max_length=20, choices=Outcome.choices)
    follow_up = models.TextField(_("việc cần làm tiếp"), blank=True)
    # The follow-up done: when, by whom, what came of it (a call with outcome "follow_up" stays on the unit's
    # list of things to do until then).
    follow_up_done_at = models.DateTimeField(_("đã xử lý tiếp lúc"), null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý tiếp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    follow_up_result = models.TextField(_("kết quả xử lý tiếp"), blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nghe máy"), on_delete=models.PROTECT, related_name="+"
    )
    feedback_code = models.CharField(_("mã phản ánh"), max_length=40, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ được hỗ trợ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc gọi đường dây nóng")
        verbose_name_plural = _("cuộc gọi đường dây nóng")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "received_at"], name="hotline_call_unit_time"),
            # The masking job's scan: unmasked calls by age.
            models.Index(
                fields=["received_at"], condition=Q(phone_masked_at__isnull=True), name="hotline_call_unmasked"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="hotline_call_topic_valid"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="hotline_call_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%d/%m/%Y %H:%M} {self.get_topic_display()}"


class DutyShift(models.Model):
    """Who answers the published hotline number of a unit on one shift of one day."""

    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("ngày"))
    shift = models.CharField(_("ca trực"), max_length=10, choices=Shift.choices)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ trực"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ca trực đường dây nóng")
        verbose_name_plural = _("lịch trực đường dây nóng")
        ordering = ["date", "shift"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "shift"], name="hotline_one_officer_per_shift"),
            models.CheckConstraint(condition=Q(shift__in=Shift.values), name="hotline_shift_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_shift_display()}"
