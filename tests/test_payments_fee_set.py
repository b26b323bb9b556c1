"""Issue 17, point 3: an officer sets a fee at a step (e.g. pages counted at appraisal) — a new fee line with
its pending intent, an event and a notice to the citizen; page, API and service refuse the same things."""

import json
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from motcua.core.errors import NotAllowed, NotFound, ValidationFailed
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications.models import OutboxMessage
from motcua.payments import services
from motcua.payments.models import IntentStatus, PaymentIntent

from .conftest import FULL_FLOW, advance

pytestmark = pytest.mark.django_db


def _set(officer, dossier, **kw):
    values = {"amount": 24000, "label": "Phí chứng thực 12 trang", "category": "phi"} | kw
    return services.fee_set(officer=officer, code=dossier.code, **values)


def test_a_specialist_sets_a_fee_the_citizen_is_told_and_can_pay(fee_dossier, staff):
    dossier = advance(fee_dossier, staff, FULL_FLOW[:2])  # being appraised
    before = OutboxMessage.objects.count()
    intent = _set(staff["chuyenvien"], dossier)
    assert (intent.line, intent.amount, intent.category, intent.status) == ("officer-1", 24000, "phi", "pending")
    assert intent.reference.startswith("MC") and len(intent.reference) <= 25
    event = DossierEvent.objects.filter(dossier=dossier, action="fee_set").get()
    assert event.data["reference"] == intent.reference and "24.000 ₫" in event.note
    assert event.actor_role == "specialist"
    assert OutboxMessage.objects.count() > before  # SMS (and in-app) notice in the same transaction
    # A second fee is a second line; the dossier's first fee line is untouched.
    second = _set(staff["tiepnhan"], dossier, amount=5000, label="Bản sao thêm", category="le_phi")
    assert second.line == "officer-2"
    assert PaymentIntent.objects.filter(dossier=dossier, status=IntentStatus.PENDING).count() == 3
    services.cash_record(officer=staff["tiepnhan"], reference=intent.reference, amount=24000)
    assert PaymentIntent.objects.get(pk=intent.pk).status == IntentStatus.PAID


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10_000_000_001}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "20000"}, "amount"),
        ({"label": "   "}, "label"),
        ({"label": "Phí\x00"}, "label"),
        ({"label": "x" * 201}, "label"),
        ({"category": "tax"}, "category"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(fee_dossier, staff, values, field):
    with pytest.raises(ValidationFailed) as refused:
        _set(staff["tiepnhan"], fee_dossier, **values)
    assert field in refused.value.fields
    assert not PaymentIntent.objects.filter(line__startswith="officer-").exists()
    assert not DossierEvent.objects.filter(action="fee_set").exists()


def test_other_units_and_citizens_get_404_and_a_finished_dossier_takes_no_fee(fee_dossier, staff, citizen):
    for stranger in (staff["tiepnhan2"], citizen):
        with pytest.raises(NotFound):
            _set(stranger, fee_dossier)
    dossier = advance(fee_dossier, staff, FULL_FLOW)
    with pytest.raises(NotAllowed) as closed:
        _set(staff["tiepnhan"], dossier)
    assert closed.value.code == "dossier_closed"


# The dossier is shared by the examples on purpose: each kept intent is removed before the next one.
@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=st.integers(min_value=-(10**13), max_value=10**13))
def test_any_integer_amount_is_either_kept_exactly_or_refused(fee_dossier, staff, amount):
    try:
        intent = _set(staff["tiepnhan"], fee_dossier, amount=amount)
    except ValidationFailed:
        assert not 0 < amount <= services.FEE_SET_MAX
    else:
        assert 0 < amount <= services.FEE_SET_MAX and PaymentIntent.objects.get(pk=intent.pk).amount == amount
        intent.delete()


