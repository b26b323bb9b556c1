"""Headers, redirects, downloads and the counter lookup (issue 12)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import CitizenLookup
from motcua.core.downloads import safe_filename

from .conftest import PNG_BYTES
from .factories import DossierFactory

PAGES = ["/", "/tim-kiem?q=khai+sinh", "/thu-tuc/1.001193", "/dang-nhap", "/tra-cuu", "/xac-thuc", "/lich-lam-viec"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_no_inline_script(client, catalog, office_a, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    html = response.content.decode()
    # Every <script> loads a file; no inline handlers, javascript: links or style attributes.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
    assert "javascript:" not in html
    assert not re.search(r"\sstyle=", html)


def test_officer_and_admin_pages_have_the_csp(client, staff, django_user_model):
    client.force_login(staff["tiepnhan"])
    assert "default-src 'self'" in client.get("/can-bo/")["Content-Security-Policy"]
    admin = django_user_model.objects.create_superuser("quantri", password="x-Quan-tri-2026")
    client.force_login(admin)
    assert "default-src 'self'" in client.get("/quan-tri/")["Content-Security-Policy"]


def test_api_docs_come_from_our_own_static_files(client, db):
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert '"validatorUrl": null' in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)", "http:evil.example"],
)
def test_officer_actions_never_redirect_off_site(client, catalog, citizen, office_a, staff, target):
    dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    client.force_login(staff["tiepnhan"])
    response = client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac", {"action": "accept", "version": 1, "next": target})
    assert response.status_code == 302 and response["Location"] == "/can-bo/ho-so"


def test_officer_action_keeps_a_local_next(client, catalog, citizen, office_a, staff):
    dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    client.force_login(staff["tiepnhan"])
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac", {"action": "accept", "version": 1, "next": "/can-bo/ho-so?xem=new"}
    )
    assert response["Location"] == "/can-bo/ho-so?xem=new"


def test_admin_login_redirect_keeps_next_on_site(client, db):
    response = client.get("/quan-tri/login/?next=https://evil.example/")
    assert response.status_code == 302 and "evil.example" not in response["Location"]


# --- downloads ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("giấy khai sinh.pdf", "giấy khai sinh.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\a\\scan.png", "scan.png"),
        ('a"b;c.pdf', "a_b_c.pdf"),
        ("hoa-don\u202efdp.exe", "hoa-donfdp.exe"),  # a right-to-left override hides the real extension
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("...", "tep"),
        ("", "tep"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_an_uploaded_attachment_downloads_with_a_safe_name(client, citizen):
    from motcua.dossiers.services import attachment_upload

    upload = SimpleUploadedFile('..\\bad";\u202ename.png', PNG_BYTES, "image/png")
    attachment = attachment_upload(owner=citizen, upload=upload, document_name="Ảnh")
    client.force_login(citizen)
    response = client.get(f"/ho-so/tep/{attachment.pk}")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\\" not in disposition and "\u202e" not in disposition and '";' not in disposition
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_our_own_pdfs_display_inline(client, citizen, catalog, office_a, staff):

    dossier = DossierFactory(received=True, citizen=citizen, procedure_code="1.001193")
    client.force_login(citizen)
    response = client.get(f"/ho-so/{dossier.code}/phieu/01.pdf")
    assert response["Content-Disposition"].startswith("inline;") and response["Content-Type"] == "application/pdf"


# --- the counter lookup -----------------------------------------------------------------------------------
def test_counter_lookup_shows_only_initials_and_a_masked_phone_and_is_audited(
    client, catalog, citizen, office_a, staff
):
    client.force_login(staff["tiepnhan"])
    page = client.post(
        "/can-bo/tiep-nhan?thu-tuc=1.004873",
        {"procedure": "1.004873", "action": "lookup", "citizen_id": "0101 9001 2345"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "L. T. M." in html and "091****001" in html
    assert "Lò Thị Mai" not in html and "0912345001" not in html
    entry = CitizenLookup.objects.get()
    assert entry.officer == staff["tiepnhan"] and entry.citizen == citizen and entry.purpose == "counter"
    assert "010190012345" not in entry.citizen_id_hash
    unknown = client.post(
        "/can-bo/tiep-nhan?thu-tuc=1.004873",
        {"procedure": "1.004873", "action": "lookup", "citizen_id": "001090099999"},
    )
    assert "Chưa có tài khoản" in unknown.content.decode()
    assert CitizenLookup.objects.count() == 2 and CitizenLookup.objects.filter(citizen__isnull=True).count() == 1


def test_opening_an_intake_for_a_known_citizen_is_audited(client, catalog, citizen, office_a, staff):
    client.force_login(staff["tiepnhan"])
    response = client.post(
        "/can-bo/tiep-nhan",
        {
            "procedure": "1.004873",
            "citizen_id": "010190012345",
            "muc_dich": "Để đăng ký kết hôn",
            "tinh_trang": "Chưa kết hôn",
            "idempotency_key": "counter-known",
        },
    )
    assert response.status_code == 302
    assert CitizenLookup.objects.filter(citizen=citizen, purpose="intake", officer=staff["tiepnhan"]).exists()
    # Now the intake is open, the dossier page shows the person in full.
    assert "Lò Thị Mai" in client.get(response["Location"]).content.decode()


def test_check_deploy_is_clean_in_production_settings():
    import os
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "MOTCUA_DEMO": "0",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "motcua.example.gov.vn",
        "BEHIND_TLS_PROXY": "1",
        "TRUSTED_PROXIES": "127.0.0.1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own thread only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
