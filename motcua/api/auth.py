from ninja.security import HttpBearer

from motcua.accounts.services import api_token_user


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/login."""

    def authenticate(self, request, token):
        user = api_token_user(raw=token)
        if user is not None:
            request.user = user
        return user


bearer = BearerToken()


def token_user(request):
    """The user of the request's `Authorization: Bearer <token>` header: None when there is no such header
    or the token is not valid (any more)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    return api_token_user(raw=header[7:].strip())


def caller_or_none(request):
    """For endpoints that answer strangers with the same 404 as a missing object rather than a 401: the token's
    user when a bearer header is sent, else the signed-in session's user, else None."""
    if request.headers.get("Authorization", "")[:7].lower() == "bearer ":
        return token_user(request)
    return request.user if request.user.is_authenticated else None


class BearerDownloadsMiddleware:
    """The links the API hands out (receipt, result, attachments) are ordinary site URLs; an API client
    follows them with the same `Authorization: Bearer <token>` it uses for the API. Only reads (GET, HEAD)
    are authenticated this way and no session is created; a browser never sends this header by itself, so
    there is no CSRF exposure. The token was issued after the second factor, so it satisfies it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and not request.path.startswith("/api/")
            and not request.user.is_authenticated
        ):
            user = token_user(request)
            if user is not None:
                request.user = user
                request.authenticated_by_token = True
        return self.get_response(request)
