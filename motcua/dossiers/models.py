"""Dossiers, their attachments, the append-only event log, per-agency code counters and ratings."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.models import TimeStampedModel
from motcua.places.models import AdministrativeUnit, Office


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua bưu chính")
    # Prepared with a community digital team member or an intake officer, confirmed by the citizen
    # (motcua/dossiers/assisted.py). Counts as an online dossier.
    ASSISTED = "assisted", _("Trực tuyến, có người hỗ trợ")


# Channels on which the citizen submits online (fees, the online-only checks, the `online_dossier` skill).
ONLINE_CHANNELS = frozenset({Channel.ONLINE, Channel.ASSISTED})


class Consent(models.TextChoices):
    """How the citizen confirmed an assisted dossier."""

    SMS_CODE = "sms", _("Mã xác nhận gửi tới điện thoại của công dân")
    PAPER = "paper", _("Giấy đồng ý có chữ ký, Bộ phận Một cửa đã kiểm tra")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


DRAFT = "draft"


def workflow_state(workflow: str, status: str):
    """The workflow State (label, tone, paused, final…) of a dossier in `status` under `workflow` (a
    "name@version" key); None for a draft or an unknown state. `Dossier.state`, and the worklist's rows,
    which are read without model instances."""
    from .workflow import load_workflow

    if status == DRAFT or not workflow:
        return None
    return load_workflow(workflow).states.get(status)


# The attachment an authorised representative files with the dossier (Civil Code 2015 Art. 138-140; for
# civil-status acts the authorisation must be written and certified, Luật Hộ tịch 2014 Art. 6).
AUTHORISATION_DOCUMENT = "Văn bản ủy quyền"


class DossierQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one door for permission-checked reads: a citizen sees their own dossiers (drafts included),
        an officer the submitted dossiers of the units they serve (never a citizen's draft). Anyone else
        sees nothing, so "not yours" and "missing" are the same 404. DESIGN.md "Security model"."""
        return self.filter(visible_dossiers_condition(user))

    def open(self):
        return self.filter(is_open=True)


def visible_dossiers_condition(user, prefix: str = "") -> Q:
    """The condition of `DossierQuerySet.visible_to`, for querysets that reach dossiers through a
    relation (`prefix="dossier__"`): attachments, results and issued forms share the dossier's door."""
    from motcua.accounts.models import OFFICER_ROLES
    from motcua.accounts.selectors import grants_of

    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}citizen": user})
    paths = sorted({grant.unit.path for grant in grants_of(user=user, roles=OFFICER_ROLES)})
    if paths:
        served = Q()
        for path in paths:
            served |= Q(**{f"{prefix}unit__path__startswith": path})
        condition |= served & ~Q(**{f"{prefix}status": DRAFT})
    return condition


