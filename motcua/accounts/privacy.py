"""Personal-data rights (issue 16, point 7; Decree 13/2023/NĐ-CP Art. 9, 14, 16; DOMAIN.md §13):
the citizen's own data as JSON and as a readable PDF, the log of officers who opened their dossiers, and
closing the account (anonymised; dossiers stay, as the archive law requires)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import NotAllowed, ValidationFailed

from .consent import consent_text
from .models import ApiToken, CitizenProfile, Consent, DossierAccess, User


# --- access log -----------------------------------------------------------------------------------------------
def dossier_access_record(*, user: User, dossier, what: str) -> None:
    """Record that `user` read `dossier` (its page, a file, a form) when `user` is not the citizen who owns
    it: every officer read, through the workspace or the API. `what` is short Vietnamese text."""
    if not user.is_authenticated or dossier.citizen_id is None or dossier.citizen_id == user.pk:
        return
    DossierAccess.objects.create(
        citizen_id=dossier.citizen_id, officer=user, dossier_code=dossier.code, what=what[:200]
    )


def access_log_for(*, user: User, limit: int = 200) -> QuerySet[DossierAccess]:
    """Who among officers opened the citizen's dossiers, newest first (the citizen's own reads only)."""
    return DossierAccess.objects.filter(citizen=user).select_related("officer").order_by("-created_at")[:limit]


def officer_label(officer: User) -> str:
    """How an officer appears to the citizen: name and the units of their roles (not the username)."""
    from .selectors import grants_of

    units = sorted({f"{g.get_role_display()}, {g.unit.name}" for g in grants_of(user=officer)})
    return f"{officer.display_name} ({'; '.join(units)})" if units else officer.display_name


# --- export ---------------------------------------------------------------------------------------------------
def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about the account, as a JSON-ready dict:
    {"exported_at", "account", "profile", "consents", "dossiers", "stored_documents", "officer_reads"}.
    Times are ISO 8601 in Asia/Ho_Chi_Minh; dossier answers as the citizen gave them."""
    from motcua.documents.models import StoredDocument
    from motcua.dossiers.models import Dossier

    profile = CitizenProfile.objects.select_related("address_unit").filter(user=user).first()
    out: dict[str, Any] = {
        "exported_at": clock.iso(timezone.now()),
        "account": {
            "username": user.username,
            "full_name": user.full_name,
            "phone": user.phone or "",
            "email": user.email,
            "date_joined": clock.iso(user.date_joined),
            "has_password": user.has_usable_password(),
        },
        "profile": None,
        "consents": [
            {
                "version": c.version,
                "source": c.source,
                "given_at": clock.iso(c.given_at),
                "withdrawn_at": clock.iso(c.withdrawn_at) if c.withdrawn_at else None,
                "text": consent_text(c.version)[1] if c.version in _known_versions() else [],
            }
            for c in Consent.objects.filter(user=user).order_by("given_at")
        ],
        "dossiers": [],
        "stored_documents": [],
        "officer_reads": [
            {
                "at": clock.iso(a.created_at),
                "officer": officer_label(a.officer),
                "dossier": a.dossier_code,
                "what": a.what,
            }
            for a in access_log_for(user=user, limit=10_000)
        ],
    }
    if profile is not None:
        out["profile"] = {
            "full_name": profile.full_name,
            "citizen_id": profile.citizen_id,
            "birth_date": profile.birth_date.isoformat(),
            "gender": profile.gender,
            "phone": profile.phone,
            "email": profile.email,
            "address": ", ".join(
                [profile.street] * bool(profile.street)
                + (
                    [u.name for u in [profile.address_unit, *profile.address_unit.ancestors()]]
                    if profile.address_unit
                    else []
                )
            ),
            "identity_level": profile.identity_level,
        }
    for d in Dossier.objects.filter(citizen=user).select_related("procedure").order_by("created_at"):
        out["dossiers"].append(
            {
                "code": d.code,
                "procedure": d.procedure.name,
                "status": d.status,
                "channel": d.channel,
                "created_at": clock.iso(d.created_at),
                "applicant_name": d.applicant_name,
                "applicant_phone": d.applicant_phone,
                "applicant_citizen_id": d.applicant_citizen_id,
                "form": d.form_data,
                "attachments": [a.original_name for a in d.attachments.all()],
            }
        )
    for doc in StoredDocument.objects.filter(owner=user).order_by("created_at"):
        out["stored_documents"].append({"title": doc.title, "created_at": clock.iso(doc.created_at)})
    return out


def _address(profile: CitizenProfile) -> str:
    parts = [profile.street] if profile.street else []
    if profile.address_unit:
        parts += [u.name for u in [profile.address_unit, *profile.address_unit.ancestors()]]
    return ", ".join(parts)


def _known_versions() -> set[str]:
    from .consent import CONSENT_TEXTS

    return set(CONSENT_TEXTS)


def personal_data_pdf(*, user: User) -> bytes:
    """The same data as `personal_data_export`, as an A4 PDF a person can read (Be Vietnam Pro, via
    documents.pdf.Page)."""
    from reportlab.lib.pagesizes import A4

    from motcua.documents.pdf import Page, printable

    data = personal_data_export(user=user)
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
    page.text(_("Hồ sơ đã nộp"), size=11, bold=True)
    rows = [[d["code"], printable(d["procedure"]), _when(d["created_at"])] for d in data["dossiers"]]
    page.table([(_("Mã hồ sơ"), 0.3), (_("Thủ tục"), 0.45), (_("Ngày nộp"), 0.25)], rows or [["—", "—", "—"]])
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
    import datetime as dt

    moment = timezone.localtime(dt.datetime.fromisoformat(iso))
    return moment.strftime("%H:%M %d/%m/%Y")


def _day(iso: str) -> str:
    import datetime as dt

    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


# --- closing the account --------------------------------------------------------------------------------------
@transaction.atomic
def account_close(*, user: User, password: str) -> None:
    """Close a citizen's account at their request (withdrawal of consent, Decree 13/2023/NĐ-CP Art. 12, 16).

    The account is anonymised: profile (citizen ID, birth date, address) deleted, name, phone, e-mail and
    username replaced, password unusable, inactive; every session and API token ends; consents marked
    withdrawn. Dossiers are kept with the applicant details written on them (archive law: administrative
    dossiers are public archives), so officers can still finish and archive them. Raises ValidationFailed
    (422, `fields.password`) for a wrong password, NotAllowed (422) for staff or officer accounts."""
    from motcua.documents.models import StoredDocument

    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff or user.grants.exists() or not CitizenProfile.objects.filter(user=user).exists():
        raise NotAllowed(_("Chỉ tài khoản công dân đóng được ở đây; tài khoản cán bộ do quản trị viên đóng."))
    if not user.check_password(password or ""):
        raise ValidationFailed(
            _("Mật khẩu chưa đúng; hãy nhập mật khẩu hiện tại"),
            fields={"password": [_("Mật khẩu chưa đúng; hãy nhập mật khẩu hiện tại")]},
        )
    now = timezone.now()
    Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
    CitizenProfile.objects.filter(user=user).delete()
    # The store holds the citizen's own copies (their share links go with them); the dossiers' files stay.
    StoredDocument.objects.filter(owner=user).delete()
    ApiToken.objects.filter(user=user).delete()
    user.username = f"da-dong-{secrets.token_hex(8)}"
    user.full_name = _("Tài khoản đã đóng")
    user.first_name = user.last_name = ""
    user.phone = None
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.session_stamp = secrets.token_hex(16)
    user.save()
