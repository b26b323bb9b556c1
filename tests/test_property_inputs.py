"""Issue 11: property-based — random Unicode (NUL, controls, lone surrogates, NFD, digits of other
scripts), huge and negative numbers and odd JSON types sent to the public API, the citizen's and officers'
API, the offline sync and key page forms: never a server error (5xx), on SQLite and PostgreSQL alike.

The Django test client re-raises a view's exception, so a 500 fails the test with its traceback."""

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.accounts.models import Role
from motcua.outreach.models import Member, Team

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text people type, paste and sync: any character (surrogates only where JSON can carry them), with the
# awkward ones made likely.
AWKWARD = ["\x00", "\x1b", "\u202e", "²", "٣", "０", "\u0301", "=", "-", "+84", " ", "\n", "Đ", "ợ", "𠀋", "💍"]
_chars = st.characters(exclude_categories=["Cs"])
query_text = st.one_of(
    st.text(_chars, max_size=40),
    st.lists(st.sampled_from(AWKWARD) | st.text(_chars, max_size=3), max_size=8).map("".join),
    st.integers().map(str),
    st.integers(min_value=10**15, max_value=10**40).map(str),
    st.just("A" * 5000),
)
json_text = st.one_of(query_text, st.text(max_size=20))  # JSON may carry lone surrogates (\\ud800)
json_scalar = st.one_of(
    json_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
json_value = st.recursive(
    json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3), max_leaves=8
)


def _ok(response):
    assert response.status_code < 500, (response.status_code, response.content[:500])
    if response.request["PATH_INFO"].startswith("/api/"):
        body = response.json() if response.content and "json" in response.get("Content-Type", "") else None
        if response.status_code >= 400 and body is not None:
            assert {"code", "message", "fields"} <= set(body)


