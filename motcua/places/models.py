"""Administrative units as a tree of any depth, with history, and the offices that serve them."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel


class UnitType(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    CITY = "city", _("Thành phố trực thuộc trung ương")
    DISTRICT = "district", _("Huyện, quận, thị xã (đến 30/6/2025)")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    VILLAGE = "village", _("Thôn, bản")
    RESIDENTIAL_GROUP = "residential_group", _("Tổ dân phố")


PROVINCE_LEVEL = {UnitType.PROVINCE, UnitType.CITY}
COMMUNE_LEVEL = {UnitType.COMMUNE, UnitType.WARD, UnitType.SPECIAL_ZONE}
VILLAGE_LEVEL = {UnitType.VILLAGE, UnitType.RESIDENTIAL_GROUP}


class UnitQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        on = on or dt.date.today()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )

    def within(self, units):
        """The given units and every unit below them (a prefix match on the materialised path)."""
        paths = [u.path for u in units]
        if not paths:
            return self.none()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        return self.filter(condition)


class AdministrativeUnit(TimeStampedModel):
    """A province, commune, village… Merged units are closed with `valid_to` rather than deleted, so
    dossiers filed there keep pointing at the unit they were filed at; `successor` says where the unit's
    statistics are re-mapped."""

    code = models.CharField(_("mã"), max_length=32, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    unit_type = models.CharField(_("loại"), max_length=32, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # "/15/02839/02839-01/": prefix queries give every unit below one in a single indexed scan.
    path = models.CharField(max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    source = models.CharField(_("nguồn dữ liệu"), max_length=100, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        constraints = [
            # A code names one unit at a time; a closed unit may share its code with a newer one.
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="unit_code_current_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    def is_within(self, other: "AdministrativeUnit") -> bool:
        return self.path.startswith(other.path)

    def ancestors(self) -> list["AdministrativeUnit"]:
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def province(self) -> "AdministrativeUnit":
        node = self
        while node.parent_id is not None:
            node = node.parent
        return node

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)


class OfficeKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    ONE_STOP = "one_stop", _("Bộ phận Một cửa")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    POLICE = "police", _("Công an")
    OTHER = "other", _("Cơ quan khác")


class Office(TimeStampedModel):
    """An agency or counter that receives dossiers. `agency_code` is the prefix of dossier codes
    (Circular 01/2018 Art. 19), e.g. H15.50.05.13."""

    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="offices"
    )
    code = models.CharField(_("mã cơ quan"), max_length=40, unique=True)
    agency_code = models.CharField(_("mã định danh cơ quan"), max_length=40)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=32, choices=OfficeKind.choices, default=OfficeKind.ONE_STOP)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    hotline = models.CharField(_("đường dây nóng"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan, bộ phận")
        verbose_name_plural = _("cơ quan, bộ phận")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Thứ Hai")
    TUESDAY = 1, _("Thứ Ba")
    WEDNESDAY = 2, _("Thứ Tư")
    THURSDAY = 3, _("Thứ Năm")
    FRIDAY = 4, _("Thứ Sáu")
    SATURDAY = 5, _("Thứ Bảy")
    SUNDAY = 6, _("Chủ nhật")


class OfficeHours(models.Model):
    """One working period of an office on a weekday. An office with no rows keeps the default hours:
    07:30–11:30 and 13:30–17:00, Monday to Friday."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("thứ"), choices=Weekday.choices)
    opens = models.TimeField(_("mở cửa"))
    closes = models.TimeField(_("đóng cửa"))

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        ordering = ["office", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="office_hours_ordered"),
            models.UniqueConstraint(fields=["office", "weekday", "opens"], name="office_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OfficeContact(models.Model):
    """A published contact of an office: the officers' phones communes list on their pages so that
    citizens can call the right person."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("họ và tên"), max_length=150)
    position = models.CharField(_("chức vụ, lĩnh vực phụ trách"), max_length=200)
    phone = models.CharField(_("điện thoại"), max_length=20)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("liên hệ công khai")
        verbose_name_plural = _("liên hệ công khai")
        ordering = ["office", "order", "name"]

    def __str__(self) -> str:
        return f"{self.name} — {self.position}"
