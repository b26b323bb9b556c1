"""`Dossier.objects.visible_to(user)`: the one door for permission-checked reads of dossiers (STYLE.md §3).
Who sees which dossier, case by case; each case also names what must stay out of sight."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.accounts.models import Role, RoleGrant
from motcua.accounts.services import role_grant
from motcua.dossiers.models import Dossier
from motcua.places.models import AdministrativeUnit

from .conftest import make_unit
from .factories import CitizenFactory, DossierFactory, OfficerFactory


def seen(user) -> set[int]:
    return set(Dossier.objects.visible_to(user).values_list("pk", flat=True))


@pytest.fixture
def world(db, province, commune_a, commune_b, office_a, office_b, citizen):
    """Dossiers in two communes of one province and one in another province, by two citizens."""
    other_citizen = CitizenFactory()
    elsewhere = make_unit("01", "Thành phố Hà Nội", "city")
    from .factories import OfficeFactory

    far_office = OfficeFactory(unit=make_unit("00004", "Phường Ba Đình", "ward", elsewhere))
    return {
        "a_submitted": DossierFactory(citizen=citizen, office=office_a),
        "a_refused": DossierFactory(refused=True, citizen=citizen, office=office_a),
        "a_draft": DossierFactory(draft=True, citizen=citizen, office=office_a),
        "a_other": DossierFactory(received=True, citizen=other_citizen, office=office_a),
        "a_other_draft": DossierFactory(draft=True, citizen=other_citizen, office=office_a),
        "b_submitted": DossierFactory(citizen=other_citizen, office=office_b),
        "far": DossierFactory(citizen=other_citizen, office=far_office),
        "other_citizen": other_citizen,
    }


def pks(world, *names) -> set[int]:
    return {world[n].pk for n in names}


def test_citizen_sees_their_own_dossiers_and_drafts_only(world, citizen):
    assert seen(citizen) == pks(world, "a_submitted", "a_refused", "a_draft")
    assert seen(world["other_citizen"]) == pks(world, "a_other", "a_other_draft", "b_submitted", "far")


def test_officer_sees_the_dossiers_of_their_unit_but_no_drafts(world, commune_a):
    for role in (Role.INTAKE_OFFICER, Role.SPECIALIST, Role.LEADER, Role.UNIT_ADMIN):
        officer = OfficerFactory(role=role, unit=commune_a)
        assert seen(officer) == pks(world, "a_submitted", "a_refused", "a_other"), role


def test_officer_of_another_commune_sees_nothing_of_this_one(world, commune_b):
    officer = OfficerFactory(role=Role.INTAKE_OFFICER, unit=commune_b)
    assert seen(officer) == pks(world, "b_submitted")


def test_province_officer_sees_every_unit_below_and_nothing_outside(world, province):
    admin = OfficerFactory(role=Role.PROVINCE_ADMIN, unit=province)
    assert seen(admin) == pks(world, "a_submitted", "a_refused", "a_other", "b_submitted")


def test_officer_with_units_in_two_communes_sees_both(world, commune_a, commune_b):
    officer = OfficerFactory(role=Role.SPECIALIST, unit=commune_a)
    role_grant(user=officer, role=Role.SPECIALIST, unit=commune_b)
    assert seen(officer) == pks(world, "a_submitted", "a_refused", "a_other", "b_submitted")


def test_a_role_outside_the_workspace_or_out_of_date_gives_nothing(world, commune_a):
    member = OfficerFactory(role=Role.TEAM_MEMBER, unit=commune_a)  # community digital team, not an officer
    assert seen(member) == set()
    former = OfficerFactory(role=Role.INTAKE_OFFICER, unit=commune_a)
    RoleGrant.objects.filter(user=former).update(valid_to=dt.date(2025, 12, 31))
    former.refresh_from_db()
    assert seen(former) == set()


def test_officer_who_files_as_a_citizen_sees_their_own_dossier_in_another_commune(world, commune_b, office_a):
    officer = OfficerFactory(role=Role.INTAKE_OFFICER, unit=commune_b)
    from motcua.accounts.models import CitizenProfile

    own = DossierFactory(citizen=CitizenFactory(), office=office_a)
    # The officer is the applicant of this one (a dossier filed for themselves).
    Dossier.objects.filter(pk=own.pk).update(citizen=officer)
    assert not CitizenProfile.objects.filter(user=officer).exists()
    assert seen(officer) == pks(world, "b_submitted") | {own.pk}


def test_dossiers_of_a_closed_unit_stay_visible_above_it(world, province, commune_a, commune_b):
    # Commune A merged into a new commune: it is closed, its dossiers keep their unit.
    merged = make_unit("02900", "Xã Bắc Hà Mới", "commune", province)
    AdministrativeUnit.objects.filter(pk=commune_a.pk).update(valid_to=dt.date(2025, 6, 30), successor=merged)
    admin = OfficerFactory(role=Role.PROVINCE_ADMIN, unit=province)
    assert pks(world, "a_submitted", "a_refused", "a_other") <= seen(admin)
    assert seen(OfficerFactory(role=Role.INTAKE_OFFICER, unit=commune_b)) == pks(world, "b_submitted")


def test_anonymous_sees_nothing(world):
    assert seen(AnonymousUser()) == set()
    assert Dossier.objects.visible_to(None).count() == 0
