"""Scale-out of the ingest: articles/s with 1 and 2 workers, embedded DuckDB file vs DuckLake on
PostgreSQL, with peak memory, the share of each stage and timeline read latency.

The articles are the TimeBank/AQUAINT news texts (../shared/data/tbaq) repeated with shifted
publication dates (scripts/bench_ingest.py makes them), written once as a JSONL feed. Each run is a
fresh process on a fresh store that reads and validates the feed as `timeline ingest` does and
stores it with `service.workers.ingest_parallel` (what `timeline ingest --direct --workers N` runs
for N > 1; with 1 worker one process derives, stores and, like the parallel paths, deduplicates once
at the end). Timed from the first batch to the end of the deduplication, so spaCy loading in the
workers (and the Dask cluster's start with `--cluster`) is included; interpreter start-up is not.

Per run: articles/s and the speed-up over the run with the fewest workers on the same store; the
same without the final deduplication (which runs in one process whatever the workers); peak memory
as the largest sum of RSS over the ingesting process and all its children (workers, Dask nanny
and worker processes), sampled every 0.2 s, and the largest single process; seconds and share of
each stage (service.workers.STAGES: start, derive, submit, wait, store, dedup; `derive` is summed
over the workers, its share is of their time, and so is `store` on the lake with a process pool,
where the workers write; the other stages are the ingesting process's, their share of the wall
time; the pool's workers load spaCy before the first batch, in `start`). Then
timeline reads (scripts/bench_lake.py: 50 pages of 50 events) p50/p95 on each store.

Targets (issue 9): 2 workers >= 1.7x one worker; DuckLake read p95 within 2x of the file's.
Each round starts with the host's ceiling: a pure-Python loop alone and in two processes at once
(`host_ceiling`), since no Python pipeline scales past what two busy vCPUs of this host give.
Measure on an otherwise idle machine: on shared cores the speed-up means nothing. Even idle, a
virtual machine's cores slow down in spells (seen here: one run's 2-worker derive at 1.0x, the
next at 1.7x the 1-worker's time per article): `--repeat N` runs every configuration N times,
interleaved, and reports each by its fastest run, with the speed-up of every round beside it.

Run: python3 -m uv run --frozen python scripts/bench_scale.py [--articles 4000] [--stores file,lake]
     [--workers 1,2] [--cluster] [--batch-size 500] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgspec
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_ingest import TBAQ, make_articles  # noqa: E402
from bench_lake import read_latency  # noqa: E402
from pg_temp import start_postgres  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.workers import STAGES  # noqa: E402

STORE_NAMES = {"file": "DuckDB file", "lake": "DuckLake + PostgreSQL"}


def run_one(feed: Path, workers: int, batch_size: int) -> None:
    """In the child process: ingest `feed` with the TIMELINE_* settings of the environment and print
    a JSON line with the seconds, the stage timings and the counts."""
    from service.articles import Limits, validate_batch
    from service.pipeline import configure
    from service.sources.files import read_path
    from service.workers import ingest_parallel, plan_batches

    settings = Settings.from_env()
    configure(settings)
    pairs = list(read_path(feed))
    articles = validate_batch([a for _, a in pairs], Limits(max_batch_articles=len(pairs)))
    batches = plan_batches(settings, articles, workers=workers, batch_size=batch_size)
    timings = dict.fromkeys(STAGES, 0.0)
    began = time.perf_counter()
    created = sum(r.created for r in ingest_parallel(settings, batches, workers=workers, origin="bench",
                                                     timings=timings))
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "created": created, "batches": len(batches), "timings": timings}))


# The host's own ceiling: a fixed pure-Python loop, alone and then in two processes at once. On a
# virtual machine two busy vCPUs need not run like two cores (they can share a physical core, or
# slow down together); a pipeline made of Python cannot scale past what this loop does.
SPIN = "import time; t = time.perf_counter(); x = 0\nfor i in range(25_000_000): x += i * i % 7\nprint(time.perf_counter() - t)"


def host_ceiling() -> float:
    """How many times one process's throughput two processes of the same pure-Python loop get."""
    def spin(n: int) -> float:
        children = [subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
                    for _ in range(n)]
        return max(float(c.communicate()[0]) for c in children)
    return 2 * spin(1) / spin(2)


