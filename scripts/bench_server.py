"""A real `timeline serve` on 127.0.0.1 for the benchmarks, and what they measure it with.

Shared by scripts/load_test.py and scripts/bench_api.py: a free port, the server in a
subprocess on a given database file (waited for until /health answers), its CPU seconds read
from /proc, and quantiles.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_path: Path, folder: Path, *, demo: bool = False, env: dict[str, str] | None = None,
                 timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """`timeline serve` on 127.0.0.1 and a free port over `db_path` (snapshots and the log,
    server.log, in `folder`); returns once /health answers 200, or exits saying why not."""
    port = free_port()
    env = {**os.environ, "TIMELINE_DB_PATH": str(db_path), "TIMELINE_SNAPSHOT_DIR": str(folder / "snapshots"),
           "TIMELINE_HOST": "127.0.0.1", "TIMELINE_PORT": str(port), "TIMELINE_LOG_LEVEL": "WARNING",
           "TIMELINE_LOAD_DEMO": "true" if demo else "false", **(env or {})}
    log = folder / "server.log"
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", *(["--demo"] if demo else [])], env=env,
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"the server did not start within {timeout:.0f} s: {log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the process `pid`, and by its live children."""
    tick = os.sysconf("SC_CLK_TCK")

    def own(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    children = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                children += own(int(child))
            except (OSError, ValueError):
                pass
    return own(pid), children


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")
