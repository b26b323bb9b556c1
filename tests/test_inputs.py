"""Issue 11, kinds 1 and 3: one input door for text and identifiers; batches never fail whole."""

import datetime as dt
import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.identity import normalize_phone, validate_citizen_id
from motcua.core import inputs
from motcua.outreach.models import AssistanceRecord, Member, Team
from motcua.outreach.services import records_sync

NFD_NAME = unicodedata.normalize("NFD", "Sùng Thị Dợ")


# --- the module -------------------------------------------------------------------------------------------
def test_text_is_stored_in_nfc_and_trimmed():
    assert NFD_NAME != "Sùng Thị Dợ"
    assert inputs.clean_text("  " + NFD_NAME + "\t ", max_length=150) == "Sùng Thị Dợ"
    assert inputs.clean_text("Lò   Thị\u00a0Mai", max_length=150) == "Lò Thị Mai"


@pytest.mark.parametrize("bad", ["Lò\x00Mai", "a\x1bb", "x\x85y", "\ud800", "ab\u202ecd"])
def test_control_characters_are_refused_with_the_code_point(bad):
    with pytest.raises(ValidationError) as exc:
        inputs.clean_text(bad, max_length=150, label="Họ và tên")
    assert exc.value.code == "bad_character"
    assert "Họ và tên" in exc.value.messages[0] and "U+" in exc.value.messages[0]


def test_line_breaks_only_in_multiline_text():
    assert inputs.clean_text("dòng 1\r\ndòng 2", multiline=True) == "dòng 1\ndòng 2"
    assert inputs.clean_text("dòng 1\ndòng 2") == "dòng 1 dòng 2"
    with pytest.raises(ValidationError):
        inputs.clean_text("a\x00b", multiline=True)


def test_length_counts_characters_like_both_databases():
    assert inputs.clean_text("Ợ" * 150, max_length=150) == "Ợ" * 150
    # 150 characters in NFC are 300+ code points in NFD: the NFC length is what is stored.
    assert inputs.clean_text(unicodedata.normalize("NFD", "Ợ" * 150), max_length=150) == "Ợ" * 150
    with pytest.raises(ValidationError) as exc:
        inputs.clean_text("a" * 1399, max_length=150, label="Họ và tên")
    assert exc.value.code == "max_length" and "1399" in exc.value.messages[0] and "150" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("010 190 012 345", "010190012345"), ("010.190.012.345", "010190012345"), ("010-190-012-345", "010190012345")],
)
def test_identifiers_are_cleaned_of_separators(typed, digits):
    assert inputs.clean_digits(typed, length=12) == digits
    assert validate_citizen_id(typed) == digits


@pytest.mark.parametrize("bad", ["0011²0012345", "٠١٠١٩٠٠١٢٣٤٥", "０１０１９００１２３４５", "01019001234a"])
def test_identifiers_accept_only_ascii_digits(bad):
    with pytest.raises(ValidationError) as exc:
        inputs.clean_digits(bad, length=12)
    assert exc.value.code == "not_digits"
    with pytest.raises(ValidationError) as exc:
        validate_citizen_id(bad)
    assert exc.value.code == "not_digits"


def test_phones_are_cleaned_the_same_way():
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("0912.345.678") == "0912345678"
    assert inputs.identifier_digits("+84 912-345-678") == "0912345678"
    assert inputs.identifier_digits("09１２") is None


@pytest.mark.parametrize("value", ["²", "1²", "-1", "0", "10" * 20, "1e3", "١"])
def test_integers_are_ascii_and_bounded(value):
    with pytest.raises(ValidationError):
        inputs.clean_int(value, min_value=1, max_value=1000)
    assert inputs.int_or_default(value, default=1, min_value=1, max_value=1000) == 1


def test_integers_in_range_pass():
    assert inputs.clean_int(" 12 ", min_value=1, max_value=1000) == 12
    assert inputs.clean_int(3, min_value=1, max_value=1000) == 3


def test_past_dates_within_range():
    assert inputs.clean_past_date("12/03/1990") == dt.date(1990, 3, 12)
    for bad in ("01/01/2099", "01/01/1800", "31/02/2020", "9999-12-31x"):
        with pytest.raises(ValidationError):
            inputs.clean_past_date(bad, label="Ngày sinh")


