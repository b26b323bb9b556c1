"""One error body for the whole API: {"code", "message" (Vietnamese), "fields"}."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from motcua.core.errors import DomainError


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _field_path(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "body"


def install(api) -> None:
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
