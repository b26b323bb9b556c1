"""Issue 18, point 4: deadline alerts — due soon and overdue (overall and per step) to the assigned officer and
the unit's leaders, the apology prompt while Form 04 may still be sent, the leaders' morning digest, each
once, counted in working time by the office's calendar."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, connections

from motcua.alerts.models import Alert
from motcua.alerts.services import alerts_run
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import handovers
from motcua.notifications.models import OutboxMessage

from .factories import DossierFactory, walk

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in December 2026 (no holiday that month): 2/12 is a Wednesday, 7/12 a Monday."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=VN)


def kinds(dossier) -> set[tuple[str, str]]:
    return set(Alert.objects.filter(dossier=dossier).values_list("kind", "step"))


def recipients(alert: Alert) -> set[str]:
    return set(
        OutboxMessage.objects.filter(source=f"alert:{alert.pk}", channel="inapp").values_list("recipient", flat=True)
    )


@pytest.fixture
def due_monday(catalog, office_a, staff):
    """Submitted Wednesday 2/12 09:00, 3 working days → due Monday 7/12 17:00, being appraised by chuyenvien."""
    dossier = DossierFactory(appraising=True, office=office_a, now=at(2, 9))
    assert dossier.due_at == at(7, 17)
    assert dossier.assigned_to == staff["chuyenvien"]
    return dossier


def test_due_soon_counts_working_time_not_the_weekend(due_monday, staff):
    # Friday 16:00 → Monday 17:00 is 1 h + 7.5 h of work: more than one working day, no alert yet.
    alerts_run(now=at(4, 16))
    assert ("due_soon", "") not in kinds(due_monday)
    # Friday 17:00: one working day (Monday) left, though 72 hours away.
    report = alerts_run(now=at(4, 17))
    assert report.due_soon >= 1
    alert = Alert.objects.get(dossier=due_monday, kind="due_soon", step="")
    assert alert.due_at == at(7, 17)
    assert recipients(alert) == {"chuyenvien", "lanhdao"}
    body = OutboxMessage.objects.filter(source=f"alert:{alert.pk}").first()
    assert body.payload["template"] == "alert_due_soon"
    assert body.payload["values"]["code"] == due_monday.code
    assert body.payload["values"]["due"] == "17:00 07/12/2026"


def test_overdue_and_the_step_deadline(due_monday, staff):
    appraise_due = next(h.due_at for h in handovers(due_monday) if h.step == "appraise")
    # Before the appraisal step's due moment by more than a working day: nothing about the step.
    alerts_run(now=at(2, 10))
    assert kinds(due_monday) == set()
    alerts_run(now=appraise_due + dt.timedelta(minutes=1))
    step_alert = Alert.objects.get(dossier=due_monday, kind="overdue", step="appraise")
    assert step_alert.due_at == appraise_due
    assert recipients(step_alert) == {"chuyenvien", "lanhdao"}
    alerts_run(now=at(7, 17, 1))
    overall = Alert.objects.get(dossier=due_monday, kind="overdue", step="")
    assert overall.due_at == at(7, 17)


def test_each_alert_is_sent_once(due_monday):
    first = alerts_run(now=at(7, 17, 1))
    assert first.overdue >= 1 and first.messages > 0
    sent = OutboxMessage.objects.count()
    alerts = Alert.objects.count()
    again = alerts_run(now=at(7, 17, 30))
    assert (again.due_soon, again.overdue, again.apology) == (0, 0, 0)
    assert again.skipped >= 1
    assert OutboxMessage.objects.count() == sent and Alert.objects.count() == alerts


def test_a_new_due_date_is_a_new_deadline(due_monday):
    alerts_run(now=at(4, 17))
    assert Alert.objects.filter(dossier=due_monday, kind="due_soon", step="").count() == 1
    Dossier.objects.filter(pk=due_monday.pk).update(due_at=at(9, 17))
    alerts_run(now=at(8, 17))
    assert set(Alert.objects.filter(dossier=due_monday, kind="due_soon", step="").values_list("due_at", flat=True)) == {
        at(7, 17),
        at(9, 17),
    }


def test_the_apology_prompt_comes_while_form_04_may_still_be_sent(due_monday, staff):
    # Form 04 must go out by the end of the working day before the due day: Friday 4/12 17:00.
    alerts_run(now=at(3, 16))  # more than one working day before that: not yet
    assert ("apology", "") not in kinds(due_monday)
    alerts_run(now=at(3, 17))
    prompt = Alert.objects.get(dossier=due_monday, kind="apology")
    # Those who may send it (the action's roles in the workflow data) and the officer holding the dossier.
    assert recipients(prompt) == {"tiepnhan", "lanhdao", "chuyenvien"}
    message = OutboxMessage.objects.filter(source=f"alert:{prompt.pk}").first()
    assert message.payload["template"] == "alert_apology"
    assert message.payload["values"]["note"] == "17:00 04/12/2026"


def test_no_apology_prompt_once_it_is_too_late_or_already_sent(catalog, office_a, staff):
    late = DossierFactory(appraising=True, office=office_a, now=at(2, 9))
    alerts_run(now=at(4, 17, 1))  # the window closed a minute ago
    assert ("apology", "") not in kinds(late)
    extended = DossierFactory(appraising=True, office=office_a, now=at(2, 9))
    walk(extended, [("extend", "leader", {"new_due": "10/12/2026", "note": "Cần xác minh thêm"})], now=at(3, 9))
    extended.refresh_from_db()
    assert extended.extension_count == 1
    alerts_run(now=at(9, 17))  # one working day before the new date
    assert ("apology", "") not in kinds(extended)
    assert ("due_soon", "") in kinds(extended)


def test_paused_and_finished_dossiers_raise_nothing(catalog, office_a, staff):
    paused = DossierFactory(supplement_requested=True, office=office_a, now=at(2, 9))
    done = DossierFactory(returned=True, office=office_a, now=at(2, 9))
    alerts_run(now=at(20, 9))
    assert kinds(paused) == set() and kinds(done) == set()


def test_the_morning_digest_goes_to_each_leader_once_a_working_day(due_monday, staff, settings):
    settings.ALERTS_DIGEST_HOUR = 7
    alerts_run(now=at(8, 6, 59))
    assert not Alert.objects.filter(kind="digest").exists()
    alerts_run(now=at(8, 7, 30))
    digest = Alert.objects.get(kind="digest")
    assert digest.user == staff["lanhdao"] and digest.day == dt.date(2026, 12, 8)
    message = OutboxMessage.objects.get(source=f"alert:{digest.pk}", channel="inapp")
    assert message.payload["template"] == "alert_digest"
    assert "1 hồ sơ quá hạn" in message.payload["values"]["note"]  # due_monday, due 7/12 17:00
    alerts_run(now=at(8, 9))
    assert Alert.objects.filter(kind="digest").count() == 1
    alerts_run(now=at(13, 9))  # a Sunday
    assert Alert.objects.filter(kind="digest").count() == 1


def test_the_scheduler_enqueues_the_pass_every_15_minutes(due_monday, capsys, monkeypatch):
    from motcua.core import periodic
    from motcua.core.periodic import periodic_jobs, periodic_tick

    job = next(j for j in periodic_jobs() if j.name == "alerts.scan")
    assert job.every == dt.timedelta(minutes=15)
    monkeypatch.setattr(periodic, "_JOBS", {job.name: job})  # this job alone
    from motcua.alerts import tasks

    monkeypatch.setattr(tasks, "alerts_run", lambda: alerts_run(now=at(8, 9)))  # a day after due_monday's due
    now = dt.datetime.now(dt.UTC)
    assert "alerts.scan" in periodic_tick(now=now)  # the immediate backend in tests runs it at once
    assert "alerts.scan" not in periodic_tick(now=now)  # the slot is taken
    assert Alert.objects.filter(dossier=due_monday, kind="overdue", step="").exists()
    call_command("alerts_run")
    assert "đã gửi trước đó" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (CI)")
def test_two_passes_at_the_same_moment_send_each_alert_once(catalog, office_a, staff, settings):
    settings.ALERTS_DIGEST_HOUR = 7
    dossiers = [DossierFactory(appraising=True, office=office_a, now=at(2, 9)) for _ in range(4)]
    now = at(7, 17, 1)  # all overall-overdue, their appraisal step too, and the digest hour
    barrier = threading.Barrier(2)
    errors = []

    def one_pass(_):
        try:
            barrier.wait(timeout=30)
            return alerts_run(now=now)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = [r for r in pool.map(one_pass, range(2)) if r is not None]
    assert errors == []
    for dossier in dossiers:
        rows = list(Alert.objects.filter(dossier=dossier).values_list("kind", "step"))
        assert sorted(rows) == [("overdue", ""), ("overdue", "appraise")], rows
    assert Alert.objects.filter(kind="digest").count() == 1
    # Between them the two passes sent each alert once. How many the second pass skipped depends on timing: a
    # pass that starts after the other committed no longer asks for alerts already sent, so it skips fewer.
    assert sum(r.overdue for r in reports) == 8
    assert sum(r.digest for r in reports) == 1
    assert sum(r.skipped for r in reports) <= 9
    sources = list(OutboxMessage.objects.filter(source__startswith="alert:").values_list("source", "recipient"))
    assert len(sources) == len(set(sources))
    assert len({s for s, _r in sources}) == 9
