"""Reads of the catalogue for pages, the API, the assistant and the dossier engine."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from motcua.calendars.engine import DeadlineRule
from motcua.core.confcache import cached

from .fees import fee_summary
from .models import Field, Procedure
from .search import Hit, english_data, search_both


def procedure_current(*, code: str) -> Procedure | None:
    """The current version of the procedure with this code, with its field and its required documents
    (prefetched), or None. Inside a `core.confcache.snapshot` (a submission) from the process's cache while
    the catalogue is unchanged: the instance is shared, read it only."""
    return cached(
        ("procedure_current", code),
        ("catalog",),
        lambda: (
            Procedure.objects.current().select_related("field").prefetch_related("documents").filter(code=code).first()
        ),
    )


def procedures_current() -> QuerySet[Procedure]:
    return Procedure.objects.current().select_related("field")


def procedures_linked(procedure: Procedure) -> list[Procedure]:
    """The current procedures a procedure names as linked (liên thông), in catalogue order."""
    return list(procedures_current().filter(code__in=procedure.linked_codes))


def procedures_of_field(*, field: Field | None = None, field_slug: str | None = None) -> QuerySet[Procedure]:
    """Current procedures of a field (by object or slug), most used first; every procedure without one."""
    qs = procedures_current()
    if field is not None:
        qs = qs.filter(field=field)
    if field_slug:
        qs = qs.filter(field__slug=field_slug)
    return qs


def procedures_popular(limit: int = 8) -> list[Procedure]:
    return list(procedures_current().order_by("-popularity", "code")[:limit])


def fields_with_counts() -> QuerySet[Field]:
    counted = Field.objects.annotate(n=Count("procedures", filter=Q(procedures__valid_to__isnull=True)))
    return counted.filter(n__gt=0).order_by("order", "name")


def procedure_search(*, query: str, limit: int = 10) -> list[Hit]:
    return search_both(query, limit=limit)


def procedures_for_hits(hits: list[Hit]) -> list[tuple[Hit, Procedure]]:
    by_code = {p.code: p for p in procedures_current().filter(code__in=[h.code for h in hits])}
    return [(h, by_code[h.code]) for h in hits if h.code in by_code]


def document_needed(document, *, channel: str) -> bool:
    """Must this required document be handed in for a dossier on this channel? Not when it is optional,
    when the e-form is the declaration it stands for (a form template, or a "Tờ khai…"), or when the agency
    takes it from a national database (Decree 45/2020: never ask again for what the state holds). A
    document to show in the original ("xuất trình") is checked at the counter; online, it cannot be."""
    import unicodedata

    from .models import DocumentKind

    if not document.required or document.template or document.national_db:
        return False
    if unicodedata.normalize("NFC", document.name).casefold().startswith("tờ khai"):
        return False
    if document.kind == DocumentKind.PRESENT:
        return channel == "counter"
    return True


def documents_needed(procedure: Procedure, *, channel: str) -> list:
    return [d for d in procedure.documents.all() if document_needed(d, channel=channel)]


def documents_of(procedure: Procedure) -> list:
    """The documents a procedure lists, in their order (citizen and counter pages show them all)."""
    return list(procedure.documents.all())


def deadline_rule(procedure: Procedure) -> DeadlineRule:
    return DeadlineRule(procedure.time_kind, float(procedure.time_amount))


def time_text(procedure: Procedure) -> str:
    if procedure.time_kind == "same_day":
        return gettext("Trong ngày (nộp sau 15 giờ: ngày làm việc tiếp theo)")
    amount = float(procedure.time_amount)
    shown = int(amount) if amount.is_integer() else amount
    if procedure.time_kind == "working_days":
        return gettext("%(n)s ngày làm việc") % {"n": shown}
    return gettext("%(n)s giờ làm việc") % {"n": shown}


def fee_text(procedure: Procedure) -> str:
    return fee_summary(procedure.fee)


def english_lines() -> dict[str, dict]:
    """English name and one-line summary per procedure code (data/procedures_en.json)."""
    return english_data()["procedures"]


def eform_titles() -> dict[str, str]:
    """Every e-form key's title across the catalogue (one query), for error messages that name a field by
    its label (`motcua.core.labels`, registered in CatalogConfig.ready)."""
    titles: dict[str, str] = {}
    for schema in Procedure.objects.values_list("form_schema", flat=True):
        for key, prop in ((schema or {}).get("properties") or {}).items():
            if isinstance(prop, dict) and prop.get("title"):
                titles.setdefault(key, prop["title"])
    return titles
