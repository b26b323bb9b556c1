"""Issue 15, point 3: one permission-checked door per model holding a citizen's data, drafts invisible to
officers, the "which specialist may be assigned" rule in one place, and no ORM calls in views/routers."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role, RoleGrant
from motcua.documents.models import IssuedForm, ResultDocument, StoredDocument
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.services import (
    attach_to_draft,
    attachment_remove_from_draft,
    attachment_upload,
    dossier_draft_save,
    dossier_submit,
)
from motcua.dossiers.staffing import assignable_specialists

from .conftest import FULL_FLOW, PASSWORD, PDF_BYTES, advance, documents_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def other_citizen(village_a):
    from motcua.accounts.services import citizen_create

    return citizen_create(
        username="congdan2",
        full_name="Vàng A Sử",
        citizen_id="010085054321",
        birth_date=dt.date(1985, 1, 2),
        gender="male",
        phone="0912345002",
        password=PASSWORD,
        address_unit=village_a,
    )


@pytest.fixture
def submitted(catalog, citizen, office_a, staff):
    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.004873",
        form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
        attachment_ids=[
            *documents_for(citizen, "1.004873"),
            attachment_upload(owner=citizen, upload=SimpleUploadedFile("c.pdf", PDF_BYTES), document_name="Khác").pk,
        ],
    )
    return dossier


@pytest.fixture
def draft(catalog, citizen, office_a):
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.004873", form={"muc_dich": "Nháp"})
    upload = attachment_upload(owner=citizen, upload=SimpleUploadedFile("a.pdf", PDF_BYTES), document_name="Tờ khai")
    attach_to_draft(draft=draft, attachment_ids=[upload.pk])
    return draft


def codes(qs):
    return set(qs.values_list("pk", flat=True))


def test_dossier_door(submitted, draft, citizen, other_citizen, staff, make_officer, province, commune_b):
    province_admin = make_officer("tinh", Role.PROVINCE_ADMIN, province)
    everyone = Dossier.objects.all()
    assert codes(everyone.visible_to(citizen)) == {submitted.pk, draft.pk}
    assert codes(everyone.visible_to(other_citizen)) == set()
    assert codes(everyone.visible_to(AnonymousUser())) == set()
    # Officers of the unit (and the province above it) see submitted dossiers, never a citizen's draft.
    for officer in (staff["tiepnhan"], staff["chuyenvien"], staff["lanhdao"], province_admin):
        assert codes(everyone.visible_to(officer)) == {submitted.pk}, officer.username
    assert codes(everyone.visible_to(staff["tiepnhan2"])) == set()  # commune B's officer


def test_drafts_are_404_for_officers_on_pages_and_api(client, draft, staff, api_token):
    client.force_login(staff["tiepnhan"])
    draft_pk = draft.pk
    assert client.get(f"/ho-so/nhap/{draft_pk}/giay-to").status_code == 404
    attachment = Attachment.objects.get(dossier=draft)
    assert client.get(f"/ho-so/tep/{attachment.pk}").status_code == 404
    token = api_token(staff["tiepnhan"])
    response = client.get("/api/v1/worklist?view=open", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_attachment_door(submitted, draft, citizen, other_citizen, staff):
    on_dossier = codes(Attachment.objects.filter(dossier=submitted))
    on_draft = codes(Attachment.objects.filter(dossier=draft))
    loose = attachment_upload(owner=citizen, upload=SimpleUploadedFile("b.pdf", PDF_BYTES), document_name="x").pk
    assert on_dossier and on_draft
    assert codes(Attachment.objects.visible_to(citizen)) == on_dossier | on_draft | {loose}
    assert codes(Attachment.objects.visible_to(staff["tiepnhan"])) == on_dossier
    assert codes(Attachment.objects.visible_to(staff["tiepnhan2"])) == set()
    assert codes(Attachment.objects.visible_to(other_citizen)) == set()


def test_results_forms_and_store_doors(submitted, citizen, other_citizen, staff):
    advance(submitted, staff, FULL_FLOW)
    results = codes(ResultDocument.objects.filter(dossier=submitted))
    forms = codes(IssuedForm.objects.filter(dossier=submitted))
    stored = codes(StoredDocument.objects.filter(owner=citizen))
    assert results and forms and stored
    for model, expected in ((ResultDocument, results), (IssuedForm, forms)):
        assert codes(model.objects.visible_to(citizen)) == expected
        assert codes(model.objects.visible_to(staff["lanhdao"])) == expected
        assert codes(model.objects.visible_to(staff["tiepnhan2"])) == set()
        assert codes(model.objects.visible_to(other_citizen)) == set()
        assert codes(model.objects.visible_to(AnonymousUser())) == set()
    assert codes(StoredDocument.objects.visible_to(citizen)) == stored
    # The store is the citizen's alone, even for the officers who handled the dossier.
    assert codes(StoredDocument.objects.visible_to(staff["tiepnhan"])) == set()
    assert codes(StoredDocument.objects.visible_to(other_citizen)) == set()


def test_removing_a_file_only_works_on_ones_own_draft(draft, submitted, citizen, other_citizen):
    attachment = Attachment.objects.filter(dossier=draft).first()
    submitted_file = Attachment.objects.filter(dossier=submitted).first()
    assert attachment_remove_from_draft(owner=other_citizen, draft=draft, attachment_id=attachment.pk) == 0
    assert attachment_remove_from_draft(owner=citizen, draft=draft, attachment_id="not-a-uuid") == 0
    assert attachment_remove_from_draft(owner=citizen, draft=submitted, attachment_id=submitted_file.pk) == 0
    assert attachment_remove_from_draft(owner=citizen, draft=draft, attachment_id=attachment.pk) == 1
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert Attachment.objects.filter(pk=submitted_file.pk).exists()


def test_the_assignment_dropdown_lists_exactly_who_may_be_assigned(
    client, submitted, staff, make_officer, commune_b, province
):
    """One rule: the dropdown lists the specialists the service accepts; a lapsed grant, a disabled
    account or another commune's specialist is in neither."""
    lapsed = make_officer("chuyenvien_cu", Role.SPECIALIST, submitted.unit)
    RoleGrant.objects.filter(user=lapsed).update(valid_to=dt.date(2020, 1, 1), valid_from=dt.date(2019, 1, 1))
    disabled = make_officer("chuyenvien_nghi", Role.SPECIALIST, submitted.unit, is_active=False)
    elsewhere = make_officer("chuyenvien_b", Role.SPECIALIST, commune_b)
    above = make_officer("chuyenvien_tinh", Role.SPECIALIST, province)
    advance(submitted, staff, [("accept", "tiepnhan", {})])
    allowed = {u.username for u in assignable_specialists(dossier=submitted)}
    assert allowed == {"chuyenvien", "chuyenvien_tinh"}
    client.force_login(staff["tiepnhan"])
    page = client.get(f"/can-bo/ho-so/{submitted.code}").content.decode()
    for user in (staff["chuyenvien"], above):
        assert f'value="{user.username}"' in page
    for user in (lapsed, disabled, elsewhere):
        assert f'value="{user.username}"' not in page
    # The service takes the same rule: each listed specialist is accepted, the others are refused.
    from motcua.core.errors import ValidationFailed
    from motcua.dossiers.services import dossier_transition

    fresh = Dossier.objects.get(pk=submitted.pk)
    for user in (lapsed, disabled, elsewhere):
        with pytest.raises(ValidationFailed):
            dossier_transition(
                code=fresh.code,
                action="assign",
                actor=staff["tiepnhan"],
                version=fresh.version,
                params={"assignee": user.username},
            )
    done = dossier_transition(
        code=fresh.code,
        action="assign",
        actor=staff["tiepnhan"],
        version=fresh.version,
        params={"assignee": above.username},
    )
    assert done.assigned_to_id == above.pk


