"""The full HTML worklist page at province scale, next to the raw SQL of the same page (run gen_dossiers.py
first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/worklist_page_bench.py

For the commune intake officer (`bench_intake`, the busiest commune) and the province administrator
(`bench_province`), requests every worklist tab through Django's test client (middleware, session,
authentication, view, template: the whole page but the socket) ROUNDS times (default 30) and reports:

- page: p50/p95 of the whole request, and its database time (the sum of its queries' times, each timed
  around the driver call by a `connection.execute_wrapper`), with the number of queries;
- raw SQL: the same statements the page ran (captured once, with their parameters) replayed through a
  bare psycopg connection that binds them as the page's connection does (in the client, unprepared, unless
  the database OPTIONS say otherwise), p50/p95 of their total; and the row query alone. Both sides time the
  driver's execute (the result received, not yet turned into Python objects);
- ratio: the page's database time ÷ the raw SQL of the same page, and the whole page ÷ that raw SQL;
- cpu: the CPU time this process spent on the request (p50), which other work on the machine does not
  inflate as it does the wall-clock figures; the load average is printed before and after each officer.

The counts and rows are index-only scans once the table's visibility map is set, which autovacuum does on a
live server; a freshly COPYed table (or a server with autovacuum off) needs `VACUUM (ANALYZE)
dossiers_dossier` first, and the script says so.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("MOTCUA_DEMO", "0")
os.environ.setdefault("MOTCUA_OFFICER_TOTP", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    import django

    django.setup()
    import psycopg
    from django.db import connection
    from django.test import Client

    from motcua.accounts.models import User
    from motcua.dossiers.selectors import VIEWS

    url = os.environ["DATABASE_URL"]
    rounds = int(os.environ.get("ROUNDS", "30"))
    views = os.environ.get("VIEWS", ",".join(VIEWS)).split(",")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE is_open) FROM dossiers_dossier")
        total, open_count = cursor.fetchone()
        cursor.execute("SELECT relallvisible, relpages FROM pg_class WHERE relname = 'dossiers_dossier'")
        visible, pages = cursor.fetchone()
    print(f"dossiers: {total:,} ({open_count:,} open); {rounds} requests per tab; times in ms")
    print(f"pages all-visible: {visible / max(pages, 1):.0%}", end="")
    print(" (run VACUUM (ANALYZE) dossiers_dossier: index-only scans need it)\n" if visible < 0.9 * pages else "\n")
    # The bare connection binds and prepares statements as the page's does: Django binds in the client and
    # prepares nothing unless the database OPTIONS ask for server-side binding (and a prepare threshold), so
    # both sides send the same text and PostgreSQL parses and plans it on every run.
    connection.ensure_connection()
    server_side = bool(connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"))
    raw = psycopg.connect(
        url,
        autocommit=True,
        cursor_factory=psycopg.Cursor if server_side else psycopg.ClientCursor,
        prepare_threshold=connection.connection.prepare_threshold,
    )
    print(f"parameters bound {'by the server' if server_side else 'in the client'}, as the page's connection does")
    header = (
        f"  {'tab':<10} {'rows':>4} {'q':>3}  {'page p50':>8} {'p95':>6}  {'db p50':>6} {'p95':>6}  "
        f"{'raw p50':>7} {'p95':>6}  {'rows-only':>9}  {'db/raw':>6} {'page/raw':>8}  {'cpu p50':>7}"
    )
    for username in ("bench_intake", "bench_province"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        print(f"== {username} (load average {os.getloadavg()[0]:.2f})")
        print(header)
        for view in views:
            path = f"/can-bo/ho-so?xem={view}"
            client.get(path)  # warm: templates, translations, the holidays package
            # The statements the page runs with their parameters, captured once.
            statements = []

            def capture(execute, sql, params, many, context, statements=statements):
                statements.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(capture):
                response = client.get(path)
            rows = response.content.decode().count('<tr><td><a href="/can-bo/ho-so/')
            page_times, db_times, cpu_times = [], [], []
            for _ in range(rounds):
                spent = []

                def timed(execute, sql, params, many, context, spent=spent):
                    t = time.perf_counter()
                    try:
                        return execute(sql, params, many, context)
                    finally:
                        spent.append(time.perf_counter() - t)

                with connection.execute_wrapper(timed):
                    t0, c0 = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    page_times.append((time.perf_counter() - t0) * 1000)
                    cpu_times.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200, (path, response.status_code)
                db_times.append(sum(spent) * 1000)
                assert len(spent) == len(statements), (path, len(spent), len(statements))
            # The same statements with the same parameters on a bare connection: what the page's data costs
            # without Django.
            raw_times, row_times = [], []
            # The row query (none when the tab is empty).
            row = next(
                ((sql, p) for sql, p in statements if "ORDER BY" in sql and '"catalog_procedure"' in sql),
                ("SELECT 1", None),
            )
            for _ in range(rounds):
                t0 = time.perf_counter()
                for sql, params in statements:
                    if sql.startswith(("SAVEPOINT", "RELEASE")):
                        continue
                    raw.execute(sql, params)
                raw_times.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                raw.execute(*row)
                row_times.append((time.perf_counter() - t0) * 1000)
            raw50, db50 = statistics.median(raw_times), statistics.median(db_times)
            page50 = statistics.median(page_times)
            print(
                f"  {view:<10} {rows:>4} {len(statements):>3}  {page50:8.2f} {pct(page_times, 0.95):6.2f}  "
                f"{db50:6.2f} {pct(db_times, 0.95):6.2f}  {raw50:7.2f} {pct(raw_times, 0.95):6.2f}  "
                f"{statistics.median(row_times):9.2f}  {db50 / raw50:6.2f} {page50 / raw50:8.2f}  "
                f"{statistics.median(cpu_times):7.2f}"
            )
        print(f"   (load average {os.getloadavg()[0]:.2f})\n")


if __name__ == "__main__":
    main()
