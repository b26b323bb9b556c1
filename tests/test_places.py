from io import StringIO

from django.core.management import call_command

from motcua.places.models import AdministrativeUnit, UnitType


def test_load_units_is_idempotent(db):
    out = StringIO()
    call_command("load_units", province=["15"], quiet_progress=True, stdout=out, stderr=StringIO())
    assert "100 mới" in out.getvalue()  # Lào Cai: the province and its 99 communes and wards
    province = AdministrativeUnit.objects.get(code="15")
    assert province.name == "Tỉnh Lào Cai" and province.unit_type == UnitType.PROVINCE
    bac_ha = AdministrativeUnit.objects.get(code="02839")
    assert bac_ha.name == "Xã Bắc Hà" and bac_ha.parent == province and bac_ha.path == "/15/02839/"
    out = StringIO()
    call_command("load_units", province=["15"], quiet_progress=True, stdout=out, stderr=StringIO())
    assert "0 mới, 0 cập nhật, 100 không đổi" in out.getvalue()
    assert AdministrativeUnit.objects.count() == 100


def test_the_whole_official_list(db):
    call_command("load_units", quiet_progress=True, stdout=StringIO(), stderr=StringIO())
    assert AdministrativeUnit.objects.filter(parent__isnull=True).count() == 34
    assert AdministrativeUnit.objects.filter(depth=1).count() == 3321
    assert AdministrativeUnit.objects.get(code="79").name == "Thành phố Hồ Chí Minh"


def test_moving_a_unit_rewrites_paths_below(province, commune_a, village_a):
    from motcua.places.services import unit_save

    from .conftest import make_unit

    other = make_unit("10", "Tỉnh Khác", UnitType.PROVINCE)
    commune_a.parent = other
    unit_save(unit=commune_a)
    village_a.refresh_from_db()
    assert village_a.path == "/10/02839/02839-01/"


def test_seed_demo_is_idempotent(db, settings):
    settings.DEMO = True
    call_command("seed_demo", quiet_progress=True, stdout=StringIO(), stderr=StringIO())
    from motcua.accounts.models import RoleGrant, User
    from motcua.places.models import Office

    counts = (
        User.objects.count(),
        RoleGrant.objects.count(),
        Office.objects.count(),
        AdministrativeUnit.objects.count(),
    )
    out = StringIO()
    call_command("seed_demo", quiet_progress=True, stdout=out, stderr=StringIO())
    assert counts == (
        User.objects.count(),
        RoleGrant.objects.count(),
        Office.objects.count(),
        AdministrativeUnit.objects.count(),
    )
    assert counts[0] == 13 and counts[2] == 3
    assert "congdan1" in out.getvalue() and "motcua-demo" in out.getvalue()
    assert User.objects.get(username="lanhdao").check_password("motcua-demo")


def test_seed_demo_refuses_outside_demo_mode(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
