"""Load test: 16 readers, one writer and a snapshot every 10 s against a real server on 127.0.0.1.

Starts `timeline serve --demo` on a temporary database, preloads TimeML news articles
(../shared/data/tbaq; `--preload`, default 150, in two batches) so that the timeline has well
over a thousand events, then for `--seconds`:

- readers (`--readers`, default 16) loop over `/timeline` with mixed filters (time range, text,
  entity, source, kind, dedup off, as_of, NDJSON) and `/events/{id}` of events they just saw;
- one writer posts batches of new articles (`--batch` each) one after another;
- one snapshot (`POST /snapshots`) every `--snapshot-every` seconds.

Prints requests/s, p50/p95/p99/max latency and errors for the reads (per kind too), and the
writer's and snapshots' own figures, and the CPU the server spent per read (a figure that holds
when other work shares the machine, unlike latency). Target: 0 errors, read p99 <= 250 ms. It
stops by itself: the duration and every thread's request count are bounded, each request has a
timeout, and a write or snapshot still running at the end is not waited for.

Run: python3 -m uv run --frozen python scripts/load_test.py [--seconds 60] [--readers 16]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import msgspec

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import bench_server  # noqa: E402  (the real server, its CPU, quantiles)
from bench_ingest import make_articles  # noqa: E402  (TimeML texts as articles)
from bench_server import cpu_seconds, quantile  # noqa: E402

MAX_REQUESTS_PER_THREAD = 200_000
REQUEST_TIMEOUT = 30.0
WORDS = ["said", "president", "attack", "election", "bank", "drones", "talks", "market", "police", "court"]
ENTITIES = ["Gladkov", "Belgorod", "Russia", "Ukraine", "Iraq", "Clinton", "Israel", "United States"]


class Recorder:
    """Latencies (seconds) and errors per kind, shared by the threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


def start_server(folder: Path, from_db: Path | None) -> tuple[subprocess.Popen, str]:
    if from_db is not None:
        shutil.copy(from_db, folder / "load.duckdb")
    return bench_server.start_server(folder / "load.duckdb", folder, demo=True)


def post_batches(client: httpx.Client, articles: list[dict], batch: int) -> None:
    for start in range(0, len(articles), batch):
        response = client.post("/articles", content=msgspec.json.encode(articles[start : start + batch]),
                               headers={"content-type": "application/json"})
        response.raise_for_status()


def reader(url: str, stop: threading.Event, rec: Recorder, seed: int, as_of_past: str, sources: list[str]) -> None:
    rng = random.Random(seed)
    seen: list[tuple[str, str]] = []  # (event id, the as_of it was seen at)
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        for _ in range(MAX_REQUESTS_PER_THREAD):
            if stop.is_set():
                return
            kind, path, params = pick(rng, seen, as_of_past, sources)
            started = time.perf_counter()
            try:
                response = client.get(path, params=params)
                error = None if response.status_code == 200 else f"{response.status_code} {path} {params}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                response, error = None, f"{type(exc).__name__} {path} {params}"
            rec.record(kind, time.perf_counter() - started, error)
            if response is not None and response.status_code == 200 and kind.startswith("timeline") \
                    and kind != "timeline ndjson":
                answer = response.json()
                ids = [(e["id"], answer["as_of"]) for e in answer["items"][:20]] if answer["dedup"] else []
                if ids:
                    seen[:] = ids


def pick(rng: random.Random, seen: list, as_of_past: str, sources: list[str]) -> tuple[str, str, dict]:
    roll = rng.random()
    if roll < 0.25 and seen:
        event_id, as_of = rng.choice(seen)
        return "event", f"/events/{event_id}", {"as_of": as_of}
    choices = [
        ("timeline page", {}),
        ("timeline range", {"from": f"{rng.randint(1996, 2023)}-01-01T00:00:00Z",
                            "until": f"{rng.randint(1997, 2024)}-06-01T00:00:00Z", "limit": 100}),
        ("timeline text", {"q": rng.choice(WORDS)}),
        ("timeline entity", {"entity": rng.choice(ENTITIES)}),
        ("timeline source", {"source": rng.choice(sources)}),
        ("timeline kind", {"kind": "occurrence", "limit": 100}),
        ("timeline no-dedup", {"dedup": "false", "limit": 100}),
        ("timeline as_of", {"as_of": as_of_past}),
        ("timeline ndjson", {"format": "ndjson", "limit": 100}),
    ]
    kind, params = rng.choice(choices)
    return kind, "/timeline", {**params, "offset": rng.choice([0, 0, 0, 50])}


def writer(url: str, stop: threading.Event, rec: Recorder, articles: list[dict], batch: int) -> None:
    with httpx.Client(base_url=url, timeout=300) as client:
        for start in range(0, len(articles), batch):
            if stop.is_set():
                return
            body = msgspec.json.encode(articles[start : start + batch])
            started = time.perf_counter()
            try:
                response = client.post("/articles", content=body, headers={"content-type": "application/json"})
                error = None if response.status_code in (200, 201) else f"{response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            rec.record("write batch", time.perf_counter() - started, error)