def _post_json(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def world(catalog, citizen, office_a, staff, api_token, commune_a, village_a, make_officer):
    team = Team.objects.create(unit=commune_a, name="Tổ công nghệ số")
    user = make_officer("tonhom", Role.TEAM_MEMBER, commune_a)
    member = Member.objects.create(
        team=team, user=user, full_name="Lù Văn Páo", phone="0912000114", active_from=dt.date(2026, 1, 1)
    )
    return {
        "citizen": f"Bearer {api_token(citizen)}",
        "officer": f"Bearer {api_token(staff['tiepnhan'])}",
        "member": f"Bearer {api_token(member.user)}",
    }


# --- public API --------------------------------------------------------------------------------------------
@PROPERTY
@given(received=query_text, days=query_text, hours=query_text, office=query_text, year=query_text)
def test_public_calendar_never_fails(client, db, received, days, hours, office, year):
    for params in ({"received": received, "working_days": days}, {"received": received, "working_hours": hours}):
        _ok(client.get("/api/v1/calendar/due", {**params, "office": office}))
    _ok(client.get("/api/v1/calendar/" + (year.replace("/", "") or "x")))


@PROPERTY
@given(q=query_text, page=query_text, size=query_text, text=json_value, code=query_text, phone=query_text)
def test_public_catalogue_assistant_and_tracking_never_fail(client, catalog, q, page, size, text, code, phone):
    _ok(client.get("/api/v1/procedures", {"q": q, "page": page, "page_size": size, "field": q}))
    _ok(client.get("/api/v1/procedures/" + (code.replace("/", "") or "x")))
    _ok(_post_json(client, "/api/v1/assistant/messages", {"text": text}))
    _ok(client.get("/api/v1/track", {"code": code, "phone": phone}))
    _ok(client.get("/tim-kiem", {"q": q}))


@PROPERTY
@given(username=json_value, password=json_value, otp=json_value)
def test_login_api_never_fails(client, db, username, password, otp):
    _ok(_post_json(client, "/api/v1/auth/login", {"username": username, "password": password, "otp": otp}))


# --- citizen and officer API ---------------------------------------------------------------------------------------
FORM_KEYS = st.sampled_from(["ho_ten_tre", "ngay_sinh", "so_dinh_danh_me", "so_ban", "so_trang", "muc_dich", "x"])


@PROPERTY
@given(
    procedure=st.sampled_from(["1.001193", "2.000635", "2.000815", "1.004873"]) | json_text,
    form=st.dictionaries(FORM_KEYS, json_value, max_size=6),
    attachments=json_value,
    key=query_text,
)
def test_citizen_submission_never_fails(client, world, procedure, form, attachments, key):
    body = {"procedure_code": procedure, "form": form, "attachments": attachments}
    _ok(
        _post_json(
            client,
            "/api/v1/dossiers",
            body,
            HTTP_AUTHORIZATION=world["citizen"],
            HTTP_IDEMPOTENCY_KEY=key.encode("utf-8", "ignore").decode("latin-1")[:100],
        )
    )


@PROPERTY
@given(view=query_text | st.sampled_from(["open", "new", "finished"]), q=query_text, page=query_text, size=query_text)
def test_officer_worklist_never_fails(client, world, view, q, page, size):
    params = {"view": view, "q": q, "page": page, "page_size": size}
    _ok(client.get("/api/v1/worklist", params, HTTP_AUTHORIZATION=world["officer"]))


@PROPERTY
@given(
    action=st.sampled_from(["accept", "extend", "assign", "request_supplement", "refuse"]) | json_text,
    version=json_value,
    note=json_value,
    new_due=json_value,
    assignee=json_value,
)
def test_officer_transitions_never_fail(client, world, action, version, note, new_due, assignee):
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_submit

    dossier = Dossier.objects.exclude(status="draft").first()
    if dossier is None:
        from motcua.accounts.models import User

        dossier, _ = dossier_submit(
            citizen=User.objects.get(username="congdan1"),
            procedure_code="1.004873",
            form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
            idempotency_key="property",
        )
    body = {"action": action, "version": version, "note": note, "new_due": new_due, "assignee": assignee}
    _ok(_post_json(client, f"/api/v1/dossiers/{dossier.code}/transitions", body, HTTP_AUTHORIZATION=world["officer"]))
    _ok(client.get(f"/api/v1/dossiers/{dossier.code}", HTTP_AUTHORIZATION=world["officer"]))


RECORD = st.fixed_dictionaries(
    {},
    optional={
        "client_id": json_value,
        "full_name": json_value,
        "village": json_value,
        "citizen_id": json_value,
        "phone": json_value,
        "skills": json_value,
        "consent": json_value,
        "date": json_value | st.dates().map(dt.date.isoformat),
        "place": json_value,
    },
)


@PROPERTY
@given(records=st.lists(RECORD | json_value, max_size=6))
def test_offline_sync_batch_answers_each_record(client, world, records):
    response = _post_json(client, "/api/v1/outreach/records", {"records": records}, HTTP_AUTHORIZATION=world["member"])
    _ok(response)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(len(records)))
    assert all(r["status"] in ("created", "duplicate", "rejected") for r in results)


# --- page forms ------------------------------------------------------------------------------------------------------
@PROPERTY
@given(
    citizen_id=query_text,
    full_name=query_text,
    birth=query_text,
    phone=query_text,
    purpose=query_text,
    draft=query_text,
    copies=query_text,
)
def test_key_page_forms_never_fail(client, world, citizen_id, full_name, birth, phone, purpose, draft, copies):
    from motcua.accounts.models import User

    officer = User.objects.get(username="tiepnhan")
    client.force_login(officer)
    data = {
        "procedure": "1.004873",
        "citizen_id": citizen_id,
        "full_name": full_name,
        "birth_date": birth,
        "gender": "male",
        "phone": phone,
        "muc_dich": purpose,
        "tinh_trang": "Chưa kết hôn",
        "idempotency_key": "p-" + str(abs(hash(citizen_id + full_name))),
    }
    _ok(client.post("/can-bo/tiep-nhan", {k: v.replace("\x00", "") for k, v in data.items()}))
    _ok(client.post("/can-bo/tiep-nhan", data))
    _ok(client.get("/can-bo/ho-so", {"q": full_name, "trang": draft}))
    client.force_login(User.objects.get(username="congdan1"))
    _ok(client.get("/thu-tuc/2.000635/nop-truc-tuyen", {"ban-nhap": draft}))
    form = {"loai_trich_luc": "Khai sinh", "ho_ten_nguoi_duoc_cap": full_name, "so_ban": copies, "tiep-tuc": "1"}
    _ok(client.post("/thu-tuc/2.000635/nop-truc-tuyen", form))
    _ok(client.post("/tra-cuu", {"ma": citizen_id, "dien-thoai": phone}))
