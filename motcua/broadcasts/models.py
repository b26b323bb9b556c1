"""Broadcasts to villages (issue 19, point 5; DOMAIN.md §14): a commune leader sends a message, urgent or
ordinary, to chosen villages; it goes to each village's Zalo official-account group and by SMS to the phones
subscribed to the village. Every channel sits behind an adapter with a simulator (channels.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.places.models import AdministrativeUnit


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Khẩn cấp (thiên tai, dịch bệnh)")
    ORDINARY = "ordinary", _("Thông thường")


class BroadcastChannel(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Nhóm Zalo của thôn")


class Source(models.TextChoices):
    WEB = "web", _("Trang đăng ký")
    SMS = "sms", _("Tin nhắn đăng ký")


class Subscription(models.Model):
    """A phone that receives the village's broadcasts by SMS. Unsubscribing keeps the row (inactive)."""

    village = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("thôn, bản"), on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("số điện thoại"), max_length=20)
    active = models.BooleanField(_("đang nhận tin"), default=True)
    source = models.CharField(_("đăng ký qua"), max_length=10, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đăng ký nhận tin")
        verbose_name_plural = _("đăng ký nhận tin")
        constraints = [models.UniqueConstraint(fields=["village", "phone"], name="broadcast_one_subscription")]
        indexes = [models.Index(fields=["village"], condition=Q(active=True), name="broadcast_subs_active")]

    def __str__(self) -> str:
        return f"{self.village} ← {self.phone}"


class ZaloGroup(models.Model):
    """The village's group on the commune's Zalo official account (its id at Zalo)."""

    village = models.OneToOneField(
        AdministrativeUnit, verbose_name=_("thôn, bản"), on_delete=models.PROTECT, related_name="zalo_group"
    )
    group_id = models.CharField(_("mã nhóm Zalo"), max_length=64, unique=True)
    name = models.CharField(_("tên nhóm"), max_length=200)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("nhóm Zalo của thôn")
        verbose_name_plural = _("nhóm Zalo của thôn")

    def __str__(self) -> str:
        return self.name


class BroadcastStatus(models.TextChoices):
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi xong")


class Broadcast(models.Model):
    commune = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="+"
    )
    villages = models.ManyToManyField(AdministrativeUnit, verbose_name=_("thôn, bản nhận tin"), related_name="+")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), on_delete=models.PROTECT, related_name="+"
    )
    urgency = models.CharField(_("mức độ"), max_length=10, choices=Urgency.choices)
    text = models.TextField(_("nội dung"))
    sms_text = models.CharField(_("nội dung SMS (không dấu)"), max_length=400)
    sms_segments = models.PositiveSmallIntegerField(_("số phần SMS"), default=1)
    # An urgent broadcast beyond the ordinary daily limit goes out anyway, and says so here (and in the log).
    over_limit = models.BooleanField(_("vượt giới hạn trong ngày"), default=False)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=BroadcastStatus.choices, default=BroadcastStatus.SENDING
    )
    created_at = models.DateTimeField(_("thời điểm gửi"))
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tin phát tới thôn")
        verbose_name_plural = _("tin phát tới thôn")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["commune", "created_at"], name="broadcast_commune_time")]
        constraints = [
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="broadcast_urgency_valid"),
            models.CheckConstraint(condition=Q(sms_segments__lte=2), name="broadcast_sms_two_segments"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")


class Delivery(models.Model):
    """One message of a broadcast to one recipient on one channel. Unique (broadcast, recipient, channel):
    the sending job inserts-or-skips, so a phone subscribed to two chosen villages gets one SMS and a job
    run twice sends nothing twice."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=BroadcastChannel.choices)
    recipient = models.CharField(max_length=64)
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt gửi tin")
        verbose_name_plural = _("lượt gửi tin")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "recipient", "channel"], name="broadcast_delivery_once")
        ]
        indexes = [models.Index(fields=["broadcast", "status"], name="broadcast_delivery_status")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.status}"


class SimulatedZaloPost(models.Model):
    """What the Zalo simulator 'posted' to a group (demo and tests), shown in the demo inbox."""

    group_id = models.CharField(max_length=64)
    group_name = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.group_name or self.group_id}: {self.text[:40]}"


class InboundSms(models.Model):
    """A keyword SMS received from a citizen (DK <thôn> / HUY <thôn>) and what it did."""

    phone = models.CharField(max_length=20)
    text = models.CharField(max_length=500)
    result = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.text[:40]} → {self.result}"
