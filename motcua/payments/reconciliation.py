"""Bank-statement reconciliation: a statement of the agency account (CSV) matched against the payments
we recorded from bank-transfer notifications.

Statement CSV (UTF-8, header row, comma-separated; extra columns ignored):
``transaction_id,paid_at,amount,reference,description`` — `paid_at` ISO 8601 or dd/mm/yyyy [HH:MM],
`amount` whole đồng (dots and commas as thousands separators allowed), `reference` may be empty when the
bank only gives the note (`description`), which is then searched for a payment reference.

Each line is one of: **matched** (our payment with that transaction id and amount), **mismatched** (our
payment with that transaction id, or the intent of its reference, at another amount), **missing_ours**
(money at the bank that we never recorded), **duplicate** (a transaction id twice in the statement, or a
second credit for a reference already matched in it). Our bank-transfer payments inside the statement's
period that the statement lacks are **missing_bank**.
"""

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.core.inputs import is_ascii_digits
from motcua.core.repeats import earlier_request

from .models import Payment, PaymentChannel, PaymentIntent, ReconciliationRun
from .references import candidates_in_note, compact

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KINDS = ("matched", "mismatched", "missing_ours", "missing_bank", "duplicate")
KIND_LABELS = {
    "matched": "Khớp",
    "mismatched": "Lệch số tiền",
    "missing_ours": "Ngân hàng có, hệ thống chưa ghi nhận",
    "missing_bank": "Hệ thống có, sao kê ngân hàng không có",
    "duplicate": "Trùng lặp",
}
DIFF_HEADER = ["kind", "label", "line", "transaction_id", "reference", "statement_amount", "our_amount", "note"]
PROGRESS_EVERY = 50


class StatementError(ValueError):
    """The file is not a statement we can read; the message says what to fix."""


def _amount(text: str) -> int:
    cleaned = (text or "").strip().replace(".", "").replace(",", "").replace(" ", "")
    if not is_ascii_digits(cleaned):
        raise StatementError(f"số tiền '{text}' không phải số nguyên đồng")
    return int(cleaned)


def _moment(text: str) -> dt.datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        raise StatementError(f"thời điểm '{text}' không đọc được (dùng dd/mm/yyyy hoặc ISO 8601)")
    return moment if moment.tzinfo else moment.replace(tzinfo=VN)


def read_statement(text: str) -> list[dict]:
    """The statement's lines as dicts (transaction_id, paid_at, amount, reference, description, line)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    needed = {"transaction_id", "amount"}
    if not reader.fieldnames or not needed <= {f.strip() for f in reader.fieldnames}:
        raise StatementError("sao kê cần dòng tiêu đề có ít nhất các cột transaction_id và amount")
    lines = []
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        try:
            lines.append(
                {
                    "line": number,
                    "transaction_id": row.get("transaction_id", ""),
                    "paid_at": _moment(row.get("paid_at", "")),
                    "amount": _amount(row.get("amount", "")),
                    "reference": row.get("reference", ""),
                    "description": row.get("description", ""),
                }
            )
        except StatementError as exc:
            raise StatementError(f"dòng {number}: {exc}") from exc
    return lines


def _intent_for(line: dict) -> PaymentIntent | None:
    ref = compact(line["reference"])
    if ref:
        intent = PaymentIntent.objects.filter(reference=ref[:25]).first()
        if intent:
            return intent
    candidates = candidates_in_note(line["reference"] + " " + line["description"])
    return PaymentIntent.objects.filter(reference__in=candidates).order_by("-reference").first() if candidates else None


def reconcile(
    lines: list[dict], *, office_id: int | None = None, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Match statement lines against our bank-transfer payments. Returns {"counts": {kind: n},
    "differences": [row, …], "total": n} where rows are dicts with DIFF_HEADER keys (matched lines are
    counted, not listed). `progress(done, total)` is called every PROGRESS_EVERY lines."""
    ours = Payment.objects.filter(channel=PaymentChannel.DIRECT_TRANSFER)
    if office_id:
        ours = ours.filter(office_id=office_id)
    counts = Counter({kind: 0 for kind in KINDS})
    differences = []
    seen_tx = set()
    seen_refs = set()
    matched_ids = set()
    tx_counts = Counter(line["transaction_id"] for line in lines if line["transaction_id"])

    def diff(kind, line, our_amount=None, note=""):
        counts[kind] += 1
        differences.append(
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "line": line.get("line", ""),
                "transaction_id": line.get("transaction_id", ""),
                "reference": line.get("reference", ""),
                "statement_amount": line.get("amount", ""),
                "our_amount": our_amount if our_amount is not None else "",
                "note": note,
            }
        )

    total = len(lines)
    for index, line in enumerate(lines, start=1):
        tx = line["transaction_id"]
        if tx and tx in seen_tx:
            diff("duplicate", line, note="Mã giao dịch xuất hiện nhiều lần trong sao kê")
        else:
            if tx:
                seen_tx.add(tx)
            payment = ours.filter(transaction_id=tx).select_related("intent").first() if tx else None
            intent = payment.intent if payment else _intent_for(line)
            if payment is not None:
                if payment.amount == line["amount"]:
                    counts["matched"] += 1
                    matched_ids.add(payment.pk)
                    seen_refs.add(payment.intent.reference)
                else:
                    matched_ids.add(payment.pk)
                    diff("mismatched", line, payment.amount, "Số tiền khác với khoản đã ghi nhận")
            elif intent is not None and intent.reference in seen_refs:
                diff("duplicate", line, intent.amount, f"Khoản {intent.reference} đã có giao dịch khác trong sao kê")
            elif intent is not None and intent.amount != line["amount"]:
                diff("mismatched", line, intent.amount, f"Số tiền khác với khoản cần nộp {intent.reference}")
            else:
                note = (
                    f"Khớp mã thanh toán {intent.reference} nhưng chưa ghi nhận thanh toán"
                    if intent
                    else "Không tìm thấy mã thanh toán"
                )
                if tx_counts[tx] > 1:
                    note += "; mã giao dịch lặp lại"
                diff("missing_ours", line, intent.amount if intent else None, note)
            if intent is not None:
                seen_refs.add(intent.reference)
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)
    moments = [line["paid_at"] for line in lines if line["paid_at"]]
    if moments:
        start, end = min(moments), max(moments)
        window = ours.filter(paid_at__gte=start - dt.timedelta(minutes=1), paid_at__lte=end + dt.timedelta(minutes=1))
        for payment in window.exclude(pk__in=matched_ids).select_related("intent").order_by("paid_at"):
            diff(
                "missing_bank",
                {"transaction_id": payment.transaction_id, "reference": payment.intent.reference, "amount": ""},
                payment.amount,
                "Hệ thống đã ghi nhận nhưng sao kê không có",
            )
    return {"counts": dict(counts), "differences": differences, "total": total}


