"""The worklist's WHERE is written as SQL once (`dossiers.selectors._view_where`) for the rows and the tab
counts alike (issue 15 point 8: the ORM's compile of nine conditions per page cost more than the
statements). These tests hold it to the rule as the ORM states it, on SQLite and PostgreSQL: for every
view and officer (commune intake officer, province administrator, an officer of a village, an officer
without any unit) the rows are exactly the dossiers the rule selects, and each tab's count is their number."""

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.dossiers.models import DRAFT, Dossier
from motcua.dossiers.selectors import VIEWS, WorklistQuery, worklist, worklist_counts
from motcua.dossiers.workflow import states_where
from motcua.places.models import AdministrativeUnit

from .test_page_queries import _bulk_dossiers, offices  # noqa: F401 — the fixture is used by name


def _rule(*, user, view: str, now: dt.datetime, units: list) -> Q:
    """The views as DOMAIN and docs/dossiers.md state them, in the ORM's words (what `_view_where` replaced)."""
    from motcua.calendars.selectors import CalendarBook

    scope = Q(unit__in=units)
    if view == "finished":
        return scope & Q(is_open=False)
    if view == "mine":
        return scope & Q(is_open=True, assigned_to=user)
    condition = scope & Q(is_open=True) & ~Q(status=DRAFT)
    paused = states_where(lambda w, s: s.paused)
    if view == "new":
        return condition & Q(status__in=states_where(lambda w, s: s.name == w.initial))
    if view == "waiting":
        return condition & Q(status__in=paused)
    if view in ("due_today", "due_soon", "overdue"):
        condition &= ~Q(status__in=paused)
        if view == "overdue":
            return condition & Q(due_at__lt=now)
        local = timezone.localtime(now)
        if view == "due_today":
            until = local.replace(hour=23, minute=59, second=59, microsecond=0)
        else:
            grants = list(user.grants.all())
            cal = CalendarBook().for_unit(grants[0].unit)
            until = cal.day_end(cal.next_working_day(local.date()))
        return condition & Q(due_at__gte=now, due_at__lte=until)
    return condition


@pytest.fixture
def mixed(catalog, citizen, offices, staff):  # noqa: F811 — the imported fixture
    """Dossiers in every tab-relevant state over three offices of two communes, and two drafts."""
    _bulk_dossiers(citizen=citizen, offices=offices, count=36, officer=staff["tiepnhan"])
    first = Dossier.objects.filter(is_open=True).first()
    for n in range(2):
        Dossier.objects.create(
            procedure=first.procedure,
            workflow=first.workflow,
            citizen=citizen,
            office=first.office,
            unit=first.unit,
            province=first.province,
            code=f"~draft-{n}",
            status=DRAFT,
            is_open=True,
            due_at=timezone.now() - dt.timedelta(hours=1),
        )
    return offices


def _officer(who, *, staff, make_officer, province, commune_a, commune_b, village_a):
    """(officer, the unit their role is on)."""
    if who == "intake":
        return staff["tiepnhan"], commune_a
    if who == "province":
        return make_officer("tinh", Role.PROVINCE_ADMIN, province), province
    if who == "village":
        return make_officer("thon", Role.INTAKE_OFFICER, village_a), village_a
    return make_officer("chuyenvien-b", Role.SPECIALIST, commune_b), commune_b


def _page_rows_match_the_models(*, officer, view: str, now: dt.datetime, want: set) -> None:
    """The page reads its rows as plain values (`_row_values`, no model instances): the same dossiers in
    the ORM's order, with the texts the model instances give (status, remaining time, lateness, moments,
    procedure and officer names)."""
    from motcua.dossiers.selectors import lateness, remaining_text, status_label, worklist_page

    page = worklist_page(user=officer, query=WorklistQuery(view=view), per_page=100, now=now)
    order = ("-finished_at",) if view == "finished" else ("due_at", "id")
    models = list(Dossier.objects.filter(pk__in=want).select_related("procedure", "assigned_to").order_by(*order))
    assert [row.dossier.pk for row in page.rows] == [d.pk for d in models], view
    for row, d in zip(page.rows, models, strict=True):
        late = lateness(d, now)
        when = d.finished_at if view == "finished" else d.due_at
        assert (row.dossier.code, row.dossier.applicant_name) == (d.code, d.applicant_name)
        assert (row.dossier.due_at, row.dossier.paused_at, row.dossier.finished_at) == (
            d.due_at,
            d.paused_at,
            d.finished_at,
        )
        assert row.status == status_label(d)
        assert row.remaining == remaining_text(d, now)
        assert row.late == late
        assert row.when == (timezone.localtime(when).strftime("%H:%M %d/%m/%Y") if when else "")
        assert row.timeliness == (d.get_timeliness_display() if view == "finished" and d.timeliness else "")
        assert row.procedure == d.procedure.display_name
        assert row.officer == (d.assigned_to.display_name if d.assigned_to_id else "—")
    if view == "mine" and page.rows:
        assert {row.officer for row in page.rows} == {"Lò Thị Mai"}


