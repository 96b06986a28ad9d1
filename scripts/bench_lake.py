"""Parallel ingest, embedded DuckDB vs DuckLake on PostgreSQL: articles/s with 1 and 2 workers,
and timeline read latency, on the 256 TimeBank/AQUAINT documents of ../shared/data/tbaq.

Each run is `timeline ingest --direct --format timeml --workers N --batch-size B` in a fresh
process on a fresh store, timed from start to exit (spaCy start-up included, as a user sees it).
With 1 worker the command runs the pipeline in its own process; with 2 a spawn pool derives
(on the file, while the main process stores) or derives and writes (on the lake). The default
batch of 256 makes every run deduplicate once, as `--workers 2` on a lake does (it splits the
work into small batches and deduplicates at the end), so the figures compare the pipeline's
parallelism; `--batch-size 32` shows what deduplicating after every batch costs.
The lake's catalog is a throwaway PostgreSQL (scripts/pg_temp.py), its files a local folder.
Then 50 GET /timeline-equivalent reads without as_of (service.timeline.read_timeline at
Database.read_moment, 50 events a page, each page a new one, with the text index and the
in-memory run orders a server process keeps: the path GET /timeline takes) on each store:
median and p95; on the lake also with TIMELINE_LAKE_REFRESH_SECONDS=0 (a catalog question per
read) and again after `timeline compact` (Database.compact).

Run: python3 -m uv run --frozen python scripts/bench_lake.py [--workers 1 2] [--batch-size 256]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from pg_temp import start_postgres  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.store import open_store  # noqa: E402
from service.timeline import TimelineQuery, read_timeline, timeline_orders  # noqa: E402

TBAQ = REPO.parent / "shared" / "data" / "tbaq"


def ingest(settings: Settings, workers: int, batch_size: int) -> tuple[float, int]:
    env = {**os.environ, "TIMELINE_DB_PATH": str(settings.db_path), "TIMELINE_STORE": settings.store,
           "TIMELINE_LAKE_CATALOG": settings.lake_catalog, "TIMELINE_LAKE_DATA": settings.lake_data,
           "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "service.cli", "ingest", "--direct", "--format", "timeml",
                             "--workers", str(workers), "--batch-size", str(batch_size), str(TBAQ)],
                            env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"ingest failed: {result.stderr[-2000:]}")
    created = int(result.stdout.split(": ")[1].split(" created")[0])
    return seconds, created


def read_latency(settings: Settings, reads: int = 50) -> tuple[float, float]:
    """p50 and p95 in ms of `reads` GET /timeline reads without as_of (50 events a page), each at
    a page not read before, so that neither store answers from the pages a run keeps in memory:
    the figure is what cutting a page costs on each store, with the lake's snapshot check as
    TIMELINE_LAKE_REFRESH_SECONDS (in `settings`) has it."""
    db = open_store(settings, read_only=True)
    orders = timeline_orders(db)  # what a server process keeps across reads, as GET /timeline uses it
    times = []
    try:
        with db.reading() as cur:
            total = None
            for index in range(reads + 3):
                start = time.perf_counter()
                as_of = db.read_moment(cur)  # what GET /timeline answers for without as_of
                offset = (index * 50) % total if total else 0
                page = read_timeline(cur, TimelineQuery(as_of=as_of, limit=50, offset=offset), db.text_index, orders)
                if index >= 3:  # the first reads warm the catalog caches
                    times.append(time.perf_counter() - start)
                total = total or page.total
    finally:
        db.close()
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * len(times)) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    if not TBAQ.is_dir():
        raise SystemExit(f"needs {TBAQ}")
    postgres = start_postgres()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-lake-") as tmp:
            for backend in ("duckdb", "ducklake"):
                base = None
                for workers in args.workers:
                    folder = Path(tmp) / f"{backend}-{workers}"
                    settings = Settings(db_path=folder / "t.duckdb", snapshot_dir=folder / "snaps")
                    if backend == "ducklake":
                        settings = settings.replace(store="ducklake", lake_data=str(folder / "lake"),
                                                    lake_catalog=postgres.catalog(f"bench_{workers}"))
                    seconds, created = ingest(settings, workers, args.batch_size)
                    rate = created / seconds
                    base = base or rate
                    p50, p95 = read_latency(settings)
                    compacted = ""
                    if backend == "ducklake":
                        a50, a95 = read_latency(settings.replace(lake_refresh_seconds=0))
                        print(f"ducklake workers={workers}: reads that ask the catalog each time "
                              f"(TIMELINE_LAKE_REFRESH_SECONDS=0): median {a50:.1f} ms, p95 {a95:.1f} ms", flush=True)
                        db = open_store(settings)
                        start = time.perf_counter()
                        db.compact()
                        took = time.perf_counter() - start
                        db.close()
                        c50, c95 = read_latency(settings)
                        compacted = f"{c50:.1f} / {c95:.1f} (compact took {took:.1f} s)"
                    rows.append((backend, workers, created, seconds, rate, rate / base, p50, p95, compacted))
                    print(f"{backend:8} workers={workers}: {created} articles in {seconds:.1f} s = {rate:.2f} articles/s "
                          f"(x{rate / base:.2f}); timeline read median {p50:.1f} ms, p95 {p95:.1f} ms"
                          + (f"; after compact {compacted}" if compacted else ""), flush=True)
    finally:
        postgres.remove()
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(f"\ncores: {os.cpu_count()}; batch size {args.batch_size}; largest process RSS {peak / 1024:.0f} MB")
    print("| store | workers | articles | seconds | articles/s | speed-up | read median / p95 ms | after compact |")
    print("|---|---|---|---|---|---|---|---|")
    for backend, workers, created, seconds, rate, speedup, p50, p95, compacted in rows:
        name = "DuckDB file" if backend == "duckdb" else "DuckLake + PostgreSQL"
        print(f"| {name} | {workers} | {created} | {seconds:.1f} | {rate:.2f} | {speedup:.2f}x | {p50:.1f} / {p95:.1f} "
              f"| {compacted or '–'} |")


if __name__ == "__main__":
    main()
