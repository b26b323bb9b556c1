"""Workflow data can require payment before a step (`"requires_payment": true`): the engine runs the
"payment" guard the payments app registers, on the locked dossier, and refuses while a fee is unpaid."""

import json

import pytest

from motcua.core.errors import NotAllowed
from motcua.dossiers import workflow as workflow_module
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_transition
from motcua.payments import services
from motcua.payments.models import IntentStatus, PaymentIntent

from .conftest import FULL_FLOW, advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def pay_first(monkeypatch):
    """The default workflow with "requires_payment": true on return_result, as an agency's data would say."""
    data = json.loads((workflow_module.WORKFLOW_DIR / "default-1.json").read_text(encoding="utf-8"))
    data["actions"]["return_result"]["requires_payment"] = True
    paid_first = workflow_module.Workflow(data)
    assert paid_first.actions["return_result"].guards == ("payment",)
    original = workflow_module.load_workflow
    monkeypatch.setattr(
        "motcua.dossiers.services.transition.load_workflow",
        lambda ref: paid_first if ref.startswith("default") else original(ref),
    )
    return paid_first


def _return(dossier, staff):
    fresh = Dossier.objects.get(pk=dossier.pk)
    return dossier_transition(
        code=fresh.code,
        action="return_result",
        actor=staff["tiepnhan"],
        version=fresh.version,
        params={"method": "counter"},
    )


def test_result_is_not_returned_while_the_fee_is_unpaid(fee_dossier, staff, pay_first):
    dossier = advance(fee_dossier, staff, FULL_FLOW[:5])
    with pytest.raises(NotAllowed) as refused:
        _return(dossier, staff)
    assert refused.value.code == "payment_required" and "10.000 ₫" in refused.value.message
    assert Dossier.objects.get(pk=dossier.pk).status == "signed"
    intent = PaymentIntent.objects.get(dossier=dossier, status=IntentStatus.PENDING)
    services.cash_record(officer=staff["tiepnhan"], reference=intent.reference, amount=10000)
    assert _return(dossier, staff).status == "returned"


def test_a_waived_fee_lets_the_result_go(fee_dossier, staff, pay_first):
    dossier = advance(fee_dossier, staff, FULL_FLOW[:5])
    intent = PaymentIntent.objects.get(dossier=dossier, status=IntentStatus.PENDING)
    services.intent_exempt(officer=staff["tiepnhan"], reference=intent.reference, ground="Hộ nghèo")
    assert _return(dossier, staff).status == "returned"


def test_a_guard_nobody_registered_refuses(fee_dossier, staff, pay_first, monkeypatch):
    monkeypatch.setattr(workflow_module, "_GUARDS", {})
    dossier = advance(fee_dossier, staff, FULL_FLOW[:5])
    services.cash_record(
        officer=staff["tiepnhan"],
        reference=PaymentIntent.objects.get(dossier=dossier, status=IntentStatus.PENDING).reference,
        amount=10000,
    )
    with pytest.raises(NotAllowed) as refused:
        _return(dossier, staff)
    assert refused.value.code == "guard_unavailable"


@pytest.mark.parametrize(
    ("steps", "action", "who"),
    [([], "withdraw", "citizen"), (FULL_FLOW[:1], "refuse", "tiepnhan"), (FULL_FLOW[:2], "stop", "lanhdao")],
)
def test_a_dossier_that_ends_without_a_result_owes_nothing(fee_dossier, staff, citizen, steps, action, who):
    """Refused, withdrawn or stopped: the pending intent is cancelled in the same transaction (money that
    still arrives is recorded and flagged, docs/payments.md)."""
    dossier = advance(fee_dossier, staff, steps)
    actor = citizen if who == "citizen" else staff[who]
    dossier_transition(code=dossier.code, action=action, actor=actor, version=dossier.version, note="Lý do")
    intent = PaymentIntent.objects.get(dossier=dossier)
    assert intent.status == IntentStatus.CANCELLED and intent.closed_reason


def test_a_returned_dossier_keeps_its_payment_state(fee_dossier, staff):
    dossier = advance(fee_dossier, staff, FULL_FLOW)
    assert dossier.status == "returned"
    assert PaymentIntent.objects.get(dossier=dossier).status == IntentStatus.PENDING
