"""The one lock order for a dossier's rows: the dossier → its attachments → its results (each set in
primary-key order). Every write that needs more than the dossier row takes its locks through here, so
two writers never wait on each other in opposite orders (a deadlock PostgreSQL would break by failing
one of them). Counters (the daily dossier code, the receipt register) are taken after these, last."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Dossier


def dossier_lock(queryset: QuerySet[Dossier], *, attachments: bool = False, results: bool = False) -> Dossier | None:
    """Lock the first dossier of ``queryset`` (scoped by the caller: visible_to, owner, status…) and
    then, if asked, its attachments and its results. None when the queryset is empty. Must run inside
    a transaction."""
    dossier = queryset.select_for_update(of=("self",)).first()
    if dossier is not None:
        dossier_lock_children(dossier, attachments=attachments, results=results)
    return dossier


def dossier_lock_children(dossier: Dossier, *, attachments: bool = False, results: bool = False) -> None:
    """With the dossier row already locked by the caller: lock its attachments, then its results."""
    if attachments:
        list(dossier.attachments.select_for_update().order_by("pk").values_list("pk", flat=True))
    if results:
        list(dossier.results.select_for_update().order_by("pk").values_list("pk", flat=True))
