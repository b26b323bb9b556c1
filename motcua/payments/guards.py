"""The "payment" guard the workflow engine runs for actions whose data say ``"requires_payment": true``
(e.g. ``return_result``): the result is not handed over while a fee of the dossier is unpaid."""

from django.utils.translation import gettext as _

from motcua.catalog.fees import format_vnd
from motcua.core.errors import NotAllowed

from .models import IntentStatus, PaymentIntent

UNPAID = (IntentStatus.PENDING, IntentStatus.EXPIRED)


def unpaid_amount(dossier) -> int:
    """What the dossier still owes in đồng: the latest intent of each fee line, when pending or expired.
    Waived (cancelled), paid and refunded lines owe nothing."""
    latest: dict[str, PaymentIntent] = {}
    for intent in PaymentIntent.objects.filter(dossier=dossier).order_by("pk"):
        latest[intent.line] = intent
    return sum(i.amount for i in latest.values() if i.status in UNPAID)


def payment_guard(*, dossier, action=None, actor=None, params=None, now=None, **_context) -> None:
    """Raise NotAllowed (422, code ``payment_required``) while the dossier owes a fee."""
    owed = unpaid_amount(dossier)
    if owed:
        raise NotAllowed(
            _(
                "Hồ sơ còn %(amount)s phí, lệ phí chưa thanh toán. Thu tiền tại quầy hoặc chờ công dân "
                "thanh toán (VietQR, thẻ, ví) rồi làm bước này"
            )
            % {"amount": format_vnd(owed)},
            code="payment_required",
        )
