"""Load a province-sized dossier table into PostgreSQL for the worklist benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
        .venv/bin/python bench/gen_dossiers.py --count 1000000

Creates the database if needed, migrates, loads Tỉnh Lào Cai (99 communes) with one office each, the
catalogue, a few officers and citizens, then COPYs `--count` dossiers spread over the communes and the
last year: about 95 % finished, the rest open in every workflow state, with due moments around today."""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

OPEN_STATES = ["submitted", "received", "supplement_requested", "appraising", "appraised", "approved", "signed"]
FINAL = [("returned", "completed"), ("refused", "refused"), ("withdrawn", "withdrawn")]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/motcua_bench")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from motcua.accounts.models import Role, User
    from motcua.accounts.services import role_grant
    from motcua.catalog.models import Procedure
    from motcua.places.models import AdministrativeUnit, Office

    call_command("migrate", verbosity=0)
    call_command("load_units", province=["15"], quiet_progress=True)
    call_command("catalog_import", quiet_progress=True)
    province = AdministrativeUnit.objects.get(code="15", valid_to__isnull=True)
    communes = list(AdministrativeUnit.objects.filter(parent=province))
    offices = []
    for unit in communes:
        office, _ = Office.objects.get_or_create(
            code=f"UBND-{unit.code}",
            defaults={"unit": unit, "agency_code": f"H15.{unit.code}", "name": f"Bộ phận Một cửa {unit.name}"},
        )
        offices.append(office)
    first = offices[0].unit
    officers = {}
    for username, role in (
        ("bench_intake", Role.INTAKE_OFFICER),
        ("bench_specialist", Role.SPECIALIST),
        ("bench_leader", Role.LEADER),
    ):
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": username})
        role_grant(user=user, role=role, unit=first)
        officers[username] = user
    admin, _ = User.objects.get_or_create(username="bench_province", defaults={"full_name": "bench_province"})
    role_grant(
        user=admin, role=Role.PROVINCE_ADMIN, unit=AdministrativeUnit.objects.get(code="15", valid_to__isnull=True)
    )
    citizens = [User.objects.get_or_create(username=f"bench_citizen_{i}")[0] for i in range(50)]
    procedures = list(Procedure.objects.filter(valid_to__isnull=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        existing = cursor.fetchone()[0]
    if existing >= args.count:
        print(f"{existing} dossiers already loaded")
        return
    rng = random.Random(args.seed)
    now = dt.datetime.now(dt.UTC)
    columns = ", ".join(
        [
            "code",
            "procedure_id",
            "workflow",
            "citizen_id",
            "applicant_name",
            "applicant_search",
            "applicant_phone",
            "applicant_citizen_id",
            "office_id",
            "unit_id",
            "province_id",
            "channel",
            "status",
            "is_open",
            "form_data",
            "submitted_at",
            "received_at",
            "due_at",
            "original_due_at",
            "return_state",
            "supplement_count",
            "extension_count",
            "assigned_to_id",
            "finished_at",
            "timeliness",
            "outcome",
            "return_method",
            "fee_amount",
            "version",
            "idempotency_hash",
            "confirmation_id",
            "consent",
            "consent_note",
            "on_behalf",
            "created_at",
            "updated_at",
        ]
    )
    started = time.perf_counter()
    per_day: dict[tuple[int, str], int] = {}
    raw = connection.connection
    with raw.cursor() as cur, cur.copy(f"COPY dossiers_dossier ({columns}) FROM STDIN") as copy:
        for n in range(existing, args.count):
            office = (
                offices[min(int(rng.paretovariate(1.2)) - 1, len(offices) - 1)]
                if rng.random() < 0.5
                else rng.choice(offices)
            )
            is_open = rng.random() < 0.05
            if is_open:
                submitted = now - dt.timedelta(hours=rng.uniform(1, 24 * 20))
                due = now + dt.timedelta(hours=rng.uniform(-24 * 5, 24 * 10))
                status, outcome, finished, timeliness = rng.choice(OPEN_STATES), "", None, ""
            else:
                submitted = now - dt.timedelta(days=rng.uniform(1, 365))
                due = submitted + dt.timedelta(days=rng.uniform(0.2, 10))
                status, outcome = rng.choices(FINAL, weights=[90, 6, 4])[0]
                finished = submitted + dt.timedelta(days=rng.uniform(0.1, 12))
                timeliness = (
                    ("early" if finished.date() < due.date() else "on_time" if finished <= due else "late")
                    if outcome == "completed"
                    else ""
                )
            day = submitted.date()
            key = (office.pk, day.isoformat())
            per_day[key] = per_day.get(key, 0) + 1
            code = f"{office.agency_code}-{day:%y%m%d}-{per_day[key]:04d}"
            citizen = rng.choice(citizens)
            assigned = (
                officers["bench_specialist"].pk
                if status in ("appraising", "appraised") and office.unit_id == first.pk
                else None
            )
            phone = f"09{rng.randrange(10**8):08d}"
            cid = f"010{rng.choice('0123')}{rng.randrange(100):02d}{rng.randrange(10**6):06d}"
            copy.write_row(
                (
                    code,
                    rng.choice(procedures).pk,
                    "default@1",
                    citizen.pk,
                    f"Công dân {n}",
                    f"cong dan {n}",
                    phone,
                    cid,
                    office.pk,
                    office.unit_id,
                    province.pk,
                    "online",
                    status,
                    is_open,
                    "{}",
                    submitted,
                    submitted,
                    due,
                    due,
                    "",
                    0,
                    0,
                    assigned,
                    finished,
                    timeliness,
                    outcome,
                    "",
                    0,
                    1,
                    "",
                    "",
                    "",
                    "",
                    False,
                    submitted,
                    submitted,
                )
            )
            if n and n % 100_000 == 0:
                print(f"  {n} rows, {time.perf_counter() - started:.0f} s", flush=True)
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
    print(f"loaded {args.count - existing} dossiers in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
