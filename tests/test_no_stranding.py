"""Issue 13, kind 6: nothing strands a dossier. A supplement is completed with what was asked; a dossier
is submitted with its required documents (or, at the counter, a recorded, justified exception); a unit
whose workflow needs a role nobody holds is reported; every demo commune can take a dossier to the end."""

import datetime as dt
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.accounts.models import Role
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Channel, Dossier, DossierCounter
from motcua.dossiers.services import attachment_upload, citizen_find_or_create, dossier_submit, dossier_transition
from motcua.dossiers.staffing import staffing_gaps

from .conftest import BIRTH_FORM, PDF_BYTES
from .factories import DossierFactory

BIRTH_NOTICE = "Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh"


def upload(owner, name):
    return str(attachment_upload(owner=owner, upload=SimpleUploadedFile("x.pdf", PDF_BYTES), document_name=name).pk)


# --- submission checks the required documents -----------------------------------------------------------
def test_online_submission_without_a_required_document_is_refused_and_nothing_is_written(catalog, citizen, office_a):
    other = upload(citizen, "Ảnh chụp khác")
    with pytest.raises(ValidationFailed) as refused:
        dossier_submit(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=[other])
    assert refused.value.code == "documents_missing" and BIRTH_NOTICE in refused.value.fields["attachments"][0]
    assert not Dossier.objects.exclude(status="draft").exists() and DossierCounter.objects.count() == 0
    # With the birth notice it goes through, and the event records what was received.
    dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    assert dossier.events.get().data["documents_received"] == [BIRTH_NOTICE]


def test_api_answers_422_naming_the_missing_document(client, catalog, citizen, office_a, api_token):
    response = client.post(
        "/api/v1/dossiers",
        {"procedure_code": "1.001193", "form": BIRTH_FORM, "attachments": []},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token(citizen)}",
        HTTP_IDEMPOTENCY_KEY="a1",
    )
    assert response.status_code == 422
    assert BIRTH_NOTICE in response.json()["fields"]["attachments"][0]


