"""PDF forms of the one-stop process (Circular 01/2018 forms 01–05), A5, in Be Vietnam Pro (from PyPI)
with NFC-normalised text, the national motto header and a QR code to the tracking page."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from motcua.core.glyphs import ensure_printable

FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC = (
    "BeVietnamPro",
    "BeVietnamPro-Bold",
    "BeVietnamPro-Italic",
    "BeVietnamPro-BoldItalic",
)
MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"

# Forms of the one-stop process: 01–04 and the tracking form from Circular 01/2018/TT-VPCP; 05 is the
# stop notice of Circular 03/2025/TT-VPCP (DOMAIN.md §4.7, numbering unconfirmed).
FORM_TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "kiem-soat": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
UNIT_PREFIXES = ("Thành phố ", "Thị trấn ", "Đặc khu ", "Phường ", "Tỉnh ", "Xã ")


@lru_cache(maxsize=1)
def register_fonts() -> None:
    import fontpkg_be_vietnam_pro

    base = Path(fontpkg_be_vietnam_pro.__file__).parent / "files"
    pdfmetrics.registerFont(TTFont(FONT, str(base / "BeVietnamPro-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(base / "BeVietnamPro-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(base / "BeVietnamPro-Italic.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD_ITALIC, str(base / "BeVietnamPro-BoldItalic.ttf")))


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


def printable(text) -> str:
    """NFC text the font can draw; anything else is refused (UnprintableText), never drawn as boxes."""
    return ensure_printable(nfc(text))


def _moment(value) -> dt.datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return timezone.localtime(value)


def fmt(moment) -> str:
    """ "14 giờ 05 phút, ngày 09 tháng 03 năm 2026" — how forms write a moment."""
    moment = _moment(moment)
    if moment is None:
        return ""
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d} tháng {moment:%m} năm {moment.year}"


def place_date(place: str, moment=None) -> str:
    """The italic place and date line above a signature: "Bắc Hà, ngày 30 tháng 11 năm 2026"."""
    day = _moment(moment) or timezone.localtime()
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day.year}"


def prose_name(name: str) -> str:
    """ "Xã Bắc Hà" → "xã Bắc Hà": a unit's name inside a sentence or an address."""
    name = nfc(name)
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return name


