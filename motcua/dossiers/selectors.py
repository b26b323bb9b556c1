"""Permission-scoped reads of dossiers: the detail, worklists and public tracking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from motcua.accounts.models import OFFICER_ROLES, User
from motcua.accounts.selectors import grants_of, roles_on
from motcua.calendars.engine import WorkingCalendar, remaining
from motcua.calendars.selectors import CalendarBook
from motcua.core.confcache import cached, snapshot
from motcua.core.errors import NotFound
from motcua.core.inputs import fold, identifier_digits, nfc, phone_forms

from .models import DRAFT, Attachment, Channel, Dossier, DossierEvent, DueRecalculation, Timeliness, workflow_state
from .workflow import CITIZEN, load_workflow, states_where


def dossier_get(*, user, code: str, for_update: bool = False) -> Dossier:
    qs = Dossier.objects.visible_to(user).select_related("procedure", "office", "unit", "citizen", "assigned_to")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    dossier = qs.filter(code=code).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ này")
    return dossier


def draft_get(*, citizen, draft_id: int) -> Dossier:
    """The citizen's own draft (the submission steps work on it); NotFound for anyone else's or a
    submitted dossier."""
    draft = (
        Dossier.objects.visible_to(citizen)
        .select_related("procedure")
        .filter(pk=draft_id, citizen=citizen, status=DRAFT)
        .first()
    )
    if draft is None:
        raise NotFound("Không tìm thấy bản nháp này")
    return draft


def attachments_of(dossier: Dossier) -> list[Attachment]:
    """The files of a dossier the caller has already been allowed to see (through `dossier_get`)."""
    return list(dossier.attachments.order_by("created_at", "pk"))


def earlier_attachments(*, owner, draft: Dossier, limit: int = 10) -> list[Attachment]:
    """The citizen's files from their earlier dossiers, newest first, that are not already on the draft
    (offered for reuse on the documents step)."""
    on_draft = dossier_attachment_hashes(draft)
    qs = Attachment.objects.visible_to(owner).filter(owner=owner, dossier__isnull=False).exclude(dossier=draft)
    return list(qs.exclude(sha256__in=on_draft).order_by("-created_at")[:limit])


def dossier_attachment_hashes(dossier: Dossier) -> set[str]:
    return set(dossier.attachments.values_list("sha256", flat=True))


def attachment_get(*, user, pk) -> Attachment:
    """A file the user may download: their own upload or a file of a dossier they may see. NotFound
    (the same 404) otherwise."""
    attachment = Attachment.objects.visible_to(user).select_related("dossier").filter(pk=pk).first()
    if attachment is None:
        raise NotFound("Không tìm thấy tệp này")
    return attachment


def counter_offices(*, officer) -> list:
    """The active offices where this officer receives walk-in dossiers (their intake units and below)."""
    from motcua.accounts.models import Role
    from motcua.accounts.selectors import units_in_scope
    from motcua.places.models import Office

    units = units_in_scope(user=officer, roles=[Role.INTAKE_OFFICER])
    return list(Office.objects.filter(unit__in=units, is_active=True).select_related("unit"))


def actor_roles(*, user, dossier: Dossier) -> set[str]:
    roles = set(roles_on(user=user, unit=dossier.unit)) & set(OFFICER_ROLES)
    if dossier.citizen_id == user.pk:
        roles.add(CITIZEN)
    return roles


def dossier_calendar(dossier: Dossier, calendars: CalendarBook | None = None) -> WorkingCalendar:
    """The working calendar of the dossier's office: from the request's `CalendarBook` when one is given
    (a worklist page), else built once and kept on the dossier object (a dossier page asks for it for the
    remaining time, the lateness, the step deadlines and the action windows)."""
    if calendars is not None:
        return calendars.for_office(dossier.office_id)
    cal = dossier.__dict__.get("_calendar")
    if cal is None:
        cal = dossier.__dict__["_calendar"] = CalendarBook().for_office(dossier.office_id)
    return cal


def actions_for(*, user, dossier: Dossier) -> list:
    """The workflow actions this user may take on this dossier now."""
    if dossier.status == DRAFT:
        return []
    from .rules import actions_open_to

    workflow = load_workflow(dossier.workflow)
    roles = actor_roles(user=user, dossier=dossier)
    return actions_open_to(dossier=dossier, workflow=workflow, roles=roles, user_id=user.pk)


def status_label(dossier: Dossier, *, citizen: bool = False) -> str:
    if dossier.status == DRAFT:
        return gettext("Bản nháp")
    state = load_workflow(dossier.workflow).states[dossier.status]
    # Labels are workflow data; their English lines live in the translation catalogue (a test checks).
    return gettext(state.citizen_label if citizen else state.label)


def remaining_text(dossier: Dossier, now: dt.datetime | None = None, *, calendars: CalendarBook | None = None) -> str:
    if not dossier.due_at or not dossier.is_open:
        return ""
    if dossier.paused_at:
        return gettext("tạm dừng, chờ công dân bổ sung")
    return _remaining(dossier, now or timezone.now(), calendars).text()


def _remaining(dossier: Dossier, now: dt.datetime, calendars: CalendarBook | None):
    """`remaining` of the dossier at `now`, kept on the object: a row asks for its remaining time and for
    its lateness, which are the same working-time arithmetic."""
    key = (now, dossier.due_at)
    cached = dossier.__dict__.get("_remaining")
    if cached is None or cached[0] != key:
        cached = dossier.__dict__["_remaining"] = (
            key,
            remaining(dossier_calendar(dossier, calendars), now=now, due_at=dossier.due_at),
        )
    return cached[1]


@dataclass(frozen=True)
class Lateness:
    """How far past its due moment an open, running dossier is, in working time of its office."""

    days: int
    hours: int
    minutes: int
    due_at: dt.datetime
    beyond_horizon: bool = False  # more than REMAINING_HORIZON (3 years) late: not counted in working time

    def text(self) -> str:
        """ "2 ngày 3 giờ" (working time); "dưới 1 giờ" just after the due moment; "hơn 3 năm" past the
        horizon (days, hours and minutes are then 0)."""
        if self.beyond_horizon:
            return gettext("hơn 3 năm")
        parts = []
        if self.days:
            parts.append(ngettext("%(n)s ngày", "%(n)s ngày", self.days) % {"n": self.days})
        if self.hours:
            parts.append(ngettext("%(n)s giờ", "%(n)s giờ", self.hours) % {"n": self.hours})
        if not parts:
            parts.append(gettext("dưới 1 giờ"))
        return " ".join(parts)


def lateness(
    dossier: Dossier, now: dt.datetime | None = None, *, calendars: CalendarBook | None = None
) -> Lateness | None:
    """None unless the dossier is open, its clock is running (not waiting for the citizen) and its due
    moment has passed. The one place every page asks "is this dossier late, and by how much"."""
    if not dossier.is_open or not dossier.due_at or dossier.paused_at or dossier.status == DRAFT:
        return None
    now = now or timezone.now()
    if now <= dossier.due_at:
        return None
    left = _remaining(dossier, now, calendars)
    return Lateness(
        days=left.days,
        hours=left.hours,
        minutes=left.minutes,
        due_at=dossier.due_at,
        beyond_horizon=left.beyond_horizon,
    )


def supplement_asked(dossier: Dossier) -> list[str]:
    """The documents the open supplement request lists (each needs a file to complete it)."""
    if dossier.status == DRAFT or not dossier.paused_at:
        return []
    from .rules import supplement_request_event

    request = supplement_request_event(dossier)
    return list((request.data or {}).get("documents", [])) if request else []


def events_of(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor").order_by("seq")


# --- worklists -------------------------------------------------------------------------------------------
VIEWS = {
    "new": gettext_lazy("Chờ tiếp nhận"),
    "mine": gettext_lazy("Của tôi"),
    "waiting": gettext_lazy("Chờ công dân bổ sung"),
    "due_today": gettext_lazy("Đến hạn hôm nay"),
    "due_soon": gettext_lazy("Đến hạn trong 1 ngày làm việc"),
    "overdue": gettext_lazy("Quá hạn"),
    "open": gettext_lazy("Đang giải quyết"),
    "finished": gettext_lazy("Đã xong"),
}


@dataclass(frozen=True)
class WorklistQuery:
    view: str = "open"
    search: str = ""


# The worklist's WHERE is written as SQL once, here, for the rows and the tab counts alike: nine Q trees
# compiled by the ORM on every page cost more CPU (8 ms) than the statements themselves (issue 15 point 8).
# The predicates keep the ORM's forms (`"is_open"`, `NOT ("status" = 'draft')`, `IN (…)`), so the same
# partial indexes serve them; columns are qualified, as the rows query joins other tables.
_T = '"dossiers_dossier".'


def _in(column: str, values: list) -> tuple[str, list]:
    return f'{_T}"{column}" IN ({", ".join(["%s"] * len(values))})', list(values)


def _scope_where(user) -> tuple[str, list] | None:
    """Where the officer's dossiers are, as (SQL, params), or None for an officer without any unit: whole
    provinces through the denormalised province column (one index range however many communes), other
    units through their ids. Kept on the user object for the request: a worklist page asks for it once
    for the tab counts and once for its rows."""
    if hasattr(user, "_worklist_scope"):
        return user._worklist_scope
    from motcua.places.models import PROVINCE_LEVEL, AdministrativeUnit

    units = [g.unit for g in grants_of(user=user, roles=OFFICER_ROLES)]
    provinces = [u.pk for u in units if u.parent_id is None and u.unit_type in PROVINCE_LEVEL]
    others = [u for u in units if u.pk not in provinces]
    parts = []
    if provinces:
        parts.append(_in("province_id", provinces))
    if others:
        # The units below theirs change rarely: kept by the process while no unit changes (core.confcache).
        unit_ids = cached(
            ("worklist_units_within", tuple(sorted(u.pk for u in others))),
            ("places",),
            lambda: list(AdministrativeUnit.objects.within(others).values_list("pk", flat=True)),
        )
        if unit_ids:
            parts.append(_in("unit_id", unit_ids))
    scope = None
    if len(parts) == 1:
        scope = parts[0]
    elif parts:
        scope = (f"({parts[0][0]} OR {parts[1][0]})", parts[0][1] + parts[1][1])
    user._worklist_scope = scope
    return scope


def _view_where(*, user, view: str, now: dt.datetime) -> tuple[str, list] | None:
    """The WHERE of a view as (SQL, params), or None when the officer serves no unit (nothing to show).
    Moments are bound as the database stores them (`get_db_prep_value`: UTC text on SQLite)."""
    scope = _scope_where(user)
    if scope is None:
        return None
    sql, params = [scope[0]], list(scope[1])

    def moment(value: dt.datetime):
        return _DUE_AT.get_db_prep_value(value, connections[Dossier.objects.db])

    if view == "finished":
        # A draft is never finished (is_open stays true until a final state), so no status test here: the
        # count and the rows are then index-only ranges of (unit, finished_at) WHERE NOT is_open.
        sql.append(f'NOT {_T}"is_open"')
    elif view == "mine":
        sql += [f'{_T}"assigned_to_id" = %s', f'{_T}"is_open"']
        params.append(user.pk)
    else:
        sql += [f'{_T}"is_open"', f'NOT ({_T}"status" = %s)']
        params.append(DRAFT)
        if view == "new":
            states = _in("status", _states("initial"))
            sql.append(states[0])
            params += states[1]
        elif view == "waiting":
            states = _in("status", _states("paused"))
            sql.append(states[0])
            params += states[1]
        elif view in ("due_today", "due_soon", "overdue"):
            states = _in("status", _states("paused"))
            sql.append(f"NOT ({states[0]})")
            params += states[1]
            if view == "overdue":
                sql.append(f'{_T}"due_at" < %s')
                params.append(moment(now))
            else:
                until = _end_of_day(now) if view == "due_today" else _end_of_next_working_day(user, now)
                sql += [f'{_T}"due_at" >= %s', f'{_T}"due_at" <= %s']
                params += [moment(now), moment(until)]
    return "(" + " AND ".join(sql) + ")", params


_DUE_AT = Dossier._meta.get_field("due_at")


_STATE_PREDICATES = {
    "initial": lambda w, s: s.name == w.initial,
    "paused": lambda w, s: s.paused,
}


def _states(kind: str) -> list[str]:
    """The states of every known workflow that are initial ("new") or paused ("waiting")."""
    return states_where(_STATE_PREDICATES[kind])


def worklist(*, user, query: WorklistQuery, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """Dossiers of the officer's units for a view, sorted by due moment. Each view is one indexed range
    scan: (unit, status, due_at) or (unit, due_at) on open dossiers, (assigned_to, due_at) for "mine",
    (unit, finished_at) for finished ones."""
    now = now or timezone.now()
    view = query.view if query.view in VIEWS else "open"
    where = _view_where(user=user, view=view, now=now)
    if where is None:
        return Dossier.objects.none()
    # The WHERE is this module's own SQL (_view_where); every value in it is a bound parameter.
    qs = Dossier.objects.filter(RawSQL(where[0], where[1], output_field=BooleanField()))  # noqa: S611
    if query.search:
        qs = qs.filter(_search_matches(query.search))
    order = ("-finished_at",) if view == "finished" else ("due_at", "id")
    return qs.order_by(*order).select_related("procedure", "assigned_to")


# Searching is done in two steps so that PostgreSQL uses the search indexes (trigram on the folded name,
# btree on code, citizen ID and phone) instead of walking a province's dossiers in due order and filtering
# each one (measured: 0.5 s for 300,000 dossiers): first the matching ids, unordered and unscoped (they are
# only intersected with the officer's scope), then the worklist restricted to them. A very common search
# (more than the cap) is dense enough for the plain filter to find a page quickly.
SEARCH_PREFILTER_CAP = 1000


def _search_prefilter(text: str) -> tuple[Q, list[int] | None]:
    """The search's condition, and the ids of the matching dossiers when there are at most
    SEARCH_PREFILTER_CAP of them (None when there are more: the condition is then applied as it is)."""
    condition = _search_condition(text)
    ids = list(
        Dossier.objects.filter(condition).exclude(status=DRAFT).values_list("pk", flat=True)[: SEARCH_PREFILTER_CAP + 1]
    )
    return condition, (None if len(ids) > SEARCH_PREFILTER_CAP else ids)


def _search_matches(text: str) -> Q:
    condition, ids = _search_prefilter(text)
    return condition if ids is None else Q(pk__in=ids)


def _search_where(text: str) -> tuple[str, list] | None:
    """`_search_matches` as a WHERE condition (SQL, params) on the dossier table, or None when nothing matches."""
    condition, ids = _search_prefilter(text)
    if ids is None:
        try:
            sql, params = Dossier.objects.filter(condition).values("pk").query.sql_with_params()
        except EmptyResultSet:
            return None
        # The ORM's own SQL for the condition, its values bound as parameters.
        return f'{_T}"id" IN ({sql})', list(params)
    return _in("id", ids) if ids else None


def _end_of_day(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def _calendars(user) -> CalendarBook:
    """The request's calendars, kept on the user object (one per request): the "due soon" limit and the
    rows' remaining time of a worklist page share the overrides they read."""
    book = getattr(user, "_calendar_book", None)
    if book is None:
        book = user._calendar_book = CalendarBook()
    return book


