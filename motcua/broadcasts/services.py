"""Writes for broadcasts to villages (issue 19, point 5; docs/broadcasts.md).

- `broadcast_create`: a commune leader's message to chosen villages, urgent or ordinary; the SMS copy is
  the text without diacritics (sms_text.to_gsm7) and must fit two segments; ordinary broadcasts are limited
  per village per local day (urgent ones are exempt, flagged `over_limit` and logged). The sending job is
  queued after the commit.
- `broadcast_send`: the job. It first inserts one Delivery per (recipient, channel) — insert-or-skip on the
  unique (broadcast, recipient, channel) — then claims pending rows one at a time (`FOR UPDATE SKIP LOCKED`)
  and marks each sent in the transaction of its send. Two runs at once, or a run repeated, reach each
  subscriber exactly once (for the simulators; a real gateway that answered just before a crash: at least
  once, as for the outbox).
- Subscriptions: by village, from the portal page (the signed-in citizen's own phone) or by keyword SMS
  ("DK <thôn>" / "HUY <thôn>", `inbound_sms`)."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.selectors import user_has_role
from motcua.core.errors import NotFound, RateLimited, ValidationFailed
from motcua.core.inputs import clean_text, int_or_default, is_ascii_digits
from motcua.core.logging import mask_phone
from motcua.core.repeats import REPEAT_WINDOW
from motcua.places.models import COMMUNE_LEVEL, VILLAGE_LEVEL, AdministrativeUnit

from . import sms_text as smsfmt
from .channels import DeliveryError, adapter_for
from .models import (
    Broadcast,
    BroadcastChannel,
    BroadcastStatus,
    Delivery,
    DeliveryStatus,
    InboundSms,
    Source,
    Subscription,
    Urgency,
    ZaloGroup,
)

logger = logging.getLogger(__name__)
MAX_SMS_SEGMENTS = 2
TEXT_MAX = 1000
ID_MAX = 2**63 - 1  # the largest primary key a row can have (bigint)
MAX_ATTEMPTS = 3


def can_broadcast(*, user, commune) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user=user, role=Role.LEADER, unit=commune)


def sms_preview(text: str, sms_text: str = "") -> dict:
    """What the SMS copy of a message will be: {"text", "length", "segments", "too_long"}."""
    plain = smsfmt.to_gsm7(" ".join((sms_text or text or "").split()))
    segments = smsfmt.segments(plain)
    return {
        "text": plain,
        "length": smsfmt.septets(plain),
        "segments": segments,
        "too_long": segments > MAX_SMS_SEGMENTS,
    }


def _local_day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localtime(now).date()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def broadcast_create(
    *,
    sender,
    commune: AdministrativeUnit,
    village_ids: list,
    urgency: str,
    text: str,
    sms_text: str = "",
    now: dt.datetime | None = None,
) -> Broadcast:
    """Record a broadcast and queue its sending. Raises NotFound (not a leader of the commune),
    ValidationFailed (fields: villages, urgency, text, sms_text — code "sms_too_long" beyond two segments)
    or RateLimited (code "broadcast_limit": an ordinary broadcast to a village that already had
    BROADCAST_ORDINARY_PER_VILLAGE_PER_DAY today)."""
    now = now or timezone.now()
    if commune is None or commune.unit_type not in COMMUNE_LEVEL or not can_broadcast(user=sender, commune=commune):
        raise NotFound(_("Không tìm thấy xã, phường này"))
    errors: dict[str, list[str]] = {}
    # A value that is not an id of a row (text, 10**20) is simply not a village: the field error below says so.
    ids = {int_or_default(value, default=0, min_value=1, max_value=ID_MAX) for value in village_ids or []}
    if 0 in ids:
        ids = {-1}
    villages = list(
        AdministrativeUnit.objects.filter(
            pk__in=ids, parent=commune, unit_type__in=VILLAGE_LEVEL, valid_to__isnull=True
        ).order_by("pk")
    )
    if not villages or len(villages) != len(ids):
        errors["villages"] = [_("Chọn ít nhất một thôn, bản của xã")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Chọn mức độ: khẩn cấp hoặc thông thường")]
    try:
        text = clean_text(text, max_length=TEXT_MAX, required=True, multiline=True, label=_("Nội dung tin"))
    except ValidationError as exc:
        errors["text"] = exc.messages
    try:
        sms_text = clean_text(sms_text, max_length=TEXT_MAX, multiline=True, label=_("Bản ngắn cho SMS"))
    except ValidationError as exc:
        errors["sms_text"] = exc.messages
    preview = sms_preview(text if "text" not in errors else "", sms_text if "sms_text" not in errors else "")
    code = None
    if "text" not in errors and "sms_text" not in errors and preview["too_long"]:
        code = "sms_too_long"
        errors["sms_text"] = [
            _("Tin SMS không dấu dài %(n)s phần (tối đa 2 phần, 306 ký tự); hãy viết bản ngắn cho SMS")
            % {"n": preview["segments"]}
        ]
    if errors:
        raise ValidationFailed(_("Tin chưa gửi được; hãy sửa các ô được đánh dấu"), fields=errors, code=code)
    limit = settings.BROADCAST_ORDINARY_PER_VILLAGE_PER_DAY
    with transaction.atomic():
        # One broadcast at a time per village: the daily count cannot be raced past the limit.
        list(AdministrativeUnit.objects.select_for_update().filter(pk__in=[v.pk for v in villages]).order_by("pk"))
        # A repeat (double click, retried request) returns the broadcast the first one made: no second send.
        village_pks = {v.pk for v in villages}
        for earlier in Broadcast.objects.filter(
            commune=commune,
            sender=sender,
            urgency=urgency,
            text=text,
            sms_text=preview["text"],
            created_at__gte=now - REPEAT_WINDOW,
        ).prefetch_related("villages"):
            if {v.pk for v in earlier.villages.all()} == village_pks:
                return earlier
        start, end = _local_day_bounds(now)
        busy = [
            v
            for v in villages
            if Broadcast.objects.filter(
                villages=v, urgency=Urgency.ORDINARY, created_at__gte=start, created_at__lt=end
            ).count()
            >= limit
        ]
        if busy and urgency == Urgency.ORDINARY:
            names = ", ".join(v.name for v in busy)
            raise RateLimited(
                _("Hôm nay %(v)s đã nhận đủ %(n)s tin thông thường; tin khẩn cấp vẫn gửi được")
                % {"v": names, "n": limit},
                code="broadcast_limit",
                fields={"villages": [_("Đã đủ %(n)s tin thông thường hôm nay: %(v)s") % {"n": limit, "v": names}]},
            )
        broadcast = Broadcast.objects.create(
            commune=commune,
            sender=sender,
            urgency=urgency,
            text=text,
            sms_text=preview["text"],
            sms_segments=preview["segments"],
            over_limit=bool(busy),
            created_at=now,
        )
        broadcast.villages.set(villages)
        if busy:
            logger.warning(
                "urgent broadcast %s goes beyond the daily limit of %s for villages %s",
                broadcast.pk,
                limit,
                ",".join(v.code for v in busy),
            )
        transaction.on_commit(lambda: enqueue_send(broadcast.pk))
    return broadcast


def enqueue_send(broadcast_id: int) -> None:
    from .tasks import send_broadcast

    send_broadcast.enqueue(broadcast_id)


def _plan(broadcast: Broadcast) -> int:
    """Insert-or-skip one delivery per recipient and channel. Returns the rows asked for."""
    villages = list(broadcast.villages.all().order_by("pk"))
    rows = []
    for village in villages:
        phones = Subscription.objects.filter(village=village, active=True).values_list("phone", flat=True)
        rows += [
            Delivery(broadcast=broadcast, channel=BroadcastChannel.SMS, recipient=phone, village=village)
            for phone in phones.order_by("phone")
        ]
        group = ZaloGroup.objects.filter(village=village, active=True).first()
        if group is not None:
            rows.append(
                Delivery(broadcast=broadcast, channel=BroadcastChannel.ZALO, recipient=group.group_id, village=village)
            )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _claimable():
    qs = Delivery.objects.select_related("broadcast")
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs.select_for_update()


def broadcast_send(*, broadcast_id: int, now: dt.datetime | None = None) -> dict:
    """The sending job (idempotent; safe to run twice at once). Returns {"sent", "failed"} for this run."""
    now = now or timezone.now()
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    if broadcast is None:
        return {"sent": 0, "failed": 0}
    if broadcast.status == BroadcastStatus.SENDING:
        _plan(broadcast)
    groups = {g.group_id: g.name for g in ZaloGroup.objects.filter(village__in=broadcast.villages.all())}
    sent = failed = 0
    tried: set[int] = set()
    while True:
        with transaction.atomic():
            delivery = (
                _claimable()
                .filter(broadcast_id=broadcast_id, status=DeliveryStatus.PENDING)
                .exclude(pk__in=tried)
                .order_by("pk")
                .first()
            )
            if delivery is None:
                break
            tried.add(delivery.pk)
            text = broadcast.sms_text if delivery.channel == BroadcastChannel.SMS else broadcast.text
            if broadcast.urgency == Urgency.URGENT and delivery.channel == BroadcastChannel.ZALO:
                text = _("[KHẨN CẤP]") + " " + text
            delivery.attempts += 1
            try:
                adapter_for(delivery.channel).send(delivery.recipient, text, groups.get(delivery.recipient, ""))
            except DeliveryError as exc:
                delivery.last_error = str(exc)[:500]
                if delivery.attempts >= MAX_ATTEMPTS:
                    delivery.status = DeliveryStatus.FAILED
                    failed += 1
                delivery.save(update_fields=["attempts", "last_error", "status"])
                continue
            delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, now, ""
            delivery.save(update_fields=["attempts", "last_error", "status", "sent_at"])
            sent += 1
    if not Delivery.objects.filter(broadcast_id=broadcast_id, status=DeliveryStatus.PENDING).exists():
        Broadcast.objects.filter(pk=broadcast_id, status=BroadcastStatus.SENDING).update(
            status=BroadcastStatus.SENT, finished_at=now
        )
    return {"sent": sent, "failed": failed}


# --- Subscriptions --------------------------------------------------------------------------------------
def _clean_phone(phone: str) -> str:
    from motcua.accounts.identity import validate_phone

    try:
        return validate_phone(phone)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"phone": exc.messages}) from None


def subscription_set(
    *, village: AdministrativeUnit, phone: str, active: bool, source: str = Source.WEB
) -> Subscription:
    """Subscribe (active=True) or unsubscribe a phone from a village's broadcasts (idempotent)."""
    if village is None or village.unit_type not in VILLAGE_LEVEL or village.valid_to is not None:
        raise NotFound(_("Không tìm thấy thôn, bản này"))
    phone = _clean_phone(phone)
    try:
        with transaction.atomic():
            row, created = Subscription.objects.get_or_create(
                village=village, phone=phone, defaults={"active": active, "source": source}
            )
    except IntegrityError:  # two requests at once: the other one created it
        row, created = Subscription.objects.get(village=village, phone=phone), False
    if not created and row.active != active:
        row.active, row.source = active, source
        row.save(update_fields=["active", "source", "changed_at"])
    return row


