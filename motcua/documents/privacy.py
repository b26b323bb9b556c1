"""A person's data held by this app (stored documents), and the PDF of the personal-data export
(Decree 13/2023/NĐ-CP Art. 14: the subject may see their data). Registered with accounts.privacy in
AppConfig.ready, so accounts never imports this app."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4

from motcua.core import clock

from .models import StoredDocument
from .pdf import Page, printable


def stored_documents_export(user) -> list[dict]:
    """[{"title", "created_at" (ISO 8601, local time)}] of the citizen's store, oldest first."""
    return [
        {"title": doc.title, "created_at": clock.iso(doc.created_at)}
        for doc in StoredDocument.objects.filter(owner=user).order_by("created_at")
    ]


def stored_documents_forget(user) -> None:
    """Closing the account: the store holds the citizen's own copies (their share links go with them); the
    dossiers' files stay (archive law). Runs inside accounts.privacy.account_close's transaction."""
    StoredDocument.objects.filter(owner=user).delete()


def personal_data_pdf(data: dict) -> bytes:
    """`accounts.privacy.personal_data_export`'s dict as an A4 PDF a person can read (Be Vietnam Pro,
    documents.pdf.Page): account, profile, consents, dossiers, officers' reads. Registered in AppConfig.ready
    as the renderer of accounts.privacy.personal_data_pdf."""
    page = Page(size=A4)
    page.text(_("DỮ LIỆU CÁ NHÂN CỦA BẠN TRÊN MỘT CỬA SỐ"), size=13, bold=True, center=True, gap=2)
    page.text(_("Xuất lúc %(t)s") % {"t": _when(data["exported_at"])}, size=9, italic=True, center=True, gap=8)
    page.text(_("Tài khoản"), size=11, bold=True)
    account = data["account"]
    page.labelled(_("Họ và tên:"), account["full_name"])
    page.labelled(_("Số điện thoại:"), account["phone"] or "—")
    page.labelled(_("Thư điện tử:"), account["email"] or "—")
    page.labelled(_("Ngày lập tài khoản:"), _when(account["date_joined"]))
    if data["profile"]:
        p = data["profile"]
        page.labelled(_("Số định danh cá nhân:"), p["citizen_id"])
        page.labelled(_("Ngày sinh:"), _day(p["birth_date"]))
        page.labelled(_("Giới tính:"), _("Nam") if p["gender"] == "male" else _("Nữ"))
        page.labelled(_("Nơi ở:"), p["address"] or "—")
        page.labelled(_("Mức định danh điện tử:"), str(p["identity_level"]))
    page.text("", gap=4)
    page.text(_("Sự đồng ý xử lý dữ liệu cá nhân"), size=11, bold=True)
    rows = [
        [c["version"], _when(c["given_at"]), _when(c["withdrawn_at"]) if c["withdrawn_at"] else "—"]
        for c in data["consents"]
    ]
    page.table([(_("Phiên bản"), 0.3), (_("Đồng ý lúc"), 0.35), (_("Rút lại lúc"), 0.35)], rows or [["—", "—", "—"]])
    page.text(_("Hồ sơ đã nộp và bản nháp"), size=11, bold=True)
    rows = [[d["code"] or _("(bản nháp)"), printable(d["procedure"]), _when(d["created_at"])] for d in data["dossiers"]]
    page.table([(_("Mã hồ sơ"), 0.3), (_("Thủ tục"), 0.45), (_("Ngày tạo"), 0.25)], rows or [["—", "—", "—"]])
    page.text(_("Giấy tờ trong kho dữ liệu của bạn"), size=11, bold=True)
    rows = [[printable(doc["title"]), _when(doc["created_at"])] for doc in data["stored_documents"]]
    page.table([(_("Giấy tờ"), 0.7), (_("Lưu lúc"), 0.3)], rows or [["—", "—"]])
    page.text(_("Phản ánh, kiến nghị đã gửi"), size=11, bold=True)
    rows = [[f["code"], printable(f["subject"]), _when(f["created_at"])] for f in data.get("feedback", [])]
    page.table([(_("Mã"), 0.25), (_("Tiêu đề"), 0.5), (_("Gửi lúc"), 0.25)], rows or [["—", "—", "—"]])
    page.text(_("Cán bộ đã xem hồ sơ của bạn"), size=11, bold=True)
    rows = [
        [_when(a["at"]), printable(a["officer"]), a["dossier"], printable(a["what"])] for a in data["officer_reads"]
    ]
    page.table(
        [(_("Thời điểm"), 0.2), (_("Cán bộ"), 0.35), (_("Hồ sơ"), 0.2), (_("Nội dung"), 0.25)],
        rows or [["—", "—", "—", "—"]],
    )
    page.text(
        _(
            "Bản đầy đủ (kể cả nội dung tờ khai) có trong tệp JSON tải cùng trang. "
            "Cần sửa dữ liệu, hãy gọi bộ phận một cửa."
        ),
        size=9,
        italic=True,
    )
    return page.finish(_("Dữ liệu cá nhân"), data["account"]["full_name"])


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    moment = timezone.localtime(dt.datetime.fromisoformat(iso))
    return moment.strftime("%H:%M %d/%m/%Y")


def _day(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
