"""Time the recalculation of open dossiers after a province-wide closure (issue 13, kind 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
        .venv/bin/python bench/gen_dossiers.py --count 200000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/recalc_bench.py

Adds a day off for the whole province on the first working day after today (so every open dossier due
after it is a candidate), runs the recalculation in the foreground (as the worker would), then runs it again
to show that a repeat writes nothing. The generated due moments are random, so almost every candidate
moves: the worst case (an event, a new version and an SMS per dossier). Removes the day off afterwards
(and recalculates again) so the database is left as it was."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")


def main() -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from motcua.calendars.models import CalendarOverride
    from motcua.calendars.selectors import calendar_for_unit
    from motcua.dossiers.deadlines import calendar_change_reason, calendar_changed, recalculation_process
    from motcua.dossiers.models import Dossier
    from motcua.notifications.models import OutboxMessage
    from motcua.places.models import AdministrativeUnit

    province = AdministrativeUnit.objects.get(code="15", valid_to__isnull=True)
    day = calendar_for_unit(province).next_working_day(timezone.localdate())
    print(f"open dossiers: {Dossier.objects.filter(is_open=True).count()}, closure on {day:%d/%m/%Y}")
    override = CalendarOverride.objects.create(date=day, kind="day_off", name="Bench: bão", unit=province)
    for label in ("first run", "repeat"):
        outbox = OutboxMessage.objects.count()
        started = time.perf_counter()
        with transaction.atomic():
            run = calendar_changed(
                day=day, unit=province, reason=calendar_change_reason(day=day, kind="day_off", name="Bench: bão")
            )
        counted = time.perf_counter() - started
        run = recalculation_process(run_id=run.pk)
        took = time.perf_counter() - started
        per = took / run.processed * 1000 if run.processed else 0
        print(
            f"{label}: candidates {run.total} (counted in {counted * 1000:.0f} ms), checked {run.processed}, "
            f"moved {run.changed}, {took:.1f} s ({per:.2f} ms per dossier), "
            f"outbox +{OutboxMessage.objects.count() - outbox}"
        )
    override.delete()
    run = calendar_changed(day=day, unit=province, reason="bench cleanup")
    recalculation_process(run_id=run.pk)


if __name__ == "__main__":
    main()
