"""Ingest throughput: articles/s and peak memory for 10,000 articles.

The articles are the TimeBank/AQUAINT news texts (../shared/data/tbaq) repeated with shifted
publication dates, so every one is new content. Three runs, each on a fresh database:

1. `timeline ingest --direct --articles-only` into the file (storage alone),
2. `timeline ingest --direct` into the file (storage + time tagging),
3. HTTP batches of 500 to a real `timeline serve` on 127.0.0.1 (storage + time tagging).

Run: python3 -m uv run --frozen python scripts/bench_ingest.py [--articles 10000] [--batch 500]
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


def _vm_hwm(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1])
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    articles = make_articles(args.articles)
    chars = sum(len(a["body"]) for a in articles)
    print(f"{len(articles)} articles, {chars / 1e6:.1f} M characters, batches of {args.batch}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "articles.jsonl"
        feed.write_bytes(b"\n".join(msgspec.json.encode(a) for a in articles))
        for label, extra in (("CLI → file, storage only", ["--articles-only"]), ("CLI → file, with time tagging", [])):
            env = {**os.environ, "TIMELINE_DB_PATH": str(Path(tmp) / f"cli{len(rows)}.duckdb"),
                   "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}
            elapsed, peak = run_cli(env, "ingest", "--direct", "--batch-size", str(args.batch), *extra, str(feed))
            rows.append((label, elapsed, peak))
        env = {**os.environ, "TIMELINE_DB_PATH": str(Path(tmp) / "http.duckdb")}
        elapsed, peak = run_http(env, articles, args.batch)
        rows.append(("HTTP batches → server, with time tagging", elapsed, peak))
    print(f"{'path':44} {'seconds':>8} {'articles/s':>11} {'peak RSS MB':>12}")
    for label, elapsed, peak in rows:
        print(f"{label:44} {elapsed:8.2f} {len(articles) / elapsed:11.0f} {peak:12.0f}")
    print("CLI times include process start-up and reading + validating the JSONL; "
          "peak RSS is the ingesting process (CLI, or the server).")


if __name__ == "__main__":
    main()
