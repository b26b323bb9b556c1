"""Writes of the payments app: intents for the fees a dossier owes, provider callbacks (stored raw first,
then matched), cash at the counter, refunds, the periodic status query and expiry, receipts.

Lock order, as everywhere: the dossier row, then its intents, then counters. Money is whole đồng.
"""

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.fees import fee_compute, format_vnd
from motcua.core.confcache import cached
from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.dossiers.models import Dossier

from .models import (
    CallbackOutcome,
    FeeCategory,
    IntentStatus,
    Payment,
    PaymentAccount,
    PaymentChannel,
    PaymentIntent,
    ProviderCallback,
    ReceiptCounter,
)
from .providers import CallbackUnreadable, Notification, provider_get, providers_all
from .references import candidates_in_note, compact, reference_for

log = logging.getLogger(__name__)

# Headers worth keeping with a raw callback (never cookies or authorisation).
KEPT_HEADERS = ("Content-Type", "User-Agent", "X-Signature", "X-Forwarded-For", "X-Request-Id")
# A dossier that ends with one of these outcomes may have its fees refunded (Law on Fees and Charges 2015:
# a fee is charged for a service; a refused or withdrawn dossier received no service).
REFUNDABLE_OUTCOMES = ("refused", "withdrawn", "stopped")


# --- intents ------------------------------------------------------------------------------------------------
def dossier_fee_quote(dossier: Dossier, *, exemptions=frozenset()):
    """The fee lines a dossier owes under its procedure's rule (pages/copies from its form)."""
    form = dossier.form_data or {}
    pages = form.get("so_trang") if isinstance(form.get("so_trang"), int) else 1
    copies = form.get("so_ban") if isinstance(form.get("so_ban"), int) else 1
    on = timezone.localdate(dossier.submitted_at) if dossier.submitted_at else timezone.localdate()
    return fee_compute(
        dossier.procedure.fee,
        channel=dossier.channel,
        pages=max(pages, 1),
        copies=max(copies, 1),
        exemptions=exemptions,
        form=form,
        on=on,
    )


def _intent_hours(dossier: Dossier) -> int:
    """How long an intent of the dossier's office stays payable (hours): its payment account's, else the
    setting. The account's from the process's cache inside a `core.confcache.snapshot` (a submission)."""

    def build() -> tuple[int | None]:  # (None,) for an office without an account
        account = PaymentAccount.objects.filter(office_id=dossier.office_id)
        return (account.values_list("intent_hours", flat=True).first(),)

    (hours,) = cached(("intent_hours", dossier.office_id), ("payments",), build)
    return hours if hours is not None else settings.PAYMENT_INTENT_HOURS


def _next_reference(dossier: Dossier) -> str:
    """The reference of the dossier's next intent (`_references_give`'s numbering and refusal)."""
    probe = PaymentIntent()
    _references_give(dossier, [probe], before=PaymentIntent.objects.filter(dossier=dossier).count())
    return probe.reference


def _references_give(dossier: Dossier, intents: list[PaymentIntent], *, before: int) -> None:
    """Set the references of new intents of the dossier, numbered after the ``before`` it already has. A
    reference has one character per intent (35 in all, `references.py`); past that the dossier is settled
    at the counter: NotAllowed 422 ``too_many_intents`` instead of a crash."""
    try:
        for seq, intent in enumerate(intents, start=before + 1):
            intent.reference = reference_for(dossier.code, seq)
    except ValueError:
        raise NotAllowed(
            _("Hồ sơ đã có quá nhiều khoản thanh toán; hãy thu tại bộ phận một cửa"), code="too_many_intents"
        ) from None


def _intents_missing(*, dossier: Dossier, now: dt.datetime, held: set[str] | None = None) -> list[PaymentIntent]:
    """Unsaved intents, without their reference yet, for the fee lines (of more than zero đồng) that have
    no pending or paid intent. ``held``: those lines when the caller knows them (a new dossier: none);
    None reads them."""
    lines = [line for line in dossier_fee_quote(dossier).lines if line.amount > 0]
    if not lines:
        return []
    if held is None:
        held = set(
            PaymentIntent.objects.filter(
                dossier=dossier, status__in=[IntentStatus.PENDING, IntentStatus.PAID]
            ).values_list("line", flat=True)
        )
    expires_at = now + dt.timedelta(hours=_intent_hours(dossier))
    return [
        PaymentIntent(
            dossier=dossier,
            line=line.key,
            category=line.category,
            label=line.label,
            amount=line.amount,
            breakdown={"detail": line.detail, "channel": dossier.channel},
            status=IntentStatus.PENDING,
            expires_at=expires_at,
        )
        for line in lines
        if line.key not in held
    ]