def run_start(*, statement: str, file_name: str, office_id: int | None = None, user=None) -> ReconciliationRun:
    """Record a run (status queued) and hand it to the worker (immediately in tests and small files). The same
    statement uploaded again by the same officer for the same office within core.repeats.REPEAT_WINDOW (a
    double click, a retried upload) returns the first run: nothing is matched twice."""
    from .tasks import reconcile_run

    with transaction.atomic():
        if user is not None:
            earlier = earlier_request(
                ReconciliationRun.objects.filter(created_by=user, office_id=office_id, statement=statement),
                user=user,
            )
            if earlier is not None:
                return earlier
        run = ReconciliationRun.objects.create(
            statement=statement, file_name=file_name[:200], office_id=office_id, created_by=user
        )
    reconcile_run.enqueue(run.pk)
    return run


def run_execute(run_id: int) -> ReconciliationRun:
    """Do a queued run, saving progress as it goes (the officer page shows it). Idempotent: a finished run
    is left alone."""
    run = ReconciliationRun.objects.get(pk=run_id)
    if run.status == ReconciliationRun.Status.DONE:
        return run
    ReconciliationRun.objects.filter(pk=run.pk).update(status=ReconciliationRun.Status.RUNNING)
    try:
        lines = read_statement(run.statement)
        ReconciliationRun.objects.filter(pk=run.pk).update(total=len(lines))

        def progress(done, total):
            ReconciliationRun.objects.filter(pk=run.pk).update(processed=done, total=total)

        result = reconcile(lines, office_id=run.office_id, progress=progress)
    except StatementError as exc:
        ReconciliationRun.objects.filter(pk=run.pk).update(
            status=ReconciliationRun.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run
    ReconciliationRun.objects.filter(pk=run.pk).update(
        status=ReconciliationRun.Status.DONE,
        counts=result["counts"],
        differences=result["differences"],
        processed=result["total"],
        total=result["total"],
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def runs_visible(*, officer):
    """Runs of offices in the officer's scope, and runs they started themselves."""
    from motcua.accounts.selectors import grants_of

    from .selectors import CASHIER_ROLES

    condition = Q(created_by=officer)
    for grant in grants_of(user=officer, roles=CASHIER_ROLES):
        condition |= Q(office__unit__path__startswith=grant.unit.path)
    return ReconciliationRun.objects.filter(condition)
