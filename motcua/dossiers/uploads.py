"""Upload checks: the type is decided by the file's first bytes, never by its name."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class UploadTooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def check_upload(upload) -> tuple[str, str, int]:
    """(content_type, sha256, size) of an acceptable upload; raises 413 or 415 with a Vietnamese message."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise UploadTooLarge(
            _("Tệp «%(name)s» lớn hơn %(mb)s MB; hãy chụp lại với độ phân giải thấp hơn hoặc chia nhỏ tệp")
            % {"name": upload.name, "mb": limit // (1024 * 1024)},
            fields={"file": [_("Tệp đã chọn phải nhỏ hơn %(mb)s MB") % {"mb": limit // (1024 * 1024)}]},
        )
    upload.seek(0)
    head = upload.read(16)
    kind = sniff(head)
    if kind is None:
        raise UnsupportedType(
            _("Tệp «%(name)s» không phải PDF, JPG hoặc PNG; hãy chọn ảnh chụp hoặc tệp PDF") % {"name": upload.name},
            fields={"file": [_("Tệp đã chọn phải là PDF, JPG hoặc PNG")]},
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind[0], digest.hexdigest(), upload.size
