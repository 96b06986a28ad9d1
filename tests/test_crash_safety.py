"""SIGKILL in the middle of a batch: the database opens, no article is half-stored, and
re-sending the same input completes it with the right counts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from service.store import Database
from test_server import free_port, wait_for_line

ARTICLES = 600


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    body = ("On Monday, the council met for the second day. Officials said on Tuesday that the vote "
            "was delayed until next week. Last year, a similar plan failed in February 2022. ") * 4
    path.write_text("\n".join(json.dumps({"id": f"k{i}", "source": "Wire", "body": f"{body} Item {i}.",
                                          "published_at": "2023-05-23T12:00:00+03:00"}) for i in range(ARTICLES)))
    return path


def integrity(db_path: Path) -> tuple[int, int]:
    """(stored articles, articles missing any derived row); opening proves the file is sound."""
    db = Database(db_path)
    try:
        db.migrate()
        with db.reading() as cur:
            stored = cur.execute("SELECT count(*) FROM current_articles").fetchone()[0]
            broken = cur.execute("""
                SELECT count(*) FROM current_articles a
                LEFT JOIN pipeline_runs r ON r.article_id = a.article_id AND r.version = a.version
                LEFT JOIN (SELECT run_id, count(*) AS n FROM time_expressions GROUP BY run_id) t
                       ON t.run_id = r.run_id
                WHERE r.run_id IS NULL OR coalesce(t.n, 0) <> r.expression_count
            """).fetchone()[0]
    finally:
        db.close()
    return stored, broken


def test_server_killed_mid_batch_loses_nothing_and_resending_completes(tmp_path: Path, feed: Path) -> None:
    port = free_port()
    env = {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"), "TIMELINE_PORT": str(port),
           "TIMELINE_SERVER_URL": f"http://127.0.0.1:{port}"}
    batch = [json.loads(line) for line in feed.read_text().splitlines()]

    def start() -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], env=env, stderr=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, text=True)
        wait_for_line(proc, "Application startup complete")
        return proc

    server = start()
    first = batch[: ARTICLES // 2]
    assert httpx.post(f"http://127.0.0.1:{port}/articles", json=first, timeout=300).status_code == 201
    sender = threading.Thread(target=lambda: _post_ignoring_errors(port, batch), daemon=True)
    sender.start()
    wait_for_line(server, f"{ARTICLES} articles received")
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    sender.join(timeout=60)

    stored, broken = integrity(tmp_path / "t.duckdb")
    assert broken == 0
    assert stored == ARTICLES // 2  # the killed batch was all-or-nothing: nothing of it

    server = start()
    try:
        again = httpx.post(f"http://127.0.0.1:{port}/articles", json=batch, timeout=300).json()
        assert (again["created"], again["unchanged"]) == (ARTICLES // 2, ARTICLES // 2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert integrity(tmp_path / "t.duckdb") == (ARTICLES, 0)


def _post_ignoring_errors(port: int, batch: list) -> None:
    try:
        httpx.post(f"http://127.0.0.1:{port}/articles", json=batch, timeout=300)
    except httpx.HTTPError:
        pass  # the server is killed under this request on purpose


def test_cli_killed_mid_ingest_keeps_whole_batches_and_rerun_completes(tmp_path: Path, feed: Path) -> None:
    env = {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"), "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}
    command = [sys.executable, "-m", "service.cli", "ingest", "--batch-size", "50", str(feed)]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    wait_for_line(proc, "batch 2/")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    stored, broken = integrity(tmp_path / "t.duckdb")
    assert broken == 0
    assert stored % 50 == 0 and 100 <= stored < ARTICLES  # whole batches only

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{ARTICLES - stored} created" in rerun.stdout and f"{stored} unchanged" in rerun.stdout
    assert integrity(tmp_path / "t.duckdb") == (ARTICLES, 0)
