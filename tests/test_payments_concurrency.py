"""Twenty identical bank notifications at once record one payment (PostgreSQL, real threads)."""

import pytest
from django.db import connection

from motcua.dossiers.models import DossierEvent
from motcua.payments import services, simulators
from motcua.payments.models import (
    IntentStatus,
    Payment,
    PaymentIntent,
    ProviderCallback,
    ReceiptCounter,
    SimulatedBankCredit,
)

from .test_concurrency import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (CI)"),
]


def test_twenty_concurrent_identical_callbacks_record_one_payment(fee_dossier):
    intent = PaymentIntent.objects.get(dossier=fee_dossier, status=IntentStatus.PENDING)
    body, headers = simulators.bank_notification(reference=intent.reference, amount=10000, transaction_id="FT-SAME")
    results, errors = run_concurrently(
        20,
        20,
        lambda i: services.callback_receive(provider_name="vietqr-demo", raw_body=body, headers=headers, params={}),
    )
    assert errors == []
    assert all(r.status == 200 for r in results)
    outcomes = sorted(r.outcome for r in results)
    assert outcomes.count("accepted") == 1 and outcomes.count("duplicate") == 19
    assert Payment.objects.count() == 1
    assert ProviderCallback.objects.count() == 1
    assert ReceiptCounter.objects.get().last == 1
    assert DossierEvent.objects.filter(dossier=fee_dossier, action="payment_received").count() == 1
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID


def test_concurrent_cash_and_transfer_both_recorded_second_flagged(fee_dossier, intake_a):
    """Cash at the counter and a bank transfer at the same moment: neither is lost, the second is flagged."""
    intent = PaymentIntent.objects.get(dossier=fee_dossier, status=IntentStatus.PENDING)
    body, headers = simulators.bank_notification(reference=intent.reference, amount=10000, transaction_id="FT-RACE")

    def act(i):
        if i == 0:
            return services.callback_receive(provider_name="vietqr-demo", raw_body=body, headers=headers, params={})
        try:
            return services.cash_record(officer=intake_a, reference=intent.reference, amount=10000)
        except Exception as exc:  # NotAllowed when the transfer won: the counter is told it is paid
            return exc

    _results, errors = run_concurrently(2, 2, act)
    assert errors == []
    payments = list(Payment.objects.order_by("pk"))
    assert payments[0].provider in ("vietqr-demo", "cash")
    # The transfer is money at the bank: always recorded. Cash is refused once the intent is paid.
    assert any(p.provider == "vietqr-demo" for p in payments)
    assert sum(1 for p in payments if p.flagged) == len(payments) - 1
    assert [p.receipt_number for p in payments] == list(range(1, len(payments) + 1))


def test_twenty_concurrent_repeats_of_one_fee_form_set_one_fee(fee_dossier, intake_a):
    """The officer's «Thu thêm phí» form sent twenty times at once with its one key: one line, one event."""
    results, errors = run_concurrently(
        20,
        20,
        lambda i: services.fee_set(
            officer=intake_a, code=fee_dossier.code, amount=12000, label="Bản sao thêm", request_key="k" * 32
        ),
    )
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert PaymentIntent.objects.filter(dossier=fee_dossier, line__startswith="officer-").count() == 1
    assert DossierEvent.objects.filter(dossier=fee_dossier, action="fee_set").count() == 1


def test_twenty_simultaneous_presses_of_the_demo_bank_button_pay_once(fee_dossier):
    """Found trying the payment page: twenty quick presses of «Ngân hàng mô phỏng: chuyển khoản ngay» booked six
    transfers, so the dossier was paid six times (five payments flagged for refund)."""
    intent = PaymentIntent.objects.get(dossier=fee_dossier, status=IntentStatus.PENDING)
    results, errors = run_concurrently(20, 20, lambda i: simulators.simulate_pay_button(reference=intent.reference))
    assert errors == []
    assert sorted(results).count(True) == 1
    assert SimulatedBankCredit.objects.filter(reference=intent.reference).count() == 1
    assert Payment.objects.filter(intent=intent).count() == 1
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
