"""A throwaway PostgreSQL server for a DuckLake catalog: initdb into a temporary folder, start on
127.0.0.1 on a free port, stop and delete. Used by tests/test_lake.py and scripts/bench_lake.py.

Run it to try the lake by hand: `python3 -m uv run --frozen python scripts/pg_temp.py` prints
the TIMELINE_* settings to export and keeps the server until Ctrl-C.
Needs Debian's `postgresql` package (`apt-get install -y postgresql`); as root, the server runs
as the `postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed, or would not start here; the message says why."""


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not versions:
        raise PostgresUnavailable("initdb not found: install the server with `apt-get install -y postgresql`")
    return Path(versions[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    folder: Path
    port: int
    bin_dir: Path
    as_user: list[str]

    def catalog(self, dbname: str) -> str:
        """A TIMELINE_LAKE_CATALOG for database `dbname` on this server (created if missing)."""
        result = self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", dbname, check=False)
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise PostgresUnavailable(f"createdb {dbname} failed: {result.stderr.strip()}")
        return f"postgres:dbname={dbname} host=127.0.0.1 port={self.port} user=postgres"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop", check=False)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        result = self._run("pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-l",
                           str(self.folder / "server.log"), "-w", "-t", "60", "start", check=False)
        if result.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:] if (self.folder / "server.log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {result.stderr.strip()} {log}")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, str(self.bin_dir / tool), *args], capture_output=True, text=True,
                              check=check, timeout=120)


def start_postgres() -> PostgresServer:
    """Start a fresh server; `remove()` stops it and deletes its folder."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="timeline-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL will not run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no `postgres` user to run the server as") from None
        os.chown(folder, user.pw_uid, user.pw_gid)
        runuser = shutil.which("runuser")
        if not runuser:
            raise PostgresUnavailable("running as root and runuser (util-linux) is missing")
        as_user = [runuser, "-u", "postgres", "--"]
    server = PostgresServer(folder, _free_port(), bin_dir, as_user)
    result = server._run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                         "--no-sync", check=False)
    if result.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {result.stderr.strip()}")
    try:
        server.start()
    except PostgresUnavailable:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


if __name__ == "__main__":
    import time

    server = start_postgres()
    data = Path(tempfile.mkdtemp(prefix="timeline-lake-"))
    print(f"export TIMELINE_STORE=ducklake TIMELINE_LAKE_CATALOG='{server.catalog('timeline')}' "
          f"TIMELINE_LAKE_DATA={data}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.remove()
