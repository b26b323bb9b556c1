"""Issue 11 kind 2: officers find people regardless of case, accents and normalisation (NFC/NFD), and
identifiers typed in groups are cleaned the same way everywhere (worklist, counter, review queue)."""

import datetime as dt
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role
from motcua.accounts.services import citizen_create
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import WorklistQuery, worklist
from motcua.dossiers.services import dossier_submit
from motcua.outreach.models import Member, Person, Team
from motcua.outreach.selectors import review_queue
from motcua.outreach.services import records_sync

from .conftest import PNG_BYTES

NAME = "Lò Thị Mai"
QUERIES = [NAME, "LÒ THỊ MAI", unicodedata.normalize("NFD", NAME), "lo thi mai", "  lò  thị mai ", "thi mai", "LO THI"]


@pytest.fixture
def dossiers(catalog, citizen, office_a, staff):
    made = []
    for n in range(3):
        dossier, _created = dossier_submit(
            citizen=citizen,
            procedure_code="1.004873",
            form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
            idempotency_key=f"s{n}",
        )
        made.append(dossier)
    return made


@pytest.mark.parametrize("query", QUERIES)
def test_worklist_search_folds_both_sides(dossiers, staff, query):
    found = worklist(user=staff["tiepnhan"], query=WorklistQuery(view="open", search=query))
    assert {d.pk for d in found} == {d.pk for d in dossiers}


def test_a_name_stored_from_nfd_input_is_found(catalog, office_a, staff, village_a):
    walk_in = citizen_create(
        full_name=unicodedata.normalize("NFD", "Sùng Thị Dợ"),
        citizen_id="010190012399",
        birth_date=dt.date(1990, 1, 1),
        gender="female",
        phone="0912345099",
        password=None,
        address_unit=village_a,
    )
    assert walk_in.citizen.full_name == "Sùng Thị Dợ"
    dossier, _ = dossier_submit(
        citizen=walk_in,
        procedure_code="1.004873",
        form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
        idempotency_key="nfd",
    )
    assert dossier.applicant_name == "Sùng Thị Dợ"
    for query in ("Sùng Thị Dợ", unicodedata.normalize("NFD", "Sùng Thị Dợ"), "sung thi do", "SÙNG"):
        found = worklist(user=staff["tiepnhan"], query=WorklistQuery(view="open", search=query))
        assert [d.pk for d in found] == [dossier.pk], query


@pytest.mark.parametrize(
    "typed",
    [
        "010 190 012 345",
        "010.190.012.345",
        "010-190-012-345",
        "0912 345 001",
        "+84 912 345 001",
        # As people say it, without the leading 0 (found by the walk-through: nothing was found).
        "912345001",
        "912 345 001",
    ],
)
def test_worklist_finds_identifiers_typed_in_groups(dossiers, staff, typed):
    found = worklist(user=staff["tiepnhan"], query=WorklistQuery(view="open", search=typed))
    assert {d.pk for d in found} == {d.pk for d in dossiers}


def test_other_names_are_not_found(dossiers, staff):
    assert not worklist(user=staff["tiepnhan"], query=WorklistQuery(view="open", search="Hoàng Văn Sáng")).exists()


def test_worklist_page_search_with_accents(client, dossiers, staff):
    client.force_login(staff["tiepnhan"])
    for query in ("LÒ THỊ MAI", "lo thi mai"):
        page = client.get("/can-bo/ho-so", {"xem": "open", "q": query})
        assert page.status_code == 200
        assert all(d.code in page.content.decode() for d in dossiers)


def test_counter_finds_the_citizen_by_an_id_typed_in_groups(client, catalog, citizen, office_a, staff):
    client.force_login(staff["tiepnhan"])
    data = {
        "procedure": "1.004873",
        "citizen_id": "010 190 012 345",
        "muc_dich": "Để đăng ký kết hôn",
        "tinh_trang": "Chưa kết hôn",
        "scans": SimpleUploadedFile("scan.png", PNG_BYTES),
        "idempotency_key": "counter-groups",
    }
    response = client.post("/can-bo/tiep-nhan", data)
    assert response.status_code == 302
    assert Dossier.objects.get(channel="counter").citizen == citizen


