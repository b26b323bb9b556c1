"""Sign-in and abuse (issue 12): counters per purpose, the client address behind a proxy, second
factors that count, sessions and tokens that end together."""

import datetime as dt

import pyotp
import pytest
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from motcua.accounts import services
from motcua.accounts.models import LoginAttempt
from motcua.core.net import client_ip

from .conftest import PASSWORD


def _login(client, identifier, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"identifier": identifier, "password": password}, **extra)


def _api(client, method, path, token=None, **kwargs):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(client, method)(f"/api/v1{path}", content_type="application/json", **headers, **kwargs)


def _age_attempts(seconds):
    LoginAttempt.objects.update(created_at=F("created_at") - dt.timedelta(seconds=seconds))


# --- counters per purpose ---------------------------------------------------------------------------
def test_tracking_failures_never_block_logins(client, citizen):
    for n in range(30):  # a different code each time: only the address counter fills up
        response = client.post("/tra-cuu", {"ma": f"H15.02839-261130-{n:04d}", "dien-thoai": "0900000000"})
        assert response.status_code == 404
    assert client.post("/tra-cuu", {"ma": "X", "dien-thoai": "0900000000"}).status_code == 429
    # The same address logs in at once.
    assert _login(client, "congdan1").status_code == 302


def test_login_failures_do_not_block_tracking(client, citizen, settings):
    for name in range(12):
        _login(client, f"nobody{name}", "sai")
    assert client.post("/tra-cuu", {"ma": "KHONG-CO", "dien-thoai": "0900000000"}).status_code == 404