def intents_follow_code(*, dossier: Dossier) -> None:
    """The code hook (`dossiers.effects.register_on_coded`), right after the dossier got its real code:
    writes the intents the submission hook planned, with references made from that code
    (`references.reference_for`, numbered in the order they are made). One INSERT; nothing to do, and no
    query, for a dossier without a fee."""
    planned = getattr(dossier, "_intents_planned", None)
    if not planned:
        return
    intents, before = planned
    _references_give(dossier, intents, before=before)
    PaymentIntent.objects.bulk_create(intents)
    dossier._intents_planned = None


def intents_open_for_fee(*, dossier: Dossier, now: dt.datetime, fresh: bool) -> None:
    """The submission hook (`dossiers.effects.register_on_submitted`), before the dossier has its code:
    plans the intents of the fee lines due (reads only: the office's payment account; for a submitted
    draft, the intents it already has); `intents_follow_code` writes them once the code is known."""
    if not dossier.fee_amount:
        return
    intents = _intents_missing(dossier=dossier, now=now, held=set() if fresh else None)
    before = 0 if fresh or not intents else PaymentIntent.objects.filter(dossier=dossier).count()
    dossier._intents_planned = (intents, before)


def intents_open(*, dossier: Dossier, now: dt.datetime | None = None) -> list[PaymentIntent]:
    """Make sure every fee line the dossier owes has a pending or paid intent; returns the pending ones.
    Call inside the transaction that sets the dossier's fee (the dossier row locked by the caller; a
    submission plans them in `intents_open_for_fee` instead). Idempotent: a line already pending or paid
    is left alone. Lines of zero đồng get no intent."""
    now = now or timezone.now()
    intents = _intents_missing(dossier=dossier, now=now)
    if intents:
        _references_give(dossier, intents, before=PaymentIntent.objects.filter(dossier=dossier).count())
        PaymentIntent.objects.bulk_create(intents)
    return list(PaymentIntent.objects.filter(dossier=dossier, status=IntentStatus.PENDING).order_by("pk"))


def intent_renew(*, dossier: Dossier, line: str, now: dt.datetime | None = None) -> PaymentIntent:
    """A new pending intent for a line whose intent expired (the citizen comes back later)."""
    with transaction.atomic():
        Dossier.objects.select_for_update().get(pk=dossier.pk)
        if not PaymentIntent.objects.filter(dossier=dossier, line=line, status=IntentStatus.EXPIRED).exists():
            raise NotAllowed(_("Khoản phí này không ở trạng thái hết hạn nên không cần tạo lại mã thanh toán"))
        intents = intents_open(dossier=dossier, now=now)
    return next(i for i in intents if i.line == line)


def intents_cancel(*, dossier: Dossier, reason: str) -> int:
    """Cancel the dossier's pending intents (refused, withdrawn, exempted). Money that still arrives for
    them is recorded and flagged, never dropped. Returns how many were cancelled."""
    return PaymentIntent.objects.filter(dossier=dossier, status=IntentStatus.PENDING).update(
        status=IntentStatus.CANCELLED, closed_reason=reason[:300], updated_at=timezone.now()
    )


# An amount an officer sets at a step (đồng): more than nothing, less than anything a commune or province
# procedure charges (land-use fees of a province stay far below), so a typo of several zeros is caught.
FEE_SET_MAX = 10_000_000_000
FEE_SETTER_ROLES = {"intake_officer", "specialist", "leader"}