def snapshotter(url: str, stop: threading.Event, rec: Recorder, every: float) -> None:
    with httpx.Client(base_url=url, timeout=300) as client:
        while not stop.wait(every):
            started = time.perf_counter()
            try:
                response = client.post("/snapshots")
                error = None if response.status_code in (200, 201) else f"{response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            rec.record("snapshot", time.perf_counter() - started, error)


def line(label: str, values: list[float], errors: int, seconds: float) -> str:
    ms = [v * 1000 for v in values]
    return (f"{label:20} {len(values):8d} {len(values) / seconds:8.1f} {quantile(ms, .5):8.1f} {quantile(ms, .95):8.1f} "
            f"{quantile(ms, .99):8.1f} {max(ms, default=float('nan')):8.1f} {errors:7d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--preload", type=int, default=150, help="articles stored before the clock starts")
    parser.add_argument("--batch", type=int, default=10, help="articles per writer batch")
    parser.add_argument("--snapshot-every", type=float, default=10)
    parser.add_argument("--no-writer", action="store_true", help="readers and snapshots only (to see what the writer costs)")
    parser.add_argument("--from-db", type=Path, help="start from a copy of this database instead of preloading")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600:
        raise SystemExit("--seconds must be between 1 and 600")

    pool = make_articles(args.preload + 5_000)
    # The writer's articles get ids of their own, so that they are new even on a --from-db store.
    preload, fresh = pool[: args.preload], [{**a, "id": "load-" + a["id"]} for a in pool[args.preload :]]
    sources = sorted({a["source"] for a in pool}) + ["AFP"]
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp), args.from_db)
        try:
            started = time.perf_counter()
            with httpx.Client(base_url=url, timeout=600) as client:
                if args.from_db is None:
                    post_batches(client, preload, max(1, (len(preload) + 1) // 2))
                health = client.get("/health").json()
                events = client.get("/timeline", params={"limit": 1}).json()["total"]
            print(f"preloaded {health['articles']} articles, {events} timeline events in "
                  f"{time.perf_counter() - started:.0f} s; server {url}")
            as_of_past = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()

            rec, stop = Recorder(), threading.Event()
            threads = [threading.Thread(target=reader, args=(url, stop, rec, i, as_of_past, sources))
                       for i in range(args.readers)]
            if not args.no_writer:
                threads.append(threading.Thread(target=writer, args=(url, stop, rec, fresh, args.batch)))
            threads.append(threading.Thread(target=snapshotter, args=(url, stop, rec, args.snapshot_every)))
            cpu_before = cpu_seconds(proc.pid)
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            stop.wait(args.seconds)
            stop.set()
            elapsed = time.perf_counter() - began
            cpu_after = cpu_seconds(proc.pid)
            # Readers finish the request in hand (each has a timeout); a write batch or snapshot still
            # running is not waited for (its figures are what finished before).
            for thread in threads[: args.readers]:
                thread.join(timeout=REQUEST_TIMEOUT + 5)
            for thread in threads[args.readers :]:
                thread.join(timeout=5)
            health = httpx.get(f"{url}/health", timeout=60)
            final = health.json() if health.status_code == 200 else {"articles": f"? (/health: {health.status_code})"}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()

    reads = [v for k, vs in rec.latencies.items() if k not in ("write batch", "snapshot") for v in vs]
    read_errors = sum(len(v) for k, v in rec.errors.items() if k not in ("write batch", "snapshot"))
    print(f"\n{args.readers} readers, {0 if args.no_writer else 1} writer ({args.batch} articles per batch), a snapshot every "
          f"{args.snapshot_every:g} s, {elapsed:.1f} s; store grew to {final['articles']} articles\n")
    print(f"{'':20} {'requests':>8} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    print(line("all reads", reads, read_errors, elapsed))
    for kind in sorted(rec.latencies):
        if kind not in ("write batch", "snapshot"):
            print(line("  " + kind, rec.latencies[kind], len(rec.errors[kind]), elapsed))
    for kind in ("write batch", "snapshot"):
        print(line(kind, rec.latencies[kind], len(rec.errors[kind]), elapsed))
    written = len(rec.latencies["write batch"]) * args.batch
    print(f"\nwriter: {written} articles stored in {elapsed:.0f} s ({written / elapsed:.1f} articles/s)")
    server_cpu, worker_cpu = (after - before for after, before in zip(cpu_after, cpu_before))
    print(f"server CPU: {server_cpu:.1f} s in the server process ({1000 * server_cpu / max(1, len(reads)):.0f} ms "
          f"per read, writes included), {worker_cpu:.1f} s in its worker processes; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for kind, errors in rec.errors.items():
        for error in errors[:3]:
            print(f"error ({kind}): {error}")
    p99 = quantile(reads, .99) * 1000
    verdict = "met" if read_errors == 0 and p99 <= 250 else "NOT met"
    print(f"target (0 errors, read p99 <= 250 ms): {verdict} ({read_errors} errors, p99 {p99:.0f} ms)")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
