"""Reads of the catalogue for pages, the API, the assistant and the dossier engine."""

from django.db.models import Count, Q, QuerySet

from motcua.calendars.engine import DeadlineRule

from .fees import fee_summary
from .models import Field, Procedure
from .search import Hit, search_index


def procedure_current(*, code: str) -> Procedure | None:
    return Procedure.objects.current().select_related("field").prefetch_related("documents").filter(code=code).first()


def procedures_current() -> QuerySet[Procedure]:
    return Procedure.objects.current().select_related("field")


def procedures_popular(limit: int = 8) -> list[Procedure]:
    return list(procedures_current().order_by("-popularity", "code")[:limit])


def fields_with_counts() -> QuerySet[Field]:
    counted = Field.objects.annotate(n=Count("procedures", filter=Q(procedures__valid_to__isnull=True)))
    return counted.filter(n__gt=0).order_by("order", "name")


def procedure_search(*, query: str, limit: int = 10) -> list[Hit]:
    return search_index().search(query, limit=limit)


def procedures_for_hits(hits: list[Hit]) -> list[tuple[Hit, Procedure]]:
    by_code = {p.code: p for p in procedures_current().filter(code__in=[h.code for h in hits])}
    return [(h, by_code[h.code]) for h in hits if h.code in by_code]


def deadline_rule(procedure: Procedure) -> DeadlineRule:
    return DeadlineRule(procedure.time_kind, float(procedure.time_amount))


def time_text(procedure: Procedure) -> str:
    if procedure.time_kind == "same_day":
        return "Trong ngày (nộp sau 15 giờ: ngày làm việc tiếp theo)"
    amount = float(procedure.time_amount)
    shown = int(amount) if amount.is_integer() else amount
    unit = "ngày làm việc" if procedure.time_kind == "working_days" else "giờ làm việc"
    return f"{shown} {unit}"


def fee_text(procedure: Procedure) -> str:
    return fee_summary(procedure.fee)
