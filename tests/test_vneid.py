"""VNeID sign-in: OpenID Connect code flow with PKCE against the project's provider simulator, over real
HTTP (the live server answers discovery, JWKS and the token endpoint; `requests` plays the browser)."""

import base64
import datetime as dt
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore

from motcua.accounts.consent import CONSENT_VERSION
from motcua.accounts.models import CitizenProfile, Consent, User
from motcua.vneid.models import SimulatorGrant, VneidLink

MAI = "010190012345"  # the citizen fixture's ID: level 2 in the simulator
SU = "010085067890"  # level 1, no account in these tests
DUA = "010196054321"  # level 2, no account


@pytest.fixture
def vneid(settings, live_server):
    settings.DEMO = True
    settings.VNEID_ISSUER = live_server.url + "/gia-lap/vneid"
    settings.VNEID_CLIENT_ID = "motcua-test"
    settings.VNEID_CLIENT_SECRET = "bi-mat-thu-nghiem"
    # The live server speaks plain HTTP; secure cookies would never come back from `requests`.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server


class Browser:
    """A cookie-keeping HTTP client that follows the flow as a browser does."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def start(self, next_path: str = "") -> str:
        """Open «Đăng nhập bằng VNeID»: returns the simulator page's URL (with the OAuth parameters)."""
        url = self.base + "/dang-nhap/vneid" + (f"?next={next_path}" if next_path else "")
        page = self.http.get(url, timeout=30)
        assert page.status_code == 200, page.text[:500]
        assert "/gia-lap/vneid/dang-nhap?" in page.url
        return page.url

    def choose(self, authorize_url: str, citizen_id: str) -> str:
        """Pick a person on the simulator and agree: returns the callback URL the simulator sends back."""
        answer = self.http.post(
            authorize_url,
            data={"csrfmiddlewaretoken": self.http.cookies["csrftoken"], "nguoi": citizen_id, "dong-y": ""},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]

    def finish(self, callback_url: str, *, agree: bool = True) -> requests.Response:
        """Come back from the simulator; when the portal asks for consent (first sign-in), agree to it."""
        page = self.http.get(callback_url, timeout=30)
        if agree and page.url.endswith("/dang-nhap/vneid/dong-y"):
            page = self.consent(agree=True)
        return page

    def consent(self, *, agree: bool) -> requests.Response:
        data = {"csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        data.update({"consent": "on"} if agree else {"decline": "1"})
        return self.http.post(self.base + "/dang-nhap/vneid/dong-y", data=data, timeout=30)

    def login(self, citizen_id: str, next_path: str = "", *, agree: bool = True) -> requests.Response:
        return self.finish(self.choose(self.start(next_path), citizen_id), agree=agree)

    def session(self) -> SessionStore:
        return SessionStore(session_key=self.http.cookies["sessionid"])

    def signed_in_user(self) -> User | None:
        user_id = self.session().get("_auth_user_id")
        return User.objects.filter(pk=user_id).first() if user_id else None


def _state_key(callback_url: str) -> str:
    return "_state_vneid_" + parse_qs(urlparse(callback_url).query)["state"][0]


pytestmark = pytest.mark.django_db(transaction=True)


def test_first_login_links_the_account_with_the_same_citizen_id(vneid, citizen):
    browser = Browser(vneid.url)
    page = browser.login(MAI)
    assert page.status_code == 200 and page.url.endswith("/tai-khoan")
    assert 'data-testid="user-name">Lò Thị Mai<' in page.text
    assert "mới ở mức 1" not in page.text
    assert browser.signed_in_user() == citizen
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.identity_level == 2
    link = VneidLink.objects.get(user=citizen)
    assert link.identity_level == 2 and link.issuer == vneid.url + "/gia-lap/vneid"
    assert User.objects.filter(citizen__isnull=False).count() == 1  # linked, not a second account
    # The code was used once and is gone.
    assert not SimulatorGrant.objects.exists()
    # A second sign-in finds the account by the VNeID subject.
    again = Browser(vneid.url)
    assert again.login(MAI).url.endswith("/tai-khoan")
    assert again.signed_in_user() == citizen


def test_first_login_of_a_stranger_creates_a_citizen_account(vneid, citizen):
    browser = Browser(vneid.url)
    page = browser.login(DUA)
    assert page.url.endswith("/tai-khoan")
    assert "Đã tạo tài khoản cho bạn từ thông tin VNeID" in page.text
    user = browser.signed_in_user()
    profile = CitizenProfile.objects.get(user=user)
    assert (profile.citizen_id, profile.full_name, profile.birth_date, profile.gender) == (
        DUA,
        "Hầu Thị Dua",
        dt.date(1996, 5, 20),
        "female",
    )
    assert profile.identity_level == 2 and user.phone == "0912345003"
    # No password of the portal: this account signs in with VNeID (or sets one through recovery).
    assert not user.has_usable_password()


def test_nothing_is_created_or_linked_before_consent_and_it_is_asked_once(vneid, citizen):
    """Decree 13/2023/NĐ-CP, Art. 11: a first VNeID sign-in asks for consent before any account is made."""
    browser = Browser(vneid.url)
    asked = browser.login(DUA, agree=False)
    assert asked.url.endswith("/dang-nhap/vneid/dong-y") and "Nghị định 13/2023/NĐ-CP" in asked.text
    assert not CitizenProfile.objects.filter(citizen_id=DUA).exists() and browser.signed_in_user() is None
    # Sending the form without the box: refused, still nothing made.
    refused = browser.http.post(
        vneid.url + "/dang-nhap/vneid/dong-y", data={"csrfmiddlewaretoken": browser.http.cookies["csrftoken"]}
    )
    assert refused.status_code == 422 and 'class="error-summary"' in refused.text
    assert not CitizenProfile.objects.filter(citizen_id=DUA).exists()
    # Declining ends the attempt: no account, no link, no session.
    declined = browser.consent(agree=False)
    assert declined.url.endswith("/dang-nhap")
    assert not CitizenProfile.objects.filter(citizen_id=DUA).exists() and not VneidLink.objects.exists()
    assert browser.consent(agree=True).status_code == 400  # the pending sign-in is gone
    # Agreeing: the account and its consent in one go; the next sign-in is not asked again.
    page = Browser(vneid.url).login(DUA)
    user = CitizenProfile.objects.get(citizen_id=DUA).user
    consent = Consent.objects.get(user=user)
    assert page.url.endswith("/tai-khoan")
    assert (consent.version, consent.source) == (CONSENT_VERSION, "vneid")
    again = Browser(vneid.url)
    assert again.login(DUA, agree=False).url.endswith("/tai-khoan")
    assert Consent.objects.filter(user=user).count() == 1


def test_an_account_that_already_consented_is_not_asked(vneid, citizen):
    Consent.objects.create(user=citizen, version=CONSENT_VERSION, source="signup")
    page = Browser(vneid.url).login(MAI, agree=False)
    assert page.url.endswith("/tai-khoan") and Consent.objects.filter(user=citizen).count() == 1


def test_a_level_1_identity_is_stored_and_the_citizen_is_told(vneid, citizen):
    CitizenProfile.objects.filter(user=citizen).update(identity_level=2)
    CitizenProfile.objects.filter(user=citizen).update(citizen_id=SU, birth_date=dt.date(1985, 7, 5), gender="male")
    page = Browser(vneid.url).login(SU)
    assert "Tài khoản VNeID của bạn mới ở mức 1" in page.text
    assert CitizenProfile.objects.get(user=citizen).identity_level == 1


def test_new_account_takes_no_phone_that_another_account_uses(vneid, citizen):
    citizen.phone = "0912345003"  # Hầu Thị Dua's phone in the simulator now belongs to someone else
    citizen.save(update_fields=["phone"])
    browser = Browser(vneid.url)
    browser.login(DUA)
    user = browser.signed_in_user()
    assert user != citizen and user.phone is None and user.citizen.citizen_id == DUA


def test_next_is_kept_through_the_round_trip(vneid, citizen):
    page = Browser(vneid.url).login(MAI, next_path="/ho-so")
    assert urlparse(page.url).path == "/ho-so"


def test_wrong_state_is_refused_before_any_token_request(vneid, citizen):
    browser = Browser(vneid.url)
    callback = browser.choose(browser.start(), MAI)
    forged = re.sub(r"state=[^&]+", "state=" + secrets.token_urlsafe(20), callback)
    page = browser.finish(forged)
    assert page.status_code == 400 and "Đăng nhập VNeID không thành công" in page.text
    assert browser.signed_in_user() is None
    assert SimulatorGrant.objects.count() == 1  # the code was never redeemed


def test_a_wrong_pkce_verifier_in_the_session_fails_at_the_provider(vneid, citizen):
    browser = Browser(vneid.url)
    callback = browser.choose(browser.start(), MAI)
    session = browser.session()
    key = _state_key(callback)
    state = session[key]
    state["data"]["code_verifier"] = secrets.token_urlsafe(48)
    session[key] = state
    session.save()
    page = browser.finish(callback)
    assert page.status_code == 400 and browser.signed_in_user() is None
    assert not VneidLink.objects.exists()


def test_an_id_token_for_another_nonce_is_refused(vneid, citizen):
    browser = Browser(vneid.url)
    callback = browser.choose(browser.start(), MAI)
    session = browser.session()
    key = _state_key(callback)
    state = session[key]
    assert state["data"]["nonce"]
    state["data"]["nonce"] = "a-different-nonce"
    session[key] = state
    session.save()
    page = browser.finish(callback)
    assert page.status_code == 400 and browser.signed_in_user() is None


def test_a_discovery_document_for_another_issuer_is_refused(vneid, settings, citizen):
    settings.VNEID_ISSUER = vneid.url.replace("localhost", "127.0.0.1") + "/gia-lap/vneid"
    if settings.VNEID_ISSUER.startswith(vneid.url):
        pytest.skip("the live server's address has no second spelling here")
    page = requests.get(vneid.url + "/dang-nhap/vneid", timeout=30)
    assert page.status_code == 502


def test_cancel_on_the_provider_comes_back_without_signing_in(vneid, citizen):
    browser = Browser(vneid.url)
    authorize = browser.start()
    answer = browser.http.post(
        authorize, data={"csrfmiddlewaretoken": browser.http.cookies["csrftoken"], "huy": ""}, allow_redirects=False
    )
    assert "error=access_denied" in answer.headers["Location"]
    page = browser.finish(answer.headers["Location"])
    assert page.status_code == 400 and "Bạn đã dừng đăng nhập bằng VNeID" in page.text
    assert browser.signed_in_user() is None


# --- the provider simulator's own checks (Django's test client; no network) ------------------------
def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def simulator(settings, db):
    settings.DEMO = True
    settings.VNEID_CLIENT_ID = "motcua-test"
    settings.VNEID_CLIENT_SECRET = "bi-mat-thu-nghiem"
    # Authlib accepts plain HTTP only on loopback addresses (RFC 8252 §7.3).
    settings.ALLOWED_HOSTS = ["localhost"]
    from django.test import Client

    return Client(HTTP_HOST="localhost")


def _authorize(client, *, challenge: str | None, method: str = "S256", nonce: str = "n-1") -> str:
    params = {
        "response_type": "code",
        "client_id": "motcua-test",
        "redirect_uri": "http://localhost/dang-nhap/vneid/ket-qua",
        "scope": "openid profile",
        "state": "s-1",
        "nonce": nonce,
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": method}
    url = "/gia-lap/vneid/dang-nhap?" + urlencode(params)
    page = client.get(url)
    if page.status_code != 200:
        return ""
    answer = client.post(url, {"nguoi": MAI, "dong-y": ""})
    assert answer.status_code == 302
    return parse_qs(urlparse(answer["Location"]).query)["code"][0]


def _token(client, code: str, verifier: str):
    return client.post(
        "/gia-lap/vneid/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://localhost/dang-nhap/vneid/ket-qua",
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"motcua-test:bi-mat-thu-nghiem").decode(),
    )


def test_simulator_checks_the_pkce_verifier_and_uses_a_code_once(simulator):
    client = simulator
    verifier = secrets.token_urlsafe(48)
    code = _authorize(client, challenge=_s256(verifier))
    wrong = _token(client, code, secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # A failed try does not burn the code for its rightful holder, who then uses it once.
    right = _token(client, code, verifier)
    assert right.status_code == 200 and right.json()["id_token"]
    again = _token(client, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_simulator_requires_an_s256_challenge_and_a_fresh_nonce(simulator):
    client = simulator
    assert _authorize(client, challenge=None) == ""
    assert _authorize(client, challenge=secrets.token_urlsafe(43), method="plain") == ""
    assert _authorize(client, challenge=_s256(secrets.token_urlsafe(48)), nonce="") == ""
    assert _authorize(client, challenge=_s256(secrets.token_urlsafe(48)), nonce="n-2")
    # The same nonce again while its code is unused: a replay.
    assert _authorize(client, challenge=_s256(secrets.token_urlsafe(48)), nonce="n-2") == ""


def test_simulator_refuses_another_redirect_uri_and_a_wrong_secret(simulator):
    client = simulator
    page = client.get(
        "/gia-lap/vneid/dang-nhap?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": "motcua-test",
                "redirect_uri": "https://attacker.example/cb",
                "scope": "openid",
                "state": "s",
                "nonce": "n",
                "code_challenge": _s256("x" * 50),
                "code_challenge_method": "S256",
            }
        )
    )
    assert page.status_code == 400
    verifier = secrets.token_urlsafe(48)
    code = _authorize(client, challenge=_s256(verifier))
    answer = client.post(
        "/gia-lap/vneid/token",
        {"grant_type": "authorization_code", "code": code, "code_verifier": verifier},
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"motcua-test:sai").decode(),
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "path", ["/gia-lap/vneid/", "/gia-lap/vneid/.well-known/openid-configuration", "/gia-lap/vneid/jwks"]
)
def test_simulator_is_404_outside_demo_mode(client, settings, db, path):
    settings.DEMO = False
    assert client.get(path).status_code == 404
    assert client.post("/gia-lap/vneid/token").status_code == 404


