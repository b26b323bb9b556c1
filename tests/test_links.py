"""Links that reach the server: SITE_URL follows the address served, and the URLs the API returns
(receipt, result, attachments) download with the API client's bearer token."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.env import served_site_url
from motcua.dossiers.models import Dossier

from .conftest import BIRTH_FORM, FULL_FLOW, PDF_BYTES, advance, documents_for

ROOT = Path(__file__).resolve().parent.parent


def test_served_site_url():
    assert served_site_url("127.0.0.1", "8102") == "http://127.0.0.1:8102"
    assert served_site_url("localhost", "") == "http://localhost:8000"
    wildcard = served_site_url("0.0.0.0", "8102")
    assert wildcard.startswith("http://") and wildcard.endswith(":8102") and "0.0.0.0" not in wildcard
    assert served_site_url("::1", "8102") == "http://[::1]:8102"


def _settings_in_subprocess(env: dict, code: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT", "ALLOWED_HOSTS")}
    clean.update({"MOTCUA_DEMO": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_site_url_defaults_to_the_served_port():
    assert _settings_in_subprocess({"PORT": "8102"}, "print(settings.SITE_URL)") == "http://127.0.0.1:8102"
    explicit = {"PORT": "8102", "SITE_URL": "https://dichvucong.example.gov.vn/"}
    assert _settings_in_subprocess(explicit, "print(settings.SITE_URL)") == "https://dichvucong.example.gov.vn"
    hosts = _settings_in_subprocess(
        {"HOST": "0.0.0.0", "PORT": "8102"}, "print(settings.SITE_URL, settings.ALLOWED_HOSTS)"
    )
    url, allowed = hosts.split(" ", 1)
    assert url.split("//")[1].rsplit(":", 1)[0] in allowed


def test_site_url_command_says_which_address_documents_use():
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    out = subprocess.run(
        [sys.executable, "manage.py", "site_url"],
        cwd=ROOT,
        env={**clean, "MOTCUA_DEMO": "1", "PORT": "8102"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "http://127.0.0.1:8102" in out and "mã QR" in out


@pytest.fixture
def bearer(api_token):
    def headers(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token(user)}"}

    return headers


def _path(url: str) -> str:
    assert url.startswith(settings.SITE_URL + "/")
    return url[len(settings.SITE_URL) :]


def test_api_urls_download_with_the_bearer_token(client, catalog, citizen, office_a, staff, bearer):
    auth = bearer(citizen)
    uploaded = client.post(
        "/api/v1/attachments", {"file": SimpleUploadedFile("giay-chung-sinh.pdf", PDF_BYTES)}, **auth
    ).json()
    created = client.post(
        "/api/v1/dossiers",
        data={
            "procedure_code": "1.001193",
            "form": BIRTH_FORM,
            "attachments": [uploaded["id"], *documents_for(citizen)],
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="links-1",
        **auth,
    ).json()
    # An online dossier has no receipt until the intake officer's completeness check (issue 13).
    assert created["receipt_url"] is None
    advance(Dossier.objects.get(code=created["code"]), staff, steps=FULL_FLOW[:1])
    created = client.get(f"/api/v1/dossiers/{created['code']}", **auth).json()
    receipt = client.get(_path(created["receipt_url"]), **auth)
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    anonymous = client.get(_path(created["receipt_url"]))
    assert anonymous.status_code == 302  # to the login page, as before
    wrong = client.get(_path(created["receipt_url"]), HTTP_AUTHORIZATION="Bearer not-a-token")
    assert wrong.status_code == 302

    detail = client.get(f"/api/v1/dossiers/{created['code']}", **auth).json()
    attachment = client.get(_path(detail["attachments"][0]["url"]), **auth)
    assert attachment.status_code == 200 and b"".join(attachment.streaming_content) == PDF_BYTES
    officer = client.get(_path(detail["attachments"][0]["url"]), **bearer(staff["tiepnhan"]))
    assert officer.status_code == 200
    stranger = client.get(_path(detail["attachments"][0]["url"]), **bearer(staff["tiepnhan2"]))
    assert stranger.status_code == 404

    advance(Dossier.objects.get(code=created["code"]), staff, steps=FULL_FLOW[1:])
    result = client.get(f"/api/v1/dossiers/{created['code']}", **auth).json()["result"]
    signed = client.get(_path(result["url"]), **auth)
    assert signed.status_code == 200 and b"".join(signed.streaming_content).startswith(b"%PDF")
    # A bearer token authenticates reads only: it never opens a session for a later browser request.
    assert "sessionid" not in signed.cookies
