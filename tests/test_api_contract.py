"""The API's contract beyond single endpoints: every error is the JSON body {code, message, fields} with the
right status (never Django's HTML), unexpected errors are logged with personal data masked in the traceback,
and every datetime is ISO 8601 with +07:00 in one format on creation and on read."""

import datetime as dt
import io
import logging
import re

import pytest
from django.db import IntegrityError

from motcua.core import clock
from motcua.core.logging import MaskPersonalDataFilter

from .conftest import BIRTH_FORM, documents_for

LOCAL_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")


def _assert_error_body(response, status, code=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["message"] and isinstance(body["fields"], dict)
    if code:
        assert body["code"] == code
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/khong-co-dia-chi-nay", 404, "not_found"),
        ("post", "/api/v1/", 404, "not_found"),
        ("get", "/api/v1/dossiers/abc/transitions/x", 404, "not_found"),
        ("get", "/api/v1/attachments", 405, "method_not_allowed"),
        ("delete", "/api/v1/procedures", 405, "method_not_allowed"),
        ("get", "/api/v1/worklist", 401, "unauthenticated"),
    ],
)
def test_errors_outside_operations_are_json(client, method, path, status, code):
    body = _assert_error_body(getattr(client, method)(path), status, code)
    if status == 405:
        assert body["fields"]["method"]


@pytest.mark.django_db
def test_malformed_json_and_huge_body_are_json(client, citizen, api_token, settings):
    token = api_token(citizen)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    broken = client.post("/api/v1/dossiers", data="{not json", content_type="application/json", **auth)
    assert broken.status_code in (400, 422)
    _assert_error_body(broken, broken.status_code)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    huge = client.post("/api/v1/auth/login", data={"x": "a" * 500}, content_type="application/json")
    _assert_error_body(huge, 413, "too_large")


@pytest.fixture
def log_stream():
    """The project's console handler setup: the masking filter on the handler, a plain formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalDataFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.mark.django_db
def test_unexpected_error_is_json_and_logged_masked(client, monkeypatch, log_stream):
    from motcua.api.routers import catalog

    def explode(**kwargs):
        raise IntegrityError(
            'duplicate key value violates unique constraint "accounts_user_phone_key"\n'
            "DETAIL:  Key (phone)=(0912345678) already exists. Citizen 001090012345."
        )

    monkeypatch.setattr(catalog.selectors, "procedure_current", lambda code: explode())
    response = client.get("/api/v1/procedures/1.001193")
    body = _assert_error_body(response, 500, "server_error")
    assert "0912345678" not in body["message"]
    logged = log_stream.getvalue()
    assert "Traceback" in logged and "IntegrityError" in logged
    assert "0912345678" not in logged and "001090012345" not in logged
    assert "091****678" in logged and "001******345" in logged


def test_masking_filter_masks_exception_text():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", ("0987654321",), None)
    try:
        raise ValueError("Key (phone)=(+84912345678) already exists")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    MaskPersonalDataFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "0987654321" not in text and "84912345678" not in text and "ValueError" in text


# --- one clock ----------------------------------------------------------------------------------------------------
def test_clock_iso_is_local_whole_seconds():
    utc = dt.datetime(2026, 11, 30, 2, 15, 7, 123456, tzinfo=dt.UTC)
    assert clock.iso(utc) == "2026-11-30T09:15:07+07:00"
    assert clock.iso(dt.datetime(2026, 11, 30, 9, 15, 7)) == "2026-11-30T09:15:07+07:00"
    assert clock.display(utc) == "09:15 30/11/2026"


def test_created_and_read_datetimes_are_one_format(client, catalog, citizen, office_a, staff, api_token):
    token = api_token(citizen)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    created = client.post(
        "/api/v1/dossiers",
        data={"procedure_code": "1.001193", "form": BIRTH_FORM, "attachments": documents_for(citizen)},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="clock-1",
        **auth,
    )
    assert created.status_code == 201, created.content
    summary = created.json()
    assert LOCAL_ISO.match(summary["received_at"]) and LOCAL_ISO.match(summary["due_at"])
    detail = client.get(f"/api/v1/dossiers/{summary['code']}", **auth).json()
    assert detail["received_at"] == summary["received_at"] and detail["due_at"] == summary["due_at"]
    assert LOCAL_ISO.match(detail["submitted_at"])
    assert all(LOCAL_ISO.match(e["at"]) for e in detail["events"])
    officer = {"HTTP_AUTHORIZATION": f"Bearer {api_token(staff['tiepnhan'])}"}
    rows = client.get("/api/v1/worklist", **officer).json()["results"]
    assert rows and all(LOCAL_ISO.match(r["due_at"]) for r in rows)
    tracked = client.get(f"/api/v1/track?code={summary['code']}&phone={citizen.phone}").json()
    assert tracked["due_at"] == summary["due_at"]


@pytest.mark.django_db
def test_calendar_due_answers_local_time(client):
    response = client.get("/api/v1/calendar/due?received=2026-12-01T10:00&working_days=3")
    assert response.status_code == 200
    assert LOCAL_ISO.match(response.json()["due_at"])


def test_share_link_confirmation_shows_local_time(client, citizen, monkeypatch):
    from motcua.documents.models import StoredDocument

    document = StoredDocument.objects.create(owner=citizen, title="Giấy khai sinh", doc_type="", sha256="a" * 64)
    moment = dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hà Nội
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    client.force_login(citizen)
    response = client.post(f"/kho-du-lieu/{document.pk}/chia-se", {"hours": "2"}, follow=True)
    text = response.content.decode()
    assert "10:30 30/11/2026" in text and "03:30 30/11/2026" not in text


def test_signature_stamp_shows_local_time(catalog, citizen, office_a, staff, monkeypatch):
    """The visible stamp on a signed document reads Hà Nội time even on a server whose zone is UTC."""
    from pyhanko.sign import signers

    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_submit

    from .conftest import advance

    seen = []
    original = signers.PdfSigner.sign_pdf

    def spy(self, *args, **kwargs):
        seen.append((self.stamp_style.stamp_text, kwargs.get("appearance_text_params")))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(signers.PdfSigner, "sign_pdf", spy)
    moment = dt.datetime(2026, 11, 30, 2, 5, tzinfo=dt.UTC)  # 09:05 in Hà Nội
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    dossier, _created = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    advance(Dossier.objects.get(pk=dossier.pk), staff)
    assert seen
    for text, params in seen:
        assert "%(local_ts)s" in text and "%(ts)s" not in text
        assert params["local_ts"] == "09:05 30/11/2026 +0700"
