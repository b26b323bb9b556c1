"""The per-process configuration cache (core.confcache) used by submissions: a submission reads the current
procedure, the office, its calendar and its payment account from the cache while they are unchanged, and the
next submission after any change (whatever made it) sees the change, in this process and in any other."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.calendars.engine import VN_TZ
from motcua.calendars.models import CalendarOverride, OverrideKind
from motcua.catalog.importer import SHIPPED_FILE, catalog_import
from motcua.catalog.models import Procedure
from motcua.core import confcache
from motcua.dossiers.services import dossier_submit
from motcua.payments.models import PaymentIntent
from motcua.places.models import Office, OfficeHours

from .conftest import MARITAL_FORM, make_unit

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the cache works on PostgreSQL only")

# Tuesday 08/12/2026 09:00: a working day, inside the default office hours.
TUESDAY_9 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=VN_TZ)
CONFIG_TABLES = (
    "catalog_procedure",
    "catalog_requireddocument",
    "places_office",
    "places_officehours",
    "calendars_calendaroverride",
    "payments_paymentaccount",
)
# Every table a cached value is built from, by namespace (the migrations' triggers).
WATCHED = {
    "catalog": ("catalog.Field", "catalog.Procedure", "catalog.RequiredDocument"),
    "places": ("places.AdministrativeUnit", "places.Office", "places.OfficeHours"),
    "calendars": ("calendars.CalendarOverride",),
    "payments": ("payments.PaymentAccount",),
    "grants": ("accounts.RoleGrant",),
}


@pytest.fixture
def fresh_process():
    confcache.clear()
    yield
    confcache.clear()


def submit(citizen, key: str, *, now=TUESDAY_9):
    dossier, created = dossier_submit(
        citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key=key, now=now
    )
    assert created
    return dossier


def config_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if any(f'FROM "{t}"' in q["sql"] for t in CONFIG_TABLES)]


def test_every_table_a_cached_value_is_built_from_has_its_trigger(db):
    assert set(WATCHED) == set(confcache.NAMESPACES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'config_changed'"
        )
        triggers = dict(cursor.fetchall())
    for namespace, labels in WATCHED.items():
        for label in labels:
            table = apps.get_model(label)._meta.db_table
            assert f"motcua_config_changed('{namespace}')" in triggers.get(table, ""), table
            assert "INSERT OR DELETE OR UPDATE OR TRUNCATE" in triggers[table]


def test_the_second_submission_reads_no_configuration(
    catalog, citizen, office_a, bank_account, payment_settings, fresh_process
):
    submit(citizen, "w1")
    with CaptureQueriesContext(connection) as queries:
        submit(citizen, "w2")
    assert config_reads(queries) == []
    assert sum("core_configgeneration" in q["sql"] for q in queries.captured_queries) == 1


def test_a_fee_changed_by_a_queryset_update_is_charged_by_the_next_submission(
    catalog, citizen, office_a, bank_account, payment_settings, fresh_process
):
    before = submit(citizen, "f1").fee_amount
    assert before > 0
    # As the admin's bulk actions and a hand-written UPDATE do: no save(), no signal.
    Procedure.objects.current().filter(code="1.004873").update(
        fee={"kind": "flat", "counter_amount": 23000, "online_amount": 12000}
    )
    dossier = submit(citizen, "f2")
    assert dossier.fee_amount == 12000
    assert PaymentIntent.objects.get(dossier=dossier).amount == 12000


def test_a_new_version_published_by_the_import_is_used_by_the_next_submission(
    catalog, citizen, office_a, payment_settings, fresh_process
):
    import json

    first = submit(citizen, "v1")
    data = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    proc = next(p for p in data["procedures"] if p["code"] == "1.004873")
    proc["time"] = {"kind": "working_days", "amount": 7}
    assert catalog_import(json.dumps(data, ensure_ascii=False)).new_versions == 1
    second = submit(citizen, "v2")
    current = Procedure.objects.current().get(code="1.004873")
    assert second.procedure_id == current.pk != first.procedure_id
    assert second.due_at > first.due_at


def test_office_hours_and_a_day_off_are_seen_by_the_next_submission(catalog, citizen, office_a, fresh_process):
    assert submit(citizen, "h1").received_at == TUESDAY_9
    # The commune closes that Tuesday (a typhoon): received the next working morning.
    CalendarOverride.objects.create(date=TUESDAY_9.date(), kind=OverrideKind.DAY_OFF, name="Bão", unit=office_a.unit)
    assert submit(citizen, "h2").received_at == dt.datetime(2026, 12, 9, 7, 30, tzinfo=VN_TZ)
    CalendarOverride.objects.all().filter(unit=office_a.unit).delete()
    assert submit(citizen, "h3").received_at == TUESDAY_9
    # Office hours from 10:00 only: a submission at 09:00 is received at 10:00.
    OfficeHours.objects.bulk_create(
        OfficeHours(office=office_a, weekday=day, opens=dt.time(10), closes=dt.time(16)) for day in range(5)
    )
    assert submit(citizen, "h4").received_at == TUESDAY_9.replace(hour=10)


def test_another_office_taking_the_commune_is_seen_by_the_next_submission(catalog, citizen, office_a, fresh_process):
    assert submit(citizen, "o1").office == office_a
    Office.objects.filter(pk=office_a.pk).update(is_active=False)
    other = Office.objects.create(unit=office_a.unit, code="TTHCC-02839", agency_code="H15.02839.1", name="Trung tâm")
    dossier = submit(citizen, "o2")
    assert dossier.office == other and dossier.code.startswith("H15.02839.1-")


def test_this_process_and_a_fresh_one_see_the_same_after_a_change(
    catalog, citizen, office_a, bank_account, payment_settings, fresh_process
):
    submit(citizen, "p1")  # this process has the old configuration cached
    Procedure.objects.current().filter(code="1.004873").update(
        fee={"kind": "flat", "counter_amount": 30000, "online_amount": 15000}
    )
    kept = submit(citizen, "p2").fee_amount  # the cache kept, as in a process that read before the change
    confcache.clear()  # a process that never read it
    fresh = submit(citizen, "p3").fee_amount
    assert kept == fresh == 15000


class RolledBack(Exception):
    pass


def test_a_change_rolled_back_leaves_nothing_cached_behind(
    catalog, citizen, office_a, bank_account, payment_settings, fresh_process
):
    from motcua.catalog.selectors import procedure_current

    assert submit(citizen, "r1").fee_amount not in (45000, 16000)
    with pytest.raises(RolledBack), transaction.atomic():
        Procedure.objects.current().filter(code="1.004873").update(
            fee={"kind": "flat", "counter_amount": 90000, "online_amount": 45000}
        )
        with confcache.snapshot():  # a read inside the writing transaction caches its uncommitted rows
            assert procedure_current(code="1.004873").fee["online_amount"] == 45000
        raise RolledBack
    # The next change gets a generation never used before (a counter would give the rolled-back one again,
    # and with it the uncommitted procedure still cached under it).
    Procedure.objects.current().filter(code="1.004873").update(
        fee={"kind": "flat", "counter_amount": 32000, "online_amount": 16000}
    )
    assert submit(citizen, "r4").fee_amount == 16000


def test_outside_a_snapshot_nothing_is_kept(db, fresh_process):
    calls = []
    for _ in range(2):
        confcache.cached(("test",), ("catalog",), lambda: calls.append(1) or "value")
    assert len(calls) == 2
    with confcache.snapshot():
        for _ in range(2):
            confcache.cached(("test",), ("catalog",), lambda: calls.append(1) or "value")
    assert len(calls) == 3


def test_a_worklist_page_sees_a_calendar_change_at_once(fresh_process, catalog, citizen, staff, office_a):
    """The worklist reads the units in scope and the rows' calendars from the cache (issue 15 point 8): a day
    off declared for the commune after a page was served changes the next page's remaining time, and a unit
    added under the commune is in the officer's scope at once."""
    import datetime as dt

    from django.utils import timezone

    from motcua.dossiers.selectors import WorklistQuery, worklist_page

    officer = staff["tiepnhan"]
    dossier = submit(citizen, "worklist-calendar")
    now = timezone.localtime(dossier.due_at) - dt.timedelta(days=3)
    query = WorklistQuery(view="open")

    def remaining_now():
        officer.__dict__.pop("_calendar_book", None)
        officer.__dict__.pop("_worklist_scope", None)
        page = worklist_page(user=officer, query=query, now=now)
        return next(row.remaining for row in page.rows if row.dossier.pk == dossier.pk)

    before = remaining_now()
    with CaptureQueriesContext(connection) as again:
        assert remaining_now() == before
    assert not config_reads(again), "the second page reads the calendar from the cache"
    # A working day between now and the due moment becomes a day off for the commune.
    day = now.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    CalendarOverride.objects.create(unit=office_a.unit, date=day, kind=OverrideKind.DAY_OFF, name="Bão")
    assert remaining_now() != before
    # A village added under the commune: its dossiers are in the officer's scope on the next page.
    village = make_unit("02839-99", "Thôn Mới", "village", office_a.unit)
    type(dossier).objects.filter(pk=dossier.pk).update(unit=village)
    officer.__dict__.pop("_worklist_scope", None)
    page = worklist_page(user=officer, query=query, now=now)
    assert dossier.pk in {row.dossier.pk for row in page.rows}


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_process_is_seen_by_the_next_submission(
    catalog, citizen, office_a, bank_account, payment_settings, fresh_process
):
    import psycopg

    submit(citizen, "x1")  # this process has the configuration cached
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    with other, other.cursor() as cursor:  # another process: raw SQL, committed on leaving the block
        cursor.execute(
            "UPDATE catalog_procedure SET fee = %s::jsonb WHERE code = '1.004873' AND valid_to IS NULL",
            ['{"kind": "flat", "counter_amount": 44000, "online_amount": 22000}'],
        )
        cursor.execute(
            "INSERT INTO places_officehours (office_id, weekday, opens, closes) "
            "SELECT %s, d, '10:00', '16:00' FROM generate_series(0, 4) AS d",
            [office_a.pk],
        )
    dossier = submit(citizen, "x2")
    assert dossier.fee_amount == 22000
    assert dossier.received_at == TUESDAY_9.replace(hour=10)


