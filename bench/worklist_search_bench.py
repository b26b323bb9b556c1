"""Officers' name search at province scale (run gen_dossiers.py first; names there are "Công dân N").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/worklist_search_bench.py

For the province administrator and a commune intake officer, times the first page (25 rows) of the open
and finished worklists searched by a name typed in different forms (accents, upper case, NFD, without
accents) and prints p50/p95, the number found and the query plan (PostgreSQL uses the trigram index on
the folded column `applicant_search`)."""

import os
import statistics
import sys
import time
import unicodedata
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
    from motcua.dossiers.selectors import WorklistQuery, worklist

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        print(f"dossiers: {cursor.fetchone()[0]:,}\n")
    rounds = int(os.environ.get("ROUNDS", "20"))
    queries = ["Công dân 123457", "CÔNG DÂN 123457", unicodedata.normalize("NFD", "Công dân 123457"), "cong dan 123457"]
    for username in ("bench_province", "bench_intake"):
        user = User.objects.get(username=username)
        for view in ("open", "finished"):
            for text in queries:
                officer = User.objects.get(pk=user.pk)
                timings, found = [], 0
                for _ in range(rounds):
                    started = time.perf_counter()  # the search step runs when the worklist is built
                    qs = worklist(user=officer, query=WorklistQuery(view=view, search=text))
                    found = len(list(qs[:25]))
                    timings.append((time.perf_counter() - started) * 1000)
                timings.sort()
                p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
                label = text.encode("unicode_escape").decode() if text != unicodedata.normalize("NFC", text) else text
                print(
                    f"{username:15} {view:8} {label!r:40} found {found:2}  "
                    f"p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms"
                )
        qs = worklist(user=user, query=WorklistQuery(view="finished", search="cong dan 123457"))
        print(qs[:25].explain(analyze=True) if connection.vendor == "postgresql" else "")
        print()


if __name__ == "__main__":
    main()
