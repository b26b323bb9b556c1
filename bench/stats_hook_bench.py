"""What the same-transaction rollup increments cost the engine (docs/decisions/0004-stats-rollups.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_x MOTCUA_DEMO=0 SECRET_KEY=x \\
        .venv/bin/python manage.py seed_demo --quiet-progress      # once: units, catalogue, officers
    DATABASE_URL=… .venv/bin/python bench/stats_hook_bench.py --ops 60 --threads 4 --rounds 3

Each operation is a counter intake (dossier_submit by the intake officer) and a refusal (dossier_transition):
two events, two rollup increments of the same unit × procedure × day rows (the hottest case: every thread
hits the same two rows). Rounds alternate with the stats hooks registered and removed; the script prints
operations per second for both, and the time spent inside the hook per event."""

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=60, help="operations per round")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="rounds with and rounds without the hooks")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from motcua.accounts.models import User
    from motcua.catalog.selectors import documents_needed, procedure_current
    from motcua.dossiers import effects
    from motcua.dossiers.services import dossier_submit, dossier_transition
    from motcua.stats import rollups

    citizen = User.objects.get(username="congdan1")
    officer = User.objects.get(username="tiepnhan")
    procedure = procedure_current(code="1.004873")
    ticked = [d.name for d in documents_needed(procedure, channel="counter")]
    form = {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"}
    spent: list[float] = []
    lock = threading.Lock()

    def timed(**kwargs):
        started = time.perf_counter()
        rollups.count_event(**kwargs)
        with lock:
            spent.append(time.perf_counter() - started)

    def one(_i: int) -> None:
        try:
            dossier, _ = dossier_submit(
                citizen=citizen,
                procedure_code="1.004873",
                form=form,
                office_code="UBND-02839",
                channel="counter",
                officer=officer,
                counter_documents=ticked,
            )
            dossier_transition(
                code=dossier.code, action="refuse", actor=officer, version=dossier.version, note="Thử tải"
            )
        finally:
            connection.close()

    def run_round() -> float:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(one, range(args.ops)))
        return args.ops / (time.perf_counter() - started)

    rates = {"with": [], "without": []}
    run_round()  # warm-up: imports, workflow files, signing keys
    for _round in range(args.rounds):
        for mode in ("without", "with"):
            # A submission's counts run with the daily counter's statement (the submission hook hands them
            # back); the refusal's through the event hook (timed).
            if mode == "with":
                effects.register_on_event("stats", timed)
                effects.register_on_submitted("stats", rollups.note_submission)
            else:
                effects._ON_EVENT.pop("stats", None)
                effects._ON_SUBMITTED.pop("stats", None)
            rates[mode].append(run_round())
    effects.register_on_event("stats", rollups.count_event)
    effects.register_on_submitted("stats", rollups.note_submission)
    for mode, values in rates.items():
        rounds = ", ".join(f"{v:.1f}" for v in values)
        print(f"{mode:8} hooks: {statistics.median(values):6.1f} ops/s (rounds: {rounds})")
    ratio = statistics.median(rates["with"]) / statistics.median(rates["without"])
    print(f"with/without: {ratio:.2f}")
    print(
        f"inside the hook: median {statistics.median(spent) * 1000:.2f} ms, "
        f"p95 {sorted(spent)[int(0.95 * (len(spent) - 1))] * 1000:.2f} ms per event ({len(spent)} events)"
    )
    print("(the rounds without hooks left the rollups behind: run `manage.py stats_rebuild` after this bench)")


if __name__ == "__main__":
    main()
