"""Payment intents, provider callbacks (never trusted blindly), cash, refunds, the periodic job."""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from motcua.core.errors import NotAllowed, NotFound
from motcua.payments import selectors, services, simulators, vietqr
from motcua.payments.models import (
    IntentStatus,
    Payment,
    PaymentChannel,
    PaymentIntent,
    ProviderCallback,
    SimulatedBankCredit,
)
from motcua.payments.providers.signing import hmac_sha256_hex

pytestmark = pytest.mark.django_db


def _intent(dossier) -> PaymentIntent:
    return PaymentIntent.objects.get(dossier=dossier, status=IntentStatus.PENDING)


def _bank(reference, amount, tx="FT0001", secret="motcua-demo-bank-secret"):
    body = json.dumps(
        {"transaction_id": tx, "reference": reference, "amount": amount, "paid_at": "2026-11-30T10:15:00+07:00"}
    ).encode()
    return body, {"X-Signature": hmac_sha256_hex(secret, body)}


def _post(client, body, headers, provider="vietqr-demo"):
    return client.post(
        f"/api/v1/payments/callback/{provider}",
        body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


def test_submission_of_a_fee_bearing_dossier_opens_one_intent(fee_dossier):
    intent = _intent(fee_dossier)
    assert fee_dossier.fee_amount == 10000
    assert intent.amount == 10000 and intent.category == "le_phi" and intent.line == "fee"
    assert intent.reference.startswith("MC") and len(intent.reference) <= 25 and intent.reference.isalnum()
    payload = selectors.qr_payload(intent)
    parsed = vietqr.parse(payload)
    assert (parsed.bank_bin, parsed.account, parsed.amount, parsed.purpose) == (
        "970415",
        "113000028390",
        10000,
        intent.reference,
    )
    # Opening again changes nothing: one open intent per dossier and fee line.
    services.intents_open(dossier=fee_dossier)
    assert PaymentIntent.objects.filter(dossier=fee_dossier).count() == 1


def test_free_procedure_needs_no_payment(catalog, citizen, office_a, payment_settings):
    from motcua.dossiers.services import dossier_submit

    from .conftest import BIRTH_FORM, documents_for

    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    assert not PaymentIntent.objects.filter(dossier=dossier).exists()
    assert selectors.payment_summary(dossier)["status"] == "not_required"


def test_bank_callback_pays_the_intent_and_numbers_a_receipt(client, fee_dossier):
    intent = _intent(fee_dossier)
    body, headers = _bank(intent.reference, 10000)
    response = _post(client, body, headers)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "accepted"
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
    payment = Payment.objects.get()
    assert (payment.amount, payment.channel, payment.receipt_number) == (10000, PaymentChannel.DIRECT_TRANSFER, 1)
    assert not payment.flagged
    assert fee_dossier.events.filter(action="payment_received").count() == 1
    assert selectors.payment_summary(fee_dossier)["status"] == "paid"


def test_bad_signature_is_401_and_changes_nothing(client, fee_dossier):
    intent = _intent(fee_dossier)
    body, headers = _bank(intent.reference, 10000, secret="not-the-secret")
    response = _post(client, body, headers)
    assert response.status_code == 401
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PENDING
    assert not Payment.objects.exists()
    stored = ProviderCallback.objects.get()
    # Kept as evidence, but without the transaction id: it cannot block the real notification.
    assert stored.outcome == "bad_signature" and stored.transaction_id is None and not stored.signature_valid
    good_body, good_headers = _bank(intent.reference, 10000)
    assert _post(client, good_body, good_headers).json()["outcome"] == "accepted"


def test_missing_signature_is_401(client, fee_dossier):
    body, _headers = _bank(_intent(fee_dossier).reference, 10000)
    assert _post(client, body, {}).status_code == 401
    assert not Payment.objects.exists()


def test_the_same_callback_twice_records_one_payment(client, fee_dossier):
    body, headers = _bank(_intent(fee_dossier).reference, 10000)
    first, second = _post(client, body, headers), _post(client, body, headers)
    assert first.status_code == second.status_code == 200
    assert second.json()["outcome"] == "duplicate"
    assert Payment.objects.count() == 1
    assert ProviderCallback.objects.count() == 1
    assert fee_dossier.events.filter(action="payment_received").count() == 1


def test_wrong_amount_is_kept_for_review_and_not_accepted(client, fee_dossier, intake_a):
    intent = _intent(fee_dossier)
    body, headers = _bank(intent.reference, 9000)
    assert _post(client, body, headers).json()["outcome"] == "wrong_amount"
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PENDING and not Payment.objects.exists()
    assert [c.amount for c in selectors.callbacks_for_review(officer=intake_a)] == [9000]


def test_unknown_reference_is_kept_for_review(client, fee_dossier, intake_a):
    body, headers = _bank("MCXXXXXXXX9", 10000)
    assert _post(client, body, headers).json()["outcome"] == "unknown_reference"
    assert not Payment.objects.exists()
    assert selectors.callbacks_for_review(officer=intake_a).count() == 1


def test_reference_inside_a_longer_note_still_matches(client, fee_dossier):
    intent = _intent(fee_dossier)
    body, headers = _bank(f"IBFT {intent.reference.lower()} le phi", 10000)
    assert _post(client, body, headers).json()["outcome"] == "accepted"


def test_money_after_expiry_is_recorded_as_paid_and_flagged(client, fee_dossier, intake_a):
    intent = _intent(fee_dossier)
    report = services.payments_poll(now=timezone.now() + dt.timedelta(days=10))
    assert report.expired == 1
    intent.refresh_from_db()
    assert intent.status == IntentStatus.EXPIRED
    body, headers = _bank(intent.reference, 10000)
    assert _post(client, body, headers).json()["outcome"] == "late"
    intent.refresh_from_db()
    payment = Payment.objects.get()
    assert intent.status == IntentStatus.PAID and payment.flagged and "hết hạn" in payment.flag_reason
    assert payment in selectors.cashier_queue(officer=intake_a)["flagged"]


def test_money_for_a_cancelled_intent_is_flagged_not_dropped(client, fee_dossier):
    intent = _intent(fee_dossier)
    services.intents_cancel(dossier=fee_dossier, reason="Công dân rút hồ sơ")
    body, headers = _bank(intent.reference, 10000)
    assert _post(client, body, headers).json()["outcome"] == "late"
    assert Payment.objects.get().flagged


def test_periodic_job_finds_a_payment_whose_notification_was_lost(fee_dossier):
    intent = _intent(fee_dossier)
    simulators.simulate_bank_transfer(reference=intent.reference, amount=10000, deliver=False)
    assert not Payment.objects.exists()
    report = services.payments_poll()
    assert report.confirmed == 1
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
    assert services.payments_poll().confirmed == 0  # asking again changes nothing
    assert Payment.objects.count() == 1


def test_gateway_ipn_signed_sha512_over_sorted_params(client, fee_dossier):
    intent = _intent(fee_dossier)
    params = simulators.gateway_notification(reference=intent.reference, amount=10000, transaction_id="14012345")
    tampered = {**params, "vnp_Amount": "100"}
    bad = client.post(
        "/api/v1/payments/callback/vnpay-demo", urlencode(tampered), content_type="application/x-www-form-urlencoded"
    )
    assert bad.status_code == 401 and bad.json()["RspCode"] == "97"
    ok = client.post(
        "/api/v1/payments/callback/vnpay-demo", urlencode(params), content_type="application/x-www-form-urlencoded"
    )
    assert ok.status_code == 200 and ok.json() == {"RspCode": "00", "Message": "Confirm Success"}
    again = client.get("/api/v1/payments/callback/vnpay-demo?" + urlencode(params))
    assert again.json()["RspCode"] == "02"
    payment = Payment.objects.get()
    assert payment.channel == PaymentChannel.PROVINCIAL_GATEWAY and payment.amount == 10000


def test_gateway_declined_payment_leaves_the_intent_pending(client, fee_dossier):
    intent = _intent(fee_dossier)
    params = simulators.gateway_notification(reference=intent.reference, amount=10000, response_code="24")
    response = client.post(
        "/api/v1/payments/callback/vnpay-demo", urlencode(params), content_type="application/x-www-form-urlencoded"
    )
    assert response.json()["RspCode"] == "00"
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PENDING and not Payment.objects.exists()


def test_national_platform_records_its_channel(client, fee_dossier):
    intent = _intent(fee_dossier)
    body = simulators.national_notification(reference=intent.reference, amount=10000)
    assert client.post("/api/v1/payments/callback/dvcqg-demo", body, content_type="application/json").status_code == 200
    assert Payment.objects.get().channel == PaymentChannel.NATIONAL_PORTAL
    assert selectors.paid_online(fee_dossier)
    assert selectors.payment_summary(fee_dossier)["channel"] == "national_portal"


def test_unknown_provider_is_404(client, fee_dossier):
    assert client.post("/api/v1/payments/callback/nobank", b"{}", content_type="application/json").status_code == 404


def test_cash_at_the_counter_gets_a_receipt_in_sequence(fee_dossier, intake_a, client):
    intent = _intent(fee_dossier)
    with pytest.raises(Exception) as wrong:
        services.cash_record(officer=intake_a, reference=intent.reference, amount=5000)
    assert "10.000" in str(wrong.value)
    payment = services.cash_record(officer=intake_a, reference=intent.reference, amount=10000)
    assert payment.channel == PaymentChannel.CASH and payment.receipt_number == 1 and payment.recorded_by == intake_a
    with pytest.raises(NotAllowed):
        services.cash_record(officer=intake_a, reference=intent.reference, amount=10000)


def test_another_communes_officer_cannot_touch_the_intent(fee_dossier, make_officer, commune_b):
    from motcua.accounts.models import Role

    stranger = make_officer("tiepnhan-b", Role.INTAKE_OFFICER, commune_b)
    with pytest.raises(NotFound):
        services.cash_record(officer=stranger, reference=_intent(fee_dossier).reference, amount=10000)


def test_refund_only_where_the_rules_allow_it(fee_dossier, intake_a):
    payment = services.cash_record(officer=intake_a, reference=_intent(fee_dossier).reference, amount=10000)
    with pytest.raises(NotAllowed):
        services.payment_refund(officer=intake_a, payment_id=payment.pk, reason="Đổi ý")
    fee_dossier.outcome = "refused"
    fee_dossier.save(update_fields=["outcome"])
    refunded = services.payment_refund(officer=intake_a, payment_id=payment.pk, reason="Hồ sơ bị từ chối")
    assert refunded.refunded_at and refunded.refund_reason == "Hồ sơ bị từ chối"
    assert PaymentIntent.objects.get(pk=payment.intent_id).status == IntentStatus.REFUNDED
    assert fee_dossier.events.filter(action="payment_refunded").count() == 1


def test_officer_exemption_cancels_the_fee(fee_dossier, intake_a):
    intent = services.intent_exempt(officer=intake_a, reference=_intent(fee_dossier).reference, ground="Hộ nghèo")
    assert intent.status == IntentStatus.CANCELLED and "Hộ nghèo" in intent.closed_reason


def test_receipt_numbers_are_per_office_and_year_without_gaps(fee_dossier, intake_a, catalog, citizen):
    from motcua.dossiers.services import dossier_submit

    from .conftest import MARITAL_FORM

    numbers = []
    for i in range(3):
        dossier, _ = dossier_submit(
            citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key=f"receipt-{i}"
        )
        numbers.append(services.cash_record(officer=intake_a, reference=_intent(dossier).reference, amount=10000))
    assert [p.receipt_number for p in numbers] == [1, 2, 3]
    assert {p.receipt_year for p in numbers} == {timezone.localdate().year}


def test_expired_intent_can_be_renewed_with_a_new_reference(fee_dossier):
    old = _intent(fee_dossier)
    services.payments_poll(now=timezone.now() + dt.timedelta(days=10))
    fresh = services.intent_renew(dossier=fee_dossier, line="fee")
    assert fresh.reference != old.reference and fresh.status == IntentStatus.PENDING
    assert SimulatedBankCredit.objects.count() == 0


def test_callbacks_need_no_csrf_token(fee_dossier):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body, headers = _bank(_intent(fee_dossier).reference, 10000)
    assert _post(strict, body, headers).status_code == 200
    assert Payment.objects.count() == 1
