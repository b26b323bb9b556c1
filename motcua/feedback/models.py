"""Feedback and petitions (phản ánh, kiến nghị — PAKN), their append-only log, attachments and the daily
code counter. The item moves through the dossier engine (motcua/feedback/workflow.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.places.models import AdministrativeUnit


class Category(models.TextChoices):
    PROCEDURE = "procedure", _("Về một thủ tục hành chính")
    DOSSIER = "dossier", _("Về việc giải quyết một hồ sơ")
    OFFICER = "officer", _("Về thái độ, hành vi của cán bộ")
    SERVICE = "service", _("Về chất lượng phục vụ")
    OTHER = "other", _("Việc khác")


class FeedbackChannel(models.TextChoices):
    PORTAL = "portal", _("Cổng dịch vụ công")
    API = "api", _("Ứng dụng (API)")
    HOTLINE = "hotline", _("Đường dây nóng")


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one door for permission-checked reads: the sender sees their own items, an officer the items
        of the units they serve. Anyone else sees nothing: "not yours" and "missing" are the same 404."""
        from motcua.accounts.models import OFFICER_ROLES
        from motcua.accounts.selectors import grants_of

        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(sender=user)
        for path in sorted({grant.unit.path for grant in grants_of(user=user, roles=OFFICER_ROLES)}):
            condition |= Q(unit__path__startswith=path)
        return self.filter(condition)

    def published(self):
        """Answered items the sender agreed to publish (the public page)."""
        return self.filter(published_at__isnull=False, publish_consent=True)


class Feedback(models.Model):
    code = models.CharField(_("mã phản ánh"), max_length=30, unique=True)
    workflow = models.CharField(max_length=40)
    category = models.CharField(_("loại"), max_length=12, choices=Category.choices)
    subject = models.CharField(_("tiêu đề"), max_length=200)
    text = models.TextField(_("nội dung"))
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback_sent"
    )
    sender_name = models.CharField(_("người gửi"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=15, blank=True)
    channel = models.CharField(_("kênh gửi"), max_length=10, choices=FeedbackChannel.choices)
    publish_consent = models.BooleanField(_("đồng ý công khai (ẩn danh)"), default=False)
    status = models.CharField(_("trạng thái"), max_length=30)
    is_open = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    paused_at = models.DateTimeField(null=True, blank=True)
    info_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback_assigned"
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    publish_due_at = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    published_at = models.DateTimeField(_("thời điểm công khai"), null=True, blank=True)
    # What the public page shows: the subject, question and answer with names, phones and ID numbers removed.
    public_subject = models.CharField(max_length=200, blank=True)
    public_text = models.TextField(blank=True)
    public_answer = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    escalated_at = models.DateTimeField(_("đã báo lãnh đạo lúc"), null=True, blank=True)
    rating_score = models.PositiveSmallIntegerField(_("đánh giá"), null=True, blank=True)
    rating_comment = models.TextField(_("ý kiến"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    # Transferred from another unit on the platform: the item it continues (that one ended "transferred").
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        constraints = [
            models.CheckConstraint(condition=Q(info_count__lte=1), name="feedback_one_info_request"),
            models.CheckConstraint(condition=Q(extension_count__lte=1), name="feedback_one_extension"),
            models.CheckConstraint(
                condition=Q(rating_score__isnull=True) | (Q(rating_score__gte=1) & Q(rating_score__lte=5)),
                name="feedback_rating_1_to_5",
            ),
            models.CheckConstraint(condition=Q(sender__isnull=False) | ~Q(phone=""), name="feedback_sender_or_phone"),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="feedback_unit_open", condition=Q(is_open=True)),
            models.Index(fields=["assigned_to", "due_at"], name="feedback_assignee", condition=Q(is_open=True)),
            models.Index(
                fields=["due_at"], name="feedback_due_unescalated", condition=Q(is_open=True, escalated_at=None)
            ),
            models.Index(fields=["-published_at"], name="feedback_published", condition=Q(published_at__isnull=False)),
            models.Index(fields=["sender", "-created_at"], name="feedback_sender_recent"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def state(self):
        from .workflow import feedback_workflow

        return feedback_workflow(self.workflow).states.get(self.status)


class FeedbackEvent(models.Model):
    """Append-only: every submission, action, escalation and rating, in order."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=32, blank=True)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["feedback", "seq"]
        constraints = [models.UniqueConstraint(fields=["feedback", "seq"], name="feedback_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.feedback_id}#{self.seq} {self.action}"


def feedback_attachment_path(instance, filename):
    from django.utils import timezone

    from motcua.dossiers.uploads import EXTENSIONS

    extension = EXTENSIONS.get(instance.content_type)
    return f"feedback/{timezone.now():%Y/%m}/{instance.pk.hex}" + (f".{extension}" if extension else "")


class FeedbackAttachment(models.Model):
    """A file sent with an item. Uploaded before the item exists (a sender who still has to confirm their
    phone) it has no item yet; the submission claims it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    feedback = models.ForeignKey(Feedback, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=feedback_attachment_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class FeedbackCounter(models.Model):
    """The last sequence number used on a day (feedback codes PA-YYMMDD-NNNN)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.last}"
