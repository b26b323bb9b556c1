"""Sign-up, claim, recovery and activation (issue 16, points 1, 3, 5, 9): API and pages."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from motcua.accounts.models import ApiToken, CitizenProfile, Consent, OneTimeCode, User
from motcua.accounts.registration import activation_url
from motcua.dossiers.services import citizen_find_or_create
from motcua.notifications.models import SimulatedSms

from .conftest import PASSWORD

NEW = {
    "phone": "0988 777 666",
    "full_name": "Hoàng Văn Sơn",
    "citizen_id": "010095001234",
    "birth_date": "1995-04-02",
    "gender": "male",
    "password": "song-suoi-2026",
    "consent": True,
}


def _post(client, path, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def last_sms(phone):
    return SimulatedSms.objects.filter(phone=phone).order_by("-pk").first()


def code_in(phone):
    return re.search(r"\b(\d{6})\b", last_sms(phone).text).group(1)


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    def _send(path, body, token=None):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(client, path, body, token)

    return _send


def test_sign_up_by_api_creates_the_account_only_after_the_code(send, client, db):
    answer = send("/api/v1/auth/register", NEW)
    assert answer.status_code == 202, answer.content
    vid = answer.json()["verification_id"]
    assert not User.objects.filter(phone="0988777666").exists()
    code = code_in("0988777666")
    confirmed = send("/api/v1/auth/register/confirm", {"verification_id": vid, "otp": code})
    assert confirmed.status_code == 201, confirmed.content
    token = confirmed.json()["token"]
    me = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["is_citizen"] is True
    profile = CitizenProfile.objects.get(citizen_id="010095001234")
    assert profile.user.phone == "0988777666" and profile.birth_date == dt.date(1995, 4, 2)
    consent = Consent.objects.get(user=profile.user)
    assert consent.version and consent.source == "signup" and consent.given_at <= timezone.now()
    # The password given at sign-up logs in.
    login = _post(client, "/api/v1/auth/login", {"username": "0988777666", "password": "song-suoi-2026"})
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": False}, "consent"),
        ({"password": "12345678"}, "password"),
        ({"password": "password123"}, "password"),
        ({"citizen_id": "010195001234"}, "citizen_id"),  # digit 4 says female
        ({"birth_date": "1996-04-02"}, "citizen_id"),  # digits 5-6 say 1995
        ({"phone": "012345"}, "phone"),
        ({"full_name": "Sơn 2"}, "full_name"),
    ],
)
def test_sign_up_refuses_bad_input_with_the_field(send, db, change, field):
    answer = send("/api/v1/auth/register", {**NEW, **change})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid" and field in body["fields"]
    assert not SimulatedSms.objects.exists() and not OneTimeCode.objects.exists()


def _walk_in(staff):
    return citizen_find_or_create(
        officer=staff["tiepnhan"],
        citizen_id="001090012345",
        full_name="Nguyễn Văn An",
        birth_date=dt.date(1990, 1, 1),
        gender="male",
        phone="0987654321",
    )


WALK_IN = {**NEW, "citizen_id": "001090012345", "full_name": "Nguyễn Văn An", "birth_date": "1990-01-01"}


def test_a_counter_account_is_claimed_with_a_code_to_its_own_phone(send, staff):
    walk_in = _walk_in(staff)
    answer = send("/api/v1/auth/register", {**WALK_IN, "phone": "0987654321"})
    assert answer.status_code == 202
    confirmed = send(
        "/api/v1/auth/register/confirm",
        {"verification_id": answer.json()["verification_id"], "otp": code_in("0987654321")},
    )
    assert confirmed.status_code == 201
    walk_in.refresh_from_db()
    assert walk_in.check_password("song-suoi-2026")
    assert User.objects.filter(citizen__citizen_id="001090012345").count() == 1


def test_claiming_an_existing_citizen_id_from_a_new_phone_is_refused(send, staff):
    walk_in = _walk_in(staff)
    answer = send("/api/v1/auth/register", {**WALK_IN, "phone": "0911222333"})
    assert answer.status_code == 202  # the answer tells nothing
    sms = last_sms("0911222333")
    assert "Bo phan Mot cua" in sms.text and not re.search(r"\b\d{6}\b", sms.text)
    assert not SimulatedSms.objects.filter(phone="0987654321").exists()
    # Guessing codes gets nowhere: the verification can never be confirmed.
    for guess in ("000000", "123456"):
        refused = send(
            "/api/v1/auth/register/confirm", {"verification_id": answer.json()["verification_id"], "otp": guess}
        )
        assert refused.status_code == 422 and refused.json()["code"] == "otp_invalid"
    walk_in.refresh_from_db()
    assert not walk_in.has_usable_password() and walk_in.phone == "0987654321"
    assert not User.objects.filter(phone="0911222333").exists()


def test_answers_do_not_tell_whether_a_phone_or_id_has_an_account(send, citizen, staff):
    """Same status and same body keys for: new person, ID taken (other phone), phone taken, claim."""
    _walk_in(staff)
    cases = [
        NEW,  # nobody
        {**WALK_IN, "phone": "0911222333"},  # ID has an account with another phone
        {**NEW, "phone": "0912345001", "citizen_id": "010095001299"},  # phone has an account
        {**WALK_IN, "phone": "0987654321"},  # claim
    ]
    answers = [send("/api/v1/auth/register", body) for body in cases]
    assert {a.status_code for a in answers} == {202}
    assert {tuple(sorted(a.json())) for a in answers} == {("verification_id",)}
    assert len({len(a.content) for a in answers}) == 1
    # Recovery: 202 with the same body for a phone with and without an account.
    known = send("/api/v1/auth/password-reset", {"phone": "0912345001"})
    unknown = send("/api/v1/auth/password-reset", {"phone": "0912999888"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    # Wrong codes answer alike whether the verification was a real one or a refused one.
    bodies = []
    for a in answers[:2]:
        r = send("/api/v1/auth/register/confirm", {"verification_id": a.json()["verification_id"], "otp": "000001"})
        bodies.append((r.status_code, r.json()["code"], r.json()["message"]))
    assert bodies[0] == bodies[1]


def test_twice_the_same_phone_or_id_never_makes_two_accounts(send, db):
    first = send("/api/v1/auth/register", NEW)
    second = send("/api/v1/auth/register", {**NEW, "citizen_id": "010095001299"})
    code_second = code_in("0988777666")
    assert (
        send(
            "/api/v1/auth/register/confirm", {"verification_id": second.json()["verification_id"], "otp": code_second}
        ).status_code
        == 201
    )
    # The first code was sent earlier; once the phone has an account it cannot make another.
    row = OneTimeCode.objects.get(pk=first.json()["verification_id"])
    code_first = re.search(r"\b(\d{6})\b", SimulatedSms.objects.filter(phone="0988777666").order_by("pk")[0].text)[1]
    late = send("/api/v1/auth/register/confirm", {"verification_id": str(row.pk), "otp": code_first})
    assert late.status_code == 422 and "phone" in late.json()["fields"]
    assert User.objects.filter(phone="0988777666").count() == 1
    assert OneTimeCode.objects.get(pk=row.pk).used_at is None  # the failed action left the code unused


def test_password_reset_by_api_ends_every_session_and_token(send, client, citizen):
    old = _post(client, "/api/v1/auth/login", {"username": "congdan1", "password": PASSWORD}).json()["token"]
    browser = client.__class__()
    assert browser.login(username="congdan1", password=PASSWORD)
    assert browser.get("/tai-khoan").status_code == 200
    assert send("/api/v1/auth/password-reset", {"phone": "0912 345 001"}).status_code == 202
    code = code_in("0912345001")
    weak = send("/api/v1/auth/password-reset/confirm", {"phone": "0912345001", "otp": code, "new_password": "123"})
    assert weak.status_code == 422 and "new_password" in weak.json()["fields"]
    wrong = send(
        "/api/v1/auth/password-reset/confirm",
        {"phone": "0912345001", "otp": f"{(int(code) + 1) % 10**6:06d}", "new_password": "mua-xuan-ve-2027"},
    )
    assert wrong.status_code == 422 and "otp" in wrong.json()["fields"]
    done = send(
        "/api/v1/auth/password-reset/confirm", {"phone": "0912345001", "otp": code, "new_password": "mua-xuan-ve-2027"}
    )
    assert done.status_code == 204
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401
    assert not ApiToken.objects.filter(user=citizen).exists()
    assert browser.get("/tai-khoan").status_code == 302  # the other session ended
    assert _post(client, "/api/v1/auth/login", {"username": "congdan1", "password": PASSWORD}).status_code == 401
    assert (
        _post(client, "/api/v1/auth/login", {"username": "congdan1", "password": "mua-xuan-ve-2027"}).status_code == 200
    )


def test_resend_waits_a_minute_then_sends_a_new_code(send, db):
    vid = send("/api/v1/auth/register", NEW).json()["verification_id"]
    early = send("/api/v1/auth/register/resend", {"verification_id": vid})
    assert early.status_code == 429 and int(early["Retry-After"]) <= 60
    OneTimeCode.objects.filter(pk=vid).update(sent_at=timezone.now() - dt.timedelta(seconds=61))
    assert send("/api/v1/auth/register/resend", {"verification_id": vid}).status_code == 202
    assert SimulatedSms.objects.filter(phone="0988777666").count() == 2


def test_too_many_codes_to_one_phone_is_429_with_the_wait(send, db):
    for _i in range(5):
        assert send("/api/v1/auth/password-reset", {"phone": "0912999888"}).status_code == 202
    limited = send("/api/v1/auth/password-reset", {"phone": "0912999888"})
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) > 0 and "phút" in limited.json()["message"]


# --- pages ----------------------------------------------------------------------------------------------------
def test_sign_up_pages_log_the_citizen_in(client, db, django_capture_on_commit_callbacks, settings):
    page = client.get("/dang-ky")
    assert page.status_code == 200 and "Nghị định 13/2023" in page.content.decode()
    form = {
        "full_name": "Hoàng Văn Sơn",
        "citizen_id": "010095001234",
        "birth_date_0": "2",
        "birth_date_1": "4",
        "birth_date_2": "1995",
        "gender": "male",
        "phone": "0988777666",
        "password": "song-suoi-2026",
    }
    no_consent = client.post("/dang-ky", form)
    assert no_consent.status_code == 400 and "đồng ý" in no_consent.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/dang-ky", {**form, "consent": "on"})
    assert started.status_code == 302 and started["Location"] == "/dang-ky/xac-nhan"
    code_page = client.get("/dang-ky/xac-nhan").content.decode()
    too_soon = client.post("/dang-ky/xac-nhan", {"resend": "1"})
    assert too_soon.status_code == 429 and "Hãy đợi" in too_soon.content.decode()
    assert "098****666" in code_page and "0988777666" not in code_page
    wrong = client.post("/dang-ky/xac-nhan", {"code": f"{(int(code_in('0988777666')) + 1) % 10**6:06d}"})
    assert wrong.status_code == 422 and "còn 4 lần" in wrong.content.decode()
    done = client.post("/dang-ky/xac-nhan", {"code": code_in("0988777666")})
    assert done.status_code == 302
    assert client.get("/tai-khoan").status_code == 200
    assert client.get("/dang-ky/xac-nhan").status_code == 302  # the pending sign-up is gone


def test_recovery_pages(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/quen-mat-khau", {"phone": "0912345001"}).status_code == 302
    done = client.post("/quen-mat-khau/xac-nhan", {"code": code_in("0912345001"), "new_password": "mua-xuan-ve-2027"})
    assert done.status_code == 302 and done["Location"] == "/dang-nhap"
    citizen.refresh_from_db()
    assert citizen.check_password("mua-xuan-ve-2027")


def test_activation_link_sets_the_first_password_once(client, staff, settings):
    walk_in = _walk_in(staff)
    link = activation_url(user=walk_in).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + link)
    assert page.status_code == 200 and "Nguyễn Văn An" in page.content.decode()
    assert client.post("/" + link, {"password": "123", "consent": "on"}).status_code == 422
    done = client.post("/" + link, {"password": "song-suoi-2026", "consent": "on"})
    assert done.status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.check_password("song-suoi-2026")
    assert Consent.objects.get(user=walk_in).source == "activation"
    client.logout()
    assert client.get("/" + link).status_code == 404  # one time only


def test_activation_link_expires_after_seven_days(client, staff, settings):
    walk_in = _walk_in(staff)
    link = activation_url(user=walk_in).split("://", 1)[1].split("/", 1)[1]
    settings.ACTIVATION_LINK_DAYS = 0
    from unittest import mock

    later = timezone.now() + dt.timedelta(seconds=5)
    with mock.patch("motcua.accounts.registration.timezone.now", return_value=later):
        assert client.get("/" + link).status_code == 404


def test_sign_up_pages_speak_english_on_request(client, db):
    client.cookies["django_language"] = "en"
    page = client.get("/dang-ky").content.decode()
    assert "Create an account" in page and "Consent to the processing of personal data" in page
    assert "Send verification code" in page


@pytest.mark.parametrize("password", ["Ab1!x", "12345678", "password", "nguyenvanson95", "x"])
def test_every_password_rule_speaks_vietnamese(db, password):
    """Django 5.2's minimum-length wording is missing from its Vietnamese catalogue; every rule's message
    (length, common, numeric, like the name) must still come out in Vietnamese."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from motcua.accounts.models import User

    user = User(username="nguyenvanson", first_name="Nguyễn Văn Sơn")
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    for message in refused.value.messages:
        assert not re.search(r"\b(This|password|must|characters?|too)\b", message), message