def _end_of_next_working_day(user, now: dt.datetime) -> dt.datetime:
    """By the calendar of the officer's own unit (a typhoon closure there moves "due soon" too)."""
    grants = grants_of(user=user, roles=OFFICER_ROLES)
    cal = _calendars(user).for_unit(grants[0].unit if grants else None)
    return cal.day_end(cal.next_working_day(timezone.localtime(now).date()))


def _search_condition(text: str) -> Q:
    """A dossier code, a citizen ID or phone typed in groups ("010 190 012 345", "+84 912 345 678"), or
    part of the applicant's name compared folded on both sides: "LÒ THỊ MAI", its NFD form and
    "lo thi mai" find the same dossiers on SQLite and PostgreSQL."""
    value = " ".join(nfc(text).split())
    # Codes are stored in capitals: an exact / prefix match on the upper-cased text uses the code indexes.
    condition = Q(code__in={value, value.upper()})
    folded = fold(value)
    if folded:
        condition |= Q(applicant_search__contains=folded)
    digits = identifier_digits(value)
    if digits and len(digits) == 12:
        condition |= Q(applicant_citizen_id=digits)
    if digits and 9 <= len(digits) <= 11:
        condition |= Q(applicant_phone__in=phone_forms(digits))
    if "-" in value:
        condition |= Q(code__startswith=value) | Q(code__startswith=value.upper())
    return condition


