"""Upload checks, once, at receipt: the type is decided by the file's content, never by its name, and the
file is parsed the way later processing will read it (the certified copy merges PDF pages and draws images
on pages; the fee counts pages). What that processing could not handle is refused here, with a message the
citizen or officer can act on, so it never fails later at the leader's signature.

Limits (settings, documented in docs/dossiers.md): UPLOAD_MAX_BYTES per file, UPLOAD_MAX_PDF_PAGES,
UPLOAD_MAX_PIXELS per image, and per-user quotas over 24 hours (UPLOAD_QUOTA_FILES / UPLOAD_QUOTA_BYTES).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

logger = logging.getLogger(__name__)

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {content_type: extension for _magic, content_type, extension in SIGNATURES}
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}

# Markup a browser would run if it ever rendered the file as a page (HTML/PDF polyglots), and PDF features
# that execute or carry other files. Scans and photos of paper documents have none of them. Both are looked
# for only in the file's structure and text (PDF syntax outside binary streams, image headers, metadata and
# anything after the image's end), never inside compressed pixel data, where short byte patterns occur by
# chance.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html[\s>]|head>|body[\s>]|script|iframe|object[\s>]|embed[\s>]|svg[\s>]|meta\s)"
    rb"|javascript:|\son(?:load|error|click|mouseover)\s*=",
    re.I,
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData)(?![A-Za-z])")


def _pdf_text(data: bytes) -> bytes:
    """PDF syntax without the bytes of its streams (one linear pass: a file full of "stream" keywords and
    no "endstream" must not make the scan quadratic)."""
    parts, i = [], 0
    while True:
        start = data.find(b"stream", i)
        if start == -1:
            parts.append(data[i:])
            break
        parts.append(data[i : start + 6])
        end = data.find(b"endstream", start + 6)
        if end == -1:
            break
        i = end + 9
    return b" ".join(parts)


def _jpeg_text(data: bytes) -> bytes:
    """JPEG headers and metadata segments up to the scan, plus whatever follows the end-of-image marker."""
    parts, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        parts.append(data[i : i + 2 + length])
        i += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
    end = data.rfind(b"\xff\xd9")
    if end != -1:
        parts.append(data[end + 2 :])
    return b"".join(parts)


def _png_text(data: bytes) -> bytes:
    """Every PNG chunk except the compressed pixels (IDAT), plus whatever follows IEND."""
    parts, i = [], 8
    while i + 8 <= len(data):
        length, kind = int.from_bytes(data[i : i + 4], "big"), data[i + 4 : i + 8]
        if kind != b"IDAT":
            parts.append(data[i : i + 12 + length])
        i += 12 + length
        if kind == b"IEND":
            parts.append(data[i:])
            break
    return b"".join(parts)


def _textual(data: bytes, content_type: str) -> bytes:
    if content_type == "application/pdf":
        return _pdf_text(data)
    if content_type == "image/jpeg":
        return _jpeg_text(data)
    return _png_text(data)


class UploadTooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"


class UnreadableFile(DomainError):
    status = 422
    code = "unreadable_file"


class QuotaExceeded(DomainError):
    status = 429
    code = "quota_exceeded"


@dataclass(frozen=True)
class Inspected:
    content_type: str
    extension: str
    sha256: str
    size: int
    pages: int  # PDF pages; 1 for an image


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def display_name(name: str, extension: str) -> str:
    """The name the file is stored and served under: the uploaded name without any folder, control or
    invisible characters, with the extension of its real type (a JPEG sent as "anh.pdf" is "anh.jpg")."""
    base = PureWindowsPath(PurePosixPath(unicodedata.normalize("NFC", name or "")).name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in '"\\/<>|*?:')
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = " ".join(stem.split()).strip(". ")[:120] or "tep"
    return f"{stem}.{extension}"


def _field_error(message: str) -> dict:
    return {"file": [message]}


def _unreadable(name: str, detail: str) -> UnreadableFile:
    return UnreadableFile(
        _("Không đọc được tệp «%(name)s» (%(detail)s); hãy quét hoặc chụp lại rồi tải lên tệp mới")
        % {"name": name, "detail": detail},
        fields=_field_error(_("Tệp hỏng hoặc không đọc được: %(detail)s") % {"detail": detail}),
    )


def _active_content(name: str) -> UnsupportedType:
    return UnsupportedType(
        _("Tệp «%(name)s» chứa mã chạy được hoặc tệp nhúng; hãy in ra PDF thường (hoặc quét lại) rồi tải lên")
        % {"name": name},
        fields=_field_error(_("PDF không được chứa JavaScript, tệp nhúng hay biểu mẫu động")),
        code="active_content",
    )


def _check_pdf(data: bytes, text: bytes, name: str) -> int:
    from pypdf import PdfReader, PdfWriter

    if _PDF_ACTIVE.search(text):
        raise _active_content(name)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UnsupportedType(
                _("Tệp «%(name)s» có mật khẩu; hãy bỏ mật khẩu (in ra PDF mới) rồi tải lên") % {"name": name},
                fields=_field_error(_("PDF không được đặt mật khẩu")),
                code="encrypted_pdf",
            )
        root = reader.trailer.get("/Root")
        root = root.get_object() if root is not None else {}
        names = root.get("/Names")
        names = names.get_object() if names is not None else {}
        form = root.get("/AcroForm")
        form = form.get_object() if form is not None else {}
        action = root.get("/OpenAction")
        action = action.get_object() if action is not None else None
        runs = isinstance(action, dict) and action.get("/S") in ("/JavaScript", "/Launch")
        if runs or "/JavaScript" in names or "/EmbeddedFiles" in names or "/XFA" in form:
            raise _active_content(name)
        pages = len(reader.pages)
        if pages == 0:
            raise _unreadable(name, _("không có trang nào"))
        if pages > settings.UPLOAD_MAX_PDF_PAGES:
            raise UploadTooLarge(
                _("Tệp «%(name)s» có %(n)s trang, tối đa %(max)s trang; hãy tách thành nhiều tệp")
                % {"name": name, "n": pages, "max": settings.UPLOAD_MAX_PDF_PAGES},
                fields=_field_error(_("Tối đa %(max)s trang") % {"max": settings.UPLOAD_MAX_PDF_PAGES}),
            )
        # Exactly what the certified copy does later: copy every page (with everything it references) into a
        # new document and write it. Deeply nested or cyclic objects, broken streams and bad cross-reference
        # tables fail here rather than at the signature.
        writer = PdfWriter()
        for page in reader.pages:
            box = page.mediabox
            if not (0 < float(box.width) <= 14400 and 0 < float(box.height) <= 14400):
                raise _unreadable(name, _("kích thước trang không hợp lệ"))
            writer.add_page(page)
        writer.write(io.BytesIO())
    except DomainError:
        raise
    except RecursionError:
        raise _unreadable(name, _("cấu trúc lồng nhau quá sâu")) from None
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, KeyError, ValueError, ...) on broken files
        logger.info("PDF upload refused: %s: %s", type(exc).__name__, exc)
        raise _unreadable(name, _("tệp PDF bị hỏng")) from None
    return pages


def _too_many_pixels(name: str, size: str) -> UploadTooLarge:
    mp = settings.UPLOAD_MAX_PIXELS // 1_000_000
    return UploadTooLarge(
        _(
            "Ảnh «%(name)s» quá lớn (%(size)s điểm ảnh), tối đa %(mp)s triệu điểm; "
            "hãy chụp lại với độ phân giải thấp hơn"
        )
        % {"name": name, "size": size or _("hàng trăm triệu"), "mp": mp},
        fields=_field_error(_("Ảnh quá lớn (tối đa %(mp)s triệu điểm ảnh)") % {"mp": mp}),
    )


def _check_image(data: bytes, name: str, content_type: str) -> int:
    from PIL import Image

    limit = settings.UPLOAD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != PIL_FORMATS[content_type]:
                    raise _unreadable(name, _("nội dung không khớp định dạng ảnh"))
                width, height = probe.size
                # Decided from the header, before a single pixel is decoded.
                if width <= 0 or height <= 0 or width * height > limit:
                    raise _too_many_pixels(name, f"{width}×{height}")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes every pixel: truncated or corrupt data fails here
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name, "") from None
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, ... on bad files
        logger.info("Image upload refused: %s: %s", type(exc).__name__, exc)
        raise _unreadable(name, _("ảnh bị hỏng")) from None
    return 1


def check_upload(upload) -> Inspected:
    """Everything about an acceptable upload; raises 413, 415 or 422 with a Vietnamese message otherwise."""
    limit = settings.UPLOAD_MAX_BYTES
    name = display_name(getattr(upload, "name", ""), "").rstrip(".")
    if upload.size > limit:
        raise UploadTooLarge(
            _("Tệp «%(name)s» lớn hơn %(mb)s MB; hãy chụp lại với độ phân giải thấp hơn hoặc chia nhỏ tệp")
            % {"name": name, "mb": limit // (1024 * 1024)},
            fields=_field_error(_("Tệp đã chọn phải nhỏ hơn %(mb)s MB") % {"mb": limit // (1024 * 1024)}),
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise UploadTooLarge(
            _("Tệp «%(name)s» lớn hơn %(mb)s MB; hãy chụp lại với độ phân giải thấp hơn hoặc chia nhỏ tệp")
            % {"name": name, "mb": limit // (1024 * 1024)},
            fields=_field_error(_("Tệp đã chọn phải nhỏ hơn %(mb)s MB") % {"mb": limit // (1024 * 1024)}),
        )
    kind = sniff(data[:16])
    if kind is None:
        raise UnsupportedType(
            _("Tệp «%(name)s» không phải PDF, JPG hoặc PNG; hãy chọn ảnh chụp hoặc tệp PDF") % {"name": name},
            fields=_field_error(_("Tệp đã chọn phải là PDF, JPG hoặc PNG")),
        )
    content_type, extension = kind
    text = _textual(data, content_type)
    if _MARKUP.search(text):
        raise UnsupportedType(
            _("Tệp «%(name)s» có chứa mã trang web (HTML); hãy quét hoặc chụp lại giấy tờ rồi tải lên")
            % {"name": name},
            fields=_field_error(_("Tệp không được chứa mã HTML")),
        )
    if content_type == "application/pdf":
        pages = _check_pdf(data, text, name)
    else:
        pages = _check_image(data, name, content_type)
    return Inspected(
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=pages,
    )