@pytest.mark.parametrize("who", ["intake", "province", "village", "commune_b"])
def test_each_view_selects_what_the_rule_selects(
    mixed, staff, make_officer, province, commune_a, commune_b, village_a, who
):
    officer, unit = _officer(
        who,
        staff=staff,
        make_officer=make_officer,
        province=province,
        commune_a=commune_a,
        commune_b=commune_b,
        village_a=village_a,
    )
    units = list(AdministrativeUnit.objects.within([unit]))
    # The assigned officer's name as the rows show it: the full name when there is one.
    type(officer).objects.filter(pk=staff["tiepnhan"].pk).update(full_name="Lò Thị Mai")
    now = timezone.now()
    counts = worklist_counts(user=officer, now=now)
    for view in VIEWS:
        got = set(worklist(user=officer, query=WorklistQuery(view=view), now=now).values_list("pk", flat=True))
        want = set(
            Dossier.objects.filter(_rule(user=officer, view=view, now=now, units=units)).values_list("pk", flat=True)
        )
        assert got == want, (who, view, len(got), len(want))
        assert counts[view] == len(want), (who, view)
        _page_rows_match_the_models(officer=officer, view=view, now=now, want=want)
    # The test means something: each officer but the village's sees open and finished dossiers (commune A's
    # intake officer has some assigned too), and only the province's officer sees them all.
    if who != "village":
        assert counts["open"] and counts["finished"] and counts["new"] and counts["waiting"], (who, counts)
    assert bool(counts["mine"]) == (who == "intake"), (who, counts)
    everything = Dossier.objects.exclude(status=DRAFT).filter(is_open=True).count()
    assert (counts["open"] == everything) == (who == "province"), (who, counts["open"], everything)


def test_an_officer_without_any_unit_sees_nothing(mixed, django_user_model):
    nobody = django_user_model.objects.create_user(username="khong-don-vi", password="x-12345678")
    assert worklist_counts(user=nobody) == dict.fromkeys(VIEWS, 0)
    for view in VIEWS:
        assert not worklist(user=nobody, query=WorklistQuery(view=view)).exists()


def test_search_narrows_the_view_and_its_count(mixed, staff):
    from motcua.dossiers.selectors import worklist_page

    officer = staff["tiepnhan"]
    one = worklist(user=officer, query=WorklistQuery(view="open")).first()
    page = worklist_page(user=officer, query=WorklistQuery(view="open", search=one.code))
    assert [row.dossier.pk for row in page.rows] == [one.pk]
    assert page.page.paginator.count == 1


def test_rows_escape_what_people_typed(client, mixed, staff):
    """The rows' markup is written once in Python (workspace/templatetags/worklist.py): every value in it is
    escaped as the template did."""
    one = Dossier.objects.filter(unit__path__startswith="/15/02839/", is_open=True).exclude(status=DRAFT).first()
    Dossier.objects.filter(pk=one.pk).update(applicant_name='<script>alert("x")</script> & Lò', due_at=None)
    client.force_login(staff["tiepnhan"])
    page = client.get("/can-bo/ho-so?xem=open&q=" + one.code).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Lò" in page
    assert "<script>alert" not in page
    assert f'<a href="/can-bo/ho-so/{one.code}">{one.code}</a>' in page


def test_a_page_past_the_end_of_a_capped_list_says_so(client, mixed, staff, monkeypatch):
    """Found by the walk-through: past the cap (the last page unknown without a COUNT over all history), a
    page number past the end showed "no dossiers in this list" and a "previous page" link to another empty
    page. It now says the list is shorter and links to the first page; below the cap such a page shows the
    last page, as before."""
    from motcua.dossiers import selectors

    client.force_login(staff["tiepnhan"])
    below = client.get("/can-bo/ho-so?xem=open&trang=500").content.decode()
    assert "/can-bo/ho-so/H15." in below and 'data-testid="past-end"' not in below
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    page = client.get("/can-bo/ho-so?xem=open&trang=100000").content.decode()
    assert 'data-testid="past-end"' in page and "Trang 100.000 không có hồ sơ nào" in page
    assert 'href="?xem=open&amp;trang=1"' in page and 'rel="prev"' not in page
    assert "Không có hồ sơ nào trong danh sách này." not in page
    first = client.get("/can-bo/ho-so?xem=open&trang=1").content.decode()
    assert "hơn 3 hồ sơ" in first


def test_counts_in_captions_are_grouped_like_the_tabs(client, catalog, citizen, offices, staff):  # noqa: F811
    """Found by the walk-through: the caption said "1000 hồ sơ" while the tab said "1.000+"."""
    _bulk_dossiers(citizen=citizen, offices=offices[:1], count=1000)
    client.force_login(staff["tiepnhan"])
    page = client.get("/can-bo/ho-so?xem=open").content.decode()
    assert "— 1.000 hồ sơ</caption>" in page
    assert "Đang giải quyết (1.000)" in page.replace("\n", "")
