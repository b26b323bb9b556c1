"""After the result and public pages: rating, throttled public tracking."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.core.inputs import as_validation_failed, clean_text

from ..models import Dossier, Rating
from .transition import NOTE_MAX_LENGTH


def dossier_rate(*, citizen: User, code: str, score: int, comment: str = "") -> Rating:
    """The citizen rates a dossier whose result they received. Locks: none (a unique constraint makes
    a second rating a 409)."""
    dossier = Dossier.objects.filter(citizen=citizen, code=code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ này"))
    state = dossier.state
    if state is None or not (state.final and state.outcome == "completed"):
        raise NotAllowed(_("Bạn có thể đánh giá sau khi nhận kết quả"))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(_("Chọn mức hài lòng từ 1 đến 5"), fields={"score": [_("Từ 1 đến 5")]})
    try:
        comment = clean_text(comment, max_length=NOTE_MAX_LENGTH, multiline=True, label=_("Góp ý"))
    except ValidationError as exc:
        raise as_validation_failed("comment", exc) from exc
    try:
        with transaction.atomic():
            return Rating.objects.create(dossier=dossier, score=score, comment=comment)
    except IntegrityError:
        raise Conflict(_("Bạn đã đánh giá hồ sơ này rồi. Cảm ơn bạn!"), code="already_rated") from None


def dossier_track_checked(*, code: str, phone: str, ip_address: str | None) -> Dossier:
    """Public tracking, throttled on its own counters (per dossier code and per address; never the
    login's): repeated wrong phone numbers slow down, so nobody can walk through phone numbers."""
    from motcua.accounts.throttle import throttle_check, throttle_record

    from ..selectors import dossier_track

    key = (code or "").strip().upper()
    throttle_check(purpose="track", key=key, ip_address=ip_address)
    try:
        dossier = dossier_track(code=code, phone=phone)
    except NotFound:
        throttle_record(purpose="track", key=key, ip_address=ip_address, succeeded=False)
        raise
    return dossier
