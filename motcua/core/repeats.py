"""Double clicks and retried requests that create something (an export, a call record, a feedback item, a
reconciliation run): the same person asking for the same thing again within a short time gets the first one
back, and nothing is written twice — also when both requests arrive at the same moment."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

# A repeat of the same request within this time is the same request (double click, a retry on a weak network).
REPEAT_WINDOW = dt.timedelta(minutes=2)


def earlier_request(queryset: QuerySet, *, user, window: dt.timedelta = REPEAT_WINDOW, field: str = "created_at"):
    """The newest row of ``queryset`` (the caller filters it to "the same request by this person") whose
    ``field`` (set by the real clock) is within ``window`` of now, or None. Must run inside
    ``transaction.atomic()``: it first locks the person's user row, so two simultaneous requests of one person
    run one after the other and the second one sees the first one's row. Raises
    TransactionManagementError outside a transaction (select_for_update)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    since = timezone.now() - window
    return queryset.filter(**{f"{field}__gte": since}).order_by(f"-{field}").first()
