"""No free CPU for strangers (issue 12): the public verification refuses oversized files unread, kills a
slow parse in its sandbox, counts requests per address, and /healthz stays fast meanwhile."""

import datetime as dt
import io
import re
import threading
import time
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core import sandbox


def _signed_pdf(tmp_path) -> bytes:
    """A one-page PDF signed with a throwaway self-signed certificate (no database needed)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from reportlab.pdfgen import canvas

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Thu nghiem")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "k.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 700, "Giay to thu")
    page.save()
    signer = signers.SimpleSigner.load(str(tmp_path / "k.pem"), str(tmp_path / "c.pem"))
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(buffer.getvalue())),
        signers.PdfSignatureMetadata(field_name="Chu ky"),
        signer=signer,
    )
    return out.getvalue()


def _slow_pdf(signed: bytes, objects: int = 45000) -> bytes:
    """A signed file with a large unsigned incremental update: the change analysis a validator must do
    after the signature grows with it (seconds of CPU in under 5 MB)."""
    startxref = int(re.findall(rb"startxref\s+(\d+)", signed)[-1])
    size = max(int(x) for x in re.findall(rb"/Size (\d+)", signed))
    root = re.findall(rb"/Root (\d+ \d+ R)", signed)[-1]
    out = bytearray(signed)
    offsets = []
    body = ("<< /A [" + " ".join(["1"] * 20) + "] /B << /C (x) >> >>").encode()
    for i in range(objects):
        offsets.append(len(out))
        out += f"{size + i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n{size} {objects}\n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {size + objects} /Root ".encode() + root
    out += f" /Prev {startxref} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture(scope="module")
def slow_pdf(tmp_path_factory):
    from concurrent.futures import ThreadPoolExecutor

    # pyHanko signs with asyncio.run(), which cannot start where Playwright's loop already runs.
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(_signed_pdf, tmp_path_factory.mktemp("ky")).result()
    return _slow_pdf(signed)


@pytest.fixture
def fresh_sandbox(settings):
    """A pool sized by this test's settings, stopped afterwards."""
    sandbox.shutdown()
    yield settings
    sandbox.shutdown()


def test_an_oversized_file_is_refused_unread(client, db, settings):
    settings.VERIFY_MAX_BYTES = 100_000
    big = b"%PDF-1.7\n" + b"0" * 150_000
    api = client.post("/api/v1/verify", {"file": SimpleUploadedFile("to.pdf", big)})
    assert api.status_code == 413 and api.json()["code"] == "too_large"
    page = client.post("/xac-thuc", {"tep": SimpleUploadedFile("to.pdf", big)})
    assert page.status_code == 413 and "lớn hơn" in page.content.decode()
    # A declared length over the limit is refused before the body is read.
    declared = client.post("/api/v1/verify", b"%PDF", content_type="application/pdf", CONTENT_LENGTH="999999999")
    assert declared.status_code == 413


def test_a_slow_file_is_cut_off_at_the_time_limit(client, db, fresh_sandbox, slow_pdf):
    fresh_sandbox.VERIFY_TIMEOUT_SECONDS = 0.05  # far below what this file needs on any machine
    assert len(slow_pdf) < fresh_sandbox.VERIFY_PARSE_MAX_BYTES
    started = time.monotonic()
    response = client.post("/api/v1/verify", {"file": SimpleUploadedFile("cham.pdf", slow_pdf)})
    elapsed = time.monotonic() - started
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    assert any("quá nhiều thời gian" in p for p in body["problems"]), (elapsed, body)
    assert elapsed < 0.05 + 5  # the limit plus the pool's start-up, never the full parse
    # The sandbox is usable again at once (the killed worker was replaced).
    ok = client.post("/api/v1/verify", {"file": SimpleUploadedFile("x.pdf", b"hello")})
    assert ok.status_code == 200 and ok.json()["problems"]


def test_a_large_unknown_file_is_not_parsed(client, db, settings, slow_pdf):
    settings.VERIFY_PARSE_MAX_BYTES = 1000
    body = client.post("/api/v1/verify", {"file": SimpleUploadedFile("la.pdf", slow_pdf)}).json()
    assert body["valid"] is False and body["signatures"] == []
    assert any("không được kiểm tra" in p for p in body["problems"])