def test_vneid_login_is_404_and_hidden_when_not_configured(client, settings, db):
    settings.VNEID_ISSUER = ""
    assert client.get("/dang-nhap/vneid").status_code == 404
    assert 'data-testid="vneid-login"' not in client.get("/dang-nhap").content.decode()


# --- procedures that require identity level 2 --------------------------------------------------------
def _require_level(code: str, level: int):
    from motcua.catalog.models import Procedure

    Procedure.objects.current().filter(code=code).update(identity_level_required=level)


def test_a_level_1_citizen_is_told_how_to_get_level_2_and_gets_no_form(client, citizen, catalog, office_a):
    _require_level("1.001193", 2)
    CitizenProfile.objects.filter(user=citizen).update(identity_level=1)
    client.force_login(citizen)
    page = client.get("/thu-tuc/1.001193/nop-truc-tuyen")
    text = page.content.decode()
    assert page.status_code == 403
    assert "cần tài khoản định danh điện tử mức 2" in text and "Tài khoản của bạn hiện ở mức 1" in text
    assert "Công an xã, phường" in text and "<form" not in text.split('id="noi-dung"')[1].split("</main>")[0]
    # The guidance page says it too, before the citizen starts.
    assert 'data-testid="identity-level-needed"' in client.get("/thu-tuc/1.001193").content.decode()
    # Level 2 (after a VNeID sign-in) opens the form.
    CitizenProfile.objects.filter(user=citizen).update(identity_level=2)
    assert client.get("/thu-tuc/1.001193/nop-truc-tuyen").status_code == 200
    assert 'data-testid="identity-level-needed"' not in client.get("/thu-tuc/1.001193").content.decode()


def test_procedures_without_the_requirement_are_open_to_every_level(client, citizen, catalog, office_a):
    CitizenProfile.objects.filter(user=citizen).update(identity_level=0)
    client.force_login(citizen)
    assert client.get("/thu-tuc/1.001193/nop-truc-tuyen").status_code == 200


def test_the_requirement_travels_through_export_and_import(db, catalog):
    import json

    from motcua.catalog.importer import catalog_export, catalog_import
    from motcua.catalog.models import Procedure

    _require_level("1.001193", 2)
    exported = catalog_export()
    entry = next(p for p in exported["procedures"] if p["code"] == "1.001193")
    assert entry["identity_level_required"] == 2
    assert all("identity_level_required" not in p for p in exported["procedures"] if p["code"] != "1.001193")
    entry["identity_level_required"] = 1
    report = catalog_import(json.dumps(exported, ensure_ascii=False))
    assert report.new_versions == 1
    assert Procedure.objects.current().get(code="1.001193").identity_level_required == 1
    entry["identity_level_required"] = 3
    from motcua.catalog.importer import CatalogImportError

    with pytest.raises(CatalogImportError):
        catalog_import(json.dumps(exported, ensure_ascii=False))
