import pytest


@pytest.fixture
def api(client):
    def call(method, path, token=None, **kwargs):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return getattr(client, method)(f"/api/v1{path}", content_type="application/json", **headers, **kwargs)

    return call


def test_login_returns_a_bearer_token(api, citizen):
    response = api("post", "/auth/login", data={"username": "0912345001", "password": "mat-khau-thu-2026"})
    assert response.status_code == 200
    token = response.json()["token"]
    me = api("get", "/auth/me", token=token)
    assert me.status_code == 200
    assert me.json()["full_name"] == "Lò Thị Mai"
    assert me.json()["is_citizen"] is True


def test_bad_credentials_give_401_with_error_body(api, citizen):
    response = api("post", "/auth/login", data={"username": "congdan1", "password": "sai"})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert "mật khẩu" in body["message"]


def test_missing_field_is_422_with_fields(api, db):
    response = api("post", "/auth/login", data={"username": "x"})
    assert response.status_code == 422
    assert "password" in response.json()["fields"]


def test_api_login_is_rate_limited(api, citizen, settings):
    settings.THROTTLES = {**settings.THROTTLES, "login": {**settings.THROTTLES["login"], "key_free": 2}}
    for _ in range(2):
        api("post", "/auth/login", data={"username": "congdan1", "password": "sai"})
    response = api("post", "/auth/login", data={"username": "congdan1", "password": "mat-khau-thu-2026"})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1


def test_unknown_or_revoked_token_is_401(api, citizen):
    assert api("get", "/auth/me", token="khong-co-that").status_code == 401
    token = api("post", "/auth/login", data={"username": "congdan1", "password": "mat-khau-thu-2026"}).json()["token"]
    assert api("post", "/auth/logout", token=token).status_code == 204
    assert api("get", "/auth/me", token=token).status_code == 401


def test_officer_api_login_needs_otp_when_required(api, intake_a, settings):
    settings.OFFICER_TOTP_REQUIRED = True
    response = api("post", "/auth/login", data={"username": "tiepnhan", "password": "mat-khau-thu-2026"})
    assert response.status_code == 401
    assert response.json()["code"] == "otp_setup_required"


def test_openapi_schema_is_published(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/auth/login" in response.json()["paths"]
