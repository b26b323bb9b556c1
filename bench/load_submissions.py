"""Concurrent online submissions against a running server (default: the embedded SQLite demo).

    make run            # in another terminal (SQLite, gunicorn 2 processes × 4 threads)
    .venv/bin/python bench/load_submissions.py --url http://127.0.0.1:8000 --requests 300 --concurrency 30

Counts answers by status (a 500 or a "database is locked" would show here), checks that every created
dossier got its own code, and prints latency percentiles. Only talks to the URL given (localhost).

With ``--database-url postgres://…`` (the server's PostgreSQL) the same run also measures the baseline of
issue 15 point 9: bare single-row INSERTs (one per transaction, a scratch table dropped afterwards) at the
same concurrency, straight from the client threads; it prints both rates and the ratio.

With ``--bare-http`` as well (the server started as ``gunicorn bench.bare_wsgi:application``, same workers
and threads), a second, fair baseline: ``POST /bench/bare-insert`` with the same token, one INSERT in one
transaction through the same server stack (gunicorn, middleware, bearer check), same requests and
concurrency. Both ratios are printed (bench/README.md)."""

import argparse
import json
import statistics
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

FORM = {"procedure_code": "1.004873", "form": {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"}}


def post(url: str, body: dict, headers: dict) -> tuple[int, dict, float]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")  # noqa: S310 — localhost
    request.add_header("Content-Type", "application/json")
    for key, value in headers.items():
        request.add_header(key, value)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read()), time.perf_counter() - started
    except urllib.error.HTTPError as exc:
        return exc.code, {}, time.perf_counter() - started


def timed(fn, requests: int, concurrency: int) -> tuple[float, list]:
    """(elapsed seconds, results) of ``fn(i)`` for i < requests on ``concurrency`` threads."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(fn, range(requests)))
    return time.perf_counter() - started, results


def latency(results) -> str:
    times = sorted(t * 1000 for _s, _b, t in results)
    p95 = times[int(0.95 * (len(times) - 1))]
    return f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms"


def bare_http(url: str, headers: dict, database_url: str, requests: int, concurrency: int) -> tuple[float, list]:
    """Rate (per second) and results of ``POST /bench/bare-insert`` (bench/bare_wsgi.py): one INSERT per
    request through the same server stack; the scratch table is made here and dropped afterwards."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("CREATE TABLE bench_bare_http (id bigserial PRIMARY KEY, user_id bigint, body text)")
    try:
        elapsed, results = timed(lambda i: post(f"{url}/bench/bare-insert", FORM, headers), requests, concurrency)
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("DROP TABLE bench_bare_http")
    return requests / elapsed, results


def bare_inserts(database_url: str, requests: int, concurrency: int) -> float:
    """Rate (per second) of one-row INSERT transactions into a scratch table, ``concurrency`` threads each
    with its own connection, as a database-only baseline for the submission rate."""
    import threading

    import psycopg

    table = f"bench_bare_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, body text, at timestamptz DEFAULT now())")
    local = threading.local()
    connections = []

    def one(i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(database_url, autocommit=True)
            connections.append(conn)
        conn.execute(f"INSERT INTO {table} (body) VALUES (%s)", [f"bare-{i}"])  # noqa: S608 — our own table

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(requests)))
        elapsed = time.perf_counter() - started
    finally:
        for conn in connections:
            conn.close()
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f"DROP TABLE {table}")
    return requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--user", default="congdan1")
    parser.add_argument("--password", default="motcua-demo")
    parser.add_argument("--database-url", default="", help="PostgreSQL of the server: adds the bare-insert baseline")
    parser.add_argument(
        "--bare-http", action="store_true", help="also the bare insert through the server (bench.bare_wsgi)"
    )
    args = parser.parse_args()
    _status, login, _t = post(f"{args.url}/api/v1/auth/login", {"username": args.user, "password": args.password}, {})
    headers = {"Authorization": f"Bearer {login['token']}"}

    def one(i: int):
        return post(f"{args.url}/api/v1/dossiers", FORM, {**headers, "Idempotency-Key": f"load-{uuid.uuid4().hex}"})

    elapsed, results = timed(one, args.requests, args.concurrency)
    statuses = Counter(status for status, _body, _t in results)
    codes = [body["code"] for status, body, _t in results if status == 201]
    print(
        f"{args.requests} submissions, {args.concurrency} at a time, {elapsed:.1f} s ({args.requests / elapsed:.0f}/s)"
    )
    print(f"statuses: {dict(statuses)}")
    print(f"codes: {len(codes)} created, {len(set(codes))} distinct")
    print(f"latency {latency(results)}")
    rate = args.requests / elapsed
    if args.database_url:
        bare = bare_inserts(args.database_url, args.requests, args.concurrency)
        print(
            f"bare one-row INSERT from the client to PostgreSQL, same run: {bare:.0f}/s; "
            f"submissions : bare = 1 : {bare / rate:.1f}"
        )
    if args.bare_http:
        if not args.database_url:
            parser.error("--bare-http needs --database-url (the scratch table is made and dropped there)")
        http_rate, http_results = bare_http(args.url, headers, args.database_url, args.requests, args.concurrency)
        http_statuses = dict(Counter(status for status, _b, _t in http_results))
        print(
            f"bare one-row INSERT through the same server stack, same run: {http_rate:.0f}/s "
            f"(statuses {http_statuses}, latency {latency(http_results)}); "
            f"submissions : bare = 1 : {http_rate / rate:.1f}"
        )


if __name__ == "__main__":
    main()
