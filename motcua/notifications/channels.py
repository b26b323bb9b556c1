"""Delivery channels behind one interface: `send(message) -> None` or raise DeliveryError."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from .models import InAppMessage, OutboxMessage, SimulatedSms


class DeliveryError(Exception):
    pass


class EmailChannel:
    def send(self, message: OutboxMessage) -> None:
        try:
            send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
        except Exception as exc:  # SMTP raises many kinds; all mean "try again later"
            raise DeliveryError(str(exc)) from exc


class SimulatedSmsChannel:
    """The demo's SMS gateway: stores the message in a table instead of sending it."""

    def send(self, message: OutboxMessage) -> None:
        SimulatedSms.objects.create(phone=message.recipient, text=message.body)


class HttpSmsChannel:
    """An HTTP SMS gateway: POST JSON {"to", "text"} with a bearer token; 2xx means accepted."""

    def __init__(self, url: str, token: str, timeout: float = 10.0):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message: OutboxMessage) -> None:
        body = json.dumps({"to": message.recipient, "text": message.body}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310 — configured URL
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"gateway answered {response.status}")
        except (urllib.error.URLError, TimeoutError) as exc:
            raise DeliveryError(str(exc)) from exc


class InAppChannel:
    def send(self, message: OutboxMessage) -> None:
        if message.user_id is None:
            raise DeliveryError("in-app message without a user")
        url = message.url
        if url.startswith(settings.SITE_URL + "/"):
            url = url[len(settings.SITE_URL) :]  # inside the site the link is a path (works on any host name)
        InAppMessage.objects.get_or_create(
            outbox=message,
            defaults={"user_id": message.user_id, "title": message.subject, "body": message.body, "url": url},
        )


def channel_for(kind: str):
    if kind == "email":
        return EmailChannel()
    if kind == "inapp":
        return InAppChannel()
    if kind == "sms":
        if settings.SMS_BACKEND == "http":
            return HttpSmsChannel(settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN)
        return SimulatedSmsChannel()
    raise DeliveryError(f"unknown channel {kind}")
