"""Rollup counters kept in step with the engine (issue 18): a mixed workload, then `stats_verify` finds no
difference; a corrupted row is reported; concurrent transitions on PostgreSQL lose no increment."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from motcua.calendars.engine import VN_TZ
from motcua.core.errors import Conflict
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_rate, dossier_transition
from motcua.payments import simulators
from motcua.payments.models import IntentStatus, PaymentIntent
from motcua.stats import selectors
from motcua.stats.models import DayCount, MonthCount
from motcua.stats.rollups import counts_from_dossiers, counts_from_rollups, differences

from .factories import DossierFactory


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def step(dossier, action, actor, now, **params):
    note = params.pop("note", "")
    fresh = Dossier.objects.get(pk=dossier.pk)
    return dossier_transition(
        code=fresh.code, action=action, actor=actor, version=fresh.version, note=note, params=params, now=at(now)
    )


def verify_exit_code(**options) -> int:
    try:
        call_command("stats_verify", **options)
    except SystemExit as exc:
        return exc.code
    return 0


def _pay_national(client, dossier):
    intent = PaymentIntent.objects.get(dossier=dossier, status=IntentStatus.PENDING)
    body = simulators.national_notification(reference=intent.reference, amount=intent.amount)
    response = client.post("/api/v1/payments/callback/dvcqg-demo", body, content_type="application/json")
    assert response.status_code == 200


def _workload(client, citizen, office_a, staff):
    """Every kind of change the counters follow, on days in March 2026."""
    make = lambda **kw: DossierFactory(citizen=citizen, office=office_a, **kw)  # noqa: E731
    # early, with an online payment and a rating
    early = make(now=at("2026-03-09T10:00"))
    _pay_national(client, early)
    d = step(early, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    d = step(d, "assign", staff["tiepnhan"], "2026-03-09T11:05", assignee="chuyenvien")
    d = step(d, "appraise", staff["chuyenvien"], "2026-03-10T09:00", note="Đủ điều kiện")
    d = step(d, "approve", staff["lanhdao"], "2026-03-10T10:00")
    d = step(d, "sign", staff["lanhdao"], "2026-03-10T10:05", confirm=True)
    d = step(d, "return_result", staff["tiepnhan"], "2026-03-10T11:00", method="online")
    dossier_rate(citizen=citizen, code=d.code, score=5)
    # supplement requested, answered after the original due date, finished by the new one: not late
    supp = make(now=at("2026-03-09T10:30"))
    d = step(supp, "request_supplement", staff["tiepnhan"], "2026-03-09T14:00", note="Thiếu bản sao")
    d = step(d, "submit_supplement", citizen, "2026-03-16T09:00", note="Đã bổ sung")
    d = step(d, "accept", staff["tiepnhan"], "2026-03-16T10:00")
    d = step(d, "assign", staff["tiepnhan"], "2026-03-16T10:05", assignee="chuyenvien")
    d = step(d, "appraise", staff["chuyenvien"], "2026-03-17T09:00", note="ok")
    d = step(d, "approve", staff["lanhdao"], "2026-03-17T10:00")
    d = step(d, "sign", staff["lanhdao"], "2026-03-17T10:05", confirm=True)
    d = step(d, "return_result", staff["tiepnhan"], "2026-03-19T16:00", method="counter")
    assert d.timeliness == "on_time", d.timeliness
    dossier_rate(citizen=citizen, code=d.code, score=2)
    # extended, then late
    late = make(now=at("2026-03-09T11:00"), channel="counter")  # received at the counter: no "accept"
    d = step(late, "extend", staff["tiepnhan"], "2026-03-10T09:00", note="Chờ xác minh", new_due="17/03/2026")
    d = step(d, "assign", staff["tiepnhan"], "2026-03-10T09:05", assignee="chuyenvien")
    d = step(d, "appraise", staff["chuyenvien"], "2026-03-18T09:00", note="ok")
    d = step(d, "approve", staff["lanhdao"], "2026-03-18T10:00")
    d = step(d, "sign", staff["lanhdao"], "2026-03-18T10:05", confirm=True)
    d = step(d, "return_result", staff["tiepnhan"], "2026-03-18T11:00", method="counter")
    assert d.timeliness == "late"
    # refused, withdrawn, stopped, and two left open
    step(make(now=at("2026-03-10T08:00")), "refuse", staff["tiepnhan"], "2026-03-10T09:00", note="Không đúng")
    step(make(now=at("2026-03-10T08:10")), "withdraw", citizen, "2026-03-11T09:00")
    stop = make(now=at("2026-03-10T08:20"))
    d = step(stop, "accept", staff["tiepnhan"], "2026-03-10T09:00")
    step(d, "stop", staff["lanhdao"], "2026-03-12T09:00", note="Có tranh chấp")
    make(now=at("2026-03-11T08:00"))
    make(now=at("2026-03-11T08:30"), channel="counter")


@pytest.fixture
def workload(client, catalog, citizen, office_a, staff, bank_account, payment_settings):
    _workload(client, citizen, office_a, staff)


def test_mixed_workload_counts_and_verifies(workload, commune_a, province):
    assert differences() == []
    assert verify_exit_code() == 0
    # Payments and ratings are dated by the clock (today); the engine's steps by their `now` (March).
    today = timezone.localdate()
    numbers = selectors.summary(units=[province], date_from=dt.date(2026, 3, 1), date_to=today)
    assert numbers["received"] == {"online": 6, "counter": 2, "assisted": 0, "post": 0}
    assert numbers["finished"] == {"early": 1, "on_time": 1, "late": 1}
    assert (numbers["refused"], numbers["withdrawn"], numbers["supplement_requests"]) == (1, 1, 1)
    assert numbers["paid_online"] == 1 and numbers["e_result"] == 3
    assert numbers["rating"] == {"count": 2, "average": 3.5}
    assert numbers["in_progress"] == 2
    assert numbers["open_at_end"] == {"in_time": 0, "late": 2}  # the period reaches today: judged now
    # The same numbers from the commune, and by GROUP BY over the dossiers.
    assert selectors.summary(units=[commune_a], date_from=dt.date(2026, 3, 1), date_to=today) == numbers
    by_dossiers = counts_from_dossiers(date_from=dt.date(2026, 3, 1), date_to=today, group_by=())
    by_rollups = counts_from_rollups(date_from=dt.date(2026, 3, 1), date_to=today, group_by=())
    assert by_dossiers == by_rollups
    # A partial range reads day rows: 9–10 March only.
    part = selectors.summary(units=[province], date_from=dt.date(2026, 3, 9), date_to=dt.date(2026, 3, 10))
    assert part["received"]["online"] + part["received"]["counter"] == 6
    assert part["finished"] == {"early": 1, "on_time": 0, "late": 0} and part["refused"] == 1
    # Drill-down: the dossiers behind a number are the ones counted.
    behind = selectors.dossiers_behind(
        unit=province, metric="finished.late", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    )
    assert behind.count() == 1 and behind.get().channel == "counter"
    assert (
        selectors.dossiers_behind(
            unit=province, metric="paid_online", date_from=dt.date(2026, 3, 1), date_to=today
        ).count()
        == 1
    )


def test_a_corrupted_row_is_reported(workload, commune_a, capsys):
    row = DayCount.objects.filter(received_online__gt=0).order_by("day").first()
    DayCount.objects.filter(pk=row.pk).update(received_online=row.received_online + 3)
    month = MonthCount.objects.filter(finished_late__gt=0).first()
    MonthCount.objects.filter(pk=month.pk).update(finished_late=0)
    assert verify_exit_code(unit=commune_a.code) == 1
    out = capsys.readouterr().out
    assert f"ngày {row.day:%d/%m/%Y}" in out and "received_online" in out
    assert f"lưu {row.received_online + 3}, tính lại {row.received_online}" in out
    assert "tháng 03/2026" in out and "finished_late lưu 0, tính lại 1" in out
    # Outside the corrupted day and month nothing is reported.
    assert verify_exit_code(**{"date_from": "2026-04-01", "date_to": "2026-04-30"}) == 0
    # stats_rebuild repairs it, in Python or inside PostgreSQL (the bench's loader) alike.
    call_command("stats_rebuild")
    assert verify_exit_code() == 0
    before = sorted(DayCount.objects.values_list("unit_id", "procedure_id", "day", "received_online", "time_used_us"))
    DayCount.objects.filter(pk=row.pk).update(received_online=99)
    call_command("stats_rebuild", sql=True)
    assert verify_exit_code() == 0
    after = sorted(DayCount.objects.values_list("unit_id", "procedure_id", "day", "received_online", "time_used_us"))
    assert after == before


def test_stats_verify_refuses_bad_dates():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("stats_verify", date_from="30/11/2026")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and threads: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_lose_no_increment(
    client, catalog, citizen, office_a, staff, bank_account, payment_settings
):
    """Ten dossiers of one unit, procedure and day moved at once by four threads (the same rollup rows),
    plus two officers racing on the same dossier (one wins, one gets 409): no increment is lost."""
    day = at("2026-03-09T09:00")
    dossiers = [DossierFactory(citizen=citizen, office=office_a, now=day + dt.timedelta(minutes=i)) for i in range(10)]
    plans = []
    for i, d in enumerate(dossiers):
        if i % 3 == 0:
            plans.append((d, [("refuse", staff["tiepnhan"], {"note": "Sai thẩm quyền"})]))
        elif i % 3 == 1:
            plans.append((d, [("request_supplement", staff["tiepnhan"], {"note": "Thiếu giấy"})]))
        else:
            plans.append(
                (
                    d,
                    [
                        ("accept", staff["tiepnhan"], {}),
                        ("extend", staff["tiepnhan"], {"note": "Chờ", "new_due": "17/03/2026"}),
                    ],
                )
            )
    errors = []
    barrier = threading.Barrier(4)

    def run(chunk):
        from django.db import connection as conn

        try:
            barrier.wait()
            for d, steps in chunk:
                for n, (action, actor, params) in enumerate(steps):
                    params = dict(params)
                    note = params.pop("note", "")
                    fresh = Dossier.objects.get(pk=d.pk)
                    dossier_transition(
                        code=fresh.code,
                        action=action,
                        actor=actor,
                        version=fresh.version,
                        note=note,
                        params=params,
                        now=day + dt.timedelta(hours=1, minutes=n),
                    )
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    race = dossiers[0]
    racing = []

    def racer(actor, action, note):
        from django.db import connection as conn

        try:
            barrier.wait()
            dossier_transition(
                code=race.code, action=action, actor=actor, version=1, note=note, now=day + dt.timedelta(hours=2)
            )
            racing.append("ok")
        except Conflict:
            racing.append("409")
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(plans[1::2],)), threading.Thread(target=run, args=(plans[2::2],))]
    threads += [
        threading.Thread(target=racer, args=(staff["tiepnhan"], "refuse", "Sai thẩm quyền")),
        threading.Thread(target=racer, args=(citizen, "withdraw", "")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(racing) == ["409", "ok"]
    assert differences() == []
    numbers = selectors.summary(units=[office_a.unit], date_from=dt.date(2026, 3, 9), date_to=dt.date(2026, 3, 9))
    assert numbers["received"]["online"] == 10
    assert numbers["refused"] + numbers["withdrawn"] == 4  # three planned refusals (one raced) + the race winner
    assert numbers["supplement_requests"] == 3


def test_selectors_for_the_dashboards(workload, province, commune_a, commune_b):
    today = timezone.localdate()
    ranked = selectors.units_ranked(parent=province, date_from=dt.date(2026, 3, 1), date_to=today)
    assert [row["unit"] for row in ranked] == [commune_a, commune_b]  # the busy commune first
    first = ranked[0]
    assert first["received"] == 8 and first["rating_average"] == 3.5
    # 2.1: 2 finished early or on time of 3 completed, and the 2 dossiers still open are past due now (the
    # period reaches today): 2 ÷ (3 + 2).
    assert first["on_time_rate"] == round(2 / 5, 4) and first["paid_online_rate"] == 0.125  # 1 of 8 fee-bearing
    assert (
        first["index_total"]
        == selectors.index_766(unit=commune_a, date_from=dt.date(2026, 3, 1), date_to=today)["total"]
    )
    assert ranked[1]["received"] == 0 and ranked[1]["on_time_rate"] is None
    rows = selectors.by_procedure(unit=commune_a, date_from=dt.date(2026, 3, 1), date_to=today)
    assert len(rows) == 1 and rows[0]["procedure"].code == "1.004873"
    assert rows[0]["received_online"] == 6 and rows[0]["finished_late"] == 1 and rows[0]["in_progress"] == 2
    months = selectors.monthly(unit=commune_a, months=12, until=dt.date(2026, 3, 15))
    assert (
        len(months) == 12 and months[-1]["month"] == dt.date(2026, 3, 1) and months[0]["month"] == dt.date(2025, 4, 1)
    )
    assert months[-1]["received"] == 8 and months[-1]["online"] == 6
    assert months[-1]["finished_on_time_or_early"] == 2 and months[-1]["finished_late"] == 1
    assert all(m["received"] == 0 for m in months[:-1])


def test_units_in_scope(staff, citizen, commune_a, commune_b, province, make_officer):
    from django.contrib.auth.models import AnonymousUser

    from motcua.accounts.models import Role

    assert set(selectors.units_in_scope(staff["lanhdao"])) >= {commune_a}
    assert province not in selectors.units_in_scope(staff["lanhdao"])
    assert commune_b not in selectors.units_in_scope(staff["lanhdao"])
    admin = make_officer("tinh", Role.PROVINCE_ADMIN, province)
    assert {province, commune_a, commune_b} <= set(selectors.units_in_scope(admin))
    assert not selectors.units_in_scope(citizen).exists()
    assert not selectors.units_in_scope(AnonymousUser()).exists()
