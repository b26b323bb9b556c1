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


_ASCII = str.maketrans({"₫": "d", "–": "-", "—": "-", "«": '"', "»": '"', "…": "...", "×": "x", "`": "'", "’": "'"})
# GSM 03.38: these ASCII characters take two septets (escape + character); every other printable ASCII
# character except the backtick is one septet.
_GSM_EXTENDED = set("^{}\\[]~|")
SMS_SINGLE, SMS_PART, SMS_MAX_PARTS = 160, 153, 2


def sms_plain(text: str) -> str:
    """Text without diacritics in the GSM-7 alphabet (so one segment holds 160 characters, not 70)."""
    text = fold(text).translate(_ASCII).encode("ascii", "ignore").decode()
    # fold() lower-cases; keep the first letter of each sentence readable.
    return ". ".join(part[:1].upper() + part[1:] for part in text.split(". "))


def gsm7_units(text: str) -> int:
    return sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)


def sms_segments(text: str) -> int:
    units = gsm7_units(text)
    return 1 if units <= SMS_SINGLE else -(-units // SMS_PART)


def sms_text(answer: AssistantAnswer, max_parts: int = SMS_MAX_PARTS) -> str:
    """The answer in at most `max_parts` SMS segments: its sentences in order of importance, each kept
    whole or left out; the first is cut only if it alone is too long."""
    budget = SMS_SINGLE if max_parts == 1 else SMS_PART * max_parts
    out = ""
    for part in answer.sms_parts or answer.parts or [answer.text]:
        piece = sms_plain(part)
        candidate = f"{out} {piece}".strip()
        if gsm7_units(candidate) <= budget:
            out = candidate
        elif not out:
            cut = piece
            while gsm7_units(cut) > budget - 3:
                cut = cut[:-1]
            out = cut.rstrip() + "..."
    return out


class SmsGatewayAdapter:
    """An HTTP SMS gateway posting `from` and `text` (form or JSON); the reply is plain text without
    diacritics (cheaper and readable on every phone), at most two SMS segments."""

    name = "sms"

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
        return "text/plain; charset=utf-8", sms_text(answer).encode()


ADAPTERS = {a.name: a for a in (ZaloOAAdapter(), SmsGatewayAdapter())}