# Tab counts stop here and show "1.000+": past a thousand the exact number changes nothing an officer does,
# and each count stays an index-only range of at most COUNT_CAP + 1 entries (issue 15, point 8).
COUNT_CAP = 1_000


def count_cap_text() -> str:
    """COUNT_CAP with the active language's digit grouping: "1.000" (the English interface keeps the
    Vietnamese number conventions, motcua/formats/en)."""
    return number_format(COUNT_CAP, force_grouping=True)


def count_label(n: int) -> str:
    """The count as shown on a tab: "12", "1.000" (grouped like money and the cap), or "1.000+" past the cap."""
    return f"{count_cap_text()}+" if n > COUNT_CAP else number_format(n, force_grouping=True)


def _capped_count(where: tuple[str, list]) -> tuple[str, list]:
    """A scalar subquery counting the dossiers matching `where` (SQL, params), up to COUNT_CAP + 1: an
    index-only range stopped after that many entries."""
    # The WHERE is this module's own SQL (_view_where, _search_where); every value is a bound parameter.
    sql = f'(SELECT COUNT(*) FROM (SELECT {_T}"id" FROM "dossiers_dossier" WHERE {where[0]} LIMIT %s) AS c)'  # noqa: S608
    return sql, [*where[1], COUNT_CAP + 1]