# --- the client address ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("peer", "header", "trusted", "expected"),
    [
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),  # no proxy configured: header ignored
        ("203.0.113.9", "198.51.100.1", ["127.0.0.1"], "203.0.113.9"),  # not from our proxy: ignored
        ("127.0.0.1", "198.51.100.1", ["127.0.0.1"], "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ["127.0.0.1"], "198.51.100.1"),  # spoofed left entry
        ("10.0.0.5", "198.51.100.1, 10.0.0.7", ["10.0.0.0/24"], "198.51.100.1"),  # two of our proxies
        ("127.0.0.1", "not-an-ip", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
    ],
)
def test_forwarded_address_is_used_only_from_a_trusted_proxy(settings, peer, header, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_behind_the_proxy_each_client_has_its_own_counter(client, citizen, settings):
    """Behind nginx one guesser must not lock everyone out; and a guesser cannot dodge by forging."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.THROTTLES = {**settings.THROTTLES, "login": {**settings.THROTTLES["login"], "ip_max": 3}}
    for name in ("a", "b", "c"):
        _login(client, name, "sai", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert _login(client, "d", "sai", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66").status_code == 429
    ok = _login(client, "congdan1", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert ok.status_code == 302
    # Sent straight to the app (not through the proxy), the header is ignored.
    settings.TRUSTED_PROXIES = []
    for name in ("e", "f", "g"):
        _login(client, name, "sai", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{ord(name)}")
    assert _login(client, "h", "sai", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 429


# --- an account under attack: the right password needs a code by SMS -----------------------------
def test_many_wrong_passwords_then_the_owner_logs_in_with_an_sms_code(
    client, citizen, settings, django_capture_on_commit_callbacks
):
    from motcua.notifications.models import SimulatedSms

    for _ in range(settings.LOGIN_CHALLENGE_AFTER_FAILURES):
        _login(client, "congdan1", "sai")
        _age_attempts(61)
    with django_capture_on_commit_callbacks(execute=True):
        response = _login(client, "congdan1")
    assert response["Location"] == reverse("accounts:login_totp")
    assert "_auth_user_id" not in client.session
    sms = SimulatedSms.objects.get(phone="0912345001")
    code = sms.text.split(": ", 1)[1][:6]
    page = client.get(reverse("accounts:login_totp")).content.decode()
    assert "091****001" in page and "tin nhắn" in page
    wrong = client.post(reverse("accounts:login_totp"), {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    assert client.post(reverse("accounts:login_totp"), {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    # Success clears the failures: the next login needs only the password again.
    client.logout()
    assert _login(client, "congdan1")["Location"] == reverse("accounts:account")


def test_api_login_under_attack_needs_the_sms_code(client, citizen, settings, django_capture_on_commit_callbacks):
    from motcua.notifications.models import SimulatedSms

    for _ in range(settings.LOGIN_CHALLENGE_AFTER_FAILURES):
        _api(client, "post", "/auth/login", data={"username": "congdan1", "password": "sai"})
        _age_attempts(61)
    with django_capture_on_commit_callbacks(execute=True):
        first = _api(client, "post", "/auth/login", data={"username": "congdan1", "password": PASSWORD})
    assert first.status_code == 401 and first.json()["code"] == "sms_code_required"
    code = SimulatedSms.objects.get().text.split(": ", 1)[1][:6]
    done = _api(client, "post", "/auth/login", data={"username": "congdan1", "password": PASSWORD, "sms_code": code})
    assert done.status_code == 200 and done.json()["token"]


# --- TOTP -------------------------------------------------------------------------------------------
@pytest.fixture
def enrolled(intake_a, settings):
    settings.OFFICER_TOTP_REQUIRED = True
    secret = services.totp_setup_begin(user=intake_a)
    now = dt.datetime.now(dt.UTC)
    assert services.totp_confirm(user=intake_a, code=pyotp.TOTP(secret).at(now, counter_offset=-1))
    intake_a.refresh_from_db()
    return intake_a, pyotp.TOTP(secret)


def test_api_totp_failures_are_counted_and_limited(client, enrolled):
    _officer, totp = enrolled
    statuses = []
    for n in range(8):
        body = {"username": "tiepnhan", "password": PASSWORD, "otp": f"{n:06d}"}
        statuses.append(_api(client, "post", "/auth/login", data=body).status_code)
    assert statuses[:3] == [401, 401, 401]
    assert 429 in statuses
    limited = _api(
        client, "post", "/auth/login", data={"username": "tiepnhan", "password": PASSWORD, "otp": totp.now()}
    )
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert LoginAttempt.objects.filter(purpose="totp", succeeded=False).count() >= 3


def test_a_used_totp_code_is_refused_within_its_window(client, enrolled):
    _officer, totp = enrolled
    code = totp.now()
    body = {"username": "tiepnhan", "password": PASSWORD, "otp": code}
    assert _api(client, "post", "/auth/login", data=body).status_code == 200
    again = _api(client, "post", "/auth/login", data=body)
    assert again.status_code == 401 and again.json()["code"] == "otp_invalid"
    # An older code (the previous step, still inside the window) is refused too once a later one is used.
    previous = totp.at(dt.datetime.now(dt.UTC), counter_offset=-1)
    body["otp"] = previous
    assert _api(client, "post", "/auth/login", data=body).status_code == 401


def test_totp_page_failures_are_limited(client, enrolled):
    _officer, totp = enrolled
    assert _login(client, "tiepnhan")["Location"] == reverse("accounts:login_totp")
    codes = [client.post(reverse("accounts:login_totp"), {"code": f"{n:06d}"}).status_code for n in range(6)]
    assert codes[:3] == [400, 400, 400] and 429 in codes
    assert client.post(reverse("accounts:login_totp"), {"code": totp.now()}).status_code == 429


def test_admin_issues_enrolment_codes_through_an_action(client, intake_a, django_user_model, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    admin = django_user_model.objects.create_superuser("quantri", password=PASSWORD)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_totp_enrolment_code", "_selected_action": [intake_a.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Mã đăng ký cho tiepnhan" in text
    code = text.split("Mã đăng ký cho tiepnhan: ", 1)[1][:9]
    stored = intake_a.totp_enrolment_codes.get()
    assert code.replace("-", "") not in stored.code_hash and stored.issued_by == admin
    assert services.totp_enrolment_code_redeem(user=intake_a, code=code, ip_address=None)
    assert not services.totp_enrolment_code_redeem(user=intake_a, code=code, ip_address=None)


def test_enrolment_code_expires(intake_a, settings):
    from motcua.accounts.models import TotpEnrolmentCode

    code = services.totp_enrolment_code_issue(user=intake_a)
    TotpEnrolmentCode.objects.update(expires_at=F("created_at"))
    assert not services.totp_enrolment_code_redeem(user=intake_a, code=code, ip_address=None)


def test_enrolment_command_prints_a_code(intake_a, capsys):
    from django.core.management import call_command

    call_command("totp_enrolment_code", "tiepnhan")
    code = capsys.readouterr().out.strip().split(": ")[1]
    assert services.totp_enrolment_code_redeem(user=intake_a, code=code, ip_address=None)


# --- sessions and tokens end together --------------------------------------------------------------
def _token(client, username="congdan1", password=PASSWORD):
    return _api(client, "post", "/auth/login", data={"username": username, "password": password}).json()["token"]


def test_a_token_stops_working_the_moment_the_password_changes(client, citizen):
    token = _token(client)
    assert _api(client, "get", "/auth/me", token=token).status_code == 200
    web = client.__class__()
    web.force_login(citizen)
    other = client.__class__()
    other.force_login(citizen)
    new = "Ngay-moi-2027"
    response = web.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert response.status_code == 302
    assert _api(client, "get", "/auth/me", token=token).status_code == 401
    # Every other session ended; the one that changed the password goes on.
    assert other.get(reverse("accounts:account")).status_code == 302
    assert web.get(reverse("accounts:account")).status_code == 200


def test_a_password_set_anywhere_kills_old_tokens(client, citizen):
    token = _token(client)
    citizen.set_password("Doi-trong-quan-tri-1")
    citizen.save()
    assert _api(client, "get", "/auth/me", token=token).status_code == 401


def test_logout_ends_the_current_session(client, citizen):
    assert _login(client, "congdan1").status_code == 302
    session_key = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    replay = client.__class__()
    replay.cookies["sessionid"] = session_key
    assert replay.get(reverse("accounts:account")).status_code == 302


def test_admin_ends_all_sessions_and_tokens_of_a_user(client, citizen, django_user_model, settings):
    token = _token(client)
    victim = client.__class__()
    assert _login(victim, "congdan1").status_code == 302
    admin = django_user_model.objects.create_superuser("quantri", password=PASSWORD)
    boss = client.__class__()
    boss.force_login(admin)
    boss.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_all_sessions", "_selected_action": [citizen.pk]},
    )
    assert victim.get(reverse("accounts:account")).status_code == 302
    assert _api(client, "get", "/auth/me", token=token).status_code == 401
    # The password still works for a fresh login.
    assert _login(victim, "congdan1").status_code == 302


# --- redirects -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:evil.example"],
)
def test_login_never_redirects_off_site(client, citizen, target):
    response = client.post(
        reverse("accounts:login") + "?next=" + target, {"identifier": "congdan1", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")


def test_login_keeps_a_local_next(client, citizen):
    response = client.post(reverse("accounts:login") + "?next=/ho-so", {"identifier": "congdan1", "password": PASSWORD})
    assert response["Location"] == "/ho-so"
