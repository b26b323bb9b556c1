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

from .pdf import Page, prose_name

TEMPLATES_FILE = Path(__file__).parent / "data" / "result_templates.json"


@lru_cache(maxsize=1)
def templates() -> dict:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))["templates"]


DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _below_hundred(n: int, *, full: bool) -> str:
    tens, units = divmod(n, 10)
    if tens == 0:
        return ("linh " + DIGITS[units]) if full and units else DIGITS[units]
    words = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if units == 0:
        return words
    if units == 1 and tens > 1:
        return f"{words} mốt"
    if units == 5:
        return f"{words} lăm"
    if units == 4 and tens > 1:
        return f"{words} tư"
    return f"{words} {DIGITS[units]}"


def number_words(n: int) -> str:
    """0–9999 in Vietnamese words, as dates are written out on civil-status documents."""
    if not 0 <= n <= 9999:
        raise ValueError(n)
    if n < 100:
        return _below_hundred(n, full=False)
    thousands, rest = divmod(n, 1000)
    hundreds, tail = divmod(rest, 100)
    parts = []
    if thousands:
        parts.append(f"{DIGITS[thousands]} nghìn")
    if hundreds or (thousands and tail):
        parts.append(f"{DIGITS[hundreds]} trăm")
    if tail:
        parts.append(_below_hundred(tail, full=bool(hundreds or thousands)))
    return " ".join(parts)


def date_words(day: dt.date) -> str:
    """ "Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu"."""
    return f"Ngày {number_words(day.day)}, tháng {number_words(day.month)}, năm {number_words(day.year)}"


def _date(value) -> dt.date | None:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _value(dossier, key: str, *, when: dt.datetime) -> str:
    if key.startswith("="):
        return key[1:]
    if key.startswith("@"):
        unit = dossier.unit
        province = unit.province() if hasattr(unit, "province") else None
        special = {
            "@applicant_name": dossier.applicant_name,
            "@applicant_citizen_id": dossier.applicant_citizen_id,
            "@procedure_name": dossier.procedure.name,
            "@result": dossier.procedure.result.upper(),
            "@registration_place": ", ".join(
                x
                for x in [
                    f"Ủy ban nhân dân {prose_name(unit.name)}",
                    prose_name(province.name) if province and province != unit else "",
                ]
                if x
            ),
            "@registered_on": timezone.localtime(when).strftime("%d/%m/%Y"),
        }
        return special.get(key, "")
    value = dossier.form_data.get(key, "")
    day = _date(value)
    if day is not None:
        return day.strftime("%d/%m/%Y")
    return str(value) if value not in (None, "") else ""


def _items(dossier, spec: list, *, when: dt.datetime) -> list[tuple[str, str]]:
    """The "label: value" items of one template entry; options: upper (names in capitals, Circular
    04/2020 Art. 31), words (a date also written out in words, on its own line)."""
    label, key, *options = spec
    value = _value(dossier, key, when=when)
    if value and "upper" in options:
        value = value.upper()
    items = [(label, value)]
    if value and "words" in options:
        day = _date(dossier.form_data.get(key, ""))
        if day is not None:
            items.append(("Ghi bằng chữ", date_words(day)))
    return items


def render_result(
    dossier,
    *,
    verify_url: str,
    capacity: list[str],
    signer_name: str,
    when: dt.datetime | None = None,
    draft: bool = False,
) -> bytes:
    """A4 result from the procedure's template (data file): the People's Committee as issuing body with
    the register number line, the national motto, the title, the fields of the official form, then the
    right-hand italic place/date line and the signer's capacity (TM./KT.), and a QR code to verification."""
    from .pdf import place_date, place_name

    when = when or timezone.now()
    template = templates().get(dossier.procedure.result_doc_type) or templates()["default"]
    page = Page(A4, margin=18 * mm, draft=draft)
    number = template.get("number", "Số: {code}").format(code=dossier.code)
    page.header([("Ủy ban nhân dân", True), (dossier.unit.name, True)], number=number, size=10.5)
    page.y -= 4 * mm
    title = _value(dossier, template["title"], when=when) if template["title"].startswith("@") else template["title"]
    page.text(title, size=15, bold=True, center=True, gap=1)
    if template.get("subtitle"):
        page.text(template["subtitle"], size=10, italic=True, center=True, gap=8)
    else:
        page.y -= 6
    for line in template["lines"]:
        specs = line if isinstance(line[0], list) else [line]
        items = [item for spec in specs for item in _items(dossier, spec, when=when)]
        if len(specs) == 1:
            for label, value in items:
                if value:
                    page.fields([(label, value)])
        elif any(value for _label, value in items):
            page.fields([(label, value) for label, value in items if value])
    page.y -= 3 * mm
    if template.get("footer"):
        page.text(template["footer"], size=10, italic=True, gap=6)
    page.signatures(
        [None, {"capacity": capacity, "name": signer_name, "signed": not draft}],
        date_line=place_date(place_name(dossier.unit), when),
        size=11,
    )
    page.qr(verify_url, size=24 * mm, caption=f"Quét mã để xác thực giấy tờ: {verify_url}")
    return page.finish(title, dossier.code)


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
    dossier,
    attachments,
    *,
    verify_url: str,
    capacity: list[str],
    signer_name: str,
    copies: int = 1,
    when: dt.datetime | None = None,
    draft: bool = False,
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
    from .pdf import place_date, place_name

    note = Page(A4, margin=18 * mm, draft=draft)
    note.header(
        [("Ủy ban nhân dân", True), (dossier.unit.name, True)], number=f"Số chứng thực: {dossier.code}", size=10.5
    )
    note.text("LỜI CHỨNG CỦA NGƯỜI THỰC HIỆN CHỨNG THỰC", size=13, bold=True, center=True, gap=8)
    note.text(
        f"Chứng thực bản sao này đúng với bản chính. Bản sao gồm {pages} trang, {copies} bản. "
        f"Số chứng thực: {dossier.code}.",
        size=11,
        gap=4,
    )
    note.signatures(
        [None, {"capacity": capacity, "name": signer_name, "signed": not draft}],
        date_line=place_date(place_name(dossier.unit), when),
        size=11,
    )
    note.qr(verify_url, size=26 * mm, caption=f"Quét mã để xác thực bản sao: {verify_url}")
    for p in PdfReader(io.BytesIO(note.finish("Lời chứng", dossier.code))).pages:
        writer.add_page(p)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pages