def subscriptions_save(*, user, commune: AdministrativeUnit, village_ids: list) -> list[Subscription]:
    """The portal page: the signed-in citizen's own phone receives exactly the chosen villages of the commune
    (others of that commune are unsubscribed). Raises ValidationFailed without a phone on the account."""
    from .selectors import account_phone

    phone = account_phone(user=user)
    if not phone:
        message = _("Tài khoản của bạn chưa có số điện thoại; hãy thêm số điện thoại trước")
        raise ValidationFailed(message, fields={"villages": [message]}, code="phone_missing")
    wanted = {str(v) for v in village_ids or []}
    villages = AdministrativeUnit.objects.filter(parent=commune, unit_type__in=VILLAGE_LEVEL, valid_to__isnull=True)
    return [subscription_set(village=v, phone=phone, active=str(v.pk) in wanted) for v in villages]


_KEYWORD = re.compile(r"^\s*(DK|DANGKY|DANG KY|HUY)\s+(.+?)\s*$", re.IGNORECASE)


_PREFIXES = {"thon", "ban", "to", "xom", "ap", "lang", "buon", "khu"}


def _name_keys(name: str) -> set[str]:
    """ "Thôn Bản Phố" → {"thonbanpho", "banpho"}: folded, no spaces, with and without the leading word
    that says what kind of village it is."""
    from motcua.core.inputs import fold

    words = re.findall(r"[a-z0-9]+", fold(name).replace("đ", "d"))
    keys = {"".join(words)} if words else set()
    if len(words) > 1 and words[0] in _PREFIXES:
        keys.add("".join(words[1:]))
    return keys


