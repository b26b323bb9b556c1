from motcua.accounts.models import Role
from motcua.accounts.selectors import is_officer, roles_on, units_in_scope, user_has_role
from motcua.places.models import AdministrativeUnit

from .conftest import make_unit


def test_officer_of_commune_a_has_no_role_in_commune_b(make_officer, commune_a, commune_b, village_a):
    officer = make_officer("tiepnhan", Role.INTAKE_OFFICER, commune_a)
    assert user_has_role(user=officer, role=Role.INTAKE_OFFICER, unit=commune_a)
    assert user_has_role(user=officer, role=Role.INTAKE_OFFICER, unit=village_a)  # scope includes units below
    assert not user_has_role(user=officer, role=Role.INTAKE_OFFICER, unit=commune_b)
    assert roles_on(user=officer, unit=commune_b) == set()
    assert not user_has_role(user=officer, role=Role.LEADER, unit=commune_a)  # another role is another grant


def test_province_admin_covers_every_unit_of_the_province(make_officer, province, commune_a, commune_b, village_a):
    other_province = make_unit("01", "Thành phố Hà Nội", "city")
    admin = make_officer("quantri", Role.PROVINCE_ADMIN, province)
    for unit in (province, commune_a, commune_b, village_a):
        assert user_has_role(user=admin, role=Role.PROVINCE_ADMIN, unit=unit)
    assert not user_has_role(user=admin, role=Role.PROVINCE_ADMIN, unit=other_province)
    scope = set(units_in_scope(user=admin).values_list("code", flat=True))
    assert scope == {"15", "02839", "03037", "02839-01"}


def test_scope_does_not_leak_through_similar_codes(make_officer, province):
    # "/15/028/" must not be taken as a prefix of "/15/02839/".
    short = make_unit("028", "Xã Ngắn", "commune", province)
    long = make_unit("02839", "Xã Bắc Hà", "commune", province)
    officer = make_officer("a", Role.SPECIALIST, short)
    assert not user_has_role(user=officer, role=Role.SPECIALIST, unit=long)


def test_officer_with_several_units(make_officer, commune_a, commune_b):
    officer = make_officer("hai", Role.SPECIALIST, commune_a)
    from motcua.accounts.services import role_grant

    role_grant(user=officer, role=Role.SPECIALIST, unit=commune_b)
    assert set(units_in_scope(user=officer).values_list("code", flat=True)) == {"02839", "03037"}


def test_citizen_is_not_an_officer(citizen):
    assert not is_officer(user=citizen)
    assert units_in_scope(user=citizen).count() == 0


def test_merged_unit_keeps_history(province):
    old = make_unit("02842", "Xã Cũ", "commune", province)
    AdministrativeUnit.objects.filter(pk=old.pk).update(valid_to="2025-06-30")
    # The code may be reused by the new unit while the closed one stays for old dossiers.
    new = make_unit("02842", "Xã Mới", "commune", province)
    AdministrativeUnit.objects.filter(pk=old.pk).update(successor=new)
    assert AdministrativeUnit.objects.current().get(code="02842") == new
    assert AdministrativeUnit.objects.filter(code="02842").count() == 2
