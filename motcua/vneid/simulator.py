"""A local OpenID Provider that plays VNeID in demo mode (and in tests). It is a simulator: it signs in
the people of `data/simulator_people.json` after a click, with no password and no biometrics.

Built on Authlib's server side (the same library as our client, docs/decisions/0003-oidc-client.md):
authorization code grant (RFC 6749) + PKCE with S256 required (RFC 7636, `CodeChallenge`) + OpenID
Connect Core (`OpenIDCode`: nonce required and checked for replay, RS256 ID token). We only supply
storage (one-use codes in `SimulatorGrant`), the registered client (our own, from settings) and the
claims. Every URL answers 404 unless `settings.DEMO` is on.

Claims (our assumption of VNeID's, *unconfirmed*; the client maps them in `motcua.vneid.services`):
`sub`, `citizen_id`, `name`, `birthdate` (YYYY-MM-DD), `gender` (male/female), `phone_number`,
`identity_level` (1 or 2).
"""

import datetime as dt
import functools
import hashlib
import json
import os
import time
from pathlib import Path

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from joserfc.jwk import KeySet, RSAKey

from .models import SimulatorGrant

PEOPLE_FILE = Path(__file__).parent / "data" / "simulator_people.json"
CODE_SECONDS = 60


@functools.cache
def people() -> dict[str, dict]:
    """The simulated population by citizen ID."""
    data = json.loads(PEOPLE_FILE.read_text(encoding="utf-8"))
    return {p["citizen_id"]: p for p in data["people"]}


def subject_of(citizen_id: str) -> str:
    """A stable, opaque `sub` (VNeID does not hand out the ID number as the subject)."""
    return hashlib.sha256(f"vneid-sim:{citizen_id}".encode()).hexdigest()[:32]


def issuer(request) -> str:
    return request.build_absolute_uri(reverse("vneid_sim:root")).rstrip("/")


# --- the signing key: one RSA key per installation, shared by every process through a file ----------
def _key_path() -> Path:
    return Path(settings.VAR_DIR) / "vneid-simulator-key.pem"


@functools.cache
def _signing_key_at(path: str) -> RSAKey:
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, private=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(key.as_pem(private=True))
        try:
            os.link(temporary, target)  # the first process to get here wins; the others read its key
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    key = RSAKey.import_key(target.read_bytes())
    key.ensure_kid()
    return key


def signing_key() -> RSAKey:
    return _signing_key_at(str(_key_path()))


def jwks() -> dict:
    return KeySet([signing_key()]).as_dict(private=False)


def discovery(request) -> dict:
    base = issuer(request)
    return {
        "issuer": base,
        "authorization_endpoint": request.build_absolute_uri(reverse("vneid_sim:authorize")),
        "token_endpoint": request.build_absolute_uri(reverse("vneid_sim:token")),
        "jwks_uri": request.build_absolute_uri(reverse("vneid_sim:jwks")),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": [
            "sub",
            "citizen_id",
            "name",
            "birthdate",
            "gender",
            "phone_number",
            "identity_level",
        ],
    }


# --- Authlib glue ------------------------------------------------------------------------------------
class _Client(ClientMixin):
    """The one registered client: this project, with the client id and secret from settings; its only
    redirect URI is our own callback on the same site."""

    def __init__(self, redirect_uri: str):
        self.client_id = settings.VNEID_CLIENT_ID
        self.redirect_uri = redirect_uri

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        allowed = {"openid", "profile"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return constant_time_compare(settings.VNEID_CLIENT_SECRET, client_secret or "")

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class _Code:
    def __init__(self, row: SimulatorGrant):
        self.row = row

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope

    def get_nonce(self):
        return self.row.nonce

    def get_auth_time(self):
        return self.row.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    @property
    def code_challenge(self):
        return self.row.code_challenge

    @property
    def code_challenge_method(self):
        return self.row.code_challenge_method


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class _AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        SimulatorGrant.objects.create(
            code_hash=_code_hash(code),
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.payload.scope or "",
            nonce=data.get("nonce") or "",
            code_challenge=data.get("code_challenge") or "",
            code_challenge_method=data.get("code_challenge_method") or "",
            citizen_id=request.user["citizen_id"],
            auth_time=int(time.time()),
            expires_at=timezone.now() + dt.timedelta(seconds=CODE_SECONDS),
        )

    def query_authorization_code(self, code, client):
        row = SimulatorGrant.objects.filter(
            code_hash=_code_hash(code or ""), client_id=client.get_client_id(), expires_at__gt=timezone.now()
        ).first()
        return _Code(row) if row else None

    def delete_authorization_code(self, authorization_code):
        # A code works once: a second request with it finds nothing (RFC 6749 §4.1.2).
        SimulatorGrant.objects.filter(pk=authorization_code.row.pk).delete()

    def authenticate_user(self, authorization_code):
        return people().get(authorization_code.row.citizen_id)


class _OpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce, request):
        return SimulatorGrant.objects.filter(client_id=request.payload.client_id, nonce=nonce).exists()

    def resolve_client_private_key(self, client):
        return signing_key()

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": signing_key().kid}

    def get_client_claims(self, client):
        return {"iss": self.issuer, "aud": [client.get_client_id()]}

    def generate_user_info(self, user, scope):
        return UserInfo(
            sub=subject_of(user["citizen_id"]),
            citizen_id=user["citizen_id"],
            name=user["name"],
            birthdate=user["birthdate"],
            gender=user["gender"],
            phone_number=user["phone_number"],
            identity_level=user["identity_level"],
        )


class _PkceS256(CodeChallenge):
    """PKCE for every client, confidential ones too, and only S256 (RFC 9700 §2.1.1): Authlib's default
    insists only for public clients and also accepts "plain"."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256")
        return super().validate_code_challenge(grant, redirect_uri)


class _Server(AuthorizationServer):
    def __init__(self, request):
        self.http_request = request
        super().__init__(client_model=None, token_model=None)

    def query_client(self, client_id):
        if not settings.VNEID_CLIENT_ID or client_id != settings.VNEID_CLIENT_ID:
            return None
        return _Client(self.http_request.build_absolute_uri(reverse("vneid:callback")))

    def save_token(self, token, request):
        # The simulator offers no user-info or other protected resource: nothing to keep.
        return None


def server_for(request) -> AuthorizationServer:
    """An authorization server bound to this request's site (issuer and redirect URI follow the host)."""
    server = _Server(request)
    openid = _OpenIDCode(require_nonce=True)
    openid.issuer = issuer(request)
    server.register_grant(_AuthorizationCodeGrant, [_PkceS256(required=True), openid])
    return server