def village_for_keyword(word: str) -> AdministrativeUnit | None:
    """A village named in an SMS: its code ("02839-01" or "0283901") or its name without diacritics and
    spaces ("NAHOI", "thon na hoi") when exactly one current village has it."""
    word = word.strip()
    villages = AdministrativeUnit.objects.filter(unit_type__in=VILLAGE_LEVEL, valid_to__isnull=True)
    digits = word.replace("-", "").replace(" ", "")
    if is_ascii_digits(digits):
        for village in villages.filter(code__startswith=digits[:5]):
            if village.code.replace("-", "") == digits:
                return village
        return None
    wanted = _name_keys(word)
    matches = [
        village
        for village in villages.only("pk", "name", "code", "unit_type", "valid_to", "parent_id")
        if wanted & _name_keys(village.name)
    ]
    return matches[0] if len(matches) == 1 else None


def inbound_sms(*, phone: str, text: str) -> dict:
    """A keyword SMS from a citizen: "DK <thôn>" subscribes the sender's phone to the village, "HUY <thôn>"
    unsubscribes it. Answers (by SMS, after the commit) what happened. Returns {"result", "reply"} with
    result "subscribed" | "unsubscribed" | "unknown_village" | "not_understood" | "bad_phone"."""
    from motcua.accounts.identity import validate_phone

    text = (text or "")[:500]
    try:
        phone = validate_phone(phone)
    except ValidationError:
        InboundSms.objects.create(phone=mask_phone(str(phone or ""))[:20], text=text, result="bad_phone")
        return {"result": "bad_phone", "reply": ""}
    match = _KEYWORD.match(smsfmt.to_gsm7(text))
    if match is None:
        result, reply = "not_understood", _("Soạn DK <mã thôn> để nhận tin của thôn, HUY <mã thôn> để thôi nhận.")
    else:
        village = village_for_keyword(match.group(2))
        if village is None:
            result, reply = (
                "unknown_village",
                _("Không tìm thấy thôn %(t)s. Soạn DK <mã thôn>, ví dụ DK 02839-01.") % {"t": match.group(2)[:40]},
            )
        else:
            subscribe = match.group(1).upper() != "HUY"
            subscription_set(village=village, phone=phone, active=subscribe, source=Source.SMS)
            name = village.name
            if subscribe:
                result, reply = (
                    "subscribed",
                    _("Đã đăng ký nhận tin %(v)s. Thôi nhận: soạn HUY %(c)s")
                    % {
                        "v": name,
                        "c": village.code,
                    },
                )
            else:
                result, reply = "unsubscribed", _("Đã thôi nhận tin %(v)s.") % {"v": name}
    InboundSms.objects.create(phone=phone, text=text, result=result)
    reply = smsfmt.to_gsm7(reply)
    transaction.on_commit(lambda: _reply(phone, reply))
    return {"result": result, "reply": reply}


def _reply(phone: str, text: str) -> None:
    try:
        adapter_for("sms").send(phone, text)
    except DeliveryError:
        logger.warning("reply to inbound SMS from %s failed", mask_phone(phone))
