"""The VNeID client: OpenID Connect authorization code flow with PKCE (S256), through Authlib's Django
client (docs/decisions/0003-oidc-client.md).

Authlib keeps `state`, `nonce` and the PKCE `code_verifier` in the session between the redirect and the
callback, checks `state` on return, sends the verifier to the token endpoint, and validates the ID
token (signature against the provider's JWKS, `iss`, `aud`, `exp`, `nonce`, `at_hash`). We add: the
discovery document's issuer must be the configured issuer (OpenID Connect Discovery §4.3), and a token
answer without an ID token is refused.
"""

import threading
import time

from authlib.integrations.django_client import OAuth
from django.conf import settings

_METADATA_SECONDS = 3600
_lock = threading.Lock()
_apps: dict[tuple, tuple[float, object]] = {}


class VneidError(Exception):
    """The provider could not be reached or answered something we must not trust."""


def vneid_enabled() -> bool:
    return bool(settings.VNEID_ISSUER and settings.VNEID_CLIENT_ID)


def vneid_client():
    """The registered Authlib app for the configured provider. The discovery document is fetched over
    HTTP on first use and again after an hour (key rotation, moved endpoints)."""
    key = (settings.VNEID_ISSUER, settings.VNEID_CLIENT_ID, settings.VNEID_CLIENT_SECRET, settings.VNEID_SCOPE)
    with _lock:
        made, app = _apps.get(key, (0.0, None))
        if app is None or time.monotonic() - made > _METADATA_SECONDS:
            app = OAuth().register(
                name="vneid",
                client_id=settings.VNEID_CLIENT_ID,
                client_secret=settings.VNEID_CLIENT_SECRET,
                server_metadata_url=settings.VNEID_ISSUER.rstrip("/") + "/.well-known/openid-configuration",
                client_kwargs={
                    "scope": settings.VNEID_SCOPE,
                    "code_challenge_method": "S256",
                    "default_timeout": settings.VNEID_TIMEOUT_SECONDS,
                },
            )
            _apps[key] = (time.monotonic(), app)
    return app


def _checked_metadata(app) -> dict:
    metadata = app.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != settings.VNEID_ISSUER.rstrip("/"):
        raise VneidError("issuer in the discovery document differs from VNEID_ISSUER")
    return metadata


def authorize_redirect(request, redirect_uri: str):
    """The redirect to VNeID's authorization endpoint (state, nonce and PKCE challenge included)."""
    app = vneid_client()
    _checked_metadata(app)
    return app.authorize_redirect(request, redirect_uri)


def authorize_callback(request) -> dict:
    """Finish the flow on our callback: returns the ID token's validated claims. Raises
    authlib's OAuthError (wrong state, refused by the user, bad code or verifier, bad ID token) or
    VneidError; network errors from `requests` propagate."""
    app = vneid_client()
    _checked_metadata(app)
    token = app.authorize_access_token(request)
    claims = token.get("userinfo")
    if not claims:
        raise VneidError("the provider sent no ID token")
    return dict(claims)