def test_a_snapshot_reads_the_generations_only_when_something_is_looked_up(db, fresh_process):
    with CaptureQueriesContext(connection) as idle, confcache.snapshot():
        pass
    assert not idle.captured_queries
    with CaptureQueriesContext(connection) as used, confcache.snapshot():
        for _ in range(3):
            confcache.cached(("test-lazy",), ("grants",), lambda: "value")
    assert [q["sql"] for q in used.captured_queries] == ["SELECT namespace, value FROM core_configgeneration"]


def test_officer_pages_read_the_grants_from_the_cache_and_see_a_change_at_once(client, fresh_process, staff):
    """Officer pages read by GET take the officer's grants from the cache (issue 15 point 8); a grant ended,
    restored or deleted, by a queryset update that no signal sees, decides the very next page."""
    import datetime as dt

    from django.utils import timezone

    from motcua.accounts.models import RoleGrant

    officer = staff["tiepnhan"]
    client.force_login(officer)
    assert client.get("/can-bo/ho-so").status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get("/can-bo/ho-so").status_code == 200
    assert not [q for q in again.captured_queries if '"accounts_rolegrant"' in q["sql"]]
    RoleGrant.objects.filter(user=officer).update(valid_to=timezone.localdate() - dt.timedelta(days=1))
    assert client.get("/can-bo/ho-so").status_code == 404
    RoleGrant.objects.filter(user=officer).update(valid_to=None)
    assert client.get("/can-bo/ho-so").status_code == 200
    RoleGrant.objects.filter(user=officer).delete()
    assert client.get("/can-bo/ho-so").status_code == 404


