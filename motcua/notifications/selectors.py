"""Reads for notifications."""

from __future__ import annotations

from django.conf import settings

from .models import OutboxMessage, OutboxStatus, SimulatedSms


def _normalise_to(to: str) -> tuple[str, str]:
    """("sms", "0912345678") for something that looks like a phone number, ("email", "a@b.vn") otherwise."""
    from motcua.core.inputs import is_ascii_digits, normalize_phone

    value = (to or "").strip()
    phone = normalize_phone(value)
    if phone and is_ascii_digits(phone):
        return "sms", phone
    return "email", value.lower()


_DEMO_SOURCES: list = []


def register_demo_source(source) -> None:
    """Another app's simulator shows in the demo inbox: `source(to_kind, to_value, limit) -> [{"channel",
    "to", "text", "created_at"}]` (to_kind "" for everything, "sms" or "email" when filtered). Registered in
    AppConfig.ready (the broadcasts app's Zalo simulator)."""
    if source not in _DEMO_SOURCES:
        _DEMO_SOURCES.append(source)


def demo_messages(*, to: str = "", limit: int = 100) -> list[dict]:
    """What the simulators "sent" in demo mode, newest first: [{"channel", "to", "text", "created_at"}].

    SMS are what the SMS simulator stored (`SimulatedSms`); e-mails are the outbox's sent e-mails (the demo's
    mail backend prints them instead of sending). Other simulators (Zalo) add theirs through `register_demo_source`.
    `to` (a phone number in any usual spelling, or an e-mail address) keeps that recipient's messages only.
    Callers must check demo mode (settings.DEMO): outside it these are real people's messages."""
    if not settings.DEMO:
        return []
    kind, value = _normalise_to(to) if to else ("", "")
    items: list[dict] = []
    if kind in ("", "sms"):
        sms = SimulatedSms.objects.order_by("-created_at", "-pk")
        if value:
            sms = sms.filter(phone=value)
        items += [{"channel": "sms", "to": m.phone, "text": m.text, "created_at": m.created_at} for m in sms[:limit]]
    if kind in ("", "email"):
        mails = OutboxMessage.objects.filter(channel="email", status=OutboxStatus.SENT).order_by("-created_at", "-pk")
        if value:
            mails = mails.filter(recipient__iexact=value)
        items += [
            {
                "channel": "email",
                "to": m.recipient,
                "text": f"{m.subject}\n\n{m.body}" if m.subject else m.body,
                "created_at": m.sent_at or m.created_at,
            }
            for m in mails[:limit]
        ]
    for source in _DEMO_SOURCES:
        items += source(kind, value, limit)
    items.sort(key=lambda m: m["created_at"], reverse=True)
    return items[:limit]


# --- The citizen inbox (issue 19, point 4) ---------------------------------------------------------------
def inbox_messages(*, user):
    """The signed-in person's own in-app messages, newest first (a QuerySet to paginate). Nobody reads
    another person's inbox: every read starts from `user`."""
    from .models import InAppMessage

    return InAppMessage.objects.filter(user=user).order_by("-created_at", "-pk")


def inbox_unread_count(*, user) -> int:
    """How many of `user`'s messages are unread: one indexed COUNT. The header shows it on every page, so it
    is sent as written: the ORM's compile of a COUNT cost more CPU than the statement (issue 15 point 8)."""
    from django.db import connections

    from .models import InAppMessage

    if user is None or not user.is_authenticated:
        return 0
    with connections[InAppMessage.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {InAppMessage._meta.db_table} WHERE user_id = %s AND read_at IS NULL",  # noqa: S608
            [user.pk],
        )
        return cursor.fetchone()[0]


def inbox_message_get(*, user, message_id: int):
    """One of `user`'s messages; NotFound for a missing id and for someone else's message alike."""
    from motcua.core.errors import NotFound

    from .models import InAppMessage

    message = InAppMessage.objects.filter(user=user, pk=message_id).first()
    if message is None:
        raise NotFound("Không tìm thấy tin nhắn")
    return message
