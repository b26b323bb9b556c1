"""Human labels for field keys, so messages never show a machine key ("ho_ten_tre", "q",
"form.ho_ten_nguoi_duoc_cap") to a citizen. Used where the message is written without the form at hand
(the unreadable-input safety net): e-form keys take their title from the catalogue's form schemas,
common parameters and page fields a plain description."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .inputs import is_ascii_digits


def _common() -> dict:
    return {
        "q": gettext_lazy("Từ khoá tìm kiếm"),
        "page": gettext_lazy("Số trang"),
        "page_size": gettext_lazy("Số dòng mỗi trang"),
        "field": gettext_lazy("Lĩnh vực"),
        "view": gettext_lazy("Chế độ xem"),
        "username": gettext_lazy("Tên đăng nhập"),
        "identifier": gettext_lazy("Tên đăng nhập"),
        "password": gettext_lazy("Mật khẩu"),
        "full_name": gettext_lazy("Họ và tên"),
        "phone": gettext_lazy("Số điện thoại"),
        "email": gettext_lazy("Thư điện tử"),
        "citizen_id": gettext_lazy("Số định danh cá nhân"),
        "street": gettext_lazy("Địa chỉ"),
        "note": gettext_lazy("Nội dung"),
        "text": gettext_lazy("Nội dung"),
        "procedure_code": gettext_lazy("Mã thủ tục"),
        "office": gettext_lazy("Mã cơ quan"),
        "document_name": gettext_lazy("Tên giấy tờ"),
        "received": gettext_lazy("Thời điểm tiếp nhận"),
        "path": gettext_lazy("Địa chỉ trang"),
        "body": gettext_lazy("Dữ liệu gửi lên"),
        "file": gettext_lazy("Tệp tải lên"),
        "village": gettext_lazy("Thôn, bản"),
        "code": gettext_lazy("Mã hồ sơ"),
    }


# Titles of e-form keys come from the domain: the catalogue registers its source at start-up
# (CatalogConfig.ready), so core reads them without importing a domain app (docs/architecture.md, layers).
_TITLE_SOURCES: list[Callable[[], dict[str, str]]] = []


def register_title_source(source: Callable[[], dict[str, str]]) -> None:
    """Add a function returning {field key: human title}; registering the same one twice is harmless."""
    if source not in _TITLE_SOURCES:
        _TITLE_SOURCES.append(source)


def _eform_titles() -> dict[str, str]:
    """Every registered source's titles, the first source winning (only asked on the error path)."""
    titles: dict[str, str] = {}
    try:
        for source in _TITLE_SOURCES:
            for key, title in source().items():
                titles.setdefault(key, title)
    except Exception:  # a label is a nicety; the refusal must still be answered
        return {}
    return titles


def field_label(path: str) -> str | None:
    """The label of a field key or JSON path ("form.ho_ten_tre" → "Họ và tên của trẻ", "records.3.full_name"
    → "Họ và tên"); None when nothing is known (the caller then says "một ô")."""
    parts = [p for p in str(path).split(".") if p and p != "?" and not is_ascii_digits(p)]
    if not parts:
        return None
    key = parts[-1]
    common = _common()
    if key in common:
        return str(common[key])
    return _eform_titles().get(key)


def unreadable_message(path: str) -> str:
    label = field_label(path)
    if label is None:
        return _("Một ô bạn nhập có ký tự không hiển thị được (ví dụ ký tự NUL); hãy xoá ký tự đó hoặc gõ lại")
    return _("«%(f)s» có ký tự không hiển thị được (ví dụ ký tự NUL); hãy xoá ký tự đó hoặc gõ lại") % {"f": label}