def test_fold_matches_case_accents_and_normalisation():
    forms = ["Lò Thị Mai", "LÒ THỊ MAI", unicodedata.normalize("NFD", "Lò Thị Mai"), "lo thi mai", " lo  thi mai "]
    assert {inputs.fold(f) for f in forms} == {"lo thi mai"}
    assert inputs.fold("Đặng Văn Đức") == "dang van duc"


# --- the safety net: NUL anywhere in a request ---------------------------------------------------------------
@pytest.mark.django_db
def test_nul_in_a_page_query_parameter_is_a_400_page(client):
    response = client.get("/tim-kiem", {"q": "khai\x00sinh"})
    assert response.status_code == 400
    assert "ký tự không hiển thị được" in response.content.decode()


@pytest.mark.django_db
def test_nul_in_an_api_json_body_is_a_422_naming_the_field(client):
    response = client.post(
        "/api/v1/auth/login",
        json.dumps({"identifier": "congdan\u0000", "password": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "identifier" in body["fields"]


@pytest.mark.django_db
def test_nul_in_an_api_query_parameter_is_a_422(client):
    response = client.get("/api/v1/procedures", {"q": "\x00"})
    assert response.status_code == 422 and response.json()["fields"] == {"q": [response.json()["message"]]}


@pytest.mark.django_db
def test_nul_in_a_posted_form_is_a_400(client):
    response = client.post("/dang-nhap", {"identifier": "a\x00", "password": "x"})
    assert response.status_code == 400


# --- kind 3: an offline batch never fails whole ---------------------------------------------------------------
@pytest.fixture
def member(commune_a, village_a, make_officer):
    from motcua.accounts.models import Role

    team = Team.objects.create(unit=commune_a, name="Tổ công nghệ số xã Bắc Hà")
    user = make_officer("tonhom", Role.TEAM_MEMBER, commune_a)
    return Member.objects.create(
        team=team, user=user, full_name="Lù Văn Páo", phone="0912000114", active_from=dt.date(2026, 1, 1)
    )


def rec(client_id, name="Sùng A Páo", **extra):
    return {
        "client_id": client_id,
        "full_name": name,
        "village": "02839-01",
        "skills": ["vneid_level2"],
        "date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
        **extra,
    }


def test_each_record_gets_its_own_outcome_and_the_rest_are_stored(member):
    items = [
        rec("c-100001", "Vàng Thị Mai"),
        rec("c-100002", "Giàng A Chớ", citizen_id="0011²0012345", consent=True),
        rec("c-100003", skills=[{}]),
        rec("c-100004", "L\x00ò Văn Hải"),
        rec("c-100005", "A" * 1399),
        "not a record",
        rec("c-100007", NFD_NAME, place="Nhà văn hoá\x00"),
        rec("c-100008", "Hầu A Lử", citizen_id="010 190 012 345", consent=True),
        rec("c\x00-100009"),
        rec("c-100001", "Vàng Thị Mai"),
    ]
    results = records_sync(member=member, items=items)
    assert [r["index"] for r in results] == list(range(10))
    assert [r["status"] for r in results] == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
        "rejected",
        "duplicate",
    ]
    assert set(results[1]["errors"]) == {"citizen_id"}
    assert set(results[2]["errors"]) == {"skills"}
    assert set(results[3]["errors"]) == {"full_name"} and "U+0000" in results[3]["errors"]["full_name"]
    assert "1399" in results[4]["errors"]["full_name"]
    assert set(results[6]["errors"]) == {"place"}
    assert "client_id" in results[8]["errors"]
    stored = AssistanceRecord.objects.order_by("client_id")
    assert [r.client_id for r in stored] == ["c-100001", "c-100008"]
    assert stored[1].citizen_id == "010190012345"


def test_nfd_names_are_stored_nfc(member):
    [result] = records_sync(member=member, items=[rec("c-200001", NFD_NAME)])
    assert result["status"] == "created"
    assert AssistanceRecord.objects.get().full_name == "Sùng Thị Dợ"


@pytest.mark.django_db
def test_the_batch_api_answers_200_with_one_outcome_per_record(client, member, api_token):
    token = api_token(member.user)
    body = {
        "records": [
            rec("c-300001"),
            rec("c-300002", "B\u0000"),
            rec("c-300003", citizen_id="0011²0012345", consent=True),
            rec("c-300004", skills=[{}]),
            7,
            rec("c-300006", "Thào Mí"),
        ]
    }
    response = client.post(
        "/api/v1/outreach/records",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    data = response.json()
    assert [r["status"] for r in data["results"]] == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
    ]
    assert data["created"] == 2 and data["rejected"] == 4
    assert AssistanceRecord.objects.count() == 2


@pytest.mark.django_db
def test_records_listing_page_is_bounded(client, member, api_token):
    token = api_token(member.user)
    for page in ("²", "100000000000000000000", "-1"):
        response = client.get("/api/v1/outreach/records", {"page": page}, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 422, page
        assert "page" in response.json()["fields"]


def test_village_text_is_checked_against_its_column(member):
    [result] = records_sync(member=member, items=[rec("c-400001", village="Thôn " + "x" * 200)])
    assert result["status"] == "rejected" and "village" in result["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/dossiers/AB%00C", "/ho-so/AB%00C", "/thu-tuc/1.0%00"])
def test_nul_in_a_path_is_refused(client, path):
    response = client.get(path)
    assert response.status_code in (400, 422)


def test_idempotency_keys_are_checked_like_any_input(catalog, citizen, office_a):
    from motcua.core.errors import ValidationFailed
    from motcua.dossiers.services import dossier_submit

    form = {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"}
    for key in ("k" * 101, "a\x00b"):
        with pytest.raises(ValidationFailed) as exc:
            dossier_submit(citizen=citizen, procedure_code="1.004873", form=form, idempotency_key=key)
        assert "idempotency_key" in exc.value.fields


def test_nul_in_an_uploaded_file_name_is_refused(client, citizen, api_token):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import PDF_BYTES

    token = api_token(citizen)
    upload = SimpleUploadedFile("giay\x00to.pdf", PDF_BYTES)
    response = client.post("/api/v1/attachments", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}")
    # Django's multipart parser or the middleware: either way no NUL reaches the database.
    assert response.status_code in (201, 422)
    from motcua.dossiers.models import Attachment

    assert all("\x00" not in a.original_name for a in Attachment.objects.all())


def test_no_code_validates_with_isdigit_or_writes_spreadsheets_on_its_own():
    """The kinds stay fixed at their root: identifiers through motcua.core.inputs (never str.isdigit,
    which accepts "²"), spreadsheets through motcua.core.exports (never a raw csv.writer / Workbook)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "motcua"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.name in ("exports.py", "inputs.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"\.isdigit\(|csv\.writer\(|Workbook\(\)", code):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


# --- the safety net names the field by its label, never its key ---------------------------------------------
@pytest.mark.django_db
def test_unreadable_eform_field_is_named_by_its_title(client, catalog, citizen, api_token):
    from .conftest import BIRTH_FORM

    response = client.post(
        "/api/v1/dossiers",
        {"procedure_code": "1.001193", "form": {**BIRTH_FORM, "ho_ten_tre": "Lan\x00"}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token(citizen)}",
    )
    assert response.status_code == 422
    body = response.json()
    assert "«Họ và tên của trẻ»" in body["message"] and "ho_ten_tre" not in body["message"]
    assert "form.ho_ten_tre" in body["fields"]


@pytest.mark.django_db
def test_unreadable_query_parameter_is_described_plainly(client):
    page = client.get("/tim-kiem", {"q": "khai\x00sinh"}).content.decode()
    assert "«Từ khoá tìm kiếm»" in page and "«q»" not in page
    api = client.get("/api/v1/procedures", {"q": "a\x00"}).json()
    assert "«Từ khoá tìm kiếm»" in api["message"]
    unknown = client.get("/api/v1/procedures", {"zz_khong_ro": "a\x00"}).json()
    assert unknown["message"].startswith("Một ô bạn nhập") and "zz_khong_ro" not in unknown["message"]


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u200b", " \u2060 ", "\ufeff", "\u200c\u200d", "\u00a0"])
def test_a_required_text_of_invisible_characters_only_is_missing(invisible):
    """Found trying POST /api/v1/feedback: a subject of two zero-width spaces made an item with no visible title."""
    with pytest.raises(ValidationError) as refused:
        inputs.clean_text(invisible, required=True, label="Tiêu đề")
    assert refused.value.code == "required"
    assert inputs.clean_text("Quầy\u200b 2", required=True) == "Quầy\u200b 2"  # visible text around them: kept


def test_range_messages_write_numbers_as_vietnamese_text_does():
    """Bounds in a refusal are grouped with dots (10.000.000.000), as money and counts are everywhere else."""
    from django.core.exceptions import ValidationError

    from motcua.core.inputs import clean_int

    with pytest.raises(ValidationError) as too_big:
        clean_int(10_000_000_001, label="Số tiền", min_value=1, max_value=10_000_000_000)
    assert "10.000.000.000" in too_big.value.messages[0] and "10000000000" not in too_big.value.messages[0]
    with pytest.raises(ValidationError) as not_whole:
        clean_int("1,5", label="Số tiền", min_value=-5000, max_value=5000)
    assert "-5.000" in not_whole.value.messages[0] and "5.000" in not_whole.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/12/9999", None),
        ("01/01/0001", None),
        ("9999-12-31", None),
        ("31/12/1899", None),
        ("01/01/1900", dt.date(1900, 1, 1)),
        ("31/12/2100", dt.date(2100, 12, 31)),
        ("30/11/2026", dt.date(2026, 11, 30)),
    ],
)
def test_a_typed_day_outside_the_years_anyone_types_is_not_a_day(typed, expected):
    """0001 and 9999 overflow the day arithmetic of whatever reads them (a week after 31/12/9999): every
    typed day goes through parse_date, which keeps to 1900–2100 (births to plans)."""
    from motcua.core.inputs import parse_date

    assert parse_date(typed) == expected


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_pages_that_take_a_day_answer_far_years_without_a_server_error(client, staff, commune_a, year, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    client.force_login(staff["lanhdao"])
    for path in (
        f"/can-bo/duong-day-nong/lich-truc?dia-ban={commune_a.code}&tu=31/12/{year}",
        f"/can-bo/so-lieu/{commune_a.code}?tu=01/01/{year}&den=31/12/{year}",
        f"/cong-khai?tu=01/01/{year}&den=31/12/{year}",
    ):
        assert client.get(path).status_code < 500, path


def test_parse_uuid_reads_ids_and_never_raises():
    """Ids of files sent by clients: a UUID in any of its written forms, or None (never an exception)."""
    import uuid

    from hypothesis import given
    from hypothesis import strategies as st

    value = uuid.uuid4()
    for form in (str(value), str(value).upper(), value.hex, f" {value} ", f"{{{value}}}", value):
        assert inputs.parse_uuid(form) == value
    for bad in ("abc", "12", "", None, 12, True, [str(value)], {"id": 1}, "9" * 40):
        assert inputs.parse_uuid(bad) is None
    assert inputs.parse_uuids([str(value), "abc"]) is None and inputs.parse_uuids([value]) == [value]

    @given(st.one_of(st.text(), st.integers(), st.none(), st.binary(), st.lists(st.text(max_size=3), max_size=2)))
    def never_raises(anything):
        parsed = inputs.parse_uuid(anything)
        assert parsed is None or isinstance(parsed, uuid.UUID)

    never_raises()


def test_phone_forms_add_the_leading_zero_people_leave_out():
    assert inputs.phone_forms("912 345 001") == ["912345001", "0912345001"]
    assert inputs.phone_forms("+84 912 345 001") == ["0912345001"]
    assert inputs.phone_forms("0912.345.001") == ["0912345001"]
    assert inputs.phone_forms("24 3825 1234") == ["2438251234", "02438251234"]
    assert inputs.phone_forms("") == [] and inputs.phone_forms("12345") == ["12345"]


def test_login_by_a_phone_typed_without_its_leading_zero(citizen):
    from motcua.accounts.backends import user_for_identifier

    assert citizen.phone.startswith("0")
    assert user_for_identifier(citizen.phone[1:]) == citizen
    assert user_for_identifier(" ".join([citizen.phone[1:4], citizen.phone[4:]])) == citizen
