"""Periodic jobs (`motcua.core.periodic`): each registered job is enqueued once per slot, however many
schedulers tick at the same moment (PostgreSQL, real threads), and a daily job waits for its local time."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from motcua.core import periodic
from motcua.core.models import PeriodicRun

from .test_concurrency import run_concurrently


class CountingTask:
    def __init__(self):
        self.enqueued = 0

    def enqueue(self):
        self.enqueued += 1


@pytest.fixture
def jobs(monkeypatch):
    monkeypatch.setattr(periodic, "_JOBS", {})
    every, daily = CountingTask(), CountingTask()
    periodic.register_periodic("test.every", task=every, every=dt.timedelta(minutes=5))
    periodic.register_periodic("test.daily", task=daily, daily_at=dt.time(7, 0))
    return every, daily


def _local(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.django_db
def test_one_run_per_slot_and_the_daily_job_waits_for_its_time(jobs):
    every, daily = jobs
    assert periodic.periodic_tick(now=_local(2026, 12, 1, 6, 59)) == ["test.every"]
    assert periodic.periodic_tick(now=_local(2026, 12, 1, 6, 59, 30)) == []  # same 5-minute slot
    assert periodic.periodic_tick(now=_local(2026, 12, 1, 7, 0)) == ["test.daily", "test.every"]
    assert periodic.periodic_tick(now=_local(2026, 12, 1, 18, 0)) == ["test.every"]  # daily already ran today
    assert periodic.periodic_tick(now=_local(2026, 12, 2, 7, 1)) == ["test.daily", "test.every"]
    assert (every.enqueued, daily.enqueued) == (4, 2)
    assert PeriodicRun.objects.count() == 6


def test_registration_is_checked(jobs):
    with pytest.raises(ValueError):
        periodic.register_periodic("x", task=CountingTask())
    with pytest.raises(ValueError):
        periodic.register_periodic("x", task=CountingTask(), every=dt.timedelta(seconds=10))
    with pytest.raises(ValueError):
        periodic.register_periodic("test.every", task=CountingTask(), every=dt.timedelta(minutes=1))


def test_the_shipped_jobs_are_registered():
    assert "payments.poll" in {j.name for j in periodic.periodic_jobs()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (CI)")
def test_ten_schedulers_at_the_same_moment_enqueue_once(jobs):
    every, daily = jobs
    moment = _local(2026, 12, 1, 7, 3)
    results, errors = run_concurrently(10, 10, lambda i: periodic.periodic_tick(now=moment))
    assert errors == []
    assert sorted(name for names in results for name in names) == ["test.daily", "test.every"]
    assert (every.enqueued, daily.enqueued) == (1, 1)