@pytest.mark.parametrize(
    ("birth", "message"),
    [("01/01/2099", "không được sau"), ("01/01/1800", "không được trước"), ("31/02/1990", "ngày có thật")],
)
def test_counter_refuses_birth_dates_out_of_range(client, catalog, office_a, staff, birth, message):
    client.force_login(staff["tiepnhan"])
    data = {
        "procedure": "1.004873",
        "citizen_id": "001090012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": birth,
        "gender": "male",
        "phone": "0987654321",
        "muc_dich": "Để đăng ký kết hôn",
        "tinh_trang": "Chưa kết hôn",
        "idempotency_key": f"counter-{birth}",
    }
    response = client.post("/can-bo/tiep-nhan", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Dossier.objects.filter(channel="counter").exists()


def test_counter_refuses_superscript_digits(client, catalog, office_a, staff):
    client.force_login(staff["tiepnhan"])
    response = client.post(
        "/can-bo/tiep-nhan",
        {"procedure": "1.004873", "citizen_id": "0011²0012345", "idempotency_key": "sup"},
    )
    assert response.status_code == 400 and "chữ số" in response.content.decode()


def test_review_queue_search_folds_names(commune_a, village_a, make_officer):
    team = Team.objects.create(unit=commune_a, name="Tổ công nghệ số")
    leader = make_officer("totruong", Role.TEAM_MEMBER, commune_a)
    member = Member.objects.create(
        team=team,
        user=leader,
        full_name="Tổ trưởng",
        phone="0912000115",
        active_from=dt.date(2026, 1, 1),
        team_role="leader",
    )
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    base = {"village": village_a.code, "skills": ["vneid_level2"], "date": day}
    results = records_sync(
        member=member,
        items=[
            {"client_id": "r-000001", "full_name": "Vàng Thị Mỷ", **base},
            {"client_id": "r-000002", "full_name": unicodedata.normalize("NFD", "VÀNG THỊ MỶ"), **base},
        ],
    )
    assert [r["status"] for r in results] == ["created", "created"]
    assert Person.objects.filter(review_pending=True).count() == 1
    for query in ("vang thi my", "VÀNG THỊ MỶ", "Mỷ"):
        assert review_queue(user=leader, search=query).count() == 1, query
    assert review_queue(user=leader, search="Lò Thị Mai").count() == 0


def test_the_data_migration_folds_existing_names(dossiers, staff):
    from importlib import import_module

    from django.apps import apps

    Dossier.objects.update(applicant_search="")
    import_module("motcua.dossiers.migrations.0002_applicant_search").fill(apps, None)
    assert set(Dossier.objects.values_list("applicant_search", flat=True)) == {"lo thi mai"}


def test_common_searches_fall_back_to_the_plain_filter(dossiers, staff, monkeypatch):
    from motcua.dossiers import selectors

    monkeypatch.setattr(selectors, "SEARCH_PREFILTER_CAP", 1)
    found = worklist(user=staff["tiepnhan"], query=WorklistQuery(view="open", search="lo thi mai"))
    assert {d.pk for d in found} == {d.pk for d in dossiers}


def test_search_stays_within_the_officers_scope(dossiers, staff):
    found = worklist(user=staff["tiepnhan2"], query=WorklistQuery(view="open", search="lo thi mai"))
    assert not found.exists()


def test_codes_are_found_in_any_case(dossiers, staff):
    code = dossiers[0].code
    for typed in (code, code.lower(), code[:-2].lower()):
        found = worklist(user=staff["tiepnhan"], query=WorklistQuery(view="open", search=typed))
        assert dossiers[0].pk in {d.pk for d in found}, typed