def place_name(unit) -> str:
    """ "Xã Bắc Hà" → "Bắc Hà": the place as written on the date line."""
    name = nfc(unit.name)
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def wrap(value, font: str, size: float, width: float) -> list[str]:
    words = printable(value).split()
    line, lines = "", []
    for word in words:
        trial = f"{line} {word}".strip()
        if line and pdfmetrics.stringWidth(trial, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    return lines


class Page:
    """A small layout helper: wrapped text lines from the top, tables, the two-column header and
    signature blocks of Vietnamese administrative documents. `draft=True` marks every page as an
    unsigned preview."""

    def __init__(self, size=A5, margin=12 * mm, draft: bool = False):
        register_fonts()
        self.buffer = io.BytesIO()
        self.size = size
        self.canvas = canvas.Canvas(self.buffer, pagesize=size, pageCompression=1)
        self.margin = margin
        self.y = size[1] - margin
        self.width = size[0] - 2 * margin
        self.draft = draft

    def _font(self, bold: bool, italic: bool) -> str:
        return {
            (False, False): FONT,
            (True, False): FONT_BOLD,
            (False, True): FONT_ITALIC,
            (True, True): FONT_BOLD_ITALIC,
        }[(bold, italic)]

    def text(self, value, *, size=9.5, bold=False, italic=False, center=False, gap=1.5, indent=0.0):
        font = self._font(bold, italic)
        for item in wrap(value, font, size, self.width - indent):
            self._need(size * 1.3)
            self.canvas.setFont(font, size)
            if center:
                self.canvas.drawCentredString(self.size[0] / 2, self.y - size, item)
            else:
                self.canvas.drawString(self.margin + indent, self.y - size, item)
            self.y -= size * 1.3
        self.y -= gap

    def labelled(self, label: str, value, *, size=9.5, gap=1.5, indent=0.0):
        """ "Label: value" with the value in bold, wrapped as one paragraph."""
        label, value = printable(label), printable(value)
        # Measured in bold, which is wider, so the bold value never runs past the margin.
        first = wrap(f"{label} {value}", FONT_BOLD, size, self.width - indent)
        for i, item in enumerate(first):
            self._need(size * 1.3)
            x = self.margin + indent
            if i == 0 and item.startswith(label):
                self.canvas.setFont(FONT, size)
                self.canvas.drawString(x, self.y - size, label)
                x += pdfmetrics.stringWidth(label + " ", FONT, size)
                item = item[len(label) :].strip()
            self.canvas.setFont(FONT_BOLD, size)
            self.canvas.drawString(x, self.y - size, item)
            self.y -= size * 1.3
        self.y -= gap

    def fields(self, items: list[tuple[str, str]], *, size=11, gap=3, spacing=8 * mm):
        """Several "Label: value" items on one line (as "Giới tính … Dân tộc … Quốc tịch …" on an
        extract), continuing on the next line when the width runs out; a long one wraps alone."""
        x = self.margin
        line_height = size * 1.3
        self._need(line_height)
        for label, value in items:
            label, value = printable(label) + ":", printable(value)
            width = pdfmetrics.stringWidth(label + " ", FONT, size) + pdfmetrics.stringWidth(value, FONT_BOLD, size)
            if width > self.width:
                if x > self.margin:
                    self.y -= line_height
                self.labelled(label, value, size=size, gap=0)
                x = self.margin
                continue
            if x > self.margin and x + width > self.margin + self.width:
                self.y -= line_height
                self._need(line_height)
                x = self.margin
            self.canvas.setFont(FONT, size)
            self.canvas.drawString(x, self.y - size, label)
            self.canvas.setFont(FONT_BOLD, size)
            self.canvas.drawString(x + pdfmetrics.stringWidth(label + " ", FONT, size), self.y - size, value)
            x += width + spacing
        if x > self.margin:
            self.y -= line_height
        self.y -= gap

    def _decorate(self):
        if not self.draft:
            return
        c = self.canvas
        c.saveState()
        c.setFillColorRGB(0.78, 0.1, 0.1)
        c.setFont(FONT_BOLD, 9)
        c.drawCentredString(
            self.size[0] / 2, self.size[1] - 7 * mm, "BẢN XEM TRƯỚC — CHƯA KÝ, KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
        )
        c.setFillColorRGB(0.85, 0.85, 0.85)
        c.setFont(FONT_BOLD, self.size[0] / 9)
        c.translate(self.size[0] / 2, self.size[1] / 2)
        c.rotate(40)
        c.drawCentredString(0, 0, "BẢN XEM TRƯỚC")
        c.restoreState()

    def _need(self, height):
        if self.y - height < self.margin:
            self._decorate()
            self.canvas.showPage()
            self.y = self.size[1] - self.margin

    def header(self, lines: list[tuple[str, bool]], number: str = "", size: float = 7.5):
        """The issuing body on the left (governing body, then the body itself in bold, underlined),
        with "Số: …" below it; the national motto on the right, underlined."""
        top = self.y
        left_width = self.width * 0.44
        left = self.margin + left_width / 2
        step = size * 1.3
        y = top - size
        last_width = 0.0
        for text, bold in lines:
            font = FONT_BOLD if bold else FONT
            for item in wrap(nfc(text).upper(), font, size, left_width - 2 * mm)[:2]:
                self.canvas.setFont(font, size)
                self.canvas.drawCentredString(left, y, item)
                last_width = pdfmetrics.stringWidth(item, font, size)
                y -= step
        rule = min(last_width, left_width) / 3
        self.canvas.line(left - rule, y + step - size * 0.45, left + rule, y + step - size * 0.45)
        if number:
            self.canvas.setFont(FONT, size)
            self.canvas.drawCentredString(left, y - size * 0.5, printable(number))
            y -= step
        right = self.margin + left_width + (self.width - left_width) / 2
        motto = min(size, 7.5 * self.width / (A5[0] - 24 * mm))
        self.canvas.setFont(FONT_BOLD, motto)
        self.canvas.drawCentredString(right, top - size, MOTTO_1)
        self.canvas.setFont(FONT_BOLD, motto + 0.5)
        self.canvas.drawCentredString(right, top - size - step, MOTTO_2)
        half = pdfmetrics.stringWidth(MOTTO_2, FONT_BOLD, motto + 0.5) / 2
        self.canvas.line(right - half, top - size - step - size * 0.45, right + half, top - size - step - size * 0.45)
        self.y = min(y, top - size - 2 * step) - size

    def table(self, columns: list[tuple[str, float]], rows: list[list[str]], *, size=8.5):
        """A ruled table; `columns` are (heading, share of the width)."""
        widths = [share * self.width for _heading, share in columns]
        pad = 1.5 * mm

        def draw_row(cells, font):
            wrapped = [wrap(cell, font, size, w - 2 * pad) for cell, w in zip(cells, widths, strict=True)]
            height = max(len(w) for w in wrapped) * size * 1.25 + 2 * pad
            self._need(height)
            x = self.margin
            for lines, w in zip(wrapped, widths, strict=True):
                self.canvas.rect(x, self.y - height, w, height)
                self.canvas.setFont(font, size)
                for i, line in enumerate(lines):
                    self.canvas.drawString(x + pad, self.y - pad - size - i * size * 1.25 + 1, line)
                x += w
            self.y -= height

        draw_row([heading for heading, _share in columns], FONT_BOLD)
        for row in rows:
            draw_row([str(cell) for cell in row], FONT)
        self.y -= 3

    def signatures(self, blocks: list[dict | None], *, date_line: str = "", size=9):
        """Signature blocks side by side (left, right); the italic place/date line sits above the right
        one. Each block: {"capacity": [lines, bold], "hint": "(Ký …)", "name": "…", "signed": bool}."""
        self._need(34 * mm)
        half = self.width / 2
        top = self.y
        if date_line:
            self.canvas.setFont(FONT_ITALIC, size)
            self.canvas.drawCentredString(self.margin + half + half / 2, top - size, printable(date_line))
            top -= size * 1.5
        lowest = top
        for index, block in enumerate(blocks):
            if not block:
                continue
            centre = self.margin + half * index + half / 2
            y = top
            for line in block.get("capacity", []):
                self.canvas.setFont(FONT_BOLD, size)
                self.canvas.drawCentredString(centre, y - size, printable(line))
                y -= size * 1.3
            if block.get("hint"):
                self.canvas.setFont(FONT_ITALIC, size - 1.5)
                self.canvas.drawCentredString(centre, y - size + 1, printable(block["hint"]))
                y -= size * 1.2
            y -= 13 * mm if not block.get("signed") else 4 * mm
            if block.get("signed"):
                self.canvas.setFont(FONT_ITALIC, size - 1)
                self.canvas.drawCentredString(centre, y, "(Đã ký số)")
                y -= 9 * mm
            self.canvas.setFont(FONT_BOLD, size)
            self.canvas.drawCentredString(centre, y, printable(block.get("name", "")))
            lowest = min(lowest, y - size)
        self.y = lowest - 2 * mm

    def qr(self, url: str, size=24 * mm, caption=""):
        widget = QrCodeWidget(url)
        bounds = widget.getBounds()
        w, h = bounds[2] - bounds[0], bounds[3] - bounds[1]
        drawing = Drawing(size, size, transform=[size / w, 0, 0, size / h, 0, 0])
        drawing.add(widget)
        self._need(size + 4)
        renderPDF.draw(drawing, self.canvas, self.margin, self.y - size)
        if caption:
            self.canvas.setFont(FONT, 7)
            lines = wrap(caption, FONT, 7, self.width - size - 4 * mm)
            for i, line in enumerate(lines):
                self.canvas.drawString(self.margin + size + 3 * mm, self.y - size / 2 + 4 - i * 9, line)
        self.y -= size + 4

    def finish(self, title: str, subject: str = "") -> bytes:
        self._decorate()
        self.canvas.setTitle(nfc(title))
        self.canvas.setAuthor("Một Cửa Số")
        self.canvas.setSubject(nfc(subject))
        self.canvas.save()
        return self.buffer.getvalue()


def tracking_url(dossier) -> str:
    return settings.SITE_URL + reverse("portal:track") + f"?ma={dossier.code}"


def _actor_role(facts: dict) -> str:
    """The role of whoever took the step a form reports. Facts frozen before the role was recorded
    (forms issued before this field existed) name only the action: a withdrawal was the citizen's."""
    if "actor_role" in facts:
        return facts["actor_role"]
    return "citizen" if facts.get("event") == "withdraw" else ""


def _section(section: str) -> str:
    """ "Bộ phận Một cửa UBND xã Bắc Hà" → "Bộ phận Một cửa": the governing body is its own line."""
    for marker in (" UBND ", " Ủy ban nhân dân ", " ỦY BAN NHÂN DÂN "):
        if marker in section:
            return section.split(marker)[0]
    return section


def _day(value) -> str:
    moment = _moment(value)
    return f"ngày {moment:%d} tháng {moment:%m} năm {moment.year}" if moment else ""


def render_form(facts: dict) -> bytes:
    """A one-stop form from the facts frozen at its event (documents/forms.py): A5, the issuing body and
    the national motto, the form's body, the signature lines and a QR code to public tracking."""
    form = facts["form"]
    page = Page(A5)
    page.header([(facts["body"], False), (_section(facts["section"]), True)])
    page.text(facts["title"], size=10.5, bold=True, center=True, gap=1)
    page.text(f"Mã hồ sơ: {facts['code']}", size=9, bold=True, center=True, gap=4)
    applicant = facts["applicant"]
    if form == "01":
        page.text(f"{_section(facts['section'])} — {facts['body']} tiếp nhận hồ sơ của:")
        page.labelled("Ông/bà:", applicant)
        if facts.get("address"):
            page.labelled("Địa chỉ:", facts["address"])
        contact = f"Số điện thoại: {facts.get('phone') or '—'}"
        if facts.get("email"):
            contact += f"   Thư điện tử: {facts['email']}"
        page.text(contact)
        page.labelled("Nội dung yêu cầu giải quyết:", f"{facts['procedure']} (mã {facts['procedure_code']})")
        page.text("1. Thành phần hồ sơ nộp gồm:", bold=True)
        rows = [[str(i), d["name"], d["form"], f"{d['count']:02d}"] for i, d in enumerate(facts["documents"], 1)]
        page.table([("TT", 0.08), ("Tên giấy tờ", 0.52), ("Hình thức", 0.26), ("Số lượng", 0.14)], rows)
        missing = facts.get("missing") or {}
        if missing.get("documents"):
            page.text(
                f"Tiếp nhận khi còn thiếu: {'; '.join(missing['documents'])}. Lý do: {missing.get('reason', '')}",
                italic=True,
            )
        page.text(f"2. Số lượng hồ sơ: {facts['sets']:02d} (bộ)")
        page.text(f"3. Thời gian giải quyết hồ sơ theo quy định: {facts['time']}")
        page.text(f"4. Thời gian nhận hồ sơ: {fmt(facts['received_at'])}")
        page.text(f"5. Thời gian trả kết quả giải quyết hồ sơ: {fmt(facts['due_at'])}", bold=True)
        page.text(f"6. Đăng ký nhận kết quả tại: {facts['result_place']}")
        page.text(f"7. Lệ phí: {money(facts.get('fee') or 0)}")
        register = facts.get("register") or {}
        page.text(
            f"Vào Sổ theo dõi hồ sơ, Quyển số: {register.get('book', '')}, Số thứ tự: {register.get('number', '')}",
            italic=True,
            gap=3,
        )
        online = facts.get("channel") == "online"
        page.signatures(
            [
                {
                    "capacity": ["NGƯỜI NỘP HỒ SƠ"],
                    "hint": "(Nộp trực tuyến, đã xác thực tài khoản)" if online else "(Ký và ghi rõ họ tên)",
                    "name": applicant,
                },
                {"capacity": ["NGƯỜI TIẾP NHẬN HỒ SƠ"], "hint": "(Ký và ghi rõ họ tên)", "name": facts["officer"]},
            ],
            date_line=place_date(facts["place"], facts["event_at"]),
        )
    elif form in ("02", "03", "04", "05"):
        page.text(f"{_section(facts['section'])} — {facts['body']} gửi ông/bà: {applicant}")
        if facts.get("address"):
            page.labelled("Địa chỉ:", facts["address"])
        page.labelled("Nội dung yêu cầu giải quyết:", f"{facts['procedure']} (mã {facts['procedure_code']})")
        page.text(f"Hồ sơ tiếp nhận lúc {fmt(facts['received_at'])}.")
        if form == "02":
            page.text("Hồ sơ của ông/bà cần được bổ sung, hoàn thiện một lần những nội dung sau:", bold=True)
            page.text(facts["note"], indent=3 * mm)
            page.text(
                "Thời gian ông/bà bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết; khi nhận đủ hồ sơ, "
                "thời hạn được tính lại từ đầu."
            )
            if facts.get("office_phone"):
                page.text(f"Nếu có vướng mắc, ông/bà liên hệ số điện thoại {facts['office_phone']} để được hướng dẫn.")
            capacity = ["NGƯỜI HƯỚNG DẪN"]
        elif form == "03":
            page.text("Cơ quan không tiếp nhận, giải quyết hồ sơ này với lý do:", bold=True)
            page.text(facts["note"], indent=3 * mm)
            page.text("Xin thông báo để ông/bà biết và thực hiện.")
            # Refused at the desk: the receiving officer signs; later in processing: the officer who drew it up.
            capacity = ["NGƯỜI TIẾP NHẬN HỒ SƠ" if _actor_role(facts) == "intake_officer" else "NGƯỜI LẬP PHIẾU"]
        elif form == "04":
            page.text(f"Thời hạn trả kết quả đã hẹn: {fmt(facts.get('old_due'))}.")
            page.text("Lý do chậm trả kết quả:", bold=True)
            page.text(facts["note"], indent=3 * mm)
            page.text(f"Ngày hẹn trả kết quả mới: {fmt(facts.get('new_due'))}", bold=True)
            page.text("Cơ quan xin lỗi ông/bà vì sự chậm trễ này và sẽ trả kết quả đúng ngày hẹn mới.")
            capacity = ["NGƯỜI LẬP PHIẾU"]
        else:
            if _actor_role(facts) == "citizen":  # the citizen withdrew; otherwise the agency stopped it
                page.text(
                    f"Theo đề nghị rút hồ sơ của ông/bà gửi {_day(facts['event_at'])}, cơ quan dừng giải quyết hồ sơ."
                )
            else:
                page.text("Cơ quan dừng giải quyết hồ sơ với lý do:", bold=True)
                page.text(facts["note"], indent=3 * mm)
            page.text("Hồ sơ và giấy tờ đã nộp được trả lại theo đề nghị của ông/bà.")
            capacity = ["NGƯỜI LẬP PHIẾU" if facts.get("officer") else "BỘ PHẬN MỘT CỬA"]
        page.signatures(
            [None, {"capacity": capacity, "hint": "(Ký và ghi rõ họ tên)", "name": facts.get("officer", "")}],
            date_line=place_date(facts["place"], facts["event_at"]),
        )
    elif form == "kiem-soat":
        page.labelled("Người nộp:", applicant)
        page.labelled("Nội dung:", f"{facts['procedure']} (mã {facts['procedure_code']})")
        page.text(f"Tiếp nhận: {fmt(facts['received_at'])}; hẹn trả: {fmt(facts['due_at'])}")
        labels = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn", "": "—"}
        rows = [
            [s["label"], _short(s["due_at"]), _short(s["done_at"]) or "—", labels.get(s["timeliness"], "—")]
            for s in facts["steps"]
        ]
        page.table([("Bước", 0.3), ("Hạn của bước", 0.26), ("Hoàn thành", 0.26), ("Kết quả", 0.18)], rows)
        page.text("Quá trình giải quyết:", bold=True)
        for event in facts["events"]:
            page.text(f"{_short(event['at'])} — {event['label']} — {event['actor']}", indent=3 * mm, gap=0.5, size=8.5)
        if facts.get("timeliness"):
            page.text(f"Kết quả giải quyết: {facts['timeliness']}", bold=True)
        page.signatures(
            [None, {"capacity": ["BỘ PHẬN MỘT CỬA"], "hint": "(Phiếu điện tử do hệ thống lập)", "name": ""}],
            date_line=place_date(facts["place"], facts["event_at"]),
        )
    page.qr(facts["tracking_url"], size=18 * mm, caption="Quét mã để tra cứu tình trạng hồ sơ")
    if facts.get("rating_url"):
        # Counter citizens rate without an account: the receipt's token allows one rating of this dossier.
        page.qr(
            facts["rating_url"],
            size=18 * mm,
            caption="Sau khi nhận kết quả, quét mã để đánh giá mức độ hài lòng (không cần đăng nhập, một lần)",
        )
    return page.finish(facts["title"], facts["code"])


def _short(value) -> str:
    moment = _moment(value)
    return f"{moment:%H:%M %d/%m/%Y}" if moment else ""


def money(amount: int) -> str:
    from motcua.core.money import format_vnd

    return format_vnd(amount) if amount else "Miễn phí"


def timing_text(dossier) -> str:
    from motcua.catalog.selectors import time_text

    return time_text(dossier.procedure)


def event_label(dossier, event) -> str:
    """The event's label in the dossier's workflow data (forms print Vietnamese, never translated)."""
    from motcua.dossiers.workflow import load_workflow

    return load_workflow(dossier.workflow).event_label(event.action)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
