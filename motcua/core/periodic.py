"""Periodic jobs (công việc định kỳ): apps register what must run every N minutes or once a day at a local
time; ``manage.py scheduler`` (a long-running loop beside the task worker) enqueues each job **once per
slot**, however many schedulers run.

A slot is the period a run belongs to: ``every=timedelta(minutes=5)`` has one slot per five minutes since the
Unix epoch; ``daily_at=time(7, 0)`` has one slot per local day (Asia/Ho_Chi_Minh), due from 07:00. The claim
is a row ``PeriodicRun(job, slot)`` under a unique constraint inserted in the same transaction as the task
row the worker picks up (django-tasks' database backend), so two schedulers on two machines, or one started
twice, enqueue a slot's job once; a scheduler that was down catches up with one run (the current slot), not
one per missed slot.

Apps register in ``AppConfig.ready``::

    register_periodic("payments.poll", task=poll_providers, every=timedelta(minutes=5))
    register_periodic("alerts.digest", task=send_digest, daily_at=time(7, 0))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object  # a django_tasks Task: has .enqueue()
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None

    def slot(self, now: dt.datetime) -> dt.datetime | None:
        """The start of the slot ``now`` falls in (aware datetime), or None before a daily job's time."""
        if self.every is not None:
            n = (now - EPOCH) // self.every
            return EPOCH + n * self.every
        local = timezone.localtime(now)
        if local.time() < self.daily_at:
            return None
        return timezone.make_aware(dt.datetime.combine(local.date(), self.daily_at))


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(name: str, *, task, every: dt.timedelta | None = None, daily_at: dt.time | None = None) -> None:
    """Register a periodic job. Exactly one of ``every`` (≥ 1 minute) and ``daily_at`` (local time).
    Raises ValueError otherwise or when ``name`` is taken by another task."""
    if (every is None) == (daily_at is None):
        raise ValueError("give exactly one of every= and daily_at=")
    if every is not None and every < dt.timedelta(minutes=1):
        raise ValueError("a periodic job runs at most once a minute")
    job = PeriodicJob(name=name, task=task, every=every, daily_at=daily_at)
    if name in _JOBS and _JOBS[name] != job:
        raise ValueError(f"periodic job {name!r} is already registered")
    _JOBS[name] = job


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda j: j.name)


def periodic_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job whose current slot has not been claimed yet.

    Returns the names enqueued by this call (the others were claimed by an earlier tick or another
    scheduler). Each claim and its task row commit together: nothing is claimed without its task."""
    from .models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job.name, slot=slot)
                job.task.enqueue()
        except IntegrityError:
            continue  # this slot is already someone's
        enqueued.append(job.name)
    return enqueued
