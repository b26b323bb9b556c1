"""PDF forms of the one-stop process (Circular 01/2018 forms 01–05), A5, in Be Vietnam Pro (from PyPI)
with NFC-normalised text, the national motto header and a QR code to the tracking page."""

from __future__ import annotations

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

from .glyphs import ensure_printable

FONT, FONT_BOLD = "BeVietnamPro", "BeVietnamPro-Bold"
MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"

FORM_TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}


@lru_cache(maxsize=1)
def register_fonts() -> None:
    import fontpkg_be_vietnam_pro

    base = Path(fontpkg_be_vietnam_pro.__file__).parent / "files"
    pdfmetrics.registerFont(TTFont(FONT, str(base / "BeVietnamPro-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(base / "BeVietnamPro-Bold.ttf")))


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


def fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%H giờ %M, ngày %d/%m/%Y") if moment else ""


class Page:
    """A small layout helper: wrapped text lines from the top, in millimetres."""

    def __init__(self, size=A5, margin=12 * mm):
        register_fonts()
        self.buffer = io.BytesIO()
        self.size = size
        self.canvas = canvas.Canvas(self.buffer, pagesize=size, pageCompression=1)
        self.margin = margin
        self.y = size[1] - margin
        self.width = size[0] - 2 * margin

    def text(self, value, *, size=9.5, bold=False, center=False, gap=1.5, indent=0.0):
        font = FONT_BOLD if bold else FONT
        words = ensure_printable(nfc(value)).split()
        line, lines = "", []
        for word in words:
            trial = f"{line} {word}".strip()
            if pdfmetrics.stringWidth(trial, font, size) > self.width - indent:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        for item in lines:
            self._need(size * 1.3)
            self.canvas.setFont(font, size)
            if center:
                self.canvas.drawCentredString(self.size[0] / 2, self.y - size, item)
            else:
                self.canvas.drawString(self.margin + indent, self.y - size, item)
            self.y -= size * 1.3
        self.y -= gap

    def _need(self, height):
        if self.y - height < self.margin:
            self.canvas.showPage()
            self.y = self.size[1] - self.margin

    def header(self, agency: str):
        """Agency on the left, the national motto on the right, as on every administrative form."""
        top = self.y
        left_width = self.width * 0.42
        left = self.margin + left_width / 2
        lines, line = [], ""
        for word in ensure_printable(nfc(agency.upper())).split():
            trial = f"{line} {word}".strip()
            if pdfmetrics.stringWidth(trial, FONT_BOLD, 7.5) > left_width - 2 * mm:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        self.canvas.setFont(FONT_BOLD, 7.5)
        for i, item in enumerate(lines[:3]):
            self.canvas.drawCentredString(left, top - 8 - i * 9.5, item)
        right = self.margin + left_width + (self.width - left_width) / 2
        self.canvas.setFont(FONT_BOLD, 7.5)
        self.canvas.drawCentredString(right, top - 8, MOTTO_1)
        self.canvas.setFont(FONT_BOLD, 8)
        self.canvas.drawCentredString(right, top - 18, MOTTO_2)
        half = pdfmetrics.stringWidth(MOTTO_2, FONT_BOLD, 8) / 2
        self.canvas.line(right - half, top - 21, right + half, top - 21)
        self.y = top - max(30, 12 + 9.5 * min(len(lines), 3))

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
            self.canvas.drawString(self.margin + size + 3 * mm, self.y - size / 2, ensure_printable(nfc(caption)))
        self.y -= size + 4

    def finish(self, title: str, subject: str = "") -> bytes:
        self.canvas.setTitle(nfc(title))
        self.canvas.setAuthor("Một Cửa Số")
        self.canvas.setSubject(nfc(subject))
        self.canvas.save()
        return self.buffer.getvalue()


def tracking_url(dossier) -> str:
    return settings.SITE_URL + reverse("portal:track") + f"?ma={dossier.code}"


def render_form(form: str, dossier, *, events=None, officer_name: str = "") -> bytes:
    if form not in FORM_TITLES:
        raise ValueError(form)
    page = Page(A5)
    page.header(dossier.office.name)
    page.text(FORM_TITLES[form], size=11, bold=True, center=True, gap=4)
    page.text(f"Mã hồ sơ: {dossier.code}", bold=True, center=True, gap=4)
    page.text(f"{dossier.office.name} tiếp nhận hồ sơ của: {dossier.applicant_name}")
    if dossier.applicant_phone:
        page.text(f"Số điện thoại: {dossier.applicant_phone}")
    page.text(f"Nội dung yêu cầu giải quyết: {dossier.procedure.name} (mã {dossier.procedure.code})")
    page.text(f"Thời điểm tiếp nhận: {fmt(dossier.received_at)}")
    events = list(events if events is not None else dossier.events.order_by("seq"))
    if form == "01":
        page.text("Thành phần hồ sơ:", bold=True)
        for i, doc in enumerate(dossier.procedure.documents.all(), 1):
            page.text(f"{i}. {doc.name} ({doc.get_kind_display()})", indent=3 * mm, gap=0.5)
        page.text(f"Thời gian giải quyết theo quy định: {timing_text(dossier)}")
        page.text(f"Hẹn trả kết quả: {fmt(dossier.due_at)}", bold=True)
        page.text(f"Lệ phí: {money(dossier.fee_amount)}")
    elif form in ("02", "03", "04"):
        event = next(
            (
                e
                for e in reversed(events)
                if e.action == {"02": "request_supplement", "03": "refuse", "04": "extend"}[form]
            ),
            None,
        )
        label = {"02": "Nội dung cần bổ sung, hoàn thiện:", "03": "Lý do từ chối:", "04": "Lý do chậm trả kết quả:"}[
            form
        ]
        page.text(label, bold=True)
        page.text(event.note if event else "", indent=3 * mm)
        if form == "04" and event:
            page.text(f"Ngày hẹn trả mới: {fmt(dossier.due_at)}", bold=True)
            page.text("Cơ quan thành thật xin lỗi ông/bà vì sự chậm trễ này.")
        if form == "02":
            page.text("Thời gian ông/bà bổ sung hồ sơ không tính vào thời hạn giải quyết.")
    elif form == "05":
        from motcua.dossiers.selectors import handovers

        labels = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn", "": "chưa xong"}
        page.text("Các bước và thời hạn từng bước:", bold=True)
        for row in handovers(dossier):
            finished = fmt(row.done_at) if row.done_at else "—"
            page.text(
                f"{row.label}: hạn {fmt(row.due_at)}; xong {finished} ({labels[row.timeliness]})",
                indent=3 * mm,
                gap=0.5,
            )
        page.text("Quá trình giải quyết:", bold=True)
        for event in events:
            actor = event.actor.display_name if event.actor else ""
            page.text(f"{fmt(event.created_at)} — {event_label(dossier, event)} — {actor}", indent=3 * mm, gap=0.5)
        if dossier.timeliness:
            page.text(f"Kết quả: {dossier.get_timeliness_display()}", bold=True)
    page.y -= 3 * mm
    page.text(
        f"Người lập phiếu: {officer_name}" if officer_name else "Phiếu điện tử do hệ thống Một Cửa Số lập.", size=8
    )
    page.qr(tracking_url(dossier), caption="Quét mã để tra cứu tình trạng hồ sơ")
    return page.finish(FORM_TITLES[form], dossier.code)


def money(amount: int) -> str:
    from motcua.catalog.fees import format_vnd

    return format_vnd(amount) if amount else "Miễn phí"


def timing_text(dossier) -> str:
    from motcua.catalog.selectors import time_text

    return time_text(dossier.procedure)


def event_label(dossier, event) -> str:
    from motcua.dossiers.workflow import load_workflow

    workflow = load_workflow(dossier.workflow)
    action = workflow.actions.get(event.action)
    if action:
        return action.label
    return {
        "submit": "Nộp hồ sơ trực tuyến",
        "receive_at_counter": "Tiếp nhận tại quầy",
        "recalculate_due": "Tính lại hạn trả theo lịch làm việc",
    }.get(event.action, event.action)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
