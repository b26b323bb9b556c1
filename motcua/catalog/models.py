"""The procedure catalogue. A procedure is versioned: a change creates a new row with the next version
and closes the previous one, so dossiers keep the version they were filed under."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel


class Field(models.Model):
    """Lĩnh vực: hộ tịch, chứng thực, cư trú…"""

    slug = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=150)
    description = models.TextField(_("mô tả"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    NONE = "none", _("Chỉ nộp trực tiếp hoặc qua bưu chính")


class TimeKind(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    SAME_DAY = "same_day", _("trong ngày")


class ProcedureQuerySet(models.QuerySet):
    def current(self):
        return self.filter(valid_to__isnull=True)


class Procedure(TimeStampedModel):
    code = models.CharField(_("mã thủ tục"), max_length=20, db_index=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên thủ tục"), max_length=300)
    citizen_name = models.CharField(_("tên theo cách người dân nói"), max_length=200, blank=True)
    aliases = models.JSONField(_("tên gọi khác"), default=list, blank=True)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    level = models.CharField(_("cấp thực hiện"), max_length=20, default="commune")
    agency = models.CharField(_("cơ quan thực hiện"), max_length=200)
    online_level = models.CharField(_("mức dịch vụ trực tuyến"), max_length=10, choices=OnlineLevel.choices)
    channels = models.JSONField(_("cách thức nộp"), default=list)
    who = models.TextField(_("ai được làm"), blank=True)
    steps = models.JSONField(_("trình tự thực hiện"), default=list)
    time_kind = models.CharField(_("cách tính thời hạn"), max_length=20, choices=TimeKind.choices)
    time_amount = models.DecimalField(_("thời hạn"), max_digits=6, decimal_places=2, default=0)
    time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    fee = models.JSONField(_("phí, lệ phí"), default=dict)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list)
    result = models.CharField(_("kết quả"), max_length=300)
    result_doc_type = models.CharField(_("loại giấy tờ kết quả"), max_length=60, blank=True)
    form_key = models.CharField(_("mã biểu mẫu"), max_length=60, blank=True)
    form_schema = models.JSONField(_("biểu mẫu điện tử (JSON Schema)"), default=dict, blank=True)
    form_ui = models.JSONField(_("gợi ý hiển thị biểu mẫu"), default=dict, blank=True)
    # The workflow file (motcua/dossiers/workflows): "key@version" pins a version, a bare key means the
    # latest; each dossier stores the exact version it started with and keeps it (docs/dossiers.md).
    workflow = models.CharField(_("quy trình"), max_length=60, default="default")
    # The unit's internal procedure: each step's share of the legal time, {"receive": 0.1, …}; empty
    # means the workflow's own shares. Steps not named keep the workflow's share.
    step_shares = models.JSONField(_("tỷ lệ thời gian từng bước"), default=dict, blank=True)
    linked_codes = models.JSONField(_("thủ tục liên thông, liên quan"), default=list, blank=True)
    popularity = models.PositiveIntegerField(_("mức phổ biến"), default=0)
    # The VNeID level an online applicant must have (0: none; 2: registered in person, equal to the ID
    # card; Decree 69/2024/NĐ-CP). Counter and assisted submissions check identity in person instead.
    identity_level_required = models.PositiveSmallIntegerField(
        _("mức định danh điện tử tối thiểu để nộp trực tuyến"),
        default=0,
        choices=[(0, _("Không yêu cầu")), (1, _("Mức 1")), (2, _("Mức 2"))],
    )
    unconfirmed = models.JSONField(_("thông tin chưa xác minh"), default=list, blank=True)
    sources = models.JSONField(_("nguồn"), default=list, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="procedure_code_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(valid_to__isnull=True), name="procedure_one_current"),
            models.CheckConstraint(condition=Q(time_amount__gte=0), name="procedure_time_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return self.citizen_name or self.name


class DocumentKind(models.TextChoices):
    ORIGINAL = "original", _("bản chính")
    COPY = "copy", _("bản sao")
    CERTIFIED_COPY = "certified_copy", _("bản sao có chứng thực")
    ORIGINAL_OR_COPY = "original_or_copy", _("bản chính hoặc bản sao")
    PRESENT = "present", _("xuất trình bản chính")


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=300)
    kind = models.CharField(_("loại"), max_length=20, choices=DocumentKind.choices)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    template = models.CharField(_("mẫu"), max_length=100, blank=True)
    # The type of document in the citizen's store that can stand in for an upload (Decree 45/2020).
    store_doc_type = models.CharField(_("lấy từ kho dữ liệu công dân"), max_length=60, blank=True)
    # A national database the agency queries instead of asking the citizen.
    national_db = models.CharField(_("khai thác từ CSDL quốc gia"), max_length=100, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.name