class MemorySampler:
    """The largest total RSS of a process and its descendants, and of one of them, in MB."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.root = psutil.Process(pid)
        self.every = every
        self.total = self.single = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            sizes = []
            for process in processes:
                try:
                    sizes.append(process.memory_info().rss / 2**20)
                except psutil.NoSuchProcess:
                    pass
            if sizes:
                self.total = max(self.total, sum(sizes))
                self.single = max(self.single, max(sizes))
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def ingest(settings: Settings, feed: Path, workers: int, batch_size: int, cluster: bool) -> dict:
    env = {**os.environ, "TIMELINE_DB_PATH": str(settings.db_path), "TIMELINE_STORE": settings.store,
           "TIMELINE_LAKE_CATALOG": settings.lake_catalog, "TIMELINE_LAKE_DATA": settings.lake_data,
           "TIMELINE_CLUSTER": "local" if cluster else "", "TIMELINE_LOG_LEVEL": "WARNING"}
    child = subprocess.Popen([sys.executable, __file__, "--run-one", str(feed), "--workers", str(workers),
                              "--batch-size", str(batch_size)], env=env, cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    sampler = MemorySampler(child.pid)
    out, err = child.communicate()
    sampler.stop()
    if child.returncode != 0:
        raise SystemExit(f"ingest with {workers} workers failed: {err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    return {**result, "peak_total_mb": sampler.total, "peak_single_mb": sampler.single}


def run_config(store: str, workers: int, folder: Path, feed: Path, args: argparse.Namespace, postgres) -> dict:
    """One ingest on a fresh store in `folder`, then its timeline read latency."""
    settings = Settings(db_path=folder / "t.duckdb", snapshot_dir=folder / "snaps")
    if store == "lake":
        assert postgres is not None
        settings = settings.replace(store="ducklake", lake_data=str(folder / "lake"),
                                    lake_catalog=postgres.catalog(f"scale_{workers}_{folder.name.replace('-', '_')}"))
    run = ingest(settings, feed, workers, args.batch_size, args.cluster)
    run["parallel"] = workers > 1 or args.cluster
    run["workers_write"] = store == "lake" and workers > 1 and not args.cluster
    run["rate"] = run["created"] / run["seconds"]
    run["rate_no_dedup"] = run["created"] / (run["seconds"] - run["timings"]["dedup"])
    run["p50"], run["p95"] = read_latency(settings, args.reads)
    return run


def stage_text(run: dict, workers: int) -> str:
    """Each stage's seconds and share: of the workers' time for what they do (deriving; storing too
    on a lake with a process pool), of the wall time for what the ingesting process does."""
    timings, seconds = run["timings"], run["seconds"]
    in_workers = {"derive"} | ({"store"} if run["workers_write"] else set())
    parts = []
    for stage, spent in timings.items():
        share = spent / (seconds * (workers if stage in in_workers and run["parallel"] else 1))
        parts.append(f"{stage} {spent:.1f} s ({share:.0%})")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--stores", default="file,lake", help="comma-separated: file, lake")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--cluster", action="store_true", help="a local Dask cluster instead of the process pool")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--reads", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of every configuration, interleaved; each is reported by its fastest")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        run_one(args.run_one, int(args.workers), args.batch_size)
        return
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    counts = sorted({int(w) for w in args.workers.split(",")})
    if not set(stores) <= set(STORE_NAMES) or not counts or counts[0] < 1:
        raise SystemExit("--stores takes file and/or lake, --workers counts of 1 or more")
    if not TBAQ.is_dir():
        raise SystemExit(f"needs {TBAQ}")

    articles = make_articles(args.articles)
    print(f"{len(articles)} articles ({sum(len(a['body']) for a in articles) / 1e6:.1f} M characters), batches of "
          f"{args.batch_size}, {'a local Dask cluster' if args.cluster else 'a process pool'}; {os.cpu_count()} "
          f"cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    postgres = start_postgres() if "lake" in stores else None
    runs: dict[tuple[str, int], list[dict]] = {}
    ceilings: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            feed = Path(tmp) / "articles.jsonl"
            feed.write_bytes(b"\n".join(msgspec.json.encode(a) for a in articles))
            # Rounds interleave the configurations, so a slow spell of a shared host falls on
            # one round of each rather than on one configuration; each run has a fresh store.
            for round_ in range(1, args.repeat + 1):
                ceilings.append(host_ceiling())
                print(f"round {round_}: two processes of a pure-Python loop run x{ceilings[-1]:.2f} one on this host",
                      flush=True)
                for store in stores:
                    for workers in counts:
                        folder = Path(tmp) / f"{store}-{workers}-{round_}"
                        run = run_config(store, workers, folder, feed, args, postgres)
                        runs.setdefault((store, workers), []).append(run)
                        print(f"round {round_}: {STORE_NAMES[store]}, {workers} worker(s): {run['created']} articles "
                              f"in {run['seconds']:.1f} s = {run['rate']:.1f} articles/s; peak RSS "
                              f"{run['peak_total_mb']:.0f} MB in all, {run['peak_single_mb']:.0f} MB largest process; "
                              f"{stage_text(run, workers)}; timeline read p50 {run['p50']:.1f} ms, "
                              f"p95 {run['p95']:.1f} ms", flush=True)
                        shutil.rmtree(folder, ignore_errors=True)
    finally:
        if postgres is not None:
            postgres.remove()

    # Each configuration by its fastest run: what the code costs when the host lets it run.
    rows = []
    for store in stores:
        fastest = {w: min(runs[(store, w)], key=lambda r: r["seconds"]) for w in counts}
        base = fastest[counts[0]]
        for workers in counts:
            r = fastest[workers]
            rounds = [b["seconds"] / x["seconds"] for b, x in zip(runs[(store, counts[0])], runs[(store, workers)])]
            rows.append({**r, "store": store, "workers": workers, "speedup": r["rate"] / base["rate"],
                         "speedup_no_dedup": r["rate_no_dedup"] / base["rate_no_dedup"],
                         "rounds": rounds})
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    print("| store | workers | seconds | articles/s | speed-up | without dedup | peak RSS all / largest MB "
          f"| {' / '.join(STAGES)} s | read p50 / p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        t = r["timings"]
        print(f"| {STORE_NAMES[r['store']]} | {r['workers']} | {r['seconds']:.1f} | {r['rate']:.1f} | "
              f"{r['speedup']:.2f}x | {r['speedup_no_dedup']:.2f}x | {r['peak_total_mb']:.0f} / "
              f"{r['peak_single_mb']:.0f} | {' / '.join(f'{t[stage]:.0f}' for stage in STAGES)} | "
              f"{r['p50']:.1f} / {r['p95']:.1f} |")
    print()
    for r in rows:
        if r["workers"] == 2 and 1 in counts:
            verdict = "meets" if r["speedup"] >= 1.7 else "misses"
            each = ", ".join(f"x{x:.2f}" for x in r["rounds"])
            print(f"{STORE_NAMES[r['store']]}: 2 workers x{r['speedup']:.2f} (fastest of {args.repeat} runs each; "
                  f"round by round {each}) {verdict} the 1.7x target; the host's ceiling, two processes of "
                  f"a pure-Python loop, was x{max(ceilings):.2f} at best (round by round "
                  f"{', '.join(f'x{c:.2f}' for c in ceilings)})")
    by = {(r["store"], r["workers"]): r for r in rows}
    for workers in counts:
        if ("file", workers) in by and ("lake", workers) in by:
            ratio = by[("lake", workers)]["p95"] / by[("file", workers)]["p95"]
            verdict = "meets" if ratio <= 2 else "misses"
            print(f"{workers} worker(s): lake read p95 is {ratio:.2f}x the file's, {verdict} the 2x target")


if __name__ == "__main__":
    main()
