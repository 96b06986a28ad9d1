"""Scheduled re-ingestion (scripts/reingest.py = `timeline reingest`) against a real server process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from conftest import DEMO, REPO
from test_server import free_port, wait_for_line

SCRIPT = REPO / "scripts" / "reingest.py"


@contextmanager
def running_server(env: dict, *args: str) -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", *args], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        wait_for_line(proc, "Application startup complete")
        yield env["TIMELINE_SERVER_URL"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def env(tmp_path: Path) -> dict:
    port = free_port()
    return {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"),
            "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "snaps"), "TIMELINE_PORT": str(port),
            "TIMELINE_SERVER_URL": f"http://127.0.0.1:{port}", "TIMELINE_TENSE": "parser"}


def reingest(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def inbox(tmp_path: Path, count: int = 5) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "feed.jsonl").write_text("\n".join(json.dumps({
        "id": f"feed-{i}", "source": "Feed", "published_at": "2023-05-24T09:00:00+03:00",
        "body": f"Officials said on Monday that {i + 2} drones were shot down overnight near Belgorod."})
        for i in range(count)))
    (folder / "notes.txt").write_text("not an article file: an inbox ignores it")
    return folder


def state(url: str) -> tuple[dict, dict]:
    health = httpx.get(f"{url}/health").json()
    timeline = httpx.get(f"{url}/timeline", params={"limit": 500}).json()
    timeline.pop("as_of")
    return health, timeline


def test_the_same_sources_twice_change_nothing_the_second_time(env: dict, tmp_path: Path) -> None:
    folder = inbox(tmp_path)
    with running_server(env, "--demo") as url:
        first = reingest(env, "--source", str(folder), "--source", str(DEMO))
        assert first.returncode == 0, first.stderr
        assert f"(server {url})" in first.stdout
        assert "5 created, 0 new versions, 2 unchanged" in first.stdout, first.stdout
        before = state(url)
        assert before[0]["articles"] == 7

        second = reingest(env, "--source", str(folder), "--source", str(DEMO))
        assert second.returncode == 0, second.stderr
        assert "0 created, 0 new versions, 7 unchanged, reprocessed 0" in second.stdout, second.stdout
        assert state(url) == before


def test_a_new_pipeline_version_supersedes_and_old_answers_stay_reachable(env: dict) -> None:
    with running_server(env, "--demo") as url:
        old_version = httpx.get(f"{url}/health").json()["pipeline_version"]
        seen_at = datetime.now(timezone.utc).isoformat()
        old_answer = httpx.get(f"{url}/timeline", params={"as_of": seen_at, "limit": 500}).json()

    # the same store served by another pipeline version (the tense setting is part of it)
    with running_server({**env, "TIMELINE_TENSE": "cues"}) as url:
        assert httpx.get(f"{url}/health").json()["pipeline_version"] != old_version
        done = reingest(env)
        assert done.returncode == 0 and "reprocessed 2 with pipeline" in done.stdout, done.stdout + done.stderr
        again = reingest(env)
        assert "reprocessed 0" in again.stdout
        runs = httpx.get(f"{url}/articles/afp-belgorod-2023-05-23").json()["run"]
        assert runs["pipeline_version"] != old_version
        assert httpx.get(f"{url}/timeline", params={"as_of": seen_at, "limit": 500}).json() == old_answer


def test_a_dead_server_stops_the_job_after_max_failures_with_a_clear_message(env: dict, tmp_path: Path) -> None:
    done = reingest(env, "--server", f"http://127.0.0.1:{free_port()}", "--source", str(inbox(tmp_path)),
                    "--every", "1s", "--max-failures", "2", timeout=60)
    assert done.returncode == 3
    assert done.stdout.count("failed") == 2 and "did not answer" in done.stdout
    assert "gave up after 2 failed cycles in a row (--max-failures 2)" in done.stderr


def test_sigterm_stops_the_loop_cleanly_between_cycles(env: dict, tmp_path: Path) -> None:
    with running_server(env, "--demo"):
        job = subprocess.Popen([sys.executable, str(SCRIPT), "--source", str(inbox(tmp_path)), "--every", "1h"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        try:
            first = job.stdout.readline()
            assert "cycle 1" in first and "5 created" in first, first
            job.send_signal(signal.SIGTERM)
            out, err = job.communicate(timeout=30)
        finally:
            if job.poll() is None:
                job.kill()
        assert job.returncode == 0, err
        assert "stopped by signal" in out


def test_a_bad_file_is_reported_and_skipped_while_good_ones_go(env: dict, tmp_path: Path) -> None:
    folder = inbox(tmp_path, count=2)
    (folder / "broken.jsonl").write_text('{"id": "x", "body": "On Monday.", "published_at": "2023-05-23T12:00:00"}\n')
    with running_server(env) as url:
        done = reingest(env, "--source", str(folder))
        assert done.returncode == 1
        assert "broken.jsonl" in done.stderr and "nothing of it was sent" in done.stderr
        assert "2 created" in done.stdout
        assert httpx.get(f"{url}/health").json()["articles"] == 2
