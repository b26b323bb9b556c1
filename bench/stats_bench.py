"""The leaders' numbers from the rollups against the same numbers by GROUP BY over the dossiers, in one run
(issue 18 point 7). Load the data first with bench/gen_stats.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench18 MOTCUA_DEMO=0 SECRET_KEY=x \\
        .venv/bin/python bench/stats_bench.py [--repeat 3] [--months 12]

Three workloads, each computed both ways through the same selector code (motcua/stats/selectors.py: only the
counter source differs — `counts_from_rollups` / the month table, or `counts_from_dossiers`, the GROUP BY that
`stats_verify` uses):
- province dashboard: `units_ranked` (every commune's 766 index and main rates) over the last `--months` whole
  months;
- commune dashboard: `summary`, `by_procedure` and `monthly` (12 months) of the busiest commune;
- the 766 computation for the province;
- the periodic report's reads (the background export): `by_procedure` of every commune, one after the other.
The dossiers open at the period's end (766 indicator 2.1) come from the day's snapshot (`stats_open_day`) on the
rollup side and from the same column rule evaluated over the dossiers (`openday.counts_at`) on the other.
Prints each time (rollups: median of --repeat runs after a warm-up; GROUP BY: median of --slow-repeat runs,
no warm-up), the ratio and whether the numbers are identical (exit 1 if any differs)."""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")


