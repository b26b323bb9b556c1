"""After the result and public pages: rating, throttled public tracking."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.core.inputs import as_validation_failed, clean_text

from ..effects import on_rated
from ..models import Dossier, Rating
from .transition import NOTE_MAX_LENGTH


def dossier_rate(*, citizen: User, code: str, score: int, comment: str = "") -> Rating:
    """The citizen rates a dossier whose result they received. Locks: none (a unique constraint makes
    a second rating a 409)."""
    dossier = Dossier.objects.filter(citizen=citizen, code=code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ này"))
    return _rate(dossier, score=score, comment=comment)


def _rate(dossier: Dossier, *, score: int, comment: str) -> Rating:
    state = dossier.state
    if state is None or not (state.final and state.outcome == "completed"):
        raise NotAllowed(_("Bạn có thể đánh giá sau khi nhận kết quả"), code="no_result_yet")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(_("Chọn mức hài lòng từ 1 đến 5"), fields={"score": [_("Từ 1 đến 5")]})
    try:
        comment = clean_text(comment, max_length=NOTE_MAX_LENGTH, multiline=True, label=_("Góp ý"))
    except ValidationError as exc:
        raise as_validation_failed("comment", exc) from exc
    try:
        with transaction.atomic():
            rating = Rating.objects.create(dossier=dossier, score=score, comment=comment)
            on_rated(rating=rating)
            return rating
    except IntegrityError:
        raise Conflict(_("Bạn đã đánh giá hồ sơ này rồi. Cảm ơn bạn!"), code="already_rated") from None


def rating_token(code: str) -> str:
    """The token printed (as a QR code) on a dossier's receipt: whoever holds the receipt may rate the
    dossier once without logging in. An HMAC of the code under SECRET_KEY (16 URL-safe characters), so
    nothing is stored and no other dossier's token can be derived from one."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"rating:{code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def dossier_for_rating_token(*, code: str, token: str) -> Dossier:
    """The dossier a receipt's rating token belongs to; NotFound for a wrong token or code (the same answer)."""
    dossier = Dossier.objects.filter(code=code).select_related("procedure").first() if code else None
    if dossier is None or not hmac.compare_digest(rating_token(dossier.code), str(token or "")):
        raise NotFound(_("Không tìm thấy hồ sơ này"))
    return dossier


def dossier_rate_by_token(*, code: str, token: str, score: int, comment: str = "") -> Rating:
    """A counter citizen rates from the QR code on their receipt, without an account: same rules as online
    (after the result, 1–5, one rating per dossier: a second try is 409 ``already_rated``)."""
    return _rate(dossier_for_rating_token(code=code, token=token), score=score, comment=comment)


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
