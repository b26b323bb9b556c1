"""CPU of one online submission in process (issue 15, point 9): the whole API request through the Django test
client (middleware, bearer token, the service, the response), single thread, on a database with the demo data
(`manage.py seed_demo`); the application's CPU and the CPU of its PostgreSQL backend, per submission.

    DATABASE_URL=postgres://…/motcua SECRET_KEY=bench MOTCUA_DEMO=1 .venv/bin/python bench/submission_cpu.py --count 300

Prints the queries of one submission (as the test client's connection sees them: with BEGIN and COMMIT), then
milliseconds per submission: wall, application CPU (process time) and PostgreSQL CPU (the backend's utime +
stime from /proc: same machine only). Writes real dossiers for the demo citizen."""

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

FORM = {"procedure_code": "1.004873", "form": {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300, help="submissions measured (after 25 to warm up)")
    parser.add_argument("--user", default="congdan1")
    parser.add_argument("--password", default="motcua-demo")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    login = client.post(
        "/api/v1/auth/login",
        json.dumps({"username": args.user, "password": args.password}),
        content_type="application/json",
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {login.json()['token']}"}

    def one() -> None:
        response = client.post(
            "/api/v1/dossiers",
            json.dumps(FORM),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            **headers,
        )
        assert response.status_code == 201, response.content

    for _ in range(25):
        one()
    with CaptureQueriesContext(connection) as queries:
        one()
    print(f"{len(queries.captured_queries)} queries:")
    for query in queries.captured_queries:
        print("   ", query["sql"][:110])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def backend_cpu() -> float:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    database, wall, cpu = backend_cpu(), time.perf_counter(), time.process_time()
    for _ in range(args.count):
        one()
    n = args.count
    print(
        f"per submission: wall {(time.perf_counter() - wall) * 1000 / n:.1f} ms, "
        f"application CPU {(time.process_time() - cpu) * 1000 / n:.2f} ms, "
        f"PostgreSQL CPU {(backend_cpu() - database) * 1000 / n:.2f} ms"
    )


if __name__ == "__main__":
    main()
