"""What is signed is what was entered: text the PDF font cannot draw is refused when it is entered (with
the character named) and the PDF layer refuses to produce, and so to sign, a document that would lose it."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.glyphs import (
    UnprintableText,
    check_printable,
    covered_codepoints,
    ensure_printable,
    unprintable_characters,
)
from motcua.documents.models import ResultDocument
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_submit, dossier_transition

from .conftest import BIRTH_FORM, advance, documents_for

VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬBCDĐEÈÉẺẼẸÊỀẾỂỄỆGHIÌÍỈĨỊKLMNOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢPQRSTUÙÚỦŨỤƯỪỨỬỮỰVXYỲÝỶỸỴ"
    "0123456789 .,;:!?()[]/-–—«»“”‘’'\"%&+=*#@₫…"
)


def test_coverage_comes_from_the_font():
    assert ord("ệ") in covered_codepoints() and ord("₫") in covered_codepoints()
    assert unprintable_characters("Mua nhẫn cưới 💍 cho 𠀋") == ["💍", "𠀋"]
    assert unprintable_characters("Sùng Thị Dợ") == []
    # Decomposed input is judged after NFC: "ợ" typed as o + horn + dot below is printable.
    assert unprintable_characters("Sùng Thị D\u006f\u031b\u0323") == []


@given(st.text(alphabet=VIETNAMESE, max_size=80))
def test_every_vietnamese_text_is_printable(text):
    assert check_printable(text) == text
    assert ensure_printable(text) == text


@given(st.text(max_size=30))
def test_entry_check_and_pdf_guard_agree(text):
    """Whatever passes at entry can be drawn; whatever the PDF layer refuses was refused at entry."""
    try:
        check_printable(text)
        entry_ok = True
    except Exception:
        entry_ok = False
    try:
        ensure_printable(text)
        pdf_ok = True
    except UnprintableText:
        pdf_ok = False
    assert entry_ok == pdf_ok


def test_message_names_the_character():
    with pytest.raises(Exception) as refused:
        check_printable("Cưới 💍", label="Mục đích")
    assert "“💍”" in str(refused.value) and "không in được trên giấy tờ" in str(refused.value)
    with pytest.raises(Exception) as invisible:
        check_printable("a\u200db")
    assert "U+200D" in str(invisible.value)


@pytest.fixture
def api(client, api_token):
    def call(method, path, user, **kwargs):
        return getattr(client, method)(
            f"/api/v1{path}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_token(user)}", **kwargs
        )

    return call


def test_eform_field_with_emoji_is_refused_at_entry(api, catalog, citizen, office_a):
    form = {**BIRTH_FORM, "noi_sinh": "Trạm Y tế xã Bắc Hà 💍"}
    response = api("post", "/dossiers", citizen, data={"procedure_code": "1.001193", "form": form})
    assert response.status_code == 422
    body = response.json()
    messages = [m for values in body["fields"].values() for m in values]
    assert any("“💍”" in m and "Nơi sinh" in m for m in messages), body
    assert not Dossier.objects.exclude(status="draft").exists()


def test_transition_note_with_cjk_is_refused(api, catalog, citizen, office_a, staff):
    dossier, _created = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    response = api(
        "post",
        f"/dossiers/{dossier.code}/transitions",
        staff["tiepnhan"],
        data={"action": "refuse", "version": dossier.version, "note": "Thiếu giấy tờ 𠀋"},
    )
    assert response.status_code == 422
    assert "“𠀋”" in response.json()["fields"]["note"][0]
    assert Dossier.objects.get(pk=dossier.pk).status == dossier.status


def test_citizen_name_with_emoji_is_refused(village_a):
    import datetime as dt

    from motcua.accounts.services import citizen_create

    with pytest.raises(ValidationError) as refused:
        citizen_create(
            full_name="Lò Thị Mai 🌸",
            citizen_id="010190012345",
            birth_date=dt.date(1990, 3, 12),
            gender="female",
            phone="0912345009",
            password="mat-khau-thu-2026",
            address_unit=village_a,
        )
    assert "“🌸”" in refused.value.message_dict["full_name"][0]


def test_signing_refuses_a_document_that_would_drop_characters(catalog, citizen, office_a, staff):
    """Text that reached the database another way (before these checks, an import) never gets signed
    without its characters: the sign step answers 422 and nothing is issued."""
    dossier, _created = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    Dossier.objects.filter(pk=dossier.pk).update(form_data={**BIRTH_FORM, "noi_sinh": "Bắc Hà 𠀋"})
    with pytest.raises(UnprintableText) as refused:
        advance(dossier, staff)
    assert refused.value.status == 422 and "“𠀋”" in refused.value.message
    assert not ResultDocument.objects.exists()
    assert Dossier.objects.get(pk=dossier.pk).status == "approved"


def test_form_pdf_of_legacy_text_is_a_clear_page(client, catalog, citizen, office_a, staff):
    dossier, _created = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    # Forms are issued at their event from what the dossier says then: legacy text present at the event
    # leaves the form unissued (never drawn without its characters) and its download says why.
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Lò Thị Mai 💍")
    dossier = dossier_transition(code=dossier.code, action="accept", actor=staff["tiepnhan"], version=dossier.version)
    assert dossier.status == "received"
    client.force_login(citizen)
    response = client.get(f"/ho-so/{dossier.code}/phieu/01.pdf")
    assert response.status_code == 422 and "“💍”" in response.content.decode()
