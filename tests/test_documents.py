"""Signed results checked by independent tools (poppler's pdfsig with an NSS trust store, pyHanko's
validator, zbar for the QR code), the verification page and API, revocation, the document store, and the
certified electronic copy."""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role
from motcua.core.errors import NotFound
from motcua.documents.models import DocumentUse, ResultDocument, StoredDocument, TrustedRoot
from motcua.documents.selectors import verify_upload
from motcua.documents.services import result_set_status, share_link_create
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import attachment_upload, dossier_submit, dossier_transition

from .conftest import BIRTH_FORM, FULL_FLOW, PDF_BYTES, advance
from .factories import DossierFactory, walk

TOOLS = ("pdfsig", "certutil", "zbarimg", "pdftoppm")
missing = [t for t in TOOLS if shutil.which(t) is None]
needs_tools = pytest.mark.skipif(
    bool(missing) and os.environ.get("MOTCUA_REQUIRE_BROWSER") != "1",
    reason=f"missing {missing}: scripts/install-test-tools.sh installs them",
)
FLOW = FULL_FLOW[:5]  # up to the signature


def run_flow(dossier, staff, flow=FLOW):
    return advance(dossier, staff, flow)


@pytest.fixture
def signed(catalog, citizen, office_a, staff, tmp_path):
    dossier = DossierFactory(signed=True, citizen=citizen, procedure_code="1.001193")
    result = dossier.results.get()
    path = tmp_path / "ket-qua.pdf"
    with result.file.open("rb") as handle:
        path.write_bytes(handle.read())
    return dossier, result, path


@pytest.fixture
def nss_db_factory(tmp_path):
    def make():
        return _nss(tmp_path)

    return make


@pytest.fixture
def nss_db(tmp_path, signed):
    return _nss(tmp_path)


def _nss(tmp_path):
    directory = tmp_path / "nss"
    directory.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    root = tmp_path / "root.pem"
    root.write_text(TrustedRoot.objects.get().certificate_pem)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{directory}", "-n", "motcua-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
    )
    return directory


def pdfsig(path: Path, nss: Path) -> str:
    result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True, check=False)
    return result.stdout + result.stderr


def tamper(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    # One byte inside the first content stream: the file still parses, the signed digest no longer matches.
    offset = data.find(b"stream\n") + 30
    data[offset] = (data[offset] + 1) % 256
    copy = path.with_name("sua.pdf")
    copy.write_bytes(bytes(data))
    return copy


def test_sign_step_issues_a_result_signed_by_leader_and_agency(signed):
    dossier, result, path = signed
    assert result.agency_signed and result.signer_name == "lanhdao"
    assert dossier.events.filter(action="sign").get().data["result"] == result.public_code
    import hashlib

    assert hashlib.sha256(path.read_bytes()).hexdigest() == result.sha256


@needs_tools
def test_pdfsig_reports_valid_and_trusted(signed, nss_db):
    _dossier, _result, path = signed
    output = pdfsig(path, nss_db)
    assert output.count("Signature Validation: Signature is Valid.") == 2, output
    assert output.count("Certificate Validation: Certificate is Trusted.") == 2, output
    assert "Total document signed" in output


@needs_tools
def test_a_tampered_copy_is_invalid_for_pdfsig_pyhanko_and_our_page(signed, nss_db, client):
    _dossier, _result, path = signed
    bad = tamper(path)
    output = pdfsig(bad, nss_db)
    assert "Signature is Valid." not in output, output
    report = verify_upload(bad.read_bytes())
    assert not report["valid"]
    assert any(not s["intact"] for s in report["signatures"])
    assert "đã bị sửa sau khi ký" in " ".join(report["problems"])
    page = client.post("/xac-thuc", {"tep": SimpleUploadedFile("sua.pdf", bad.read_bytes())})
    assert "Giấy tờ KHÔNG hợp lệ" in page.content.decode()


def test_pyhanko_validator_agrees(signed):
    _dossier, _result, path = signed
    report = verify_upload(path.read_bytes())
    assert report["valid"] and report["problems"] == []
    assert [s["intact"] and s["trusted"] for s in report["signatures"]] == [True, True]
    assert report["issued"]["procedure_code"] == "1.001193"


@needs_tools
def test_qr_code_decodes_to_the_verification_page(signed, client, tmp_path):
    _dossier, result, path = signed
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True)
    image = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded.endswith(f"/xac-thuc/{result.public_code}")
    page = client.get("/" + decoded.split("/", 3)[3])
    body = page.content.decode()
    assert page.status_code == 200 and "còn hiệu lực" in body and result.sha256 in body
    # Only what a verifier needs: no name, no citizen ID, nothing from the form.
    for personal in ("Lò Thị Mai", "010190012345", "Hoàng Thị Lan", "0912345001"):
        assert personal not in body