def test_verification_is_rate_limited_per_address(client, db, settings):
    settings.THROTTLES = {**settings.THROTTLES, "verify": {**settings.THROTTLES["verify"], "ip_max": 2}}
    for _ in range(2):
        assert client.post("/api/v1/verify", {"file": SimpleUploadedFile("x.pdf", b"x")}).status_code == 200
    limited = client.post("/api/v1/verify", {"file": SimpleUploadedFile("x.pdf", b"x")})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    page = client.post("/xac-thuc", {"tep": SimpleUploadedFile("x.pdf", b"x")})
    assert page.status_code == 429
    # Another address is not affected.
    other = client.post("/api/v1/verify", {"file": SimpleUploadedFile("x.pdf", b"x")}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


def test_when_every_checker_is_busy_the_answer_is_503(client, db, fresh_sandbox):
    fresh_sandbox.SANDBOX_MAX_CONCURRENT = 1
    _pool, slots = sandbox._get_pool()
    assert slots.acquire(blocking=False)
    try:
        busy = client.post("/api/v1/verify", {"file": SimpleUploadedFile("x.pdf", b"x")})
        assert busy.status_code == 503 and busy.json()["code"] == "busy" and busy["Retry-After"]
    finally:
        slots.release()


def test_healthz_stays_fast_while_four_slow_verifications_run(live_server, fresh_sandbox, slow_pdf):
    fresh_sandbox.SANDBOX_MAX_CONCURRENT = 4
    fresh_sandbox.VERIFY_TIMEOUT_SECONDS = 6
    assert sandbox.run(len, b"abc", timeout=60) == 3  # workers up before the clock starts
    boundary = "----motcua"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cham.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + slow_pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    results = []

    def verify(n):
        request = urllib.request.Request(  # noqa: S310 — the test server
            f"{live_server.url}/api/v1/verify",
            data=payload,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Test": str(n)},
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 — the test server
            results.append((response.status, time.monotonic() - started))

    threads = [threading.Thread(target=verify, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    # Wait until the four uploads are in and all four checks run in the sandbox (same process as the
    # live server, so the slots can be watched), then ask /healthz while they are still running.
    deadline = time.monotonic() + 60
    while sandbox.running() < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.running() == 4, "the four verifications never ran together"
    timings = []
    while sandbox.running() == 4:
        started = time.monotonic()
        with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10) as response:  # noqa: S310
            assert response.status == 200
        timings.append(time.monotonic() - started)
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(status == 200 for status, _ in results)
    assert timings, "the verifications ended before /healthz was asked"
    print("healthz", [round(t, 3) for t in timings], "verify", [round(e, 1) for _s, e in results])
    assert max(timings) < 2.0, timings


# --- the other anonymous endpoints that do work -----------------------------------------------------------
@pytest.mark.parametrize(
    "query", ["working_days=100000000", "working_days=366", "working_hours=1e12", "working_hours=2921"]
)
def test_calendar_refuses_deadlines_that_would_walk_for_ever(client, db, query):
    response = client.get(f"/api/v1/calendar/due?received=2026-11-30T09:00:00%2B07:00&{query}")
    assert response.status_code == 422 and "tối đa" in response.json()["message"]


def test_calendar_still_answers_long_legal_limits(client, db):
    response = client.get("/api/v1/calendar/due?received=2026-11-30T09:00:00%2B07:00&working_days=365")
    assert response.status_code == 200 and response.json()["due_at"].startswith("2028")


def test_assistant_is_rate_limited_per_address(client, catalog, settings):
    settings.THROTTLES = {**settings.THROTTLES, "assistant": {**settings.THROTTLES["assistant"], "ip_max": 2}}
    for _ in range(2):
        ok = client.post("/api/v1/assistant/messages", {"text": "khai sinh"}, content_type="application/json")
        assert ok.status_code == 200
    limited = client.post("/api/v1/assistant/messages", {"text": "khai sinh"}, content_type="application/json")
    assert limited.status_code == 429 and limited["Retry-After"]
    page = client.post("/tro-ly", {"text": "khai sinh"})
    assert page.status_code == 429 and "quá nhiều lần" in page.content.decode()
    # Login is a different counter: still open from this address.
    assert client.get("/dang-nhap").status_code == 200


def test_search_input_is_bounded(client, catalog):
    response = client.get("/tim-kiem", {"q": "giấy khai sinh " * 2000})
    assert response.status_code == 200 and "giấy khai sinh " * 20 not in response.content.decode()
    api = client.get("/api/v1/procedures", {"q": "a" * 50000})
    assert api.status_code == 422  # refused by the schema's length bound, before any search work
