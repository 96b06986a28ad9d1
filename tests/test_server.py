"""A real server process on 127.0.0.1, and the CLI talking to it, as users and scripts do."""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import httpx
import pytest



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_line(proc: subprocess.Popen, needle: str, timeout: float = 60.0) -> None:
    """Read the server's log until it says it is ready (no sleeping, bounded by `timeout`)."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    seen = []
    while True:
        if not selector.select(timeout):
            raise AssertionError(f"server not ready after {timeout}s: {''.join(seen)}")
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"server exited: {''.join(seen)}")
        seen.append(line)
        if needle in line:
            return


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict]]:
    port = free_port()
    env = {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"),
           "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "snaps"), "TIMELINE_PORT": str(port),
           "TIMELINE_SERVER_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--demo"], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        wait_for_line(proc, "Application startup complete")
        yield f"http://127.0.0.1:{port}", env
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_real_server_answers_health_articles_and_schema(server) -> None:
    url, _ = server
    health = httpx.get(f"{url}/health").json()
    assert health["articles"] == 2
    listing = httpx.get(f"{url}/articles").json()
    assert {a["id"] for a in listing["items"]} == {"afp-belgorod-2023-05-23", "translated-belgorod-2023-05-23"}
    assert httpx.get(f"{url}/schema/openapi.json").json()["info"]["title"] == "Timeline service"
    missing = httpx.get(f"{url}/articles/none")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def test_cli_goes_through_the_running_server_and_sql_reads_a_snapshot(server, tmp_path: Path) -> None:
    url, env = server
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps({"id": f"f{i}", "source": "Feed", "body": f"On Monday, item {i}.",
                                          "published_at": "2023-05-23T12:00:00+03:00"}) for i in range(5)))
    done = cli(env, "ingest", str(feed))
    assert done.returncode == 0, done.stderr
    assert f"through the server at {url}" in done.stderr and "5 created" in done.stdout
    assert httpx.get(f"{url}/health").json()["articles"] == 7

    # the server holds the file: sql needs a snapshot, and says so until one exists
    refused = cli(env, "sql", "SELECT count(*) FROM current_articles")
    assert refused.returncode == 3 and "timeline snapshot" in refused.stderr
    snap = cli(env, "snapshot")
    assert snap.returncode == 0 and snap.stdout.strip().endswith(".duckdb")
    counted = cli(env, "sql", "SELECT count(*) AS n FROM current_articles", "--format", "json")
    assert counted.returncode == 0 and json.loads(counted.stdout) == {"n": 7}
    write = cli(env, "sql", "DELETE FROM article_versions")
    assert write.returncode == 1 and "read-only" in write.stderr