INTERFACE_FILES = [
    *sorted((ROOT / "motcua/portal").glob("*.py")),
    *sorted((ROOT / "motcua/workspace").glob("*.py")),
    *sorted((ROOT / "motcua/api/routers").glob("*.py")),
    # Every domain app's pages: views.py and *_views.py.
    *sorted(p for p in (ROOT / "motcua").glob("*/*views.py") if p.parent.name not in ("portal", "workspace")),
]
# Pages that read no citizen data and are left as they are: none today.
ALLOWED: set[tuple[str, str]] = set()


def _orm_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            owner = node.value.id if isinstance(node.value, ast.Name) else ast.unparse(node.value)
            if (str(path.relative_to(ROOT)), owner) not in ALLOWED:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {owner}.objects")
        writes_or_filters = {"filter", "exclude", "delete", "update", "create"}
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in writes_or_filters
            and isinstance(node.func.value, ast.Call | ast.Attribute)
        ):
            text = ast.unparse(node.func)
            allowed = any(f"{owner}.objects" in text for _path, owner in ALLOWED)
            if "request." not in text and "session" not in text and not allowed:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text}")
    return found


def test_views_and_routers_make_no_direct_orm_calls():
    """They parse, call one selector or service, render: reads go through the selectors' doors."""
    calls = [call for path in INTERFACE_FILES for call in _orm_calls(path)]
    assert calls == []
    # The check sees what it looks for (it would catch the calls it forbids).
    sample = ROOT / "tests" / "_orm_sample.py"
    sample.write_text("def v(request):\n    return Dossier.objects.filter(pk=1), d.attachments.filter(x=1)\n")
    try:
        assert len(_orm_calls(sample)) == 3
    finally:
        sample.unlink()