def test_a_cached_grant_starts_and_ends_on_its_days_without_any_write(client, fresh_process, staff):
    """The cache keeps every grant of the officer whatever its dates: one that starts tomorrow opens the
    pages tomorrow, with nothing written in between."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    from motcua.accounts.models import RoleGrant

    officer = staff["tiepnhan"]
    today = timezone.localdate()
    RoleGrant.objects.filter(user=officer).update(valid_from=today + dt.timedelta(days=1))
    client.force_login(officer)
    assert client.get("/can-bo/ho-so").status_code == 404
    with mock.patch("django.utils.timezone.localdate", return_value=today + dt.timedelta(days=1)):
        assert client.get("/can-bo/ho-so").status_code == 200


@pytest.mark.parametrize("starts", [-1, 0, 1])
@pytest.mark.parametrize("ends", [None, -1, 0, 1])
def test_a_grant_in_hand_is_active_exactly_when_the_query_says_so(db, staff, starts, ends):
    """`RoleGrant.is_active_on` (the cached grants) and `RoleGrantQuerySet.active` (the database) state one
    rule: every order of the two dates around the day."""
    import datetime as dt

    from motcua.accounts.models import RoleGrant

    day = dt.date(2026, 12, 8)
    grant = RoleGrant.objects.filter(user=staff["tiepnhan"]).first()
    RoleGrant.objects.filter(pk=grant.pk).update(
        valid_from=day + dt.timedelta(days=starts), valid_to=None if ends is None else day + dt.timedelta(days=ends)
    )
    grant.refresh_from_db()
    assert grant.is_active_on(day) == RoleGrant.objects.active(day).filter(pk=grant.pk).exists()
