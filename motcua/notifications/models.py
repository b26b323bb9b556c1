from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("Thư điện tử")
    INAPP = "inapp", _("Thông báo trong ứng dụng")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    DEAD = "dead", _("Gửi không được (đã thử hết)")


class OutboxMessage(models.Model):
    """A message to deliver, written in the same transaction as the change it reports (the outbox), and
    delivered afterwards by the worker with retries and backoff. ``payload`` is plain data (template
    name and values) given by the domain; the worker renders ``subject``/``body`` from it when it
    delivers. ``source`` names what the message reports (e.g. "dossier-event:42"), so a replay never
    notifies twice."""

    source = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=ChannelKind.choices)
    recipient = models.CharField(max_length=200)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo đi")
        verbose_name_plural = _("thông báo đi")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            # One message per source, channel and recipient: a replayed event never notifies twice.
            models.UniqueConstraint(
                fields=["source", "channel", "recipient"],
                condition=~models.Q(source=""),
                name="outbox_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject or self.body[:40]}"


class InAppMessage(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox")
    title = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    outbox = models.OneToOneField(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SimulatedSms(models.Model):
    """What the SMS simulator 'sent' (demo and tests): readable in the admin instead of a real phone."""

    phone = models.CharField(max_length=20)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tin nhắn mô phỏng")
        verbose_name_plural = _("tin nhắn mô phỏng")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:40]}"
