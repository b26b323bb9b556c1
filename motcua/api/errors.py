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


def _messages() -> dict:
    """Vietnamese text per pydantic error type; %(name)s takes the error's context."""
    return {
        "missing": _("Trường này là bắt buộc"),
        "string_type": _("Phải là một đoạn chữ"),
        "string_too_long": _("Dài quá: tối đa %(max_length)s ký tự"),
        "string_too_short": _("Ngắn quá: ít nhất %(min_length)s ký tự"),
        "string_pattern_mismatch": _("Không đúng dạng yêu cầu"),
        "int_type": _("Phải là một số nguyên, ví dụ 3"),
        "int_parsing": _("Phải là một số nguyên, ví dụ 3"),
        "int_from_float": _("Phải là một số nguyên, không có phần thập phân"),
        "float_type": _("Phải là một số, ví dụ 8 hoặc 1.5"),
        "float_parsing": _("Phải là một số, ví dụ 8 hoặc 1.5"),
        "finite_number": _("Không phải là một số; nhập một số, ví dụ 8 hoặc 1.5"),
        "bool_type": _("Phải là true hoặc false"),
        "bool_parsing": _("Phải là true hoặc false"),
        "greater_than": _("Phải lớn hơn %(gt)s"),
        "greater_than_equal": _("Phải từ %(ge)s trở lên"),
        "less_than": _("Phải nhỏ hơn %(lt)s"),
        "less_than_equal": _("Phải từ %(le)s trở xuống"),
        "date_type": _("Phải là một ngày dạng 2026-02-13"),
        "date_parsing": _("Phải là một ngày có thật, dạng 2026-02-13"),
        "date_from_datetime_parsing": _("Phải là một ngày có thật, dạng 2026-02-13"),
        "datetime_type": _("Phải là một thời điểm dạng 2026-02-13T16:00"),
        "datetime_parsing": _("Phải là một thời điểm có thật, dạng 2026-02-13T16:00"),
        "datetime_from_date_parsing": _("Phải là một thời điểm có thật, dạng 2026-02-13T16:00"),
        "literal_error": _("Chỉ nhận một trong các giá trị: %(expected)s"),
        "enum": _("Chỉ nhận một trong các giá trị: %(expected)s"),
        "list_type": _("Phải là một danh sách"),
        "too_long": _("Nhiều quá: tối đa %(max_length)s phần tử"),
        "too_short": _("Ít quá: ít nhất %(min_length)s phần tử"),
        "dict_type": _("Phải là một đối tượng JSON"),
        "model_type": _("Phải là một đối tượng JSON"),
        "model_attributes_type": _("Phải là một đối tượng JSON"),
        "extra_forbidden": _("Trường này không được nhận"),
        "uuid_parsing": _("Phải là một mã UUID"),
        "uuid_type": _("Phải là một mã UUID"),
        "json_invalid": _("Không phải JSON hợp lệ"),
    }


def validation_message(err: dict) -> str:
    """One pydantic error as a Vietnamese message: our own validators already speak Vietnamese
    (type invalid_input); every other type has its fixed text; an unknown type gets a generic one."""
    kind = err.get("type", "")
    if kind == "invalid_input":
        return str(err.get("msg", ""))
    template = _messages().get(kind)
    if template is None:
        return _("Giá trị chưa đúng")
    ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
    try:
        return template % ctx if "%(" in template else template
    except (KeyError, TypeError, ValueError):
        return _("Giá trị chưa đúng")


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
        response = api.create_response(request, exc.as_body(), status=exc.status)
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_field_path(err.get("loc", [])), []).append(validation_message(err))
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
        # django-ninja raises HttpError(400, "Cannot parse request body") for a body that is not JSON
        # (cut short, not UTF-8); any other HttpError gets the generic body of its status, never its English.
        if exc.status_code == 400:
            body = _body(
                "bad_json",
                _(
                    "Không đọc được dữ liệu gửi lên: nội dung phải là JSON hợp lệ, mã hoá UTF-8, "
                    'ví dụ {"username": "congdan1", "password": "..."}.'
                ),
            )
        else:
            body = generic_body(exc.status_code)
        return api.create_response(request, body, status=exc.status_code)