def _count_all(parts: list[tuple[str, list]]) -> tuple:
    """The values of scalar subqueries (`_capped_count`), read in one statement."""
    with connections[Dossier.objects.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql for sql, _params in parts), [v for _sql, p in parts for v in p])
        return cursor.fetchone()


def worklist_counts(*, user, now: dt.datetime | None = None, views=None) -> dict[str, int]:
    """Counts per view (all of VIEWS unless `views` names some), each capped at COUNT_CAP + 1: counting a
    province's whole history on every page load would be a full scan. All of them are one statement
    (one round trip), each an index-only range stopped after COUNT_CAP + 1 entries."""
    now = now or timezone.now()
    wanted = list(views or VIEWS)
    counts = dict.fromkeys(wanted, 0)
    parts = []
    for view in wanted:
        where = _view_where(user=user, view=view, now=now)
        if where is None:  # an officer without any unit: nothing to count
            return counts
        parts.append(_capped_count(where))
    counts.update(zip(wanted, _count_all(parts), strict=True))
    return counts


class _KnownCount:
    """What the pagination template asks of a paginator, for a page whose total is known only up to the cap."""

    def __init__(self, count: int, per_page: int):
        self.count = count
        self.capped = count > COUNT_CAP
        self.num_pages = max(1, -(-count // per_page))
        self.per_page = per_page


class OpenEndedPage(Sequence):
    """A page of rows fetched as OFFSET/LIMIT per_page + 1: the extra row says whether a next page exists,
    so no COUNT(*) over the whole history is needed ("Trang sau" goes on past the capped count)."""

    def __init__(self, rows: list, *, number: int, per_page: int, has_next: bool, count: int):
        self.object_list = rows
        self.number = number
        self._has_next = has_next
        self.paginator = _KnownCount(count, per_page)
        # A page number past the end of a list longer than the cap (its last page is not known without a
        # COUNT over all history): the page says so and links to the first page, no "previous" to another
        # empty page. Below the cap a page past the end shows the last page instead (worklist_page).
        self.past_end = not rows and number > 1

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1 and not self.past_end

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


@dataclass
class WorklistDossier:
    """The columns of a dossier a worklist row shows, read as plain values (building 26 model instances
    with their procedure and officer cost the page 1.5 ms of CPU). It answers what `status_label`,
    `remaining_text` and `lateness` ask of a dossier."""

    pk: int
    code: str
    workflow: str
    status: str
    is_open: bool
    applicant_name: str
    due_at: dt.datetime | None
    paused_at: dt.datetime | None
    finished_at: dt.datetime | None
    timeliness: str
    office_id: int | None
    assigned_to_id: int | None
    procedure_name: str  # Procedure.display_name
    officer_name: str  # the assigned officer's User.display_name, or ""

    @property
    def state(self):
        return workflow_state(self.workflow, self.status)

    @classmethod
    def from_row(cls, values: tuple) -> WorklistDossier:
        """From a row of `_ROW_SQL` (its columns in that order)."""
        # fmt: off
        (pk, code, workflow, status, is_open, applicant, due_at, paused_at, finished_at, timeliness, office_id,
         assigned_to_id, procedure_name, procedure_citizen_name, full_name, first_name, last_name, username) = values
        # fmt: on
        return cls(
            pk=pk,
            code=code,
            workflow=workflow,
            status=status,
            is_open=bool(is_open),
            applicant_name=applicant,
            due_at=_moment(due_at),
            paused_at=_moment(paused_at),
            finished_at=_moment(finished_at),
            timeliness=timeliness,
            office_id=office_id,
            assigned_to_id=assigned_to_id,
            procedure_name=procedure_citizen_name or procedure_name,  # as Procedure.display_name
            officer_name=User.name_shown(full_name, first_name, last_name, username) if assigned_to_id else "",
        )


@dataclass(frozen=True)
class WorklistRow:
    """A worklist row as the page shows it: the dossier and its texts, formatted once here so that the
    template only places them (a template filter or method call per cell costs 25 times per page)."""

    dossier: WorklistDossier
    status: str
    remaining: str
    late: Lateness | None
    tone: str  # the status tag's extra class: " tag-muted" (finished), " tag-warn", or ""
    when: str  # the due moment, or the finish on the "finished" tab, "HH:MM dd/mm/yyyy" local time
    timeliness: str  # on the "finished" tab: "Trước hạn", "Đúng hạn", "Quá hạn" or ""
    timeliness_tag: str  # " tag-late" or " tag-ok"
    late_text: str  # "Quá hạn 2 ngày 3 giờ" or ""
    procedure: str
    officer: str  # the assigned officer's name, or "—"


# The row statement: the columns WorklistDossier holds, then the procedure's names and the assigned officer's
# (as Procedure.display_name and User.display_name read them). A field the page starts to show goes here.
_ROW_FIELDS = (
    "id", "code", "workflow", "status", "is_open", "applicant_name", "due_at", "paused_at", "finished_at",
    "timeliness", "office", "assigned_to",
)  # fmt: skip
_ROW_COLUMNS = ", ".join(f'{_T}"{Dossier._meta.get_field(name).column}"' for name in _ROW_FIELDS)
# Our own SQL: the table and column names above, the WHERE of _view_where and _search_where (values bound).
_ROW_SQL = (
    f"SELECT {_ROW_COLUMNS}, "  # noqa: S608
    '"catalog_procedure"."name", "catalog_procedure"."citizen_name", "accounts_user"."full_name", '
    '"accounts_user"."first_name", "accounts_user"."last_name", "accounts_user"."username" '
    'FROM "dossiers_dossier" '
    'INNER JOIN "catalog_procedure" ON ("dossiers_dossier"."procedure_id" = "catalog_procedure"."id") '
    'LEFT OUTER JOIN "accounts_user" ON ("dossiers_dossier"."assigned_to_id" = "accounts_user"."id") '
    "WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
)
_ROW_ORDER = {"finished": f'{_T}"finished_at" DESC', None: f'{_T}"due_at" ASC, {_T}"id" ASC'}


def _moment(value) -> dt.datetime | None:
    """A timestamp read by a plain cursor, made aware: PostgreSQL gives it aware; SQLite stores UTC text."""
    if value is None or (isinstance(value, dt.datetime) and value.tzinfo is not None):
        return value
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _row_values(where: tuple[str, list], *, view: str, limit: int, offset: int) -> list[tuple]:
    # The WHERE is this module's own SQL (_view_where, _search_where); every value is a bound parameter.
    sql = _ROW_SQL.format(where=where[0], order=_ROW_ORDER.get(view, _ROW_ORDER[None]))
    with connections[Dossier.objects.db].cursor() as cursor:
        cursor.execute(sql, [*where[1], limit, offset])
        return cursor.fetchall()


def _worklist_row(d: WorklistDossier, *, finished_tab: bool, now: dt.datetime, calendars: CalendarBook, labels: dict):
    late = lateness(d, now, calendars=calendars)
    when = d.finished_at if finished_tab else d.due_at
    # The status label and tone are the same for every row in the same state: worked out once per page.
    key = (d.workflow, d.status, d.is_open)
    if key not in labels:
        state = d.state
        labels[key] = (
            status_label(d),
            " tag-muted" if not d.is_open else (" tag-warn" if state is not None and state.tone == "warn" else ""),
        )
    label, tone = labels[key]
    return WorklistRow(
        dossier=d,
        status=label,
        remaining=remaining_text(d, now, calendars=calendars),
        late=late,
        tone=tone,
        when=timezone.localtime(when).strftime("%H:%M %d/%m/%Y") if when else "",
        timeliness=str(Timeliness(d.timeliness).label) if finished_tab and d.timeliness else "",
        timeliness_tag=" tag-late" if d.timeliness == Timeliness.LATE else " tag-ok",
        late_text=gettext("Quá hạn %(t)s") % {"t": late.text()} if late else "",
        procedure=d.procedure_name,
        officer=d.officer_name or "—",
    )


@dataclass(frozen=True)
class WorklistPage:
    query: WorklistQuery
    page: OpenEndedPage
    rows: list[WorklistRow]
    counts: dict[str, int]

    @property
    def count_labels(self) -> dict[str, str]:
        return {view: count_label(n) for view, n in self.counts.items()}


MAX_PAGE = 100_000


def worklist_page(
    *, user, query: WorklistQuery, number=1, per_page: int = 25, now: dt.datetime | None = None
) -> WorklistPage:
    """One page of a worklist as the officer sees it: the rows with their status label, remaining time
    and lateness, and the capped count of every view. A constant number of queries whatever `per_page`
    (measured in tests/test_page_queries.py): the tab counts in one statement, the rows (per_page + 1, with
    their procedure and officer joined, read as values; no COUNT over all history), and the calendars of
    the page's offices built once (`CalendarBook`). `number` is the raw page parameter; anything unusable
    means page 1. A search adds its prefilter and its capped count."""
    from motcua.core.inputs import int_or_default

    now = now or timezone.now()
    if query.view not in VIEWS:
        query = WorklistQuery(view="open", search=query.search)
    number = int_or_default(number, default=1, min_value=1, max_value=MAX_PAGE)
    # The units in scope and the calendars come from the process's cache while they are unchanged.
    with snapshot():
        return _worklist_page(user=user, query=query, number=number, per_page=per_page, now=now)


def _worklist_page(*, user, query: WorklistQuery, number: int, per_page: int, now: dt.datetime) -> WorklistPage:
    counts = worklist_counts(user=user, now=now)
    where = _view_where(user=user, view=query.view, now=now)
    total = counts[query.view]
    if query.search and where is not None:
        search = _search_where(query.search)
        where = None if search is None else (f"{where[0]} AND {search[0]}", where[1] + search[1])
        total = _count_all([_capped_count(where)])[0] if where is not None else 0
    if total <= COUNT_CAP:  # known exactly: a page past the end shows the last one, as Django's get_page
        number = min(number, max(1, -(-total // per_page)))
    start = (number - 1) * per_page
    fetched = [] if where is None else _row_values(where, view=query.view, limit=per_page + 1, offset=start)
    dossiers = [WorklistDossier.from_row(values) for values in fetched[:per_page]]
    calendars = _calendars(user)
    calendars.prime({d.office_id for d in dossiers if d.is_open and d.due_at})
    finished_tab, labels = query.view == "finished", {}
    rows = [_worklist_row(d, finished_tab=finished_tab, now=now, calendars=calendars, labels=labels) for d in dossiers]
    page = OpenEndedPage(dossiers, number=number, per_page=per_page, has_next=len(fetched) > per_page, count=total)
    return WorklistPage(query=query, page=page, rows=rows, counts=counts)


def overdue_count(*, user, now: dt.datetime | None = None) -> int:
    """The officer's overdue dossiers, capped at COUNT_CAP + 1 (see `count_label`)."""
    return worklist_counts(user=user, now=now, views=["overdue"])["overdue"]


# --- public tracking -----------------------------------------------------------------------------------------
def dossier_track(*, code: str, phone: str) -> Dossier:
    """Tracking by code and the phone number given at submission: nothing is shown unless both match."""
    # The stored number, however it was typed ("0912 345 001", "+84 912 345 001", "912345001").
    forms = phone_forms(phone or "")
    dossier = (
        Dossier.objects.select_related("procedure", "office")
        .exclude(status=DRAFT)
        .filter(code__iexact=(code or "").strip(), applicant_phone__in=forms)
        .first()
    )
    if dossier is None or not forms:
        raise NotFound("Không tìm thấy hồ sơ với mã và số điện thoại này; hãy kiểm tra lại trên giấy biên nhận")
    return dossier


def citizen_dossiers(*, user) -> QuerySet[Dossier]:
    return Dossier.objects.filter(citizen=user).select_related("procedure").order_by("-created_at")


# --- step deadlines (the tracking form, Circular 01/2018 form 05) ----------------------------------------------
@dataclass(frozen=True)
class Handover:
    step: str
    label: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    timeliness: str  # early / on_time / late / "" while open


def handovers(dossier: Dossier) -> list[Handover]:
    """Each step's share of the processing time (the procedure's `step_shares`, else the workflow's
    `sla_share`) gives it a due moment; a step
    is handed over when an event leaves it. Classified like the whole dossier: early, on time, late."""
    from motcua.calendars.engine import REMAINING_HORIZON, add_working_time, classify, working_time_between

    if not dossier.received_at or not dossier.due_at:
        return []
    if abs(dossier.due_at - dossier.received_at) > REMAINING_HORIZON:
        return []  # an absurd stored due date (old data): no step deadlines rather than an error
    workflow = load_workflow(dossier.workflow)
    cal = dossier_calendar(dossier)
    total = working_time_between(cal, dossier.received_at, dossier.due_at)
    done: dict[str, dt.datetime] = {}
    for event in dossier.events.order_by("seq"):
        before = workflow.states.get(event.from_status)
        after = workflow.states.get(event.to_status)
        if before and after and (before.step != after.step or after.final) and before.step not in done:
            done[before.step] = event.created_at
    rows, share = [], 0.0
    for step, label, step_share in workflow.step_shares(dossier.procedure.step_shares):
        share += step_share
        due = add_working_time(cal, dossier.received_at, total * min(share, 1.0))
        finished = done.get(step)
        timeliness = classify(cal, finished_at=finished, due_at=due) if finished else ""
        rows.append(Handover(step, gettext(label), due, finished, timeliness))
    return rows


def counter_dossier_by_key(*, officer, idempotency_key: str | None) -> Dossier | None:
    """The dossier this officer already received at the counter with this form's key (a repeated POST)."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        return None
    return (
        Dossier.objects.filter(
            idempotency_key=key,
            channel=Channel.COUNTER,
            events__action="receive_at_counter",
            events__actor=officer,
        )
        .order_by("pk")
        .first()
    )


def submitted_by_key(*, citizen, idempotency_key: str | None) -> Dossier | None:
    """The dossier this citizen already submitted with this key: a second click on «Gửi hồ sơ» lands there."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        return None
    return Dossier.objects.filter(citizen=citizen, idempotency_key=key).exclude(status=DRAFT).first()


def due_recalculations_of(*, units):
    """Due-date recalculations run for the units (after a calendar change), newest first."""
    return DueRecalculation.objects.filter(unit__in=units).select_related("unit").order_by("-created_at")


def personal_dossiers_export(user) -> list[dict]:
    """The citizen's dossiers for their personal-data export (accounts.privacy, Decree 13/2023/NĐ-CP Art. 14),
    oldest first: [{"code", "procedure", "status", "channel", "created_at" (ISO 8601, local time),
    "applicant_name", "applicant_phone", "applicant_citizen_id", "form" (answers as given), "attachments"
    (file names)}]. Two queries."""
    from motcua.core import clock

    rows = Dossier.objects.filter(citizen=user).select_related("procedure").prefetch_related("attachments")
    return [
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
        for d in rows.order_by("created_at")
    ]
