"""Citizen and officer pages for dossiers, with JavaScript off (the Django test client)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_draft_save, dossier_submit

from .conftest import PDF_BYTES, PNG_BYTES, advance
from .factories import DossierFactory


@pytest.fixture
def logged_citizen(client, catalog, citizen, office_a):
    client.force_login(citizen)
    return client


def test_online_submission_through_the_pages(logged_citizen, citizen):
    client = logged_citizen
    form_page = client.get("/thu-tuc/1.001193/nop-truc-tuyen")
    body = form_page.content.decode()
    # Prefilled from the profile (the citizen is the mother) and the population registry (the father).
    assert 'value="Lò Thị Mai"' in body and 'value="Hoàng Văn Sáng"' in body and 'value="010088045678"' in body
    # Errors are shown next to fields, values kept, title prefixed.
    bad = client.post("/thu-tuc/1.001193/nop-truc-tuyen", {"ho_ten_tre": "Hoàng Thị Lan", "tiep-tuc": "1"})
    text = bad.content.decode()
    assert bad.status_code == 400 and "<title>Lỗi:" in text and "Nhập ngày sinh của trẻ" in text
    assert 'value="Hoàng Thị Lan"' in text
    # An invalid first step leaves no draft behind (each retry used to add one).
    assert not Dossier.objects.filter(citizen=citizen).exists()
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form={"ho_ten_tre": "Hoàng Thị Lan"})
    data = {
        "ho_ten_tre": "Hoàng Thị Lan",
        "ngay_sinh_0": "20",
        "ngay_sinh_1": "11",
        "ngay_sinh_2": "2026",
        "gioi_tinh": "Nữ",
        "noi_sinh": "Trạm Y tế xã Bắc Hà",
        "ho_ten_me": "Lò Thị Mai",
        "so_dinh_danh_me": "010190012345",
        "quan_he_nguoi_nop": "Mẹ",
        "tiep-tuc": "1",
    }
    ok = client.post(f"/thu-tuc/1.001193/nop-truc-tuyen?ban-nhap={draft.pk}", data)
    assert ok.status_code == 302 and ok["Location"] == f"/ho-so/nhap/{draft.pk}/giay-to"
    draft.refresh_from_db()
    assert draft.form_data["ngay_sinh"] == "2026-11-20"
    uploaded = client.post(ok["Location"], {"tep-1": SimpleUploadedFile("chung-sinh.pdf", PDF_BYTES), "tiep-tuc": "1"})
    assert uploaded.status_code == 302 and uploaded["Location"].endswith("/kiem-tra")
    check = client.get(uploaded["Location"])
    assert "Gửi hồ sơ" in check.content.decode() and "chung-sinh.pdf" in check.content.decode()
    key = check.context["idempotency_key"]
    sent = client.post(uploaded["Location"], {"idempotency_key": key})
    dossier = Dossier.objects.get(pk=draft.pk)
    assert sent["Location"] == f"/ho-so/{dossier.code}" and dossier.status == "submitted"
    assert dossier.attachments.count() == 1
    # Pressing "Gửi hồ sơ" twice never makes a second dossier.
    client.post(uploaded["Location"], {"idempotency_key": key})
    assert Dossier.objects.exclude(status="draft").count() == 1
    page = client.get(sent["Location"]).content.decode()
    assert "Đã nộp, đang chờ cán bộ kiểm tra" in page
    # No receipt until the intake officer's completeness check (DOMAIN.md §4.2).
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" not in page and "Chưa có phiếu nào được cấp." in page
    assert client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").status_code == 404
    mine = client.get("/ho-so").content.decode()
    assert dossier.code in mine


def test_executable_renamed_pdf_is_refused_on_the_page(logged_citizen, citizen):
    client = logged_citizen
    draft = dossier_draft_save(citizen=citizen, procedure_code="1.001193", form={"ho_ten_tre": "Hoàng Thị Lan"})
    response = client.post(
        f"/ho-so/nhap/{draft.pk}/giay-to",
        {"tep-0": SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00binary"), "tiep-tuc": "1"},
    )
    assert response.status_code == 415 and 'data-error-code="unsupported_type"' in response.content.decode()
    assert draft.attachments.count() == 0


def test_receipt_and_forms_are_pdfs(logged_citizen, citizen, staff):
    dossier = DossierFactory(received=True, citizen=citizen, procedure_code="1.001193")
    response = logged_citizen.get(f"/ho-so/{dossier.code}/phieu/01.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text and dossier.code in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width) == 420 and round(height) == 595  # A5 in points
    page = logged_citizen.get(f"/ho-so/{dossier.code}").content.decode()
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page
    assert logged_citizen.get(f"/ho-so/{dossier.code}/phieu/05.pdf").status_code == 404
    assert logged_citizen.get(f"/ho-so/{dossier.code}/phieu/09.pdf").status_code == 404


def test_officer_works_the_dossier_from_the_worklist(client, catalog, citizen, office_a, staff):
    dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    client.force_login(staff["tiepnhan"])
    worklist = client.get("/can-bo/ho-so?xem=new").content.decode()
    assert dossier.code in worklist and "Chờ tiếp nhận (1)" in worklist
    page = client.get(f"/can-bo/ho-so/{dossier.code}").content.decode()
    assert "Tiếp nhận hồ sơ" in page and "010******345" in page
    done = client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac", {"action": "accept", "version": 1})
    assert done.status_code == 302
    # A double click (same officer, same action, the version just consumed) lands on the first outcome.
    again = client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac", {"action": "accept", "version": 1}, follow=True)
    assert "data-error-code" not in again.content.decode() and "Đã cập nhật hồ sơ" in again.content.decode()
    assert dossier.events.filter(action="accept").count() == 1
    # Another action from the old version is still a conflict.
    stale = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac",
        {"action": "request_supplement", "version": 1, "note": "Thiếu giấy chứng sinh"},
        follow=True,
    )
    assert stale.content.decode().count('data-error-code="stale_version"') == 2  # the notice and the summary
    client.force_login(staff["tiepnhan2"])
    assert client.get(f"/can-bo/ho-so/{dossier.code}").status_code == 404
    assert dossier.code not in client.get("/can-bo/ho-so?xem=open").content.decode()


def test_counter_intake_finds_or_creates_the_citizen(client, catalog, office_a, staff):
    client.force_login(staff["tiepnhan"])
    form = client.get("/can-bo/tiep-nhan?thu-tuc=1.004873")
    assert form.status_code == 200
    data = {
        "procedure": "1.004873",
        "citizen_id": "001090012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": "01/01/1990",
        "gender": "male",
        "phone": "0987654321",
        "muc_dich": "Để đăng ký kết hôn",
        "tinh_trang": "Chưa kết hôn",
        "scans": SimpleUploadedFile("scan.png", PNG_BYTES),
        "idempotency_key": "counter-1",
    }
    response = client.post("/can-bo/tiep-nhan", data)
    dossier = Dossier.objects.get(applicant_citizen_id="001090012345")
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}"
    assert dossier.channel == "counter" and dossier.status == "received" and dossier.attachments.count() == 1
    assert dossier.events.get().action == "receive_at_counter"
    bad = client.post("/can-bo/tiep-nhan", {**data, "citizen_id": "999", "idempotency_key": "counter-2", "scans": ""})
    assert bad.status_code == 400


def test_citizen_rates_after_the_result(client, catalog, citizen, office_a, staff):
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.004873", form={"muc_dich": "x y z", "tinh_trang": "Chưa kết hôn"}
    )
    advance(dossier, staff)
    client.force_login(citizen)
    page = client.get(f"/ho-so/{dossier.code}").content.decode()
    assert "Đánh giá mức hài lòng" in page and "Đã trả kết quả" in page
    client.post(f"/ho-so/{dossier.code}", {"action": "rate", "score": "4", "comment": "Cán bộ nhiệt tình"})
    assert Dossier.objects.get(pk=dossier.pk).rating.score == 4
    assert "Bạn đã đánh giá 4/5" in client.get(f"/ho-so/{dossier.code}").content.decode()


@pytest.mark.parametrize("draft_param", ["²", "١", "99999999999999999999999", "-1", "abc"])
def test_odd_draft_numbers_open_a_fresh_form(logged_citizen, draft_param):
    response = logged_citizen.get("/thu-tuc/2.000635/nop-truc-tuyen", {"ban-nhap": draft_param})
    assert response.status_code == 200


@pytest.mark.parametrize(("copies", "ok"), [("²", False), ("0", False), ("21", False), ("1e9", False), ("2", True)])
def test_copy_counts_are_ascii_digits_in_range(logged_citizen, citizen, copies, ok):
    data = {
        "loai_trich_luc": "Khai sinh",
        "ho_ten_nguoi_duoc_cap": "Lò Thị Mai",
        "so_ban": copies,
        "tiep-tuc": "1",
    }
    response = logged_citizen.post("/thu-tuc/2.000635/nop-truc-tuyen", data)
    assert response.status_code == (302 if ok else 400)
    if not ok:
        assert "Số bản cần cấp" in response.content.decode()