def timed(function, repeat: int, warm: bool = True):
    if warm:
        function()  # warm-up (caches, plans)
    times, result = [], None
    for _i in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--province", default="B18")
    parser.add_argument("--slow-repeat", type=int, default=1, help="GROUP BY runs (no warm-up; minutes at 5M)")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from motcua.places.models import AdministrativeUnit
    from motcua.stats import openday
    from motcua.stats import selectors as s
    from motcua.stats.models import COUNTERS
    from motcua.stats.rollups import counts_from_dossiers

    province = AdministrativeUnit.objects.get(code=args.province, valid_to__isnull=True)
    ids = s.unit_ids_within([province])
    today = timezone.localdate()
    date_to = today.replace(day=1) - dt.timedelta(days=1)  # the end of last month
    date_from = s.month_starts(months=args.months, until=date_to)[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier WHERE province_id = %s", [province.pk])
        dossiers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM stats_day")
        day_rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM stats_month")
        month_rows = cursor.fetchone()[0]
        cursor.execute(
            "SELECT unit_id FROM stats_month WHERE unit_id = ANY(%s) GROUP BY unit_id "
            "ORDER BY sum(received_online + received_counter + received_assisted + received_post) DESC LIMIT 1",
            [ids],
        )
        commune = AdministrativeUnit.objects.get(pk=cursor.fetchone()[0])
    commune_ids = [commune.pk]
    end = openday.day_end(date_to)
    communes = list(AdministrativeUnit.objects.filter(parent=province).current().order_by("name"))

    def with_open(rows: dict, open_rows: dict) -> dict:
        """Counters keyed like the open counts (by unit, by procedure…) with open_in_time / open_late."""
        return {key: s._with_open(rows.get(key, s._zero()), open_rows.get(key)) for key in set(rows) | set(open_rows)}

    print(
        f"{dossiers:,} dossiers in {province.name} ({len(ids) - 1} communes); rollups: {day_rows:,} day rows, "
        f"{month_rows:,} month rows; period {date_from:%d/%m/%Y}–{date_to:%d/%m/%Y}; busiest commune "
        f"{commune.name}",
        flush=True,
    )

    # --- the two ways, through the same selector code --------------------------------------------------------
    def province_rollups():
        return s.units_ranked(parent=province, date_from=date_from, date_to=date_to)

    def province_group_by():
        rows = counts_from_dossiers(unit_ids=ids, date_from=date_from, date_to=date_to, group_by=("unit", "procedure"))
        totals, pairs = s.split_unit_procedure(rows)
        open_rows = openday.counts_at(end=end, unit_ids=ids, group_by=("unit",))
        totals = {key[0]: value for key, value in with_open({(u,): v for u, v in totals.items()}, open_rows).items()}
        feedback = s.feedback_counts(unit_ids=ids, date_from=date_from, date_to=date_to, by_unit=True)
        return s.ranked_from_counts(parent=province, totals=totals, online_pairs=pairs, feedback=feedback)

    def index_rollups():
        return s.index_766(unit=province, date_from=date_from, date_to=date_to)

    def index_group_by():
        rows = counts_from_dossiers(unit_ids=ids, date_from=date_from, date_to=date_to, group_by=("procedure",))
        rows = with_open(rows, openday.counts_at(end=end, unit_ids=ids, group_by=("procedure",)))
        return s.index_from_counts(
            unit=province,
            by_procedure={k[0]: v for k, v in rows.items()},
            feedback=s.feedback_counts(unit_ids=ids, date_from=date_from, date_to=date_to),
        )

    firsts = s.month_starts(months=12, until=today)

    def commune_rollups():
        return {
            "summary": s.summary(units=[commune], date_from=date_from, date_to=date_to),
            "by_procedure": s.by_procedure(unit=commune, date_from=date_from, date_to=date_to),
            "monthly": s.monthly(unit=commune, months=12, until=today),
        }

    def commune_group_by():
        total = counts_from_dossiers(unit_ids=commune_ids, date_from=date_from, date_to=date_to, group_by=())
        per_procedure = counts_from_dossiers(
            unit_ids=commune_ids, date_from=date_from, date_to=date_to, group_by=("procedure",)
        )
        per_month = counts_from_dossiers(
            unit_ids=commune_ids,
            date_from=firsts[0],
            date_to=today,
            group_by=("month",),
        )
        summary_counts = {c: sum(v[c] for v in total.values()) for c in COUNTERS}
        open_total = openday.counts_at(end=end, unit_ids=commune_ids, group_by=()).get(())
        open_procedures = openday.counts_at(end=end, unit_ids=commune_ids, group_by=("procedure",))
        return {
            "summary": s.summary_shape(s._with_open(summary_counts, open_total), s.open_counts(unit_ids=commune_ids)),
            "by_procedure": s.by_procedure_from_counts(
                rows=per_procedure, point=s.open_counts(unit_ids=commune_ids, by_procedure=True), end=open_procedures
            ),
            "monthly": s.monthly_from_counts(firsts=firsts, rows={k[0]: v for k, v in per_month.items()}),
        }

    def report_rollups():
        return {c.pk: s.by_procedure(unit=c, date_from=date_from, date_to=date_to) for c in communes}

    def report_group_by():
        rows = counts_from_dossiers(unit_ids=ids, date_from=date_from, date_to=date_to, group_by=("unit", "procedure"))
        open_rows = openday.counts_at(end=end, unit_ids=ids, group_by=("unit", "procedure"))
        out = {}
        for c in communes:
            mine = {(p,): v for (u, p), v in rows.items() if u == c.pk}
            mine_open = {(p,): v for (u, p), v in open_rows.items() if u == c.pk}
            point = s.open_counts(unit_ids=[c.pk], by_procedure=True)
            out[c.pk] = s.by_procedure_from_counts(rows=mine, point=point, end=mine_open)
        return out

    failed = False
    print(f"{'workload':34} {'rollups':>10} {'GROUP BY':>10} {'ratio':>8}  identical")
    for name, fast, slow in (
        ("province dashboard (units_ranked)", province_rollups, province_group_by),
        ("commune dashboard (3 selectors)", commune_rollups, commune_group_by),
        ("766 index of the province", index_rollups, index_group_by),
        ("periodic report (by_procedure ×100)", report_rollups, report_group_by),
    ):
        fast_result, fast_time = timed(fast, args.repeat)
        slow_result, slow_time = timed(slow, args.slow_repeat, warm=False)
        same = fast_result == slow_result
        failed |= not same
        if not same:
            _show_difference(fast_result, slow_result)
        print(
            f"{name:34} {fast_time * 1000:8.1f} ms {slow_time * 1000:8.0f} ms {slow_time / fast_time:7.0f}×  {same}",
            flush=True,
        )
    sys.exit(1 if failed else 0)


def _show_difference(fast, slow, path="") -> None:
    """Print the first differing leaves of two results (dicts and lists of dicts), for a False above."""
    if isinstance(fast, dict) and isinstance(slow, dict):
        for key in sorted(set(fast) | set(slow), key=str):
            if fast.get(key) != slow.get(key):
                _show_difference(fast.get(key), slow.get(key), f"{path}/{key}")
                return
    elif isinstance(fast, list) and isinstance(slow, list) and len(fast) == len(slow):
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            if a != b:
                _show_difference(a, b, f"{path}[{i}]")
                return
    else:
        print(f"    differs at {path}: rollups {fast!r} / GROUP BY {slow!r}", flush=True)


if __name__ == "__main__":
    main()
