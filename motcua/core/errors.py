"""Domain errors raised by services and selectors; the interfaces map them to HTTP statuses.

Each carries a stable machine code and a Vietnamese message that tells the user how to fix it.
"""


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def field_messages(self) -> dict[str, list[str]]:
        """{field: [message, …]} for a page's error list (a copy: the page may add its own)."""
        return {key: list(messages) for key, messages in self.fields.items()}

    def as_body(self) -> dict:
        return {"code": self.code, "message": str(self.message), "fields": self.fields}


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotAllowed(DomainError):
    status = 422
    code = "not_allowed"


class RateLimited(DomainError):
    """Too many tries: `retry_after` (seconds) becomes the Retry-After header."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Busy(DomainError):
    """The server is at its limit for this kind of work; the client should try again shortly."""

    status = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
