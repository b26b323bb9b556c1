"""Search latency over a generated catalogue, in-process.

    .venv/bin/python bench/search_bench.py [--size 5000] [--rounds 20]

Prints the build time and p50/p95/p99 per query over the labelled query set (main and holdout)."""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_catalog import generate  # noqa: E402
from motcua.catalog.search import SearchIndex, load_synonyms  # noqa: E402

QUERIES = ROOT / "motcua" / "catalog" / "data" / "search_queries.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    entries = generate(args.size)
    synonyms, stop = load_synonyms()
    started = time.perf_counter()
    index = SearchIndex(entries, synonyms, stop)
    build = time.perf_counter() - started
    data = json.loads(QUERIES.read_text(encoding="utf-8"))
    queries = [q["q"] for q in data["queries"] + data.get("holdout", [])]
    for q in queries:  # warm up
        index.search(q, limit=10)
    timings = []
    for _ in range(args.rounds):
        for q in queries:
            t0 = time.perf_counter()
            index.search(q, limit=10)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    pick = lambda p: timings[min(len(timings) - 1, int(p * len(timings)))]  # noqa: E731
    print(f"catalogue: {len(entries)} procedures, index built in {build * 1000:.0f} ms")
    print(f"queries: {len(queries)} × {args.rounds} rounds = {len(timings)} searches")
    print(
        f"p50 {pick(0.50):.3f} ms   p95 {pick(0.95):.3f} ms   p99 {pick(0.99):.3f} ms   "
        f"mean {statistics.mean(timings):.3f} ms"
    )


if __name__ == "__main__":
    main()
