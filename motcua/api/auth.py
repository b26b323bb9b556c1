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