def test_verify_api_and_roots(signed, client):
    _dossier, _result, path = signed
    response = client.post("/api/v1/verify", {"file": SimpleUploadedFile("kq.pdf", path.read_bytes())})
    body = response.json()
    assert response.status_code == 200 and body["valid"] and len(body["signatures"]) == 2
    raw = client.post("/api/v1/verify", path.read_bytes(), content_type="application/pdf").json()
    assert raw["valid"] and raw["sha256"] == body["sha256"]
    assert client.post("/api/v1/verify", b"x", content_type="text/plain").status_code == 400
    roots = client.get("/api/v1/verify/roots")
    assert roots.status_code == 200 and roots.content.startswith(b"-----BEGIN CERTIFICATE-----")
    not_a_pdf = client.post("/api/v1/verify", {"file": SimpleUploadedFile("x.pdf", b"hello")}).json()
    assert not not_a_pdf["valid"] and not_a_pdf["problems"]
    assert client.get("/pki/crl/root.crl")["Content-Type"] == "application/pkix-crl"


def test_dossier_api_exposes_the_result(signed, client, citizen, api_token):
    dossier, result, _path = signed
    body = client.get(f"/api/v1/dossiers/{dossier.code}", HTTP_AUTHORIZATION=f"Bearer {api_token(citizen)}").json()
    assert body["result"]["sha256"] == result.sha256 and body["result"]["url"].endswith(
        f"/ket-qua/{result.public_code}.pdf"
    )
    client.force_login(citizen)
    assert client.get(f"/ho-so/{dossier.code}/ket-qua/{result.public_code}.pdf").status_code == 200


def test_revocation_is_an_officer_action_in_the_event_log(signed, staff, client):
    dossier, result, path = signed
    with pytest.raises(NotFound):  # an intake officer of another commune may not revoke
        result_set_status(actor=staff["tiepnhan2"], public_code=result.public_code, status="revoked", reason="x")
    result_set_status(
        actor=staff["lanhdao"], public_code=result.public_code, status="revoked", reason="Cấp nhầm họ tên"
    )
    assert dossier.events.filter(action="result_revoked").get().note == "Cấp nhầm họ tên"
    report = verify_upload(path.read_bytes())
    assert not report["valid"] and "thu hồi" in " ".join(report["problems"])
    assert "Đã thu hồi" in client.get(f"/xac-thuc/{result.public_code}").content.decode()


def test_results_and_accepted_documents_land_in_the_store_and_are_reused(catalog, citizen, office_a, staff, client):
    scan = attachment_upload(
        owner=citizen,
        upload=SimpleUploadedFile("chung-sinh.pdf", PDF_BYTES),
        document_name="Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh",
    )
    dossier, _ = dossier_submit(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=[scan.pk])
    run_flow(dossier, staff)
    store = {d.doc_type: d for d in StoredDocument.objects.filter(owner=citizen)}
    assert {"birth_notice", "birth_certificate"} <= set(store)
    # A later dossier that asks for a birth certificate takes it from the store.
    client.force_login(citizen)
    from motcua.dossiers.services import dossier_draft_save

    draft = dossier_draft_save(citizen=citizen, procedure_code="1.004859", form={"noi_dung": "Sửa tên đệm"})
    page = client.get(f"/ho-so/nhap/{draft.pk}/giay-to").content.decode()
    assert "lấy từ kho dữ liệu của bạn" in page
    client.post(f"/ho-so/nhap/{draft.pk}/giay-to", {"kho": f"{store['birth_certificate'].pk}:1", "tai-len": "1"})
    assert draft.attachments.get().sha256 == store["birth_certificate"].sha256
    assert DocumentUse.objects.filter(document=store["birth_certificate"], dossier=draft).exists()
    listing = client.get("/kho-du-lieu").content.decode()
    assert "Đã dùng cho hồ sơ" in listing
    assert client.get(f"/kho-du-lieu/{store['birth_certificate'].pk}/tai-ve").status_code == 200


def test_share_links_are_time_limited(signed, citizen, client):
    document = StoredDocument.objects.get(owner=citizen, doc_type="birth_certificate")
    link = share_link_create(owner=citizen, document_id=document.pk, hours=24)
    assert client.get(f"/chia-se/{link.token}").status_code == 200
    type(link).objects.filter(pk=link.pk).update(expires_at="2020-01-01T00:00:00Z")
    assert client.get(f"/chia-se/{link.token}").status_code == 404
    assert client.get("/chia-se/khong-co").status_code == 404


