"""766 indicator 2.1 judges the dossiers still open at the period's end (issue 18, DOMAIN.md §8): the column
rule, the daily snapshot (`stats.snapshot`), its catch-up and idempotence, restatement when a due moves back
across days already taken, `stats_verify`, and the API's numbers equal to the snapshot's."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.dossiers.models import Dossier
from motcua.stats import openday, selectors
from motcua.stats.models import OpenDay, OpenDayTaken

from . import test_deadline_recalculation as recalculation
from .factories import DossierFactory
from .test_stats_rollups import at, step, verify_exit_code

END = dt.date(2026, 3, 20)  # the period's end day: E = 21/03/2026 00:00 local


@pytest.fixture
def four(catalog, citizen, office_a, staff):
    """Four dossiers open at the end of 20/03/2026 and one finished before it (procedure 1.004873: 3 working
    days): late (past due, open), in time (due after E), paused for a supplement at E (past due: in time, the
    clock is stopped), finished after E (open and past due at E: late)."""
    make = lambda **kw: DossierFactory(citizen=citizen, office=office_a, **kw)  # noqa: E731
    late = make(now=at("2026-03-09T10:00"))
    in_time = make(now=at("2026-03-19T10:00"))
    paused = make(now=at("2026-03-09T10:30"))
    step(paused, "request_supplement", staff["tiepnhan"], "2026-03-10T09:00", note="Thiếu bản sao")
    after = make(now=at("2026-03-09T11:00"))
    step(after, "refuse", staff["tiepnhan"], "2026-03-25T09:00", note="Không đúng thẩm quyền")
    before = make(now=at("2026-03-09T11:30"))
    step(before, "refuse", staff["tiepnhan"], "2026-03-12T09:00", note="Không đúng thẩm quyền")
    return {name: Dossier.objects.get(pk=d.pk) for name, d in locals().items() if name in NAMES}


NAMES = ("late", "in_time", "paused", "after", "before")
admin_a, submit = recalculation.admin_a, recalculation.submit  # fixtures shared with the recalculation tests


def test_the_rule_at_the_end_of_a_day(four):
    end = openday.day_end(END)
    assert end == at("2026-03-21T00:00")
    assert four["late"].due_at < end and four["in_time"].due_at > end  # the cases are what they say
    assert four["paused"].due_at < end and four["after"].due_at < end
    states = {name: openday.state_at(d, end) for name, d in four.items()}
    assert states == {"late": "late", "in_time": "in_time", "paused": "in_time", "after": "late", "before": ""}
    # The GROUP BY at E says the same; so does every dossier expanded over its open days.
    assert openday.counts_at(end=end, group_by=()) == {(): {"in_time": 2, "late": 2}}
    expanded = openday.expected_rows(date_from=END, date_to=END)
    assert [v for (_u, _p, day), v in expanded.items() if day == END] == [{"in_time": 2, "late": 2}]


def test_2_1_counts_the_open_dossiers_at_the_period_end(four, commune_a, client, staff, api_token):
    period = {"date_from": dt.date(2026, 3, 1), "date_to": END}
    # Not taken yet: computed by the rule at E.
    numbers = selectors.summary(units=[commune_a], **period)
    assert numbers["open_at_end"] == {"in_time": 2, "late": 2}
    index = selectors.index_766(unit=commune_a, **period)
    row = next(r for r in index["indicators"] if r["key"] == "2.1")
    assert (row["numerator"], row["denominator"]) == (2, 4)  # no completed dossier: the open ones decide
    # Taken: the snapshot gives the same, and the API says it.
    openday.snapshot_day(day=END)
    assert OpenDay.objects.filter(day=END).count() == 1
    assert selectors.summary(units=[commune_a], **period) == numbers
    assert selectors.index_766(unit=commune_a, **period) == index
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(staff['lanhdao'])}"}
    query = f"unit={commune_a.code}&from=2026-03-01&to=2026-03-20"
    body = client.get(f"/api/v1/stats/summary?{query}", **auth).json()
    assert body["open_at_end"] == {"in_time": 2, "late": 2}
    body = client.get(f"/api/v1/stats/766?{query}", **auth).json()
    api_row = next(r for r in body["indicators"] if r["key"] == "2.1")
    assert (api_row["numerator"], api_row["denominator"], api_row["rate"]) == (2, 4, 0.5)
    # The province ranking and the commune's procedures read the same snapshot.
    ranked = selectors.units_ranked(parent=commune_a.parent, **period)
    assert next(r for r in ranked if r["unit"] == commune_a)["on_time_rate"] == 0.5
    [procedure_row] = selectors.by_procedure(unit=commune_a, **period)
    assert (procedure_row["open_at_end_in_time"], procedure_row["open_at_end_late"]) == (2, 2)
    # Drill-down: the dossiers behind "open late at the end".
    behind = selectors.dossiers_behind(unit=commune_a, metric="open_at_end.late", **period)
    assert set(behind.values_list("pk", flat=True)) == {four["late"].pk, four["after"].pk}
    behind = selectors.dossiers_behind(unit=commune_a, metric="open_at_end.in_time", **period)
    assert set(behind.values_list("pk", flat=True)) == {four["in_time"].pk, four["paused"].pk}


def test_the_job_catches_up_and_is_idempotent(four):
    assert openday.snapshot_due(now=at("2026-03-15T00:30")) == [dt.date(2026, 3, 14)]  # fresh: yesterday only
    # Stopped for five days: the next run takes each missing day, oldest first; a second run takes none.
    assert openday.snapshot_due(now=at("2026-03-20T00:30")) == [dt.date(2026, 3, d) for d in range(15, 20)]
    assert openday.snapshot_due(now=at("2026-03-20T09:00")) == []
    assert sorted(OpenDayTaken.objects.values_list("day", flat=True)) == [dt.date(2026, 3, d) for d in range(14, 20)]
    rows = sorted(OpenDay.objects.values_list("unit_id", "procedure_id", "day", "open_in_time", "open_late"))
    openday.snapshot_day(day=dt.date(2026, 3, 16))  # taken again: the same rows, none twice
    assert sorted(OpenDay.objects.values_list("unit_id", "procedure_id", "day", "open_in_time", "open_late")) == rows
    # A day that has not ended cannot be taken.
    with pytest.raises(ValueError):
        openday.snapshot_day(day=dt.date(2026, 3, 20), now=at("2026-03-20T23:00"))
    # The periodic job is registered like the others.
    from motcua.core.periodic import periodic_jobs

    job = next(j for j in periodic_jobs() if j.name == "stats.snapshot")
    assert job.daily_at == dt.time(0, 20)


def test_verify_finds_nothing_after_a_workload_then_a_hand_edit(four, citizen, office_a, staff, capsys):
    """Days taken by the job, then more changes (finishes, a pause, a supplement completed after the old due
    had passed: the due moves back across days already taken), then verify."""
    for day in range(9, 21):
        openday.snapshot_day(day=dt.date(2026, 3, day))
    # Same-day procedure (workflow same-day, no window for the request): due the evening of 23/03; asked to
    # supplement on 25/03, after days 23 and 24 were taken as late.
    quick = DossierFactory(citizen=citizen, office=office_a, procedure_code="1.001193", now=at("2026-03-23T09:00"))
    for day in (21, 22, 23, 24):
        openday.snapshot_day(day=dt.date(2026, 3, day))
    assert OpenDay.objects.get(day=dt.date(2026, 3, 24), procedure=quick.procedure).open_late == 1
    step(quick, "request_supplement", staff["tiepnhan"], "2026-03-25T09:00", note="Thiếu tờ khai")
    openday.snapshot_day(day=dt.date(2026, 3, 25))
    step(four["late"], "refuse", staff["tiepnhan"], "2026-03-26T09:00", note="Không đúng thẩm quyền")
    assert verify_exit_code() == 0
    step(quick, "submit_supplement", citizen, "2026-03-26T10:00", note="Đã bổ sung")
    # The engine judges it by the restarted due: the days it was late before the request are restated.
    restated = OpenDay.objects.get(day=dt.date(2026, 3, 24), procedure=quick.procedure)
    assert (restated.open_in_time, restated.open_late) == (1, 0)
    assert openday.differences() == []
    assert verify_exit_code() == 0
    capsys.readouterr()
    # A hand-edited snapshot is reported, and stats_rebuild repairs it.
    row = OpenDay.objects.filter(day=END).first()
    OpenDay.objects.filter(pk=row.pk).update(open_late=row.open_late + 5)
    assert verify_exit_code() == 1
    out = capsys.readouterr().out
    assert f"cuối ngày {END:%d/%m/%Y}" in out and f"open_late lưu {row.open_late + 5}, tính lại {row.open_late}" in out
    call_command("stats_rebuild")
    assert verify_exit_code() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_take_a_day_once(catalog, citizen, office_a, staff):
    for hour in range(3):
        DossierFactory(citizen=citizen, office=office_a, now=at(f"2026-03-09T1{hour}:00"))
    barrier = threading.Barrier(2)
    errors = []

    def run():
        from django.db import connection as conn

        try:
            barrier.wait()
            openday.snapshot_due(now=at("2026-03-12T00:30"))
            openday.snapshot_day(day=dt.date(2026, 3, 10))
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Three dossiers filed on 9/3, due three working days later: open in time at the end of 10/3 and 11/3.
    rows = sorted(OpenDay.objects.values_list("day", "open_in_time", "open_late"))
    assert rows == [(dt.date(2026, 3, 10), 3, 0), (dt.date(2026, 3, 11), 3, 0)]
    assert sorted(OpenDayTaken.objects.values_list("day", flat=True)) == [dt.date(2026, 3, 10), dt.date(2026, 3, 11)]
    assert openday.differences() == []


def test_a_due_recalculated_after_the_fact_restates_the_days_taken(
    submit, admin_a, commune_a, django_capture_on_commit_callbacks
):
    """A typhoon closure entered after the fact moves a due from 5/3 17:00 to 6/3 17:00: the end of 5/3, taken as
    late, is restated as in time (the rule over the current columns), and verify agrees."""
    dossier = submit()  # Monday 2/3 09:00, due Thursday 5/3 17:00
    for day in range(2, 9):
        openday.snapshot_day(day=dt.date(2026, 3, day))
    row = OpenDay.objects.get(day=dt.date(2026, 3, 5), unit=dossier.unit)
    assert (row.open_in_time, row.open_late) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        recalculation.closure(admin_a, commune_a)
    row = OpenDay.objects.get(day=dt.date(2026, 3, 5), unit=dossier.unit)
    assert (row.open_in_time, row.open_late) == (1, 0)
    assert OpenDay.objects.get(day=dt.date(2026, 3, 6), unit=dossier.unit).open_late == 1  # due 17:00 that day
    assert openday.differences() == []
