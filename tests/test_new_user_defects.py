"""Defects a new-user test found: counts losing their dot or minus sign, double clicks, drafts left by
invalid steps, ISO dates on pages, doubled "(nếu có)", and hints the inputs do not point to."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.accounts.models import User
from motcua.core.inputs import clean_int, display_answer
from motcua.dossiers import eforms
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_draft_save, dossier_submit, dossier_transition

from .conftest import BIRTH_FORM, PDF_BYTES
from .factories import DossierFactory

POSITIVE = "phải là số nguyên dương, ví dụ 2"


@pytest.fixture
def logged_citizen(client, catalog, citizen, office_a):
    client.force_login(citizen)
    return client


# --- 1. counts --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["1.5", "-1", "1,5", "−2", "2.0", "0.5", "-0", "1.", ".5", "1.50"])
def test_counts_refuse_minus_signs_and_decimals(text):
    with pytest.raises(ValidationError) as exc:
        clean_int(text, label="Số bản cần cấp", min_value=1, max_value=20)
    assert exc.value.messages == ["Số bản cần cấp phải là số nguyên dương, ví dụ 2"]


@pytest.mark.parametrize(
    ("text", "number"), [("2", 2), (" 2 ", 2), ("+3", 3), ("10.000.000", 10_000_000), ("1 500", 1500)]
)
def test_whole_numbers_and_grouped_thousands_are_read(text, number):
    assert clean_int(text, min_value=0, max_value=10**9) == number


@settings(max_examples=200, deadline=None)
@given(whole=st.integers(0, 999), frac=st.integers(1, 99), sep=st.sampled_from([".", ","]))
def test_no_decimal_count_ever_becomes_another_number(whole, frac, sep):
    text = f"{whole}{sep}{frac:02d}" if frac >= 10 else f"{whole}{sep}{frac}"
    with pytest.raises(ValidationError):
        clean_int(text, min_value=1, max_value=50)
    with pytest.raises(ValidationError):
        clean_int(f"-{whole + 1}", min_value=1, max_value=50)


def test_money_keeps_its_thousands_dots():
    schema = {"properties": {"von": {"type": "integer", "minimum": 0}, "so_ban": {"type": "integer", "minimum": 1}}}
    assert eforms.form_to_data(schema, {"von": "10.000.000", "so_ban": "2"}) == {"von": 10_000_000, "so_ban": 2}
    data = eforms.form_to_data(schema, {"so_ban": "1.5"})
    assert data == {"so_ban": "1.5"}
    _clean, errors = eforms.validate({**schema, "type": "object"}, {"so_ban": 1.5})
    assert errors["so_ban"] == [f"so_ban {POSITIVE}"]


@pytest.mark.parametrize("copies", ["1.5", "-1", "1,5", "-3"])
def test_copy_count_page_refuses_decimals_and_minus(logged_citizen, citizen, copies):
    data = {"loai_trich_luc": "Khai sinh", "ho_ten_nguoi_duoc_cap": "Lò Thị Mai", "so_ban": copies, "tiep-tuc": "1"}
    response = logged_citizen.post("/thu-tuc/2.000635/nop-truc-tuyen", data)
    assert response.status_code == 400
    assert "Số bản cần cấp phải là số nguyên dương, ví dụ 2" in response.content.decode()
    assert not Dossier.objects.filter(citizen=citizen).exists()


def test_api_refuses_a_minus_count_with_the_same_message(catalog, citizen, office_a):
    from motcua.core.errors import ValidationFailed

    form = {"loai_trich_luc": "Khai sinh", "ho_ten_nguoi_duoc_cap": "Lò Thị Mai", "so_ban": -1}
    with pytest.raises(ValidationFailed) as exc:
        dossier_submit(citizen=citizen, procedure_code="2.000635", form=form)
    assert exc.value.fields["so_ban"] == [f"Số bản cần cấp {POSITIVE}"]


# --- 2. double clicks -----------------------------------------------------------------------------------------
def test_second_send_click_lands_on_the_dossier(logged_citizen, citizen):
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM)
    logged_citizen.post(
        f"/ho-so/nhap/{draft.pk}/giay-to", {"tep-1": SimpleUploadedFile("cs.pdf", PDF_BYTES), "tiep-tuc": "1"}
    )
    first = logged_citizen.post(f"/ho-so/nhap/{draft.pk}/kiem-tra", {"idempotency_key": "k-1"})
    second = logged_citizen.post(f"/ho-so/nhap/{draft.pk}/kiem-tra", {"idempotency_key": "k-1"})
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.status == "submitted"
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/ho-so/{dossier.code}"
    # A different key is not a repeat: the draft is gone.
    other = logged_citizen.post(f"/ho-so/nhap/{draft.pk}/kiem-tra", {"idempotency_key": "k-2"})
    assert other.status_code == 404


def test_citizen_withdraw_double_click_shows_the_first_outcome(logged_citizen, citizen):
    dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    url = f"/ho-so/{dossier.code}"
    logged_citizen.post(url, {"action": "withdraw", "version": 1})
    again = logged_citizen.post(url, {"action": "withdraw", "version": 1}, follow=True)
    body = again.content.decode()
    assert "data-error-code" not in body and "Đã rút hồ sơ." in body
    dossier.refresh_from_db()
    assert dossier.status == "withdrawn" and dossier.version == 2
    assert dossier.events.filter(action="withdraw").count() == 1


def test_only_the_same_actor_and_action_is_a_repeat(catalog, citizen, office_a, staff):
    from motcua.core.errors import Conflict

    dossier = DossierFactory(received=True, citizen=citizen, procedure_code="1.001193")
    repeat = dossier_transition(
        code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1, accept_repeat=True
    )
    assert repeat.version == 2 and repeat.events.count() == 2
    with pytest.raises(Conflict):  # someone else acting on the old version
        dossier_transition(code=dossier.code, action="withdraw", actor=citizen, version=1, accept_repeat=True)
    with pytest.raises(Conflict):  # the API keeps answering 409
        dossier_transition(code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1)
    later = timezone.now() + dt.timedelta(minutes=10)
    with pytest.raises(Conflict):  # not a double click any more
        dossier_transition(
            code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1, accept_repeat=True, now=later
        )
    dossier_transition(code=dossier.code, action="withdraw", actor=citizen, version=2)
    with pytest.raises(Conflict):  # the accept is no longer the last change
        dossier_transition(code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1, accept_repeat=True)


def _counter_data(**extra):
    return {
        "procedure": "1.004873",
        "citizen_id": "001090012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": "01/01/1990",
        "gender": "male",
        "phone": "0987654321",
        "muc_dich": "Để đăng ký kết hôn",
        "tinh_trang": "Chưa kết hôn",
        "idempotency_key": "quay-1",
        **extra,
    }


def test_counter_double_post_lands_on_the_same_dossier(client, catalog, office_a, staff):
    client.force_login(staff["tiepnhan"])
    page = client.get("/can-bo/tiep-nhan?thu-tuc=1.004873").content.decode()
    assert 'name="idempotency_key"' in page
    first = client.post("/can-bo/tiep-nhan", _counter_data())
    second = client.post("/can-bo/tiep-nhan", _counter_data())
    dossier = Dossier.objects.get(applicant_citizen_id="001090012345")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/can-bo/ho-so/{dossier.code}"
    assert Dossier.objects.count() == 1 and User.objects.filter(username="001090012345").count() == 1


def test_counter_speaks_to_the_officer_when_the_phone_is_taken(client, catalog, office_a, staff, citizen):
    client.force_login(staff["tiepnhan"])
    response = client.post("/can-bo/tiep-nhan", _counter_data(phone=citizen.phone, idempotency_key="quay-2"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "hãy hỏi công dân số điện thoại khác" in body and "hãy đăng nhập" not in body


# --- 3. drafts ----------------------------------------------------------------------------------------------
def test_invalid_first_steps_leave_no_drafts_and_reuse_the_open_one(logged_citizen, citizen):
    bad = {"ho_ten_tre": "Hoàng Thị Lan", "tiep-tuc": "1"}
    for _ in range(3):
        assert logged_citizen.post("/thu-tuc/1.001193/nop-truc-tuyen", bad).status_code == 400
    assert not Dossier.objects.filter(citizen=citizen).exists()
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form={})
    for _ in range(2):
        response = logged_citizen.post(f"/thu-tuc/1.001193/nop-truc-tuyen?ban-nhap={draft.pk}", bad)
        assert response.status_code == 400
    assert list(Dossier.objects.filter(citizen=citizen).values_list("pk", flat=True)) == [draft.pk]
    draft.refresh_from_db()
    assert draft.form_data == {"ho_ten_tre": "Hoàng Thị Lan"}


# --- 4. dates -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "shown"), [("2026-11-03", "03/11/2026"), ("2026-02-30", "2026-02-30"), ("Nữ", "Nữ"), (2, "2")]
)
def test_answers_show_dates_as_day_month_year(value, shown):
    assert display_answer(value) == shown


def test_check_page_and_officer_page_show_dd_mm_yyyy(client, logged_citizen, citizen, staff):
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM)
    iso = BIRTH_FORM["ngay_sinh"]
    shown = display_answer(iso)
    check = logged_citizen.get(f"/ho-so/nhap/{draft.pk}/kiem-tra").content.decode()
    assert shown in check and iso not in check
    dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    client.force_login(staff["tiepnhan"])
    page = client.get(f"/can-bo/ho-so/{dossier.code}").content.decode()
    declaration = page[page.index("summary-list") :]
    assert shown in declaration and f"<dd>{iso}</dd>" not in page


# --- 5. "(nếu có)" --------------------------------------------------------------------------------------------
def test_optional_qualifier_is_never_doubled(logged_citizen, citizen):
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM)
    pages = [
        logged_citizen.get("/thu-tuc/1.001193").content.decode(),
        logged_citizen.get(f"/ho-so/nhap/{draft.pk}/giay-to").content.decode(),
    ]
    for body in pages:
        assert "Giấy chứng nhận kết hôn của cha mẹ (nếu có)" in body
        assert "(nếu có) (nếu có)" not in body
        assert not re.search(r"\(nếu có\)[^<]*\(nếu có\)", body)


# --- 6. hints and aria-describedby ---------------------------------------------------------------------------
@pytest.mark.parametrize("invalid", [False, True])
def test_every_aria_describedby_points_to_an_element(logged_citizen, invalid):
    if invalid:
        response = logged_citizen.post("/thu-tuc/1.001193/nop-truc-tuyen", {"ho_ten_tre": "", "tiep-tuc": "1"})
    else:
        response = logged_citizen.get("/thu-tuc/1.001193/nop-truc-tuyen")
    body = response.content.decode()
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    references = [ref for value in re.findall(r'aria-describedby="([^"]*)"', body) for ref in value.split()]
    assert references, "the form has hints"
    assert [ref for ref in references if ref not in ids] == []
    assert 'id="id_noi_sinh_helptext"' in body and "id_gioi_tinh-hint" not in body
