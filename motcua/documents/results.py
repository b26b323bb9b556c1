"""Result documents: A4 PDFs rendered from per-procedure templates (data file), and certified copies
assembled from the scanned original."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from .pdf import Page

TEMPLATES_FILE = Path(__file__).parent / "data" / "result_templates.json"


@lru_cache(maxsize=1)
def templates() -> dict:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))["templates"]


def _value(dossier, key: str) -> str:
    if key.startswith("@"):
        special = {
            "@applicant_name": dossier.applicant_name,
            "@applicant_citizen_id": dossier.applicant_citizen_id,
            "@procedure_name": dossier.procedure.name,
            "@result": dossier.procedure.result.upper(),
        }
        return special.get(key, "")
    value = dossier.form_data.get(key, "")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value) if value not in (None, "") else ""


def render_result(dossier, *, verify_url: str, signer_title: str, signer_name: str) -> bytes:
    template = templates().get(dossier.procedure.result_doc_type) or templates()["default"]
    page = Page(A4, margin=18 * mm)
    page.header(f"Ủy ban nhân dân {dossier.unit.name}")
    page.y -= 4 * mm
    page.text(
        _value(dossier, template["title"]) if template["title"].startswith("@") else template["title"],
        size=15,
        bold=True,
        center=True,
        gap=1,
    )
    if template.get("subtitle"):
        page.text(template["subtitle"], size=10, center=True, gap=4)
    page.text(f"Số: {dossier.code}", size=10, center=True, gap=8)
    for label, key in template["lines"]:
        value = _value(dossier, key)
        if value:
            page.text(f"{label}: {value}", size=11, gap=2)
    page.y -= 4 * mm
    if template.get("footer"):
        page.text(template["footer"], size=10, gap=6)
    today = timezone.localdate()
    page.text(f"{dossier.unit.name}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}", size=10, gap=2)
    page.text(signer_title.upper(), size=10, bold=True, gap=1)
    page.text("(Đã ký số)", size=9, gap=1)
    page.text(signer_name, size=10, bold=True, gap=6)
    page.qr(verify_url, size=26 * mm, caption=f"Quét mã để xác thực giấy tờ: {verify_url}")
    return page.finish(template["title"], dossier.code)


def _image_page(data: bytes) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    image = ImageReader(io.BytesIO(data))
    width, height = image.getSize()
    scale = min((A4[0] - 20 * mm) / width, (A4[1] - 20 * mm) / height)
    c.drawImage(image, 10 * mm, A4[1] - 10 * mm - height * scale, width * scale, height * scale)
    c.showPage()
    c.save()
    return buffer.getvalue()


def certified_copy(
    dossier, attachments, *, verify_url: str, signer_title: str, signer_name: str, copies: int = 1
) -> tuple[bytes, int]:
    """The scanned original's pages followed by the certification page (lời chứng). Returns the PDF and
    the number of pages of the copy, which the fee is computed from."""
    writer = PdfWriter()
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            data = handle.read()
        if attachment.content_type == "application/pdf":
            for p in PdfReader(io.BytesIO(data)).pages:
                writer.add_page(p)
        else:
            writer.add_page(PdfReader(io.BytesIO(_image_page(data))).pages[0])
    pages = len(writer.pages)
    if pages == 0:
        raise ValueError("no scanned page to certify")
    note = Page(A4, margin=18 * mm)
    note.header(f"Ủy ban nhân dân {dossier.unit.name}")
    note.text("LỜI CHỨNG CỦA NGƯỜI THỰC HIỆN CHỨNG THỰC", size=13, bold=True, center=True, gap=8)
    note.text(
        f"Chứng thực bản sao này đúng với bản chính. Bản sao gồm {pages} trang, {copies} bản. "
        f"Số chứng thực: {dossier.code}.",
        size=11,
        gap=4,
    )
    today = timezone.localdate()
    note.text(f"{dossier.unit.name}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}", size=10, gap=2)
    note.text(signer_title.upper(), size=10, bold=True, gap=1)
    note.text("(Đã ký số)", size=9, gap=1)
    note.text(signer_name, size=10, bold=True, gap=6)
    note.qr(verify_url, size=26 * mm, caption=f"Quét mã để xác thực bản sao: {verify_url}")
    for p in PdfReader(io.BytesIO(note.finish("Lời chứng", dossier.code))).pages:
        writer.add_page(p)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pages
