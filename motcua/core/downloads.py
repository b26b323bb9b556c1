"""Every file the platform hands out goes through `download_response`: a safe file name, inline only for
types a browser displays safely (PDF, PNG, JPEG), `attachment` for everything else, never sniffed, and
never cached when private."""

from __future__ import annotations

import re
import unicodedata

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

DISPLAYABLE = frozenset({"application/pdf", "image/png", "image/jpeg"})
_UNSAFE = re.compile(r'[\\/:*?"<>|;\x00-\x1f\x7f]')


def safe_filename(name: str, default: str = "tep") -> str:
    """A file name that cannot name a path, hide its extension or break a header: NFC, no directory
    part, no control or bidirectional-override characters, no characters Windows refuses, at most
    120 characters with the extension kept."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if not text:
        text = default
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = f"{stem[: 120 - len(ext) - 1]}.{ext}" if dot and 0 < len(ext) <= 10 else text[:120]
    return text


def download_response(
    content, *, filename: str, content_type: str, inline: bool = True, private: bool = True
) -> HttpResponse:
    """`content` is bytes or an open binary file. `inline=False` forces a download even for a PDF."""
    name = safe_filename(filename)
    as_attachment = not (inline and content_type in DISPLAYABLE)
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(bytes(content), content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, name)
    response["X-Content-Type-Options"] = "nosniff"
    if as_attachment:
        # Should a browser render it anyway, it runs nothing and loads nothing.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