def fee_set(
    *,
    officer,
    code: str,
    amount,
    label,
    category: str = FeeCategory.LE_PHI,
    request_key: str = "",
    now: dt.datetime | None = None,
) -> PaymentIntent:
    """An officer sets a fee at a step (e.g. the pages to certify, counted at appraisal): a new fee line with
    its pending intent, an event ``fee_set`` on the dossier and a notice to the citizen, in one transaction.

    ``amount``: whole đồng, 1 … 10.000.000.000; ``label``: what it is for (printed on the receipt, ≤ 200
    characters); ``category``: ``le_phi`` or ``phi`` (separate budget lines, separate receipts — Law on Fees and
    Charges 2015, Art. 3). The officer must hold an officer role on the dossier's unit; the dossier must be
    open. ``request_key``: the form's one-time key (or the API's Idempotency-Key); a repeat with the same key
    (a double click, a retried request) returns the intent the first one made and writes nothing. Locks: the
    dossier row. Raises NotFound (404, also when forbidden), ValidationFailed (422), NotAllowed (422
    ``dossier_closed``, ``too_many_intents``)."""
    from django.core.exceptions import ValidationError

    from motcua.core.glyphs import check_printable
    from motcua.core.inputs import clean_text
    from motcua.dossiers.selectors import actor_roles, dossier_get
    from motcua.dossiers.services import notify_event

    fields = {}
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= FEE_SET_MAX:
        fields["amount"] = [_("Nhập số tiền bằng số đồng, từ 1 đến 10.000.000.000 (ví dụ 20000)")]
    try:
        label = check_printable(clean_text(label, max_length=200, label=_("Nội dung thu")), label=_("Nội dung thu"))
        if not label:
            fields["label"] = [_("Ghi khoản thu dùng để làm gì (ví dụ: Phí chứng thực 12 trang)")]
    except ValidationError as exc:
        fields["label"] = exc.messages
    if category not in FeeCategory.values:
        fields["category"] = [_("Chọn lệ phí hoặc phí")]
    try:
        request_key = clean_text(request_key, max_length=100, label="Idempotency-Key")
    except ValidationError as exc:
        fields["request_key"] = exc.messages
    if fields:
        raise ValidationFailed(_("Chưa ghi được khoản phí, lệ phí: hãy sửa các ô được nêu"), fields=fields)
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        dossier = dossier_get(user=officer, code=code, for_update=True)
        if dossier.status == "draft" or not actor_roles(user=officer, dossier=dossier) & FEE_SETTER_ROLES:
            raise NotFound(_("Không tìm thấy hồ sơ này"))
        if request_key:
            # Under the dossier's row lock, so twenty simultaneous repeats still make one line.
            earlier = PaymentIntent.objects.filter(
                dossier=dossier, line__startswith="officer-", breakdown__request_key=request_key
            ).first()
            if earlier is not None:
                if (earlier.amount, earlier.label, earlier.category) != (amount, label, category):
                    raise Conflict(
                        _("Mã gửi này đã dùng cho một khoản khác. Hãy tải lại trang rồi ghi lại khoản thu."),
                        code="idempotency_key_reused",
                    )
                return earlier
        if not dossier.is_open:
            raise NotAllowed(_("Hồ sơ đã kết thúc nên không thu thêm phí, lệ phí"), code="dossier_closed")
        lines = PaymentIntent.objects.filter(dossier=dossier, line__startswith="officer-").values("line").distinct()
        intent = PaymentIntent.objects.create(
            dossier=dossier,
            line=f"officer-{lines.count() + 1}",
            category=category,
            label=label,
            amount=amount,
            breakdown={"detail": label, "channel": dossier.channel, "set_by": officer.pk}
            | ({"request_key": request_key} if request_key else {}),
            reference=_next_reference(dossier),
            status=IntentStatus.PENDING,
            expires_at=now + dt.timedelta(hours=_intent_hours(dossier)),
        )
        event = _dossier_event(
            dossier,
            action="fee_set",
            actor=officer,
            note=f"{format_vnd(amount)} — {label}",
            data={"reference": intent.reference, "amount": amount, "category": category},
            at=now,
            role=next(iter(sorted(actor_roles(user=officer, dossier=dossier) & FEE_SETTER_ROLES))),
        )
        notify_event(dossier=dossier, event=event)
    return intent


def intents_cancel_on_end(*, dossier: Dossier, event) -> None:
    """The event hook (`dossiers.effects.register_on_event`): the event that ends a dossier without a result
    (refused, withdrawn, stopped) cancels its pending intents in the same transaction; the dossier row is
    locked by the caller. Paid lines stay paid (a refund is an officer's decision: `payment_refund`)."""
    if dossier.is_open or dossier.outcome == "completed" or event.from_status == event.to_status:
        return
    from motcua.dossiers.workflow import load_workflow

    intents_cancel(dossier=dossier, reason=load_workflow(dossier.workflow).event_label(event.action))


