"""Worklist query latency and plans at province scale (run gen_dossiers.py first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/worklist_bench.py

For a commune intake officer, the commune's specialist and the province administrator, times every
worklist view (first page of 25 rows, as the page loads it) and prints p50/p95 and the query plan."""

import os
import statistics
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
    from django.db import connection

    from motcua.accounts.models import User
    from motcua.dossiers.selectors import VIEWS, WorklistQuery, worklist, worklist_counts

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE is_open) FROM dossiers_dossier")
        total, open_count = cursor.fetchone()
    print(f"dossiers: {total:,} ({open_count:,} open)\n")
    rounds = int(os.environ.get("ROUNDS", "30"))
    for username in ("bench_intake", "bench_specialist", "bench_province"):
        user = User.objects.get(username=username)
        print(f"== {username}")
        for view in VIEWS:
            qs = worklist(user=User.objects.get(pk=user.pk), query=WorklistQuery(view=view))
            timings = []
            for _ in range(rounds):
                fresh = User.objects.get(pk=user.pk)
                t0 = time.perf_counter()
                rows = list(worklist(user=fresh, query=WorklistQuery(view=view))[:25])
                timings.append((time.perf_counter() - t0) * 1000)
            timings.sort()
            p95 = timings[int(0.95 * (len(timings) - 1))]
            print(f"  {view:<10} rows={len(rows):<3} p50 {statistics.median(timings):6.2f} ms  p95 {p95:6.2f} ms")
            if os.environ.get("PLANS", "1") == "1" and username != "bench_specialist":
                sql, params = qs[:25].query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
                    plan = [r[0] for r in cursor.fetchall()]
                interesting = [line.strip() for line in plan if "Scan" in line or "Execution" in line]
                for line in interesting[:4]:
                    print(f"      {line}")
        timings = []
        for _ in range(max(rounds // 3, 3)):
            fresh = User.objects.get(pk=user.pk)
            t0 = time.perf_counter()
            counts = worklist_counts(user=fresh)
            timings.append((time.perf_counter() - t0) * 1000)
        print(f"  counts (all 8 views, capped at 10,000): p50 {statistics.median(timings):6.2f} ms  {counts}")
        print()


if __name__ == "__main__":
    main()