class Dossier(TimeStampedModel):
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+")
    workflow = models.CharField(max_length=40)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("công dân"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant_name = models.CharField(_("người nộp"), max_length=150)
    # The name folded (motcua.core.inputs.fold: case, accents, NFC/NFD) for officers' search; written with
    # applicant_name, trigram-indexed on PostgreSQL (migration 0002) so "lo thi mai" is an index search.
    applicant_search = models.CharField(max_length=150, blank=True, editable=False)
    applicant_phone = models.CharField(_("điện thoại"), max_length=15, blank=True)
    applicant_citizen_id = models.CharField(_("số định danh"), max_length=12, blank=True)
    office = models.ForeignKey(Office, verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="+")
    # Where the dossier belongs for scoping: the receiving office's unit at the time of filing.
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    # The province above the unit, denormalised so province-wide worklists are one index range.
    province = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    # Assisted submission: who helped (a team member or an intake officer), how the citizen confirmed,
    # and, while a draft, when the confirmation was asked for (SMS verification id, or the reason a
    # paper consent was sent back).
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hỗ trợ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="helped_dossiers",
    )
    consent = models.CharField(_("công dân xác nhận bằng"), max_length=10, choices=Consent.choices, blank=True)
    consent_requested_at = models.DateTimeField(null=True, blank=True)
    confirmation_id = models.CharField(max_length=40, blank=True)
    consent_note = models.CharField(max_length=500, blank=True)
    # Filed by an authorised representative (người được ủy quyền): the authorisation document is then a
    # required attachment (AUTHORISATION_DOCUMENT), checked like every other required document.
    on_behalf = models.BooleanField(_("nộp theo ủy quyền"), default=False)
    status = models.CharField(_("trạng thái"), max_length=30, default=DRAFT)
    is_open = models.BooleanField(default=True)
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("thời điểm nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận (bắt đầu tính)"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả kết quả"), null=True, blank=True)
    original_due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    return_state = models.CharField(max_length=30, blank=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_dossiers"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    return_method = models.CharField(max_length=10, blank=True)
    fee_amount = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    # SHA-256 of the submission that came with the key: a retry with another body is refused.
    idempotency_hash = models.CharField(max_length=64, blank=True, default="")

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="dossier_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(status=DRAFT) | Q(code__isnull=False), name="dossier_code_when_submitted"
            ),
            models.CheckConstraint(condition=Q(supplement_count__lte=1), name="dossier_one_supplement_request"),
            models.CheckConstraint(condition=Q(extension_count__lte=1), name="dossier_one_extension"),
        ]
        indexes = [
            # Worklists: open dossiers of a unit by status or by due moment; officers' own; finished ones.
            models.Index(
                fields=["unit", "status", "due_at"], name="dossier_unit_status_due", condition=Q(is_open=True)
            ),
            # `status` rides along so the due-date tabs count without reading the table (index-only scans).
            models.Index(
                fields=["unit", "due_at"], name="dossier_unit_open_due", condition=Q(is_open=True), include=["status"]
            ),
            models.Index(fields=["assigned_to", "due_at"], name="dossier_assignee_due", condition=Q(is_open=True)),
            models.Index(
                fields=["province", "status", "due_at"], name="dossier_prov_status_due", condition=Q(is_open=True)
            ),
            models.Index(
                fields=["province", "due_at"],
                name="dossier_prov_open_due",
                condition=Q(is_open=True),
                include=["status"],
            ),
            models.Index(fields=["province", "-finished_at"], name="dossier_prov_finished", condition=Q(is_open=False)),
            models.Index(fields=["unit", "-finished_at"], name="dossier_unit_finished", condition=Q(is_open=False)),
            models.Index(fields=["citizen", "-created_at"], name="dossier_citizen_recent"),
            models.Index(fields=["applicant_citizen_id"], name="dossier_applicant_cid"),
            models.Index(fields=["applicant_phone"], name="dossier_applicant_phone"),
        ]

    @property
    def state(self):
        """The workflow State of the current status (label, tone, paused, final…); None for a draft."""
        return workflow_state(self.workflow, self.status)

    def __str__(self) -> str:
        return self.code or f"Bản nháp #{self.pk}"


def attachment_path(instance, filename):
    # Random names: an uploaded file's name never reaches the disk.
    from django.utils import timezone

    from .uploads import EXTENSIONS

    extension = EXTENSIONS.get(instance.content_type)
    return f"attachments/{timezone.now():%Y/%m}/{instance.pk.hex}" + (f".{extension}" if extension else "")


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one door for attachments: the uploader's own files, and the files of dossiers the user may
        see (`visible_dossiers_condition`). Anything else is the same 404 as a missing file."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(owner=user) | (Q(dossier__isnull=False) & visible_dossiers_condition(user, "dossier__")))


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attachments")
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    document_name = models.CharField(_("thành phần hồ sơ"), max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """Append-only and hash-chained per dossier: changing or deleting an event breaks the chain."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=32, blank=True)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"


class DossierCounter(models.Model):
    """The last sequence number used for an agency on a day (dossier codes, Circular 01/2018 Art. 19)."""

    agency_code = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_code", "day"], name="dossier_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day:%d/%m/%Y}: {self.last}"


class Rating(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_1_to_5")]

    def __str__(self) -> str:
        return f"{self.dossier} {self.score}/5"


class RecalculationStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tính lại")
    DONE = "done", _("Đã xong")


class DueRecalculation(models.Model):
    """A change of the working calendar on one day, for a unit (or nationwide), and the recalculation of
    the open dossiers it touches: how many could be affected, how many were checked and how many moved."""

    day = models.DateField(_("ngày thay đổi"))
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("lý do"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RecalculationStatus.choices, default=RecalculationStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("hồ sơ có thể bị ảnh hưởng"), default=0)
    processed = models.PositiveIntegerField(_("đã kiểm tra"), default=0)
    changed = models.PositiveIntegerField(_("đã đổi hạn"), default=0)
    last_pk = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần tính lại hạn giải quyết")
        verbose_name_plural = _("các lần tính lại hạn giải quyết")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.unit or 'toàn quốc'}: {self.processed}/{self.total}"
