"""Broadcast channels behind small adapters, each with a simulator (DESIGN.md "Real parts"):

- SMS: the platform's SMS adapter (`notifications.channels.channel_for("sms")`: the simulator stores
  `SimulatedSms`; `SMS_BACKEND=http` posts to the gateway).
- Zalo official-account groups: `SimulatedZaloChannel` stores `SimulatedZaloPost` (the demo inbox shows it);
  `ZALO_BACKEND=http` posts `{"group_id", "text"}` with the OA access token to `ZALO_OA_URL`.
Every adapter: `send(recipient, text, name="") -> None`, or raise DeliveryError (try again later)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from motcua.notifications.channels import DeliveryError, channel_for
from motcua.notifications.models import OutboxMessage

from .models import SimulatedZaloPost

__all__ = ["DeliveryError", "adapter_for"]


class SmsAdapter:
    def send(self, recipient: str, text: str, name: str = "") -> None:
        # The SMS channels take an outbox message; an unsaved one carries the address and the text.
        channel_for("sms").send(OutboxMessage(channel="sms", recipient=recipient, body=text))


class SimulatedZaloChannel:
    def send(self, recipient: str, text: str, name: str = "") -> None:
        SimulatedZaloPost.objects.create(group_id=recipient, group_name=name, text=text)


class HttpZaloChannel:
    def __init__(self, url: str, token: str, timeout: float = 10.0):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, recipient: str, text: str, name: str = "") -> None:
        body = json.dumps({"group_id": recipient, "text": text}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310 — configured URL
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("access_token", self.token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"Zalo answered {response.status}")
        except (urllib.error.URLError, TimeoutError) as exc:
            raise DeliveryError(str(exc)) from exc


def adapter_for(channel: str):
    if channel == "sms":
        return SmsAdapter()
    if channel == "zalo":
        if settings.ZALO_BACKEND == "http":
            return HttpZaloChannel(settings.ZALO_OA_URL, settings.ZALO_OA_TOKEN)
        return SimulatedZaloChannel()
    raise DeliveryError(f"unknown channel {channel}")
