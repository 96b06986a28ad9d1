"""Ingest throughput: articles/s and peak memory for 10,000 articles.

The articles are the TimeBank/AQUAINT news texts (../shared/data/tbaq) repeated with shifted
publication dates, so every one is new content. Three runs, each on a fresh database:

1. `timeline ingest --direct --articles-only` into the file, 10,000 articles: storage alone
   (validation, content hashes, versions, the write transaction), the foundation's target of
   2,000 articles/s;
2. `timeline ingest --direct` into the file, and
3. HTTP batches to a real `timeline serve` on 127.0.0.1, both with the whole per-article
   pipeline (segment, spaCy parse, time tagging, events, deduplication after each batch) on
   `--pipeline-articles` of them (default 512): the pipeline runs at tens of articles/s, so
   10,000 would take tens of minutes and measure the same thing (scripts/bench_pipeline.py
   splits that time by stage).

Run: python3 -m uv run --frozen python scripts/bench_ingest.py [--articles 10000] [--pipeline-articles 512] [--batch 500]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import msgspec

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.sources.timeml import iter_corpus  # noqa: E402

TBAQ = REPO.parent / "shared" / "data" / "tbaq"


def make_articles(count: int) -> list[dict]:
    docs = [d for d in iter_corpus([TBAQ]) if d.dct is not None]
    out = []
    for i in range(count):
        doc = docs[i % len(docs)]
        shift = timedelta(days=i // len(docs))
        out.append({"id": f"{doc.doc_id}-{i}", "source": doc.doc_id[:3], "title": doc.title, "body": doc.text,
                    "published_at": (doc.dct + shift).isoformat(), "timezone": "UTC"})
    return out


def run_cli(env: dict, *args: str) -> tuple[float, float]:
    """Wall time and the child's peak RSS (MB) of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"CLI failed: {done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def run_http(env: dict, articles: list[dict], batch: int) -> tuple[float, float]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**env, "TIMELINE_PORT": str(port), "TIMELINE_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=600) as client:
            for _ in range(600):  # wait for start-up, at most ~60 s
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            bodies = [msgspec.json.encode(articles[i : i + batch]) for i in range(0, len(articles), batch)]
            start = time.perf_counter()
            for body in bodies:
                response = client.post("/articles", content=body, headers={"content-type": "application/json"})
                response.raise_for_status()
            elapsed = time.perf_counter() - start
            stored = client.get("/health").json()["articles"]
            assert stored == len(articles), stored
        peak_kb = _vm_hwm(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return elapsed, peak_kb / 1024


def run_in_process(path: Path, articles: list[dict], batch: int) -> tuple[float, float]:
    """Storage alone, timed inside one process: validation and `ingest_articles` per batch
    (versions, the write transaction, the checkpoint), without start-up or file reading."""
    from service.articles import ArticleIn, Limits, validate_batch
    from service.ingest import ingest_articles
    from service.store import Database

    items = [msgspec.convert(a, ArticleIn) for a in articles]
    db = Database(path)
    db.migrate()
    try:
        start = time.perf_counter()
        for i in range(0, len(items), batch):
            ingest_articles(db, validate_batch(items[i : i + batch], Limits()), origin="bench", run_pipeline=False)
        elapsed = time.perf_counter() - start
    finally:
        db.close()
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_hwm(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1])
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--pipeline-articles", type=int, default=512,
                        help="articles for the two runs with the whole pipeline")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    articles = make_articles(args.articles)
    few = articles[: args.pipeline_articles]
    chars = sum(len(a["body"]) for a in articles)
    print(f"{len(articles)} articles, {chars / 1e6:.1f} M characters, batches of {args.batch}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        elapsed, peak = run_in_process(Path(tmp) / "inproc.duckdb", articles, args.batch)
        rows.append(("in process → file, storage only", len(articles), elapsed, peak))
        for label, extra, batch in (("CLI → file, storage only", ["--articles-only"], articles),
                                    ("CLI → file, whole pipeline", [], few)):
            feed = Path(tmp) / f"articles{len(rows)}.jsonl"
            feed.write_bytes(b"\n".join(msgspec.json.encode(a) for a in batch))
            env = {**os.environ, "TIMELINE_DB_PATH": str(Path(tmp) / f"cli{len(rows)}.duckdb"),
                   "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}
            elapsed, peak = run_cli(env, "ingest", "--direct", "--batch-size", str(args.batch), *extra, str(feed))
            rows.append((label, len(batch), elapsed, peak))
        env = {**os.environ, "TIMELINE_DB_PATH": str(Path(tmp) / "http.duckdb")}
        elapsed, peak = run_http(env, few, args.batch)
        rows.append(("HTTP batches → server, whole pipeline", len(few), elapsed, peak))
    print(f"{'path':40} {'articles':>8} {'seconds':>8} {'articles/s':>11} {'peak RSS MB':>12}")
    for label, count, elapsed, peak in rows:
        print(f"{label:40} {count:8} {elapsed:8.2f} {count / elapsed:11.1f} {peak:12.0f}")
    print("CLI times include process start-up (about 2 s of imports) and reading + validating the JSONL; "
          "peak RSS is the ingesting process (this one, the CLI, or the server).")


if __name__ == "__main__":
    main()