def test_the_officer_page_sets_a_fee(client, fee_dossier, staff):
    client.force_login(staff["tiepnhan"])
    page = client.get(f"/can-bo/ho-so/{fee_dossier.code}")
    assert 'data-testid="officer-payment-box"' in page.content.decode()
    answer = client.post(
        f"/can-bo/ho-so/{fee_dossier.code}/phi", {"label": "Phí chứng thực", "amount": "20.000", "category": "phi"}
    )
    assert answer.status_code == 302
    assert PaymentIntent.objects.get(dossier=fee_dossier, line="officer-1").amount == 20000
    refused = client.post(f"/can-bo/ho-so/{fee_dossier.code}/phi", {"label": "", "amount": "abc"}, follow=True)
    assert 'data-error-code="invalid"' in refused.content.decode()
    assert PaymentIntent.objects.filter(dossier=fee_dossier, line__startswith="officer-").count() == 1
    client.force_login(staff["tiepnhan2"])
    assert (
        client.post(
            f"/can-bo/ho-so/{fee_dossier.code}/phi", {"label": "x", "amount": "1", "category": "phi"}
        ).status_code
        == 404
    )


def test_the_api_sets_a_fee_and_starts_a_gateway_payment(client, fee_dossier, staff, citizen, api_token):
    officer = api_token(staff["tiepnhan"])
    answer = client.post(
        f"/api/v1/dossiers/{fee_dossier.code}/fees",
        json.dumps({"amount": 15000, "label": "Phí thẩm định", "category": "phi"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {officer}",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["amount"] == 15000 and body["payment"]["status"] == "pending"
    bad = client.post(
        f"/api/v1/dossiers/{fee_dossier.code}/fees",
        json.dumps({"amount": 0, "label": "x"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {officer}",
    )
    assert bad.status_code == 422 and "amount" in bad.json()["fields"]
    mine = api_token(citizen)
    checkout = client.post(f"/api/v1/payments/{body['reference']}/checkout", HTTP_AUTHORIZATION=f"Bearer {mine}")
    assert checkout.status_code == 200 and checkout.json()["provider"] == "vnpay-demo"
    assert "vnp_TxnRef=" in checkout.json()["url"] and "vnp_SecureHash=" in checkout.json()["url"]
    # An app opens it outside the site: an absolute address, also for the demo's simulated gateway (it was
    # "/thanh-toan/mo-phong/cong?…", which no app can open).
    assert checkout.json()["url"].startswith(("http://", "https://"))
    other = api_token(staff["tiepnhan2"])
    assert (
        client.post(f"/api/v1/payments/{body['reference']}/checkout", HTTP_AUTHORIZATION=f"Bearer {other}").status_code
        == 404
    )
    assert Dossier.objects.get(pk=fee_dossier.pk).status == "submitted"


def test_a_double_click_on_the_officer_page_sets_the_fee_once(client, fee_dossier, staff):
    """Found trying the page: two quick clicks on «Ghi khoản thu» made two lines (the citizen owed twice)."""
    client.force_login(staff["tiepnhan"])
    page = client.get(f"/can-bo/ho-so/{fee_dossier.code}").content.decode()
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', page).group(1)
    form = {"label": "Bản sao thêm", "amount": "12.000", "category": "le_phi", "request_key": key}
    sms_before = OutboxMessage.objects.count()
    for _ in range(2):
        assert client.post(f"/can-bo/ho-so/{fee_dossier.code}/phi", form).status_code == 302
    assert PaymentIntent.objects.filter(dossier=fee_dossier, line__startswith="officer-").count() == 1
    assert DossierEvent.objects.filter(dossier=fee_dossier, action="fee_set").count() == 1
    sms_after_one = OutboxMessage.objects.count()
    assert sms_after_one > sms_before
    # The same key with other content (the browser's back button, then another fee) is refused, not merged.
    changed = client.post(f"/can-bo/ho-so/{fee_dossier.code}/phi", form | {"amount": "50000"}, follow=True)
    assert 'data-error-code="idempotency_key_reused"' in changed.content.decode()
    assert PaymentIntent.objects.filter(dossier=fee_dossier, line__startswith="officer-").count() == 1
    assert OutboxMessage.objects.count() == sms_after_one
    # A fresh rendering of the form is a fresh key: a second, deliberate fee is a second line.
    page = client.get(f"/can-bo/ho-so/{fee_dossier.code}").content.decode()
    assert re.search(r'name="request_key" value="([0-9a-f]{32})"', page).group(1) != key


@pytest.mark.parametrize("typed", ["20000đ", "20.000 đ", "20.000 VNĐ", "20 000 ₫", "２００００", "20.000 đồng"])
def test_the_page_reads_amounts_as_officers_type_them(client, fee_dossier, staff, typed):
    client.force_login(staff["tiepnhan"])
    answer = client.post(
        f"/can-bo/ho-so/{fee_dossier.code}/phi", {"label": "Phí chứng thực", "amount": typed, "category": "phi"}
    )
    assert answer.status_code == 302
    assert PaymentIntent.objects.get(dossier=fee_dossier, line="officer-1").amount == 20000


def test_a_refused_fee_says_which_field_is_wrong_and_why(client, fee_dossier, staff):
    """Found trying the page: the message said «hãy sửa các ô được nêu» and named no field."""
    client.force_login(staff["tiepnhan"])
    page = client.post(
        f"/can-bo/ho-so/{fee_dossier.code}/phi", {"label": "", "amount": "20,5", "category": "phi"}, follow=True
    ).content.decode()
    assert "Nhập số tiền bằng số đồng, từ 1 đến 10.000.000.000" in page
    assert "Ghi khoản thu dùng để làm gì" in page
    assert not PaymentIntent.objects.filter(dossier=fee_dossier, line__startswith="officer-").exists()


def test_past_the_last_reference_character_a_fee_is_refused_not_a_crash(fee_dossier, staff):
    """A reference has one character per intent (35): the 36th intent was a ValueError (500 on the page)."""
    for n in range(34):  # the dossier's own fee line is the first
        _set(staff["tiepnhan"], fee_dossier, amount=1000 + n, label=f"Khoản {n}")
    assert PaymentIntent.objects.filter(dossier=fee_dossier).count() == 35
    with pytest.raises(NotAllowed) as refused:
        _set(staff["tiepnhan"], fee_dossier, amount=999, label="Khoản thứ 36")
    assert refused.value.code == "too_many_intents"
    assert PaymentIntent.objects.filter(dossier=fee_dossier).count() == 35


def test_the_api_sets_a_fee_once_per_idempotency_key(client, fee_dossier, staff, api_token):
    officer = api_token(staff["tiepnhan"])
    send = lambda body: client.post(  # noqa: E731
        f"/api/v1/dossiers/{fee_dossier.code}/fees",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {officer}",
        HTTP_IDEMPOTENCY_KEY="fee-retry-1",
    )
    first = send({"amount": 15000, "label": "Phí thẩm định", "category": "phi"})
    again = send({"amount": 15000, "label": "Phí thẩm định", "category": "phi"})
    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert PaymentIntent.objects.filter(dossier=fee_dossier, line__startswith="officer-").count() == 1
    other = send({"amount": 16000, "label": "Phí thẩm định", "category": "phi"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_the_fee_of_a_submission_has_a_reference_made_from_the_dossier_code(fee_dossier):
    """Found trying the payment page: the first line's reference was made from the provisional code the dossier
    has before its real one is given (MC9442A583F1…), not from H15.02839-261201-0001 as docs/payments.md says."""
    from motcua.payments.references import compact, reference_for

    intent = PaymentIntent.objects.get(dossier=fee_dossier, line="fee")
    assert intent.reference == reference_for(fee_dossier.code, 1)
    assert intent.reference.startswith("MC" + compact(fee_dossier.code)[-22:])
