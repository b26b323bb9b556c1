"""Demo data: one province with three communes, their villages and offices, and the demo accounts.

Everything here is idempotent: running it twice leaves the same rows. Village names are illustrative:
the national list in `vietnam-provinces` stops at communes.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from motcua.accounts.models import CitizenProfile, Role, User
from motcua.accounts.services import citizen_create, role_grant
from motcua.places.models import AdministrativeUnit, Office, OfficeContact, OfficeKind, UnitType
from motcua.places.services import REFORM_2025_START, unit_save

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 — documented demo credential, refused outside demo mode

# Tỉnh Lào Cai (15): Xã Bắc Hà, Xã Tả Van, Xã Mường Khương, as in the official list since 1/7/2025.
DEMO_COMMUNES = {
    "02839": {
        "slug": "bac-ha",
        "villages": ["Thôn Na Hối", "Thôn Bản Phố", "Thôn Thải Giàng Phố", "Thôn Nậm Mòn"],
        "phone": "0214 3880 123",
        "hotline": "0912 000 101",
        "address": "Tổ dân phố Bắc Hà, xã Bắc Hà, tỉnh Lào Cai",
        "contacts": [
            ("Nguyễn Văn Tiếp", "Công chức Bộ phận Một cửa", "0912 000 111"),
            ("Trần Thị Hương", "Công chức Tư pháp - Hộ tịch (khai sinh, kết hôn, chứng thực)", "0912 000 112"),
            ("Hoàng Văn Minh", "Phó Chủ tịch UBND xã", "0912 000 113"),
            ("Lù Văn Páo", "Tổ trưởng Tổ công nghệ số cộng đồng (hỗ trợ cài VNeID, nộp trực tuyến)", "0912 000 114"),
        ],
    },
    "03037": {
        "slug": "ta-van",
        "villages": ["Thôn Tả Van Giáy", "Thôn Tả Van Mông", "Thôn Giàng Tả Chải"],
        "phone": "0214 3871 456",
        "hotline": "0912 000 202",
        "address": "Thôn Tả Van Giáy, xã Tả Van, tỉnh Lào Cai",
        "contacts": [("Vàng Thị Dung", "Công chức Bộ phận Một cửa", "0912 000 211")],
    },
    "02761": {
        "slug": "muong-khuong",
        "villages": ["Thôn Mã Tuyển", "Thôn Sảng Chải", "Thôn Lồ Suối Tủng"],
        "phone": "0214 3881 789",
        "hotline": "0912 000 303",
        "address": "Thôn Mã Tuyển, xã Mường Khương, tỉnh Lào Cai",
        "contacts": [("Thào A Vàng", "Công chức Bộ phận Một cửa", "0912 000 311")],
    },
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    description: str


DEMO_ACCOUNTS = [
    DemoAccount("congdan1", "Lò Thị Mai", "công dân, xã Bắc Hà"),
    DemoAccount("congdan2", "Giàng A Sử", "công dân, xã Tả Van"),
    DemoAccount("tiepnhan", "Nguyễn Văn Tiếp", "công chức tiếp nhận, xã Bắc Hà"),
    DemoAccount("chuyenvien", "Trần Thị Hương", "chuyên viên thẩm định, xã Bắc Hà"),
    DemoAccount("lanhdao", "Hoàng Văn Minh", "lãnh đạo UBND xã Bắc Hà"),
    DemoAccount("tiepnhan2", "Vàng Thị Dung", "công chức tiếp nhận, xã Tả Van"),
    DemoAccount("chuyenvien2", "Sùng Thị Mỷ", "chuyên viên thẩm định, xã Tả Van"),
    DemoAccount("lanhdao2", "Giàng A Chu", "lãnh đạo UBND xã Tả Van"),
    DemoAccount("tiepnhan3", "Thào A Vàng", "công chức tiếp nhận, xã Mường Khương"),
    DemoAccount("chuyenvien3", "Lù Thị Sen", "chuyên viên thẩm định, xã Mường Khương"),
    DemoAccount("lanhdao3", "Tráng A Lử", "lãnh đạo UBND xã Mường Khương"),
    DemoAccount("tonhom", "Lù Văn Páo", "thành viên Tổ công nghệ số cộng đồng, xã Bắc Hà"),
    DemoAccount("quantri", "Phạm Quốc Trị", "quản trị cấp tỉnh, tỉnh Lào Cai"),
]

_CITIZENS = {
    "congdan1": dict(
        citizen_id="010190012345",
        birth_date=dt.date(1990, 3, 12),
        gender="female",
        phone="0912345001",
        commune="02839",
        village=0,
        street="Số 12",
    ),
    "congdan2": dict(
        citizen_id="010085067890",
        birth_date=dt.date(1985, 7, 5),
        gender="male",
        phone="0912345002",
        commune="03037",
        village=1,
        street="",
    ),
}

_STAFF = {
    "tiepnhan": [(Role.INTAKE_OFFICER, "02839")],
    "chuyenvien": [(Role.SPECIALIST, "02839")],
    # A vice-chairman: results read "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" (DOMAIN.md §12).
    "lanhdao": [(Role.LEADER, "02839", "vice_chairman")],
    "tiepnhan2": [(Role.INTAKE_OFFICER, "03037")],
    # Every demo commune can take a dossier to the end: intake, specialist and leader in each.
    "chuyenvien2": [(Role.SPECIALIST, "03037")],
    "lanhdao2": [(Role.LEADER, "03037")],
    "tiepnhan3": [(Role.INTAKE_OFFICER, "02761")],
    "chuyenvien3": [(Role.SPECIALIST, "02761")],
    "lanhdao3": [(Role.LEADER, "02761")],
    "tonhom": [(Role.TEAM_MEMBER, "02839")],
    "quantri": [(Role.PROVINCE_ADMIN, "15")],
}


def village_code(commune_code: str, index: int) -> str:
    return f"{commune_code}-{index + 1:02d}"


@transaction.atomic
def seed_places(province_code: str = "15") -> dict[str, AdministrativeUnit]:
    province = AdministrativeUnit.objects.current().get(code=province_code)
    communes = {}
    for code, info in DEMO_COMMUNES.items():
        commune = AdministrativeUnit.objects.current().get(code=code, parent=province)
        communes[code] = commune
        for index, name in enumerate(info["villages"]):
            unit = AdministrativeUnit.objects.filter(code=village_code(code, index), valid_to__isnull=True).first()
            if unit is None:
                unit = AdministrativeUnit(code=village_code(code, index), valid_from=REFORM_2025_START)
            unit.name, unit.unit_type, unit.parent, unit.source = name, UnitType.VILLAGE, commune, "demo"
            unit_save(unit=unit)
        office, _created = Office.objects.update_or_create(
            code=f"UBND-{code}",
            defaults=dict(
                unit=commune,
                agency_code=f"H{province_code}.{code}",
                kind=OfficeKind.ONE_STOP,
                name=f"Bộ phận Một cửa UBND {commune.name[0].lower()}{commune.name[1:]}",
                address=info["address"],
                phone=info["phone"],
                hotline=info["hotline"],
                email=f"motcua.{info['slug']}@laocai.gov.vn.example",
            ),
        )
        for order, (name, position, phone) in enumerate(info["contacts"]):
            OfficeContact.objects.update_or_create(
                office=office, name=name, defaults={"position": position, "phone": phone, "order": order}
            )
    return communes


@transaction.atomic
def seed_accounts(communes: dict[str, AdministrativeUnit], province_code: str = "15") -> None:
    names = {a.username: a.full_name for a in DEMO_ACCOUNTS}
    for username, info in _CITIZENS.items():
        village = AdministrativeUnit.objects.get(
            code=village_code(info["commune"], info["village"]), valid_to__isnull=True
        )
        user = User.objects.filter(username=username).first()
        if user is None:
            user = citizen_create(
                username=username,
                full_name=names[username],
                citizen_id=info["citizen_id"],
                birth_date=info["birth_date"],
                gender=info["gender"],
                phone=info["phone"],
                password=DEMO_PASSWORD,
                address_unit=village,
                street=info["street"],
                identity_level=2,
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            CitizenProfile.objects.filter(user=user).update(address_unit=village)
    units = {code: AdministrativeUnit.objects.current().get(code=code) for code in [*communes, province_code]}
    for username, grants in _STAFF.items():
        user, _created = User.objects.get_or_create(username=username, defaults={"full_name": names[username]})
        user.full_name = names[username]
        user.set_password(DEMO_PASSWORD)
        user.is_staff = any(g[0] == Role.PROVINCE_ADMIN for g in grants)
        user.is_superuser = user.is_staff
        user.save()
        for role, code, *position in grants:
            role_grant(user=user, role=role, unit=units[code], position=(position or [""])[0])


@transaction.atomic
def seed_outreach(communes: dict[str, AdministrativeUnit]) -> None:
    """The Bắc Hà community digital team with `tonhom` as its leader and a 7-people-in-7-days campaign."""
    import datetime as dt

    from django.utils import timezone

    from motcua.outreach.models import Campaign, Member, Team, TeamRole

    commune = communes["02839"]
    team, _created = Team.objects.get_or_create(
        unit=commune, defaults={"name": f"Tổ công nghệ số cộng đồng {commune.name[0].lower()}{commune.name[1:]}"}
    )
    user = User.objects.get(username="tonhom")
    Member.objects.update_or_create(
        team=team,
        phone="0912000114",
        defaults={
            "user": user,
            "full_name": user.full_name,
            "team_role": TeamRole.LEADER,
            "affiliation": "officer",
            "active_from": dt.date(2025, 7, 1),
        },
    )
    today = timezone.localdate()
    campaign, _created = Campaign.objects.get_or_create(
        name="Chiến dịch 7 ngày: mỗi thành viên hướng dẫn 7 người dân",
        defaults={
            "starts_on": today - dt.timedelta(days=3),
            "ends_on": today + dt.timedelta(days=60),
            "skills": ["vneid_level2", "dvc_account", "online_dossier"],
            "unit_target_digital_citizens": 1000,
        },
    )
    campaign.units.add(commune)
