"""One error body for the whole API: {"code", "message" (Vietnamese), "fields"}.

Errors raised inside an operation are mapped here; errors that happen before or around one (an unknown
route, a method the route does not take, a body Django refuses, a CSRF failure) are rewritten by
`JsonErrorsMiddleware`, so nothing under /api/ ever answers with an HTML page."""

import json
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from motcua.core.errors import DomainError


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _field_path(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "body"


logger = logging.getLogger("motcua.api")

API_PREFIX = "/api/"


def generic_body(status: int) -> dict:
    """The body for a status when nothing more specific is known (Vietnamese, says what to do)."""
    known = {
        400: ("bad_request", _("Yêu cầu không đúng định dạng; kiểm tra lại dữ liệu gửi lên.")),
        401: ("unauthenticated", _("Cần đăng nhập: gửi mã truy cập trong tiêu đề Authorization: Bearer <mã>.")),
        403: ("forbidden", _("Bạn không có quyền thực hiện thao tác này.")),
        404: ("not_found", _("Không tìm thấy địa chỉ này trong API; xem danh sách tại /api/v1/docs.")),
        405: ("method_not_allowed", _("Địa chỉ này không nhận phương thức %(method)s.")),
        413: ("too_large", _("Dữ liệu gửi lên quá lớn.")),
        415: ("unsupported_type", _("Kiểu dữ liệu gửi lên không được hỗ trợ.")),
        429: ("rate_limited", _("Quá nhiều yêu cầu; hãy thử lại sau ít phút.")),
    }
    if status in known:
        code, message = known[status]
        return _body(code, message)
    if status >= 500:
        return _body("server_error", _("Hệ thống gặp lỗi ngoài dự kiến; lỗi đã được ghi lại, hãy thử lại sau."))
    return _body("error", _("Yêu cầu không thực hiện được."))


def json_error(status: int, body: dict, headers=None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _body_too_big(request) -> bool:
    from django.conf import settings

    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is not None and length > limit and not request.content_type.startswith("multipart/")


class JsonErrorsMiddleware:
    """Under /api/, an error answer that is not already JSON (Django's 404 page for an unknown route, the
    empty 405 of a route called with another method, a refused body, a CSRF failure, the 500 page) is
    replaced by the API's JSON body with the same status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        if status == 400 and _body_too_big(request):
            status = 413  # Django answers a refused body (RequestDataTooBig) with a plain 400
        body = generic_body(status)
        if status == 405:
            body["message"] = body["message"] % {"method": request.method}
            body["fields"] = {"method": [response.get("Allow", "")]}
        keep = {name: response[name] for name in ("Allow", "Retry-After", "WWW-Authenticate") if name in response}
        return json_error(status, body, keep)


def install(api) -> None:
    @api.exception_handler(Exception)
    def unexpected(request, exc: Exception):
        # Logged with the traceback; the logging filter masks personal data in it (motcua/core/logging.py).
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        return api.create_response(request, generic_body(500), status=500)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return api.create_response(request, generic_body(413), status=413)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return api.create_response(request, generic_body(400), status=400)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(request, generic_body(403), status=403)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_body(), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            kind = err.get("type", "")
            if kind == "missing":
                text = _("Trường này là bắt buộc")
            elif kind.endswith("_parsing") or kind.endswith("_type"):
                text = _("Giá trị không đúng kiểu dữ liệu") + f" ({err.get('msg', '')})"
            else:
                text = err.get("msg", _("Giá trị chưa đúng"))
            fields.setdefault(_field_path(err.get("loc", [])), []).append(text)
        return api.create_response(
            request,
            _body("invalid", _("Dữ liệu gửi lên chưa đúng; hãy sửa các trường được nêu rồi gửi lại."), fields),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request,
            _body(
                "unauthenticated",
                _("Cần đăng nhập: gửi mã truy cập trong tiêu đề Authorization: Bearer <mã>."),
            ),
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, _body("not_found", _("Không tìm thấy.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, _body("error", str(exc)), status=exc.status_code)
