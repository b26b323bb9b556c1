"""The dossier API: status codes, error bodies, idempotency, permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import Attachment, Dossier

from .conftest import BIRTH_FORM, PDF_BYTES, PNG_BYTES


@pytest.fixture
def call(client):
    def _call(method, path, token, **kwargs):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        headers.update(kwargs.pop("headers", {}))
        if "data" in kwargs and "content_type" not in kwargs and not kwargs.pop("multipart", False):
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(f"/api/v1{path}", **headers, **kwargs)

    return _call


@pytest.fixture
def ctx(catalog, citizen, office_a, staff, api_token):
    return {"citizen": api_token(citizen), **{name: api_token(user) for name, user in staff.items()}}


BIRTH_NOTICE = "Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh"


def upload(call, token, content=PDF_BYTES, name="giay-chung-sinh.pdf", document=BIRTH_NOTICE):
    from urllib.parse import urlencode

    path = "/attachments?" + urlencode({"document_name": document})
    return call("post", path, token, data={"file": SimpleUploadedFile(name, content)}, multipart=True)


def submit(call, token, key="key-1", **extra):
    if "attachments" not in extra:  # the birth notice the procedure requires
        extra["attachments"] = [upload(call, token).json()["id"]]
    body = {"procedure_code": "1.001193", "form": BIRTH_FORM, **extra}
    return call("post", "/dossiers", token, data=body, headers={"HTTP_IDEMPOTENCY_KEY": key})


def test_upload_and_submit(call, ctx):
    response = upload(call, ctx["citizen"])
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "sha256", "size", "content_type"} and body["content_type"] == "application/pdf"
    created = submit(call, ctx["citizen"], attachments=[body["id"]])
    assert created.status_code == 201
    dossier = created.json()
    assert set(dossier) == {"code", "status", "version", "received_at", "due_at", "receipt_url"}
    assert dossier["status"] == "submitted" and dossier["code"].startswith("H15.02839-")
    # An online dossier has no receipt until the intake officer's completeness check.
    assert dossier["receipt_url"] is None
    again = submit(call, ctx["citizen"], attachments=[body["id"]])
    assert again.status_code == 200 and again.json()["code"] == dossier["code"]
    assert Dossier.objects.count() == 1


def test_idempotency_key_reused_with_another_body_is_refused(call, ctx):
    """A retry is the same request: the key sent again with a different body is an error (422), not a
    silent answer about the dossier the key first created."""
    attachment = upload(call, ctx["citizen"]).json()["id"]
    first = submit(call, ctx["citizen"], key="k-reuse", attachments=[attachment])
    assert first.status_code == 201
    other_form = {**BIRTH_FORM, "ho_ten_tre": "Hoàng Văn Nam"}
    reused = submit(call, ctx["citizen"], key="k-reuse", attachments=[attachment], form=other_form)
    assert reused.status_code == 422
    body = reused.json()
    assert body["code"] == "idempotency_key_reused" and "idempotency_key" in body["fields"]
    assert "Idempotency-Key" in body["message"]
    same = submit(call, ctx["citizen"], key="k-reuse", attachments=[attachment])
    assert same.status_code == 200 and same.json()["code"] == first.json()["code"]
    assert Dossier.objects.exclude(status="draft").count() == 1


def test_rejected_uploads(call, ctx, settings):
    exe = upload(call, ctx["citizen"], b"MZ\x90\x00\x03\x00\x00\x00 PE executable", "hoa-don.pdf")
    assert exe.status_code == 415
    assert exe.json()["code"] == "unsupported_type" and exe.json()["message"]
    settings.UPLOAD_MAX_BYTES = 50
    big = upload(call, ctx["citizen"], PNG_BYTES)
    assert big.status_code == 413 and "MB" in big.json()["message"]
    assert Attachment.objects.count() == 0


def test_invalid_form_is_422_with_fields(call, ctx):
    response = call(
        "post", "/dossiers", ctx["citizen"], data={"procedure_code": "1.001193", "form": {"ho_ten_tre": "A"}}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "ngay_sinh" in body["fields"]
    unknown = call("post", "/dossiers", ctx["citizen"], data={"procedure_code": "9.999999", "form": {}})
    assert unknown.status_code == 404


def test_detail_is_visible_to_its_citizen_and_unit_officers_only(call, ctx, make_officer, province, api_token):
    code = submit(call, ctx["citizen"]).json()["code"]
    mine = call("get", f"/dossiers/{code}", ctx["citizen"]).json()
    assert mine["status"] == "submitted" and mine["actions"] == ["withdraw"] and mine["events"][0]["action"] == "submit"
    officer = call("get", f"/dossiers/{code}", ctx["tiepnhan"]).json()
    assert set(officer["actions"]) == {"accept", "request_supplement", "refuse"}
    assert call("get", f"/dossiers/{code}", ctx["tiepnhan2"]).status_code == 404
    import datetime as dt

    from motcua.accounts.services import citizen_create

    other = citizen_create(
        full_name="Giàng A Sử",
        citizen_id="010085067890",
        birth_date=dt.date(1985, 7, 5),
        gender="male",
        phone="0912345002",
        password="x-y-z-12345",
    )
    other_token = api_token(other)
    missing = call("get", f"/dossiers/{code}", other_token)
    not_there = call("get", "/dossiers/H15.02839-260101-9999", other_token)
    assert missing.status_code == not_there.status_code == 404
    assert missing.json() == not_there.json()
    admin = make_officer("quantri", "province_admin", province)
    assert call("get", f"/dossiers/{code}", api_token(admin)).status_code == 200


def test_attachment_download_is_permission_checked(client, call, ctx, citizen, staff):
    attachment_id = upload(call, ctx["citizen"]).json()["id"]
    submit(call, ctx["citizen"], attachments=[attachment_id])
    client.force_login(citizen)
    response = client.get(f"/ho-so/tep/{attachment_id}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(staff["tiepnhan"])
    assert client.get(f"/ho-so/tep/{attachment_id}").status_code == 200
    client.force_login(staff["tiepnhan2"])
    assert client.get(f"/ho-so/tep/{attachment_id}").status_code == 404


def test_transitions_and_errors(call, ctx):
    code = submit(call, ctx["citizen"]).json()["code"]
    ok = call("post", f"/dossiers/{code}/transitions", ctx["tiepnhan"], data={"action": "accept", "version": 1})
    assert ok.status_code == 200 and ok.json()["status"] == "received" and ok.json()["version"] == 2
    stale = call("post", f"/dossiers/{code}/transitions", ctx["tiepnhan"], data={"action": "accept", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    wrong_state = call(
        "post", f"/dossiers/{code}/transitions", ctx["lanhdao"], data={"action": "approve", "version": 2}
    )
    assert wrong_state.status_code == 422 and wrong_state.json()["code"] == "invalid_state"
    step = call(
        "post",
        f"/dossiers/{code}/transitions",
        ctx["tiepnhan"],
        data={"action": "assign", "version": 2, "assignee": "chuyenvien"},
    )
    assert step.status_code == 200
    specialist_approves = call(
        "post", f"/dossiers/{code}/transitions", ctx["chuyenvien"], data={"action": "approve", "version": 3}
    )
    assert specialist_approves.status_code == 422
    first = call(
        "post",
        f"/dossiers/{code}/transitions",
        ctx["chuyenvien"],
        data={"action": "request_supplement", "version": 3, "note": "Thiếu giấy chứng sinh bản chính"},
    )
    assert first.status_code == 200
    back = call(
        "post",
        f"/dossiers/{code}/transitions",
        ctx["citizen"],
        data={"action": "submit_supplement", "version": 4, "attachments": [upload(call, ctx["citizen"]).json()["id"]]},
    )
    assert back.status_code == 200 and back.json()["status"] == "appraising"
    second = call(
        "post",
        f"/dossiers/{code}/transitions",
        ctx["chuyenvien"],
        data={"action": "request_supplement", "version": 5, "note": "Thiếu nữa"},
    )
    assert second.status_code == 422 and "một lần" in second.json()["message"]
    assert Dossier.objects.get(code=code).supplement_count == 1
    other = call(
        "post", f"/dossiers/{code}/transitions", ctx["tiepnhan2"], data={"action": "refuse", "version": 5, "note": "x"}
    )
    assert other.status_code == 404


def test_worklist_views(call, ctx):
    for i in range(3):
        submit(call, ctx["citizen"], key=f"w{i}")
    new = call("get", "/worklist?view=new", ctx["tiepnhan"]).json()
    assert len(new["results"]) == 3
    assert call("get", "/worklist?view=new", ctx["tiepnhan2"]).json()["results"] == []
    assert call("get", "/worklist?view=bogus", ctx["tiepnhan"]).status_code == 422
    assert call("get", "/worklist?view=due_soon", ctx["citizen"]).status_code == 404
    found = call("get", "/worklist?view=open&q=010190012345", ctx["tiepnhan"]).json()
    assert len(found["results"]) == 3


def test_public_tracking(client, call, ctx):
    code = submit(call, ctx["citizen"]).json()["code"]
    ok = client.get("/api/v1/track", {"code": code, "phone": "0912 345 001"})
    body = ok.json()
    assert ok.status_code == 200 and body["status"] == "submitted" and body["events"]
    assert "Lò Thị Mai" not in ok.content.decode() and "010190012345" not in ok.content.decode()
    wrong = client.get("/api/v1/track", {"code": code, "phone": "0999999999"})
    assert wrong.status_code == 404
    # The number as people say it, without its leading 0, finds it too (the search's kind, phone_forms).
    assert client.get("/api/v1/track", {"code": code, "phone": "912 345 001"}).status_code == 200
    assert client.get("/api/v1/track", {"code": code, "phone": "912 345 009"}).status_code == 404
    page = client.post("/tra-cuu", {"ma": code, "dien-thoai": "0912345001"})
    assert page.status_code == 200 and code in page.content.decode() and "Lò Thị Mai" not in page.content.decode()
    assert client.post("/tra-cuu", {"ma": code, "dien-thoai": "0900000000"}).status_code == 404
    assert client.post("/tra-cuu", {"ma": code}).status_code == 400
    assert f'value="{code}"' in client.get("/tra-cuu", {"ma": code}).content.decode()  # from the receipt's QR


def test_unauthenticated_api_is_401(client, catalog):
    response = client.post("/api/v1/dossiers", {}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_tracking_is_throttled(client, call, ctx, settings):
    settings.THROTTLES = {**settings.THROTTLES, "track": {**settings.THROTTLES["track"], "key_free": 3}}
    code = submit(call, ctx["citizen"]).json()["code"]
    for phone in ("0900000001", "0900000002", "0900000003"):
        assert client.get("/api/v1/track", {"code": code, "phone": phone}).status_code == 404
    limited = client.get("/api/v1/track", {"code": code, "phone": "0912345001"})
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert client.post("/tra-cuu", {"ma": code, "dien-thoai": "0912345001"}).status_code == 429


@pytest.mark.parametrize("bad", ["abc", "12", "", "not-a-uuid", "99999999999999999999999999", "{}"])
def test_an_unreadable_attachment_id_is_refused_like_an_unknown_one(call, ctx, bad):
    """Found by the walk-through: an attachment id that is not a UUID reached the database lookup and answered
    500. It is now the 422 an unknown id gets, and nothing is written (no dossier, no code number taken)."""
    good = upload(call, ctx["citizen"]).json()["id"]
    response = submit(call, ctx["citizen"], key=f"bad-{bad}", attachments=[good, bad])
    assert response.status_code == 422, response.content
    assert response.json()["fields"]["attachments"]
    assert not Dossier.objects.exists()
    assert submit(call, ctx["citizen"], key="after", attachments=[good]).json()["code"].endswith("-0001")


def test_a_supplement_with_unreadable_attachment_ids_gets_a_clear_refusal(call, ctx, staff):
    """The same kind on the citizen's supplement (the transition's `attachments` param)."""
    code = submit(call, ctx["citizen"]).json()["code"]
    for token, action, extra in (
        (ctx["tiepnhan"], "accept", {}),
        (ctx["tiepnhan"], "request_supplement", {"documents": [BIRTH_NOTICE]}),
    ):
        version = call("get", f"/dossiers/{code}", token).json()["version"]
        body = {"action": action, "version": version, "note": "Bản chụp mờ, cần chụp lại", **extra}
        assert call("post", f"/dossiers/{code}/transitions", token, data=body).status_code == 200, action
    version = call("get", f"/dossiers/{code}", ctx["citizen"]).json()["version"]
    body = {"action": "submit_supplement", "version": version, "attachments": ["abc", "12"], "note": ""}
    response = call("post", f"/dossiers/{code}/transitions", ctx["citizen"], data=body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "supplement_documents_missing"