def test_portal_check_page_sends_back_to_the_documents_step(client, catalog, citizen, office_a):
    from motcua.dossiers.services import dossier_draft_save

    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM)
    client.force_login(citizen)
    response = client.post(f"/ho-so/nhap/{draft.pk}/kiem-tra", {"idempotency_key": "p1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/ho-so/nhap/{draft.pk}/giay-to"
    assert 'data-error-code="documents_missing"' in response.content.decode()


def _walk_in(officer):
    return citizen_find_or_create(
        officer=officer,
        citizen_id="001090012345",
        full_name="Nguyễn Văn An",
        birth_date=dt.date(1990, 1, 1),
        gender="male",
        phone="0987654321",
    )


def test_counter_needs_the_documents_ticked_or_a_justified_exception(catalog, office_a, staff):
    officer = staff["tiepnhan"]
    walk_in = _walk_in(officer)
    common = dict(
        citizen=walk_in,
        procedure_code="2.000815",
        form={"ten_giay_to": "Bằng tốt nghiệp", "so_trang": 1, "so_ban": 1},
        office_code="UBND-02839",
        channel=Channel.COUNTER,
        officer=officer,
    )
    with pytest.raises(ValidationFailed) as refused:
        dossier_submit(**common, idempotency_key="c1")
    assert "Bản chính giấy tờ, văn bản cần chứng thực" in refused.value.message
    assert not Dossier.objects.filter(channel="counter").exists()
    excused, _ = dossier_submit(
        **common, idempotency_key="c2", exception_note="Bản chính đang nộp ở trường, đã đối chiếu bản điện tử"
    )
    event = excused.events.get()
    assert event.data["documents_missing"] == ["Bản chính giấy tờ, văn bản cần chứng thực"]
    assert event.data["exception"].startswith("Bản chính đang nộp") and event.note == event.data["exception"]
    complete, _ = dossier_submit(
        **common, idempotency_key="c3", counter_documents=["Bản chính giấy tờ, văn bản cần chứng thực"]
    )
    assert complete.events.get().data == {
        **complete.events.get().data,
        "documents_received": ["Bản chính giấy tờ, văn bản cần chứng thực"],
    }
    assert "exception" not in complete.events.get().data


def test_counter_page_lists_the_documents_and_keeps_the_ticks(client, catalog, office_a, staff):
    client.force_login(staff["tiepnhan"])
    data = {
        "procedure": "2.000815",
        "citizen_id": "001090012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": "01/01/1990",
        "gender": "male",
        "phone": "0987654321",
        "ten_giay_to": "Bằng tốt nghiệp",
        "so_trang": "1",
        "so_ban": "1",
        "idempotency_key": "cp-1",
    }
    refused = client.post("/can-bo/tiep-nhan", data)
    body = refused.content.decode()
    assert refused.status_code == 400 and 'data-error-code="documents_missing"' in body
    assert "Bản chính giấy tờ, văn bản cần chứng thực" in body.split('class="error-summary"', 1)[1]
    assert 'name="exception_note"' in body
    ok = client.post("/can-bo/tiep-nhan", {**data, "documents": ["Bản chính giấy tờ, văn bản cần chứng thực"]})
    assert ok.status_code == 302


# --- a supplement is completed with what was asked ---------------------------------------------------------
@pytest.fixture
def accepted(catalog, citizen, office_a, staff):
    return DossierFactory(received=True, citizen=citizen, procedure_code="1.001193")


def test_supplement_needs_each_listed_document(accepted, citizen, staff):
    asked = dossier_transition(
        code=accepted.code,
        action="request_supplement",
        actor=staff["tiepnhan"],
        version=accepted.version,
        note="Giấy chứng sinh bị mờ, chụp lại rõ",
        params={"documents": [BIRTH_NOTICE]},
    )
    assert asked.events.order_by("-seq").first().data["documents"] == [BIRTH_NOTICE]
    for params, note in (({}, ""), ({}, "Tôi gửi rồi"), ({"attachments": [upload(citizen, "Bổ sung")]}, "")):
        with pytest.raises(ValidationFailed) as refused:
            dossier_transition(
                code=accepted.code,
                action="submit_supplement",
                actor=citizen,
                version=asked.version,
                note=note,
                params=params,
            )
        assert BIRTH_NOTICE in refused.value.message
    still = Dossier.objects.get(pk=accepted.pk)
    assert still.status == "supplement_requested" and still.paused_at is not None
    done = dossier_transition(
        code=accepted.code,
        action="submit_supplement",
        actor=citizen,
        version=asked.version,
        params={"attachments": [upload(citizen, BIRTH_NOTICE)]},
    )
    assert done.status == "received" and done.paused_at is None


def test_supplement_without_a_list_needs_a_note_or_a_file(accepted, citizen, staff):
    asked = dossier_transition(
        code=accepted.code,
        action="request_supplement",
        actor=staff["tiepnhan"],
        version=accepted.version,
        note="Ghi rõ nơi sinh (thôn, xã)",
    )
    with pytest.raises(ValidationFailed) as exc:
        dossier_transition(code=accepted.code, action="submit_supplement", actor=citizen, version=asked.version)
    assert exc.value.code == "supplement_empty" and "note" in exc.value.fields
    done = dossier_transition(
        code=accepted.code,
        action="submit_supplement",
        actor=citizen,
        version=asked.version,
        note="Sinh tại Trạm Y tế xã Bắc Hà, thôn Na Hối",
    )
    assert done.status == "received"


def test_request_lists_only_documents_of_the_procedure(accepted, staff):
    with pytest.raises(ValidationFailed) as refused:
        dossier_transition(
            code=accepted.code,
            action="request_supplement",
            actor=staff["tiepnhan"],
            version=accepted.version,
            note="x",
            params={"documents": ["Sổ hộ khẩu"]},
        )
    assert "Sổ hộ khẩu" in refused.value.fields["documents"][0]
    assert Dossier.objects.get(pk=accepted.pk).supplement_count == 0


def test_citizen_page_asks_for_each_listed_document(client, accepted, citizen, staff):
    dossier_transition(
        code=accepted.code,
        action="request_supplement",
        actor=staff["tiepnhan"],
        version=accepted.version,
        note="Chụp lại giấy chứng sinh",
        params={"documents": [BIRTH_NOTICE]},
    )
    client.force_login(citizen)
    page = client.get(f"/ho-so/{accepted.code}").content.decode()
    assert f'<label class="label" for="tep-0">{BIRTH_NOTICE}</label>' in page
    empty = client.post(
        f"/ho-so/{accepted.code}", {"action": "submit_supplement", "version": accepted.version + 1}, follow=True
    )
    assert 'data-error-code="supplement_documents_missing"' in empty.content.decode()
    sent = client.post(
        f"/ho-so/{accepted.code}",
        {
            "action": "submit_supplement",
            "version": accepted.version + 1,
            "tep-0": SimpleUploadedFile("chung-sinh.pdf", PDF_BYTES),
        },
    )
    assert sent.status_code == 302 and Dossier.objects.get(pk=accepted.pk).status == "received"


# --- a unit that would strand dossiers is reported --------------------------------------------------------------
def test_a_commune_with_only_an_intake_officer_is_reported(catalog, office_a, intake_a, settings):
    gaps = staffing_gaps()
    assert len(gaps) == 1 and gaps[0].office == office_a
    assert "Chuyên viên thẩm định" in gaps[0].message() and "Gửi ý kiến thẩm định" in gaps[0].message()
    with pytest.raises(CommandError):
        call_command("staffing_check", stdout=StringIO())
    warnings = [m for m in run_checks(include_deployment_checks=False, databases=["default"]) if m.id == "motcua.W013"]
    assert len(warnings) == 1 and "Bộ phận Một cửa UBND xã Bắc Hà" in warnings[0].msg


def test_a_leader_above_covers_the_commune(catalog, office_a, intake_a, make_officer, commune_a, province):
    make_officer("chuyenvien", Role.SPECIALIST, commune_a)
    assert "Lãnh đạo" in staffing_gaps()[0].message()
    make_officer("lanhdao-tinh", Role.LEADER, province)
    assert staffing_gaps() == []
    out = StringIO()
    call_command("staffing_check", stdout=out)
    assert "đủ người" in out.getvalue()


def test_office_admin_page_warns(client, catalog, office_a, intake_a, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", password="x-mat-khau-1"))
    page = client.get("/quan-tri/places/office/").content.decode()
    assert "không ai có vai trò" in page


def test_every_demo_commune_takes_a_dossier_to_the_end(db, settings):
    from motcua.accounts.models import User
    from motcua.places.models import Office

    settings.DEMO = True
    settings.OFFICER_TOTP_REQUIRED = False
    out = StringIO()
    call_command("seed_demo", quiet_progress=True, stdout=out, stderr=StringIO())
    assert "không ai có vai trò" not in out.getvalue() and staffing_gaps() == []
    citizen = User.objects.get(username="congdan1")
    people = {
        "02839": ("tiepnhan", "chuyenvien", "lanhdao"),
        "03037": ("tiepnhan2", "chuyenvien2", "lanhdao2"),
        "02761": ("tiepnhan3", "chuyenvien3", "lanhdao3"),
    }
    for office in Office.objects.filter(code__startswith="UBND-"):
        intake, specialist, leader = (User.objects.get(username=u) for u in people[office.unit.code])
        dossier, _ = dossier_submit(
            citizen=citizen,
            procedure_code="1.004873",
            form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
            office_code=office.code,
            idempotency_key=office.code,
        )
        for action, actor, params in (
            ("accept", intake, {}),
            ("assign", intake, {"assignee": specialist.username}),
            ("appraise", specialist, {}),
            ("approve", leader, {}),
            ("sign", leader, {"confirm": True}),
            ("return_result", intake, {"method": "online"}),
        ):
            dossier = dossier_transition(
                code=dossier.code, action=action, actor=actor, version=dossier.version, note="Đồng ý", params=params
            )
        assert dossier.status == "returned", office.code


def test_workspace_home_warns_the_unit_administrator_and_counts_overdue(
    client, catalog, office_a, intake_a, make_officer, commune_a, citizen, settings
):
    from django.utils import timezone

    settings.OFFICER_TOTP_REQUIRED = False
    admin = make_officer("quantrixa", Role.UNIT_ADMIN, commune_a)
    client.force_login(admin)
    page = client.get("/can-bo/").content.decode()
    assert 'data-testid="staffing-gaps"' in page and "Chuyên viên thẩm định" in page
    # An intake officer with a late dossier sees how many, with a link to the list.
    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.004873",
        form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
    )
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    client.force_login(intake_a)
    home = client.get("/can-bo/").content.decode()
    assert 'data-testid="overdue-alert"' in home and "1 hồ sơ quá hạn" in home and "?xem=overdue" in home
    assert 'data-testid="staffing-gaps"' not in home  # not an administrator
