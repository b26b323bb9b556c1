"""The factories build what the services would: each trait reaches its state along real transitions."""

import pytest

from motcua.accounts.models import Role
from motcua.accounts.selectors import user_has_role
from motcua.dossiers.models import DRAFT, Dossier
from motcua.dossiers.services import event_chain_valid

from .factories import PATHS, STATES, CitizenFactory, DossierFactory, OfficerFactory, ProcedureFactory


@pytest.mark.parametrize("state", STATES)
def test_each_trait_reaches_its_state_through_the_services(db, office_a, state):
    dossier = DossierFactory(**{state: True}, office=office_a)
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == state
    if state == DRAFT:
        assert fresh.code is None and not fresh.events.exists()
        return
    # One submission event plus one per step, chained and verifiable like any real dossier's.
    actions = list(fresh.events.order_by("seq").values_list("action", flat=True))
    assert actions == ["submit"] + [action for action, _who, _params in PATHS[state]]
    assert event_chain_valid(fresh)
    assert fresh.is_open == (state not in ("returned", "refused", "withdrawn", "stopped"))


def test_signed_dossier_has_a_signed_result(db, office_a):
    dossier = DossierFactory(signed=True, office=office_a)
    result = dossier.results.get()
    assert result.file.name and result.public_code


def test_unknown_state_is_refused(db, office_a):
    with pytest.raises(ValueError, match="no path"):
        DossierFactory(state="lost", office=office_a)


def test_people_and_procedures(db, commune_a):
    officer = OfficerFactory(role=Role.LEADER, unit=commune_a)
    assert user_has_role(user=officer, role=Role.LEADER, unit=commune_a)
    assert not user_has_role(user=officer, role=Role.INTAKE_OFFICER, unit=commune_a)
    first, second = CitizenFactory(), CitizenFactory()
    assert first.citizen.citizen_id != second.citizen.citizen_id
    quick = ProcedureFactory(base="1.001193", time_amount=1)
    assert quick.code.startswith("9.") and quick.time_amount == 1
    assert quick.documents.count() > 0