def test_store_is_private(signed, staff, client):
    document = StoredDocument.objects.get(doc_type="birth_certificate")
    client.force_login(staff["tiepnhan2"])
    assert client.get(f"/kho-du-lieu/{document.pk}/tai-ve").status_code == 404


def _three_page_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    for n in range(3):
        c.drawString(100, 700, f"Bang tot nghiep - trang {n + 1}")
        c.showPage()
    c.save()
    return buffer.getvalue()


def test_certified_electronic_copy_is_signed_and_charged_per_page(catalog, office_a, staff, client):
    client.force_login(staff["tiepnhan"])
    response = client.post(
        "/can-bo/tiep-nhan",
        {
            "procedure": "2.000815",
            "citizen_id": "001090012345",
            "full_name": "Nguyễn Văn An",
            "birth_date": "1990-01-01",
            "gender": "male",
            "phone": "0987654321",
            "ten_giay_to": "Bằng tốt nghiệp THPT",
            "so_trang": "3",
            "so_ban": "2",
            "scans": SimpleUploadedFile("bang.pdf", _three_page_pdf()),
            "documents": ["Bản chính giấy tờ, văn bản cần chứng thực"],
            "idempotency_key": "cc-1",
        },
    )
    dossier = Dossier.objects.get(procedure__code="2.000815")
    assert response.status_code == 302 and dossier.fee_amount == 10000  # (2 000 + 2 000 + 1 000) × 2 copies
    run_flow(dossier, staff, FLOW[1:])
    dossier.refresh_from_db()
    result = ResultDocument.objects.get(dossier=dossier)
    assert result.pages == 3 and "3 trang" in result.title
    assert dossier.fee_amount == 10000
    from pypdf import PdfReader

    with result.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 4  # the three scanned pages and the certification page
    assert "Chứng thực bản sao này đúng với bản chính" in reader.pages[3].extract_text()
    with result.file.open("rb") as handle:
        assert verify_upload(handle.read())["valid"]
    page = client.get(f"/can-bo/ho-so/{dossier.code}").content.decode()
    assert "10.000 ₫" in page


def test_signing_without_a_certificate_is_refused_and_changes_nothing(catalog, citizen, office_a, staff):
    from motcua.core.errors import ValidationFailed
    from motcua.documents.models import SigningIdentity

    SigningIdentity.objects.filter(user=staff["lanhdao"]).update(active=False)
    dossier = DossierFactory(approved=True, citizen=citizen, procedure_code="1.001193")
    with pytest.raises(ValidationFailed) as exc:
        walk(dossier, [("sign", Role.LEADER, {"confirm": True})])
    assert exc.value.code == "no_certificate"
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == "approved" and not ResultDocument.objects.exists()


def test_receipt_is_signed_by_the_officer_who_issued_it(catalog, citizen, office_a, staff, client):
    dossier = DossierFactory(received=True, citizen=citizen, procedure_code="1.001193")
    client.force_login(citizen)
    receipt = client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").content
    [signature] = verify_upload(receipt)["signatures"]
    assert signature["signer"] == "tiepnhan" and signature["intact"] and signature["trusted"]
    assert client.get(f"/ho-so/{dossier.code}/phieu/kiem-soat.pdf").status_code == 404
    dossier_transition(code=dossier.code, action="withdraw", actor=citizen, version=2)
    # The citizen withdrew: the system issues the notice and the tracking form, signed by the agency.
    for form in ("05", "kiem-soat"):
        issued = client.get(f"/ho-so/{dossier.code}/phieu/{form}.pdf").content
        assert verify_upload(issued)["signatures"][0]["signer"] == "Bộ phận Một cửa UBND xã Bắc Hà"


@needs_tools
def test_pades_b_t_with_the_tsa_simulator(catalog, citizen, office_a, staff, settings, tmp_path, nss_db_factory):
    settings.TSA_BACKEND = "simulator"
    dossier = DossierFactory(signed=True, citizen=citizen, procedure_code="1.001193")
    result = dossier.results.get()
    with result.file.open("rb") as handle:
        data = handle.read()
    report = verify_upload(data)
    assert report["valid"] and all(s["timestamped"] for s in report["signatures"])
    path = tmp_path / "bt.pdf"
    path.write_bytes(data)
    output = pdfsig(path, nss_db_factory())
    assert output.count("Signature Validation: Signature is Valid.") == 2, output
