"""Community digital teams, their members, campaigns, door-to-door assistance records and the register of
people helped (deduplicated across members and campaigns)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.places.models import AdministrativeUnit


class Team(models.Model):
    unit = models.OneToOneField(
        AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="digital_team"
    )
    name = models.CharField(_("tên tổ"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Tổ công nghệ số cộng đồng")
        verbose_name_plural = _("Tổ công nghệ số cộng đồng")

    def __str__(self) -> str:
        return self.name


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Tổ trưởng")
    DEPUTY = "deputy", _("Tổ phó")
    MEMBER = "member", _("Thành viên")


class Affiliation(models.TextChoices):
    YOUTH_UNION = "youth_union", _("Đoàn Thanh niên")
    POLICE = "police", _("Công an")
    TEACHER = "teacher", _("Giáo viên")
    VILLAGE_HEAD = "village_head", _("Trưởng thôn, tổ trưởng dân phố")
    ASSOCIATION = "association", _("Hội, đoàn thể")
    ENTERPRISE = "enterprise", _("Doanh nghiệp (viễn thông, ngân hàng…)")
    OFFICER = "officer", _("Cán bộ, công chức")
    OTHER = "other", _("Khác")


class Member(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="team_memberships"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    team_role = models.CharField(
        _("vai trò trong tổ"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    affiliation = models.CharField(
        _("đơn vị, đoàn thể"), max_length=20, choices=Affiliation.choices, default=Affiliation.OTHER
    )
    active_from = models.DateField(_("tham gia từ"))
    active_to = models.DateField(_("đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành viên tổ")
        verbose_name_plural = _("thành viên tổ")
        ordering = ["team", "full_name"]
        constraints = [models.UniqueConstraint(fields=["team", "phone"], name="member_phone_once_per_team")]

    def __str__(self) -> str:
        return self.full_name


class Campaign(models.Model):
    """Configured by administrators: scope, period, the skills that count and the targets."""

    name = models.CharField(_("tên chiến dịch"), max_length=200)
    units = models.ManyToManyField(AdministrativeUnit, verbose_name=_("địa bàn"), related_name="+")
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc"))
    skills = models.JSONField(_("kỹ năng được tính"), default=list)
    member_target_people = models.PositiveIntegerField(_("mỗi thành viên hướng dẫn ít nhất (người)"), default=7)
    member_target_days = models.PositiveIntegerField(_("trong vòng (ngày)"), default=7)
    unit_target_digital_citizens = models.PositiveIntegerField(
        _("chỉ tiêu công dân số của địa bàn"), null=True, blank=True
    )
    unit_target_account_share = models.PositiveSmallIntegerField(
        _("chỉ tiêu % có tài khoản dịch vụ công"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("chiến dịch")
        verbose_name_plural = _("chiến dịch")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_ordered")
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """The register of people helped: one row per person, however many members or campaigns met them."""

    full_name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150, db_index=True)
    citizen_id = models.CharField(max_length=12, null=True, blank=True, unique=True)
    phone = models.CharField(max_length=15, null=True, blank=True, unique=True)
    village = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village_text = models.CharField(max_length=150, blank=True)
    skills = models.JSONField(default=list)
    is_digital_citizen = models.BooleanField(default=False)
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_pending = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("người được hỗ trợ")
        verbose_name_plural = _("người được hỗ trợ")

    def __str__(self) -> str:
        return self.full_name


class AssistanceRecord(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="records")
    client_id = models.CharField(max_length=64)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records")
    full_name = models.CharField(max_length=150)
    village = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village_text = models.CharField(max_length=150, blank=True)
    village_flagged = models.BooleanField(default=False)
    citizen_id = models.CharField(max_length=12, blank=True)
    phone = models.CharField(max_length=15, blank=True)
    consent = models.BooleanField(default=False)
    skills = models.JSONField(default=list)
    date = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lượt hỗ trợ")
        verbose_name_plural = _("lượt hỗ trợ")
        constraints = [models.UniqueConstraint(fields=["member", "client_id"], name="record_once_per_client_id")]
        indexes = [models.Index(fields=["member", "date"], name="record_member_date")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.date:%d/%m/%Y})"
