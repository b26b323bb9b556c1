"""Messaging channels for the assistant. Each adapter turns a channel's inbound webhook into a question
and the assistant's answer into the channel's reply. The platform answers synchronously; a deployment
that must push replies through the channel's send API does it from the same rendered body."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .assistant import AssistantAnswer
from .text import fold


class ChannelError(ValueError):
    pass


@dataclass(frozen=True)
class Inbound:
    sender: str
    text: str


class ZaloOAAdapter:
    """Zalo Official Account webhook: event `user_send_text`; reply in the OA message format."""

    name = "zalo"

    def parse(self, body: bytes, content_type: str) -> Inbound:
        try:
            data = json.loads(body or b"{}")
        except json.JSONDecodeError as exc:
            raise ChannelError("Nội dung gửi đến không phải JSON") from exc
        if data.get("event_name") != "user_send_text":
            raise ChannelError("Chỉ xử lý sự kiện user_send_text")
        sender = str((data.get("sender") or {}).get("id", ""))
        text = str((data.get("message") or {}).get("text", ""))
        if not sender:
            raise ChannelError("Thiếu sender.id")
        return Inbound(sender, text)

    def render(self, inbound: Inbound, answer: AssistantAnswer) -> tuple[str, bytes]:
        body = {"recipient": {"user_id": inbound.sender}, "message": {"text": answer.text[:2000]}}
        return "application/json", json.dumps(body, ensure_ascii=False).encode()


_ASCII = str.maketrans({"₫": "d", "–": "-", "—": "-", "«": '"', "»": '"', "…": "...", "×": "x"})


class SmsGatewayAdapter:
    """An HTTP SMS gateway posting `from` and `text` (form or JSON); the reply is plain text without
    diacritics (cheaper and readable on every phone), at most three SMS segments."""

    name = "sms"
    max_chars = 459

    def parse(self, body: bytes, content_type: str) -> Inbound:
        if "json" in (content_type or ""):
            try:
                data = json.loads(body or b"{}")
            except json.JSONDecodeError as exc:
                raise ChannelError("Nội dung gửi đến không phải JSON") from exc
        else:
            from urllib.parse import parse_qs

            data = {k: v[0] for k, v in parse_qs((body or b"").decode()).items()}
        sender, text = str(data.get("from", "")), str(data.get("text", ""))
        if not sender:
            raise ChannelError("Thiếu số điện thoại người gửi (from)")
        return Inbound(sender, text)

    def render(self, inbound: Inbound, answer: AssistantAnswer) -> tuple[str, bytes]:
        text = fold(answer.text).translate(_ASCII).encode("ascii", "ignore").decode()
        # fold() lower-cases; keep the first letter of each sentence readable.
        text = ". ".join(part[:1].upper() + part[1:] for part in text.split(". "))
        if len(text) > self.max_chars:
            text = text[: self.max_chars - 3].rstrip() + "..."
        return "text/plain; charset=utf-8", text.encode()


ADAPTERS = {a.name: a for a in (ZaloOAAdapter(), SmsGatewayAdapter())}