def intent_exempt(*, officer, reference: str, ground: str) -> PaymentIntent:
    """An officer waives a pending fee (the applicant proved an exemption ground at the counter)."""
    from .selectors import intent_get_for_officer

    ground = (ground or "").strip()
    if not ground:
        raise ValidationFailed(
            _("Ghi rõ diện được miễn (ví dụ: hộ nghèo, người khuyết tật)"),
            fields={"ground": [_("Nhập diện được miễn")]},
        )
    intent = intent_get_for_officer(officer=officer, reference=reference)
    with transaction.atomic():
        Dossier.objects.select_for_update().get(pk=intent.dossier_id)
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if intent.status != IntentStatus.PENDING:
            raise NotAllowed(_("Chỉ miễn được khoản đang chờ thanh toán"))
        intent.status = IntentStatus.CANCELLED
        intent.closed_reason = (_("Miễn phí, lệ phí: %(g)s") % {"g": ground})[:300]
        intent.save(update_fields=["status", "closed_reason", "updated_at"])
    return intent


# --- payments and receipts -------------------------------------------------------------------------------------
def _receipt_number(office_id: int, year: int) -> int:
    ReceiptCounter.objects.bulk_create([ReceiptCounter(office_id=office_id, year=year)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(office_id=office_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _dossier_event(dossier: Dossier, *, action: str, actor, note: str, data: dict, at=None, role: str = ""):
    from motcua.dossiers.services import event_append

    return event_append(
        dossier=dossier,
        action=action,
        actor=actor,
        role=role or ("cashier" if actor else "system"),
        from_status=dossier.status,
        to_status=dossier.status,
        note=note,
        data=data,
        at=at,
    )


def _payment_record(
    *,
    intent: PaymentIntent,
    dossier: Dossier,
    provider: str,
    transaction_id: str,
    channel: str,
    amount: int,
    paid_at: dt.datetime,
    recorded_by=None,
) -> Payment:
    """Inside a transaction with the dossier and the intent locked. A confirmed payment always wins: the
    intent becomes paid whatever its state; money for an intent that was not pending is flagged."""
    flag = ""
    if intent.status == IntentStatus.PAID:
        flag = _("Khoản này đã được thanh toán trước đó: thu trùng, cần xem xét hoàn tiền")
    elif intent.status in (IntentStatus.EXPIRED, IntentStatus.CANCELLED):
        flag = _("Tiền đến sau khi khoản thanh toán đã %(s)s: cần cán bộ xem") % {
            "s": intent.get_status_display().lower()
        }
    elif intent.status == IntentStatus.REFUNDED:
        flag = _("Tiền đến cho khoản đã hoàn: cần cán bộ xem")
    year = timezone.localtime(paid_at).year
    payment = Payment.objects.create(
        intent=intent,
        office_id=dossier.office_id,
        provider=provider,
        transaction_id=transaction_id,
        channel=channel,
        amount=amount,
        paid_at=paid_at,
        recorded_by=recorded_by,
        flagged=bool(flag),
        flag_reason=flag,
        receipt_year=year,
        receipt_number=_receipt_number(dossier.office_id, year),
    )
    if intent.status != IntentStatus.PAID:
        intent.status = IntentStatus.PAID
        intent.paid_at = paid_at
        intent.save(update_fields=["status", "paid_at", "updated_at"])
    _dossier_event(
        dossier,
        action="payment_received",
        actor=recorded_by,
        note=f"{intent.label}: {format_vnd(amount)}",
        data={
            "reference": intent.reference,
            "amount": amount,
            "channel": channel,
            "receipt": payment.receipt_label,
            "flagged": bool(flag),
        },
    )
    return payment


def receipt_render(*, payment_id: int) -> Payment | None:
    """Render and sign the receipt of a payment if it has none yet (after the write; idempotent). A
    failure leaves the number in place and the PDF empty; the next call (periodic job) tries again."""
    from .receipts import receipt_pdf

    payment = Payment.objects.select_related("intent__dossier__procedure", "office__unit").get(pk=payment_id)
    if payment.receipt_sha256:
        return payment
    try:
        pdf = receipt_pdf(payment)
    except Exception:  # rendering or signing failed; the periodic job retries
        log.exception("receipt %s could not be rendered", payment.receipt_label)
        return payment
    Payment.objects.filter(pk=payment.pk, receipt_sha256="").update(
        receipt_pdf=pdf, receipt_sha256=hashlib.sha256(pdf).hexdigest()
    )
    payment.refresh_from_db()
    return payment


def cash_record(*, officer, reference: str, amount: int) -> Payment:
    """Cash taken at the counter for a pending intent: recorded like any payment, with its receipt."""
    from .selectors import intent_get_for_officer

    intent = intent_get_for_officer(officer=officer, reference=reference)
    if amount != intent.amount:
        raise ValidationFailed(
            _("Số tiền thu phải đúng %(a)s đồng như khoản cần nộp") % {"a": f"{intent.amount:,}".replace(",", ".")},
            fields={"amount": [_("Nhập đúng số tiền cần nộp")]},
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=intent.dossier_id)
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if intent.status == IntentStatus.PAID:
            raise NotAllowed(_("Khoản này đã được thanh toán; không thu thêm"))
        payment = _payment_record(
            intent=intent,
            dossier=dossier,
            provider="cash",
            transaction_id=f"CASH-{uuid.uuid4().hex[:16].upper()}",
            channel=PaymentChannel.CASH,
            amount=amount,
            paid_at=timezone.now(),
            recorded_by=officer,
        )
    # Rendered and signed after the write transaction (slow work never holds the locks), as the forms are.
    return receipt_render(payment_id=payment.pk)


def payment_refund(*, officer, payment_id: int, reason: str) -> Payment:
    """Record a refund with its reason: allowed when the dossier was refused, withdrawn or stopped, or when
    the payment was flagged (paid twice, after expiry). Raises NotAllowed otherwise."""
    from .selectors import payment_get_for_officer

    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Nhập lý do hoàn tiền"), fields={"reason": [_("Nhập lý do hoàn tiền")]})
    payment = payment_get_for_officer(officer=officer, payment_id=payment_id)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=payment.intent.dossier_id)
        intent = PaymentIntent.objects.select_for_update().get(pk=payment.intent_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.refunded_at:
            raise NotAllowed(_("Khoản này đã được hoàn tiền"))
        if not (payment.flagged or dossier.outcome in REFUNDABLE_OUTCOMES):
            raise NotAllowed(
                _("Chỉ hoàn tiền khi hồ sơ bị từ chối, rút hoặc dừng giải quyết, hoặc khoản thu bị đánh dấu cần xem")
            )
        payment.refunded_at, payment.refunded_by, payment.refund_reason = timezone.now(), officer, reason[:500]
        payment.save(update_fields=["refunded_at", "refunded_by", "refund_reason", "updated_at"])
        if not intent.payments.filter(refunded_at__isnull=True).exists():
            intent.status = IntentStatus.REFUNDED
            intent.closed_reason = reason[:300]
            intent.save(update_fields=["status", "closed_reason", "updated_at"])
        _dossier_event(
            dossier,
            action="payment_refunded",
            actor=officer,
            note=reason[:500],
            data={"receipt": payment.receipt_label, "amount": payment.amount},
        )
    return payment


def payment_resolve(*, officer, payment_id: int, note: str) -> Payment:
    """An officer has looked at a flagged payment (kept, or refunded separately)."""
    from .selectors import payment_get_for_officer

    payment = payment_get_for_officer(officer=officer, payment_id=payment_id)
    Payment.objects.filter(pk=payment.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=officer, flag_reason=(payment.flag_reason + " — " + note)[:300]
    )
    payment.refresh_from_db()
    return payment


# --- callbacks ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CallbackResult:
    status: int
    body: dict
    outcome: str
    callback_id: int | None


def _kept_headers(headers) -> dict:
    return {name: str(headers.get(name))[:500] for name in KEPT_HEADERS if headers.get(name) is not None}


def _intent_for_reference(reference: str) -> PaymentIntent | None:
    exact = PaymentIntent.objects.filter(reference=compact(reference)[:25]).first()
    if exact is not None:
        return exact
    candidates = candidates_in_note(reference)
    if not candidates:
        return None
    # The longest match wins: "MC…1" in a note that continues "MC…12…" is the longer reference.
    return PaymentIntent.objects.filter(reference__in=candidates).order_by("-reference").first()


def callback_receive(*, provider_name: str, raw_body: bytes, headers, params: dict) -> CallbackResult:
    """Handle one provider notification. The raw request is stored first (committed on its own). A bad
    signature → 401 and nothing else changes (the stored row has no transaction id, so it cannot stand in
    for the real one). A signed one is unique per (provider, transaction id): a repeat is acknowledged and
    changes nothing. Then the reference and amount are matched: unknown reference or wrong amount → kept
    for review; a match → a Payment (late ones flagged). Raises NotFound for an unknown provider."""
    provider = provider_get(provider_name)
    if provider is None:
        raise NotFound(_("Không có nhà cung cấp thanh toán %(p)s") % {"p": provider_name})
    kept = _kept_headers(headers)
    text = raw_body.decode("utf-8", errors="replace")
    if not provider.verify(raw_body=raw_body, headers=headers, params=params):
        ProviderCallback.objects.create(
            provider=provider.name,
            raw_body=text,
            headers=kept,
            signature_valid=False,
            outcome=CallbackOutcome.BAD_SIGNATURE,
        )
        status, body = provider.acknowledge(CallbackOutcome.BAD_SIGNATURE)
        return CallbackResult(status, body, CallbackOutcome.BAD_SIGNATURE, None)
    try:
        note = provider.parse(raw_body=raw_body, headers=headers, params=params)
    except CallbackUnreadable as exc:
        row = ProviderCallback.objects.create(
            provider=provider.name,
            raw_body=text,
            headers=kept,
            signature_valid=True,
            outcome=CallbackOutcome.INVALID,
            needs_review=True,
            review_note=str(exc)[:500],
        )
        status, body = provider.acknowledge(CallbackOutcome.INVALID)
        return CallbackResult(status, body, CallbackOutcome.INVALID, row.pk)
    try:
        with transaction.atomic():
            row = ProviderCallback.objects.create(
                provider=provider.name,
                transaction_id=note.transaction_id,
                raw_body=text,
                headers=kept,
                signature_valid=True,
                reference=note.reference,
                amount=note.amount,
            )
    except IntegrityError:
        status, body = provider.acknowledge(CallbackOutcome.DUPLICATE)
        return CallbackResult(status, body, CallbackOutcome.DUPLICATE, None)
    outcome = callback_process(callback_id=row.pk, notification=note)
    status, body = provider.acknowledge(outcome)
    return CallbackResult(status, body, outcome, row.pk)


def callback_process(*, callback_id: int, notification: Notification | None = None) -> str:
    """Match a stored, signed callback and record the payment (idempotent: a callback already processed
    keeps its outcome). Returns the CallbackOutcome value."""
    row = ProviderCallback.objects.get(pk=callback_id)
    if row.outcome != CallbackOutcome.RECEIVED:
        return row.outcome
    provider = provider_get(row.provider)
    if notification is None:
        notification = provider.parse(raw_body=row.raw_body.encode(), headers=row.headers, params=_params_of(row))
    intent = _intent_for_reference(notification.reference)
    payment = None
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=intent.dossier_id) if intent else None
        row = ProviderCallback.objects.select_for_update().get(pk=callback_id)
        if row.outcome != CallbackOutcome.RECEIVED:
            return row.outcome
        if not notification.succeeded:
            outcome, review = CallbackOutcome.FAILED, False
        elif intent is None:
            outcome, review = CallbackOutcome.UNKNOWN_REFERENCE, True
        else:
            intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
            if notification.amount != intent.amount:
                outcome, review = CallbackOutcome.WRONG_AMOUNT, True
            elif Payment.objects.filter(provider=row.provider, transaction_id=notification.transaction_id).exists():
                outcome, review = CallbackOutcome.DUPLICATE, False
            else:
                late = intent.status != IntentStatus.PENDING
                payment = _payment_record(
                    intent=intent,
                    dossier=dossier,
                    provider=row.provider,
                    transaction_id=notification.transaction_id,
                    channel=provider.channel,
                    amount=notification.amount,
                    paid_at=notification.paid_at,
                )
                outcome, review = (CallbackOutcome.LATE, True) if late else (CallbackOutcome.ACCEPTED, False)
        row.outcome, row.needs_review, row.intent = outcome, review, intent
        row.save(update_fields=["outcome", "needs_review", "intent"])
    if payment is not None:
        receipt_render(payment_id=payment.pk)
    return outcome


def _params_of(row: ProviderCallback) -> dict:
    from urllib.parse import parse_qsl

    if row.raw_body.startswith("vnp_") or "&vnp_" in row.raw_body:
        return dict(parse_qsl(row.raw_body, keep_blank_values=True))
    return {}


def callback_review(*, officer, callback_id: int, note: str) -> ProviderCallback:
    """An officer has dealt with a callback kept for review (matched by hand, refunded to the sender…)."""
    from .selectors import callbacks_for_review

    row = callbacks_for_review(officer=officer).filter(pk=callback_id).first()
    if row is None:
        raise NotFound(_("Không tìm thấy thông báo thanh toán này"))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Ghi cách đã xử lý"), fields={"note": [_("Ghi cách đã xử lý")]})
    ProviderCallback.objects.filter(pk=row.pk).update(
        needs_review=False, reviewed_by=officer, reviewed_at=timezone.now(), review_note=note[:500]
    )
    row.refresh_from_db()
    return row


# --- the periodic job -----------------------------------------------------------------------------------------
@dataclass
class PollReport:
    asked: int = 0
    confirmed: int = 0
    expired: int = 0
    reprocessed: int = 0
    receipts: int = 0


def payments_poll(*, now: dt.datetime | None = None, stale_seconds: int = 60) -> PollReport:
    """Ask each provider about pending intents (a notification may have been lost or the citizen closed
    the tab), expire intents past their time, finish callbacks stored but not processed (a crash between
    the two steps) and render receipts that failed. Safe to run from several machines at once."""
    now = now or timezone.now()
    report = PollReport()
    for intent in PaymentIntent.objects.filter(status=IntentStatus.PENDING).order_by("pk").iterator():
        for provider in providers_all():
            if not provider.configured:
                continue
            report.asked += 1
            for found in provider.query(reference=intent.reference):
                result = _callback_from_query(provider.name, found)
                if result in (CallbackOutcome.ACCEPTED, CallbackOutcome.LATE):
                    report.confirmed += 1
    report.expired = PaymentIntent.objects.filter(status=IntentStatus.PENDING, expires_at__lt=now).update(
        status=IntentStatus.EXPIRED, closed_reason="Hết thời hạn thanh toán", updated_at=now
    )
    stale = now - dt.timedelta(seconds=stale_seconds)
    for row_id in ProviderCallback.objects.filter(
        outcome=CallbackOutcome.RECEIVED, signature_valid=True, received_at__lt=stale
    ).values_list("pk", flat=True):
        callback_process(callback_id=row_id)
        report.reprocessed += 1
    for payment_id in Payment.objects.filter(receipt_sha256="").values_list("pk", flat=True):
        if receipt_render(payment_id=payment_id).receipt_sha256:
            report.receipts += 1
    return report


def _callback_from_query(provider_name: str, found: Notification) -> str:
    """A credit learned by asking the provider: stored like a callback (its own transaction id keeps it
    unique) and matched the same way."""
    import json

    body = json.dumps(
        {
            "transaction_id": found.transaction_id,
            "reference": found.reference,
            "amount": found.amount,
            "paid_at": found.paid_at.isoformat(),
        }
    )
    try:
        with transaction.atomic():
            row = ProviderCallback.objects.create(
                provider=provider_name,
                transaction_id=found.transaction_id,
                raw_body=body,
                headers={"source": "status_query"},
                signature_valid=True,
                reference=found.reference,
                amount=found.amount,
            )
    except IntegrityError:
        return CallbackOutcome.DUPLICATE
    return callback_process(callback_id=row.pk, notification=found)


def next_receipt_preview(office_id: int, year: int) -> int:
    """The number the next receipt of an office will get (for the cashier's screen)."""
    last = ReceiptCounter.objects.filter(office_id=office_id, year=year).aggregate(m=Max("last"))["m"] or 0
    return last + 1
