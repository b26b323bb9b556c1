"""Vietnamese message templates for dossier events. Short: the SMS must fit in few segments."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from motcua.catalog.fees import format_vnd

TEMPLATES = {
    "submit": ("Đã nhận hồ sơ {code}", "Hồ sơ {code} ({procedure}) đã được nộp. Hẹn trả: {due}. Theo dõi: {track}"),
    "receive_at_counter": (
        "Đã nhận hồ sơ {code}",
        "Hồ sơ {code} ({procedure}) đã được tiếp nhận. Hẹn trả: {due}. Theo dõi: {track}{activate}",
    ),
    "accept": (
        "Hồ sơ {code} đã được tiếp nhận",
        "Hồ sơ {code} đã được cán bộ tiếp nhận và đang giải quyết. Hẹn trả: {due}.",
    ),
    "request_supplement": (
        "Hồ sơ {code} cần bổ sung",
        "Hồ sơ {code} cần bổ sung: {note}. Vui lòng bổ sung tại {track}",
    ),
    "refuse": ("Hồ sơ {code} không được giải quyết", "Hồ sơ {code} không được giải quyết. Lý do: {note}"),
    "extend": (
        "Xin lỗi về hồ sơ {code}",
        "Xin lỗi ông/bà: hồ sơ {code} chưa kịp trả đúng hẹn. Lý do: {note}. Ngày hẹn mới: {due}.",
    ),
    "sign": ("Hồ sơ {code} đã có kết quả", "Hồ sơ {code} đã được ký kết quả và sắp được trả."),
    "return_result": (
        "Đã trả kết quả hồ sơ {code}",
        "Hồ sơ {code} đã có kết quả ({method}). Mời đánh giá mức hài lòng tại {track}",
    ),
    "stop": ("Dừng giải quyết hồ sơ {code}", "Cơ quan đã dừng giải quyết hồ sơ {code}. Lý do: {note}"),
    "withdraw": ("Đã rút hồ sơ {code}", "Bạn đã rút hồ sơ {code}."),
    "recalculate_due": (
        "Hồ sơ {code} có hạn trả mới",
        "Hồ sơ {code}: hạn trả kết quả nay là {due} do {note}. Theo dõi: {track}",
    ),
}
METHODS = {"counter": "nhận tại Bộ phận Một cửa", "post": "gửi qua bưu chính", "online": "bản điện tử trong tài khoản"}


def tracking_url(dossier) -> str:
    """Where a notice points. A citizen who can sign in gets their dossier page; a walk-in citizen whose
    account was opened at the counter (no password yet) gets public tracking with the code filled in,
    which needs no login (the phone number given at the counter is the second key)."""
    citizen = dossier.citizen
    if citizen is not None and citizen.has_usable_password():
        return settings.SITE_URL + reverse("portal:dossier", args=[dossier.code])
    return settings.SITE_URL + reverse("portal:track") + "?" + urlencode({"ma": dossier.code})


def activation_text(dossier) -> str:
    """For a walk-in whose account was opened at the counter (no password yet): the one-time link, valid
    ACTIVATION_LINK_DAYS, to set a password (accounts.registration.activation_url). Empty otherwise."""
    citizen = dossier.citizen
    if citizen is None or not citizen.is_active or citizen.has_usable_password():
        return ""
    from motcua.accounts.registration import activation_url

    return f" Đặt mật khẩu cho tài khoản (hạn {settings.ACTIVATION_LINK_DAYS} ngày): {activation_url(user=citizen)}"


def render(event) -> tuple[str, str, str] | None:
    """(subject, body, url) for an event the citizen should hear about, else None."""
    template = TEMPLATES.get(event.action)
    if template is None:
        return None
    dossier = event.dossier
    due = dossier.due_at
    from django.utils import timezone

    values = {
        "code": dossier.code,
        "procedure": dossier.procedure.citizen_name or dossier.procedure.name,
        "due": timezone.localtime(due).strftime("%H:%M %d/%m/%Y") if due else "",
        "note": (event.note or "")[:200],
        "track": tracking_url(dossier),
        "method": METHODS.get(event.data.get("method", ""), ""),
        "fee": format_vnd(dossier.fee_amount),
        "activate": activation_text(dossier) if event.action == "receive_at_counter" else "",
    }
    return template[0].format(**values), template[1].format(**values), values["track"]
