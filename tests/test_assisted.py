"""Assisted submission: a team member (or intake officer) prepares a dossier for a citizen; it reaches
the officers only after the citizen confirms with a code on their own phone, or after the intake officer
has checked the signed paper consent. Channel `assisted`, helper recorded, counted for the team."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role
from motcua.core.errors import NotAllowed, NotFound, ValidationFailed
from motcua.dossiers import assisted
from motcua.dossiers.models import DRAFT, Channel, Consent, Dossier
from motcua.dossiers.selectors import WorklistQuery, worklist
from motcua.notifications.models import OutboxMessage
from motcua.outreach.models import Member, Team
from motcua.outreach.selectors import dossiers_helped

from .conftest import BIRTH_FORM, PDF_BYTES, documents_for


@pytest.fixture
def team(commune_a, village_a):
    return Team.objects.create(unit=commune_a, name="Tổ công nghệ số xã Bắc Hà")


@pytest.fixture
def helper(team, make_officer, commune_a):
    user = make_officer("tonhom", Role.TEAM_MEMBER, commune_a)
    Member.objects.create(
        team=team, user=user, full_name="Lù Văn Páo", phone="0912000114", active_from=dt.date(2026, 1, 1)
    )
    return user


@pytest.fixture
def setup(catalog, office_a, staff):
    return staff


def _code_sent_to(phone: str) -> str:
    message = OutboxMessage.objects.filter(recipient=phone).order_by("-pk").first()
    assert message is not None, "no SMS to the citizen's phone"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _filled_draft(helper, citizen):
    draft = assisted.assisted_start(helper=helper, procedure_code="1.001193", citizen_id=citizen.citizen.citizen_id)
    return assisted.assisted_fill(
        helper=helper, draft_id=draft.pk, form=BIRTH_FORM, attachment_ids=documents_for(helper)
    )


def test_citizen_confirms_by_code_then_the_dossier_reaches_the_officers(helper, citizen, setup):
    draft = _filled_draft(helper, citizen)
    # The draft is the citizen's, with the helper recorded; the officers do not see it yet.
    assert draft.citizen == citizen and draft.helper == helper and draft.channel == Channel.ASSISTED
    assert Dossier.objects.visible_to(citizen).filter(pk=draft.pk).exists()
    assert not worklist(user=setup["tiepnhan"], query=WorklistQuery()).filter(pk=draft.pk).exists()
    assisted.assisted_request_confirmation(helper=helper, draft_id=draft.pk)
    code = _code_sent_to("0912345001")  # the citizen's own phone, not the helper's
    assert not OutboxMessage.objects.filter(recipient="0912000114").exists()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationFailed):
        assisted.assisted_confirm(helper=helper, draft_id=draft.pk, code=wrong)
    assert Dossier.objects.get(pk=draft.pk).status == DRAFT
    dossier = assisted.assisted_confirm(helper=helper, draft_id=draft.pk, code=code)
    assert dossier.pk == draft.pk and dossier.status != DRAFT and dossier.code
    assert (dossier.channel, dossier.helper, dossier.consent) == (Channel.ASSISTED, helper, Consent.SMS_CODE)
    assert worklist(user=setup["tiepnhan"], query=WorklistQuery()).filter(pk=dossier.pk).exists()
    submitted = dossier.events.get(action="submit")
    assert submitted.actor == citizen and submitted.data["helper"] == helper.pk
    # The code worked once.
    with pytest.raises(NotFound):
        assisted.assisted_confirm(helper=helper, draft_id=draft.pk, code=code)
    # Counted for the helper's team as an online dossier helped; the fee is the online one.
    assert dossiers_helped(users=[helper.pk]) == 1


def test_the_dossier_is_in_the_citizens_account(client, helper, citizen, setup):
    draft = _filled_draft(helper, citizen)
    assisted.assisted_request_confirmation(helper=helper, draft_id=draft.pk)
    dossier = assisted.assisted_confirm(helper=helper, draft_id=draft.pk, code=_code_sent_to("0912345001"))
    client.force_login(citizen)
    assert dossier.code in client.get("/ho-so").content.decode()
    assert client.get(f"/ho-so/{dossier.code}").status_code == 200


def test_a_draft_waiting_for_confirmation_cannot_be_acted_on_by_officers(helper, citizen, setup):
    from motcua.dossiers.services import dossier_transition

    draft = _filled_draft(helper, citizen)
    assisted.assisted_request_confirmation(helper=helper, draft_id=draft.pk)
    with pytest.raises(NotFound):
        dossier_transition(code=draft.code or "x", action="accept", actor=setup["tiepnhan"], version=draft.version)
    assert dossiers_helped(users=[helper.pk]) == 0


def test_incomplete_drafts_send_no_code(helper, citizen, setup):
    draft = assisted.assisted_start(helper=helper, procedure_code="1.001193", citizen_id=citizen.citizen.citizen_id)
    with pytest.raises(ValidationFailed):
        assisted.assisted_request_confirmation(helper=helper, draft_id=draft.pk)
    assert not OutboxMessage.objects.exists()


def test_paper_consent_is_checked_by_the_intake_officer_before_submission(helper, setup, commune_a):
    draft = assisted.assisted_start(
        helper=helper,
        procedure_code="1.001193",
        citizen_id="010196054321",
        full_name="Hầu Thị Dua",
        birth_date=dt.date(1996, 5, 20),
        gender="female",
    )
    citizen = draft.citizen
    assert citizen.phone is None and not citizen.has_usable_password()
    draft = assisted.assisted_fill(
        helper=helper, draft_id=draft.pk, form=BIRTH_FORM, attachment_ids=documents_for(helper)
    )
    with pytest.raises(NotAllowed):
        assisted.assisted_request_confirmation(helper=helper, draft_id=draft.pk)
    with pytest.raises(ValidationFailed):  # the consent scan is missing
        assisted.assisted_submit_paper_consent(helper=helper, draft_id=draft.pk)
    from motcua.dossiers.services import attachment_upload

    scan = attachment_upload(
        owner=helper, upload=SimpleUploadedFile("dong-y.pdf", PDF_BYTES), document_name=assisted.PAPER_CONSENT_DOCUMENT
    )
    assisted.assisted_fill(helper=helper, draft_id=draft.pk, form=BIRTH_FORM, attachment_ids=[scan.pk])
    assisted.assisted_submit_paper_consent(helper=helper, draft_id=draft.pk)
    # Waiting for the check: still a draft, in no worklist; the other commune's officer cannot see it.
    assert Dossier.objects.get(pk=draft.pk).status == DRAFT
    assert not worklist(user=setup["tiepnhan"], query=WorklistQuery()).filter(pk=draft.pk).exists()
    with pytest.raises(NotFound):
        assisted.assisted_paper_consent_check(officer=setup["tiepnhan2"], draft_id=draft.pk, valid=True)
    from django.test import Client

    officer_page = Client()
    officer_page.force_login(setup["tiepnhan"])
    listing = officer_page.get("/can-bo/ho-tro-nop/giay-dong-y").content.decode()
    assert "Hầu Thị Dua" in listing
    scan_download = officer_page.get(f"/can-bo/ho-tro-nop/giay-dong-y/{draft.pk}")
    assert scan_download.status_code == 200 and b"".join(scan_download.streaming_content).startswith(b"%PDF")
    other = Client()
    other.force_login(setup["tiepnhan2"])
    assert other.get(f"/can-bo/ho-tro-nop/giay-dong-y/{draft.pk}").status_code == 404
    with pytest.raises(ValidationFailed):  # sending it back needs the reason
        assisted.assisted_paper_consent_check(officer=setup["tiepnhan"], draft_id=draft.pk, valid=False)
    back = assisted.assisted_paper_consent_check(
        officer=setup["tiepnhan"], draft_id=draft.pk, valid=False, note="Thiếu chữ ký của công dân"
    )
    assert back.status == DRAFT and back.consent_requested_at is None and "chữ ký" in back.consent_note
    assisted.assisted_submit_paper_consent(helper=helper, draft_id=draft.pk)
    dossier = assisted.assisted_paper_consent_check(officer=setup["tiepnhan"], draft_id=draft.pk, valid=True)
    assert dossier.status != DRAFT and dossier.code and dossier.consent == Consent.PAPER
    checked = dossier.events.get(action="check_paper_consent")
    assert checked.actor == setup["tiepnhan"]
    assert worklist(user=setup["tiepnhan"], query=WorklistQuery()).filter(pk=dossier.pk).exists()
    assert dossiers_helped(users=[helper.pk]) == 1


def test_only_team_members_and_intake_officers_can_assist(client, citizen, setup, helper):
    client.force_login(citizen)
    assert client.get("/to-cong-nghe/ho-tro-nop").status_code == 404
    with pytest.raises(NotFound):
        assisted.assisted_start(helper=citizen, procedure_code="1.001193", citizen_id="010196054321")
    client.force_login(setup["chuyenvien"])
    assert client.get("/to-cong-nghe/ho-tro-nop").status_code == 404
    client.force_login(setup["tiepnhan"])
    assert client.get("/to-cong-nghe/ho-tro-nop").status_code == 200
    client.force_login(helper)
    assert client.get("/to-cong-nghe/ho-tro-nop").status_code == 200
    # One helper cannot open another helper's draft.
    draft = assisted.assisted_start(helper=helper, procedure_code="1.001193", citizen_id=citizen.citizen.citizen_id)
    client.force_login(setup["tiepnhan"])
    assert client.get(f"/to-cong-nghe/ho-tro-nop/{draft.pk}").status_code == 404


def test_level_2_procedures_refuse_a_level_1_online_submission_in_the_service(citizen, catalog, office_a):
    from motcua.accounts.models import CitizenProfile
    from motcua.catalog.models import Procedure
    from motcua.dossiers.services import dossier_submit

    Procedure.objects.current().filter(code="1.001193").update(identity_level_required=2)
    CitizenProfile.objects.filter(user=citizen).update(identity_level=1)
    citizen.citizen.refresh_from_db()
    with pytest.raises(NotAllowed) as refused:
        dossier_submit(
            citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
        )
    assert refused.value.code == "identity_level" and "Công an xã" in refused.value.message
    assert not Dossier.objects.exclude(status=DRAFT).exists()


# --- authorised representative ----------------------------------------------------------------------
def test_an_authorised_representative_must_attach_the_authorisation(client, citizen, catalog, office_a):
    from motcua.dossiers.models import AUTHORISATION_DOCUMENT
    from motcua.dossiers.services import dossier_draft_save

    client.force_login(citizen)
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM)
    files = {"tep-1": SimpleUploadedFile("chung-sinh.pdf", PDF_BYTES)}
    client.post(f"/ho-so/nhap/{draft.pk}/giay-to", {"uy-quyen": "1", "tai-len": "1", **files})
    draft.refresh_from_db()
    assert draft.on_behalf
    refused = client.post(f"/ho-so/nhap/{draft.pk}/kiem-tra", {"idempotency_key": "k-1"})
    assert refused.status_code == 302 and "/giay-to" in refused["Location"]
    assert Dossier.objects.get(pk=draft.pk).status == DRAFT
    proof = {"tep-uy-quyen": SimpleUploadedFile("uy-quyen.pdf", PDF_BYTES, "application/pdf")}
    client.post(f"/ho-so/nhap/{draft.pk}/giay-to", {"uy-quyen": "1", "tai-len": "1", **proof})
    assert draft.attachments.filter(document_name=AUTHORISATION_DOCUMENT).exists()
    done = client.post(f"/ho-so/nhap/{draft.pk}/kiem-tra", {"idempotency_key": "k-2"})
    dossier = Dossier.objects.get(pk=draft.pk)
    assert done.status_code == 302 and dossier.status != DRAFT and dossier.on_behalf
    assert AUTHORISATION_DOCUMENT in dossier.events.get(action="submit").data["documents_received"]
