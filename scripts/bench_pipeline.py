"""Whole-pipeline throughput: articles/s, kchars/s, peak RSS and where the time goes.

The 256 TimeBank/AQUAINT documents (../shared/data/tbaq) go through what `POST /articles` does
with them, in this one process, on a fresh DuckDB file: `ingest_articles` in batches of the
CLI's and server clients' default size (500, so one batch here), which runs the pipeline
(`service.pipeline.derive_many`: segment -> one spaCy parse per article -> time tagging ->
event extraction), stores the articles and derived rows in one write, then regroups (dedup).

The stage times come from `derive_many`'s own `timings` hook and a wrapper around
`service.regroup.regroup`; "store write" is the rest of `ingest_articles` (known-version
lookups, the write transaction, the checkpoint). spaCy's pipeline is loaded and warmed up
before the clock starts (a server loads it once at start-up). Each mode runs on its own fresh
database; with --rounds N the fastest round of each mode is kept (the machine is shared).

With --workers N (N > 1) the same articles go through `timeline ingest --workers N`'s code
(`service.workers.ingest_parallel`: N spawned processes run segment -> parse -> tag -> events,
this process stores every batch and deduplicates once at the end), on TIMELINE_TENSE=parser.
It prints the wall time, the time without the pool's start-up (N spaCy loads, which a running
server or a long ingest pays once), and without the final deduplication: the per-article
pipeline (segment -> tag times -> events -> store) that the 30 articles/s target is about.

Run: python3 -m uv run --frozen python scripts/bench_pipeline.py [--batch 500] [--rounds 1] [--modes parser,cues] [--workers 2]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_ingest import make_articles  # noqa: E402

import service.regroup  # noqa: E402
from service import pipeline  # noqa: E402
from service.articles import ArticleIn, Limits, validate_batch  # noqa: E402
from service.ingest import ingest_articles  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.store import open_store  # noqa: E402

STAGES = (("checks", "input checks"), ("segment", "segmentation"), ("parse", "spaCy parse"), ("tag", "time tagging"),
          ("events", "event extraction"), ("store", "store write"), ("regroup", "regroup (dedup)"))
TARGET = 30.0  # articles/s, issue 5


def load_articles(count: int) -> list:
    raw = make_articles(count)
    items = [ArticleIn(**a) for a in raw]
    return validate_batch(items, Limits(), where=[a["id"] for a in raw])


def warm_up(settings: Settings, articles: list) -> None:
    """Load spaCy and the lexicons, and run a few articles through the pipeline (first-use
    costs such as caches filling are paid once per process, like the model load)."""
    pipeline.configure(settings)
    pipeline.derive_many(articles[:32])


def run(articles: list, settings: Settings, batch: int) -> tuple[float, float, dict[str, float], int, str]:
    """Seconds for the whole ingest (wall clock, then this process's CPU), seconds per stage,
    mentions stored, digest of the derived rows."""
    pipeline.configure(settings)
    timings: dict[str, float] = {}
    real_regroup = service.regroup.regroup

    def timed_regroup(db):  # ingest looks `regroup` up on its module at each call
        start = time.perf_counter()
        try:
            return real_regroup(db)
        finally:
            timings["regroup"] = timings.get("regroup", 0.0) + time.perf_counter() - start

    db = open_store(settings)
    db.migrate()
    service.regroup.regroup = timed_regroup
    try:
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(articles), batch):
            ingest_articles(db, articles[i:i + batch], origin="bench",
                            derive_batch=lambda todo: pipeline.derive_many(todo, timings=timings))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        mentions, digest = _derived_rows(db)
    finally:
        service.regroup.regroup = real_regroup
        db.close()
    timings["store"] = elapsed - sum(timings.get(k, 0.0) for k, _ in STAGES if k != "store")
    return elapsed, cpu, timings, mentions, digest


def _derived_rows(db) -> tuple[int, str]:
    """Mentions stored, and a digest of every derived row (to tell whether two modes differ)."""
    with db.reading() as cur:
        times = cur.execute("SELECT article_id, start_offset, end_offset, value, valid_from, valid_until "
                            "FROM time_expressions ORDER BY ALL").fetchall()
        mentions = cur.execute("SELECT article_id, trigger_start, kind, time_link, valid_from, valid_until "
                               "FROM event_mentions ORDER BY ALL").fetchall()
    return len(mentions), hashlib.sha256(repr((times, mentions)).encode()).hexdigest()[:12]


def run_parallel(articles: list, settings: Settings, batch: int, workers: int) -> None:
    from service.workers import STAGES as WORKER_STAGES
    from service.workers import ingest_parallel, plan_batches

    timings: dict[str, float] = {}
    batches = plan_batches(settings, articles, workers=workers, batch_size=batch)
    start = time.perf_counter()
    stored = sum(r.created + r.new_versions for r in ingest_parallel(
        settings, batches, workers=workers, origin="bench", timings=timings))
    elapsed = time.perf_counter() - start
    db = open_store(settings)
    try:
        mentions, _ = _derived_rows(db)
    finally:
        db.close()
    count, chars = len(articles), sum(len(a.body) for a in articles)
    steady = elapsed - timings.get("start", 0.0)
    pipeline_only = steady - timings.get("dedup", 0.0)
    print(f"{count} tbaq articles, {chars / 1e3:.0f} kchars, {len(batches)} batch(es) of at most {batch}, "
          f"{workers} worker processes, TIMELINE_TENSE={settings.tense}; {stored} stored, {mentions} mentions")
    print(f"{'measure':52} {'seconds':>8} {'articles/s':>11} {'kchars/s':>9}")
    for label, seconds in (("wall clock", elapsed), ("without the pool's start-up", steady),
                           ("per-article pipeline (start-up and dedup left out)", pipeline_only)):
        print(f"{label:52} {seconds:8.2f} {count / seconds:11.1f} {chars / seconds / 1e3:9.1f}")
    print(f"(target: >= {TARGET:.0f} articles/s for the per-article pipeline)")
    print("stages (derive is summed over the workers' processes; the rest is this process):")
    for stage in WORKER_STAGES:
        print(f"  {stage:8} {timings.get(stage, 0.0):8.2f} s")
    print(f"peak RSS of this process {rss_mb():.0f} MB, of one worker process "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=256, help="articles (256 = each tbaq document once)")
    parser.add_argument("--batch", type=int, default=500, help="articles per ingest batch (CLI default 500)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat each mode, keep the fastest round")
    parser.add_argument("--modes", default="parser,cues", help="TIMELINE_TENSE values to run")
    parser.add_argument("--workers", type=int, default=1, help="> 1: the parallel ingest's pool of processes")
    args = parser.parse_args()

    articles = load_articles(args.articles)
    if args.workers > 1:
        with tempfile.TemporaryDirectory() as tmp:
            run_parallel(articles, Settings(db_path=Path(tmp) / "bench.duckdb", snapshot_dir=Path(tmp) / "s"),
                         args.batch, args.workers)
        return
    chars = sum(len(a.body) for a in articles)
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(db_path=Path(tmp) / "bench.duckdb", snapshot_dir=Path(tmp) / "snapshots")
        warm_up(base, articles)
        warm_rss = rss_mb()
        results = {}
        for mode in args.modes.split(","):
            for r in range(args.rounds):
                settings = base.replace(tense=mode, db_path=Path(tmp) / f"{mode}-{r}.duckdb")
                outcome = run(articles, settings, args.batch)
                if mode not in results or outcome[0] < results[mode][0]:
                    results[mode] = outcome
        peak = rss_mb()

    print(f"{len(articles)} tbaq articles, {chars / 1e3:.0f} kchars ({chars / len(articles) / 1e3:.1f} kchars each), "
          f"batches of {args.batch}, one process; spaCy loaded and warmed up before the clock (RSS then {warm_rss:.0f} MB)")
    print()
    print(f"{'TIMELINE_TENSE':15} {'seconds':>8} {'CPU s':>7} {'articles/s':>11} {'kchars/s':>9} "
          f"{'mentions':>9} {'peak RSS MB':>12}")
    for mode, (elapsed, cpu, _, mentions, _) in results.items():
        print(f"{mode:15} {elapsed:8.2f} {cpu:7.2f} {len(articles) / elapsed:11.1f} {chars / elapsed / 1e3:9.1f} "
              f"{mentions:9d} {peak:12.0f}")
    print(f"(target: >= {TARGET:.0f} articles/s; CPU s is this process's CPU time, all threads: near the wall "
          "time when the machine is not busy; peak RSS is this process, spaCy model included)")
    digests = {r[4] for r in results.values()}
    if len(results) > 1:
        print("derived rows (time expressions and mentions) of the modes: "
              + ("identical" if len(digests) == 1 else "different"))
    for mode, (elapsed, _, timings, _, _) in results.items():
        print()
        print(f"stages, TIMELINE_TENSE={mode}")
        print(f"{'stage':18} {'seconds':>8} {'share':>7} {'kchars/s':>9}")
        for key, label in STAGES:
            seconds = timings.get(key, 0.0)
            rate = f"{chars / seconds / 1e3:9.0f}" if seconds > 0 else f"{'-':>9}"
            print(f"{label:18} {seconds:8.2f} {seconds / elapsed:7.1%} {rate}")
        print(f"{'total':18} {elapsed:8.2f} {1:7.0%} {chars / elapsed / 1e3:9.1f}")


if __name__ == "__main__":
    main()
