"""The store: how the DuckDB database is opened, migrated, queried and written.

This is the only module that knows how the database is attached. SQL lives in `sql/`:
numbered migrations in `sql/schema/`, named queries in `sql/queries/` loaded by `query()`.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any, Iterator

import duckdb

from service.search import TextIndex

SQL_DIR = next(
    (p for p in (Path(__file__).parent / "sql", Path(__file__).parent.parent / "sql") if p.is_dir()),
    Path(__file__).parent.parent / "sql",
)
# Extensions are installed from the PyPI wheels (duckdb-extension-*), which carry DuckDB's own
# signed binaries: nothing is downloaded at run time and unsigned code is refused. fts serves
# text search; ducklake and postgres are there for the multi-machine store.
EXTENSIONS = ("fts", "ducklake", "postgres_scanner")


class StoreError(RuntimeError):
    """The database cannot be used as asked; the message says why and what to do."""


class DatabaseLocked(StoreError):
    """Another process (usually the server) holds the database file for writing."""


@cache
def query(name: str) -> str:
    """The text of `sql/queries/<name>.sql`."""
    path = SQL_DIR / "queries" / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(f"no SQL query named {name!r} in {path.parent}") from None


def query_names() -> list[str]:
    return sorted(p.stem for p in (SQL_DIR / "queries").glob("*.sql"))


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every file in `sql/schema/`, in order."""
    found = []
    for path in sorted((SQL_DIR / "schema").glob("*.sql")):
        number, _, name = path.stem.partition("_")
        if not number.isdigit():
            raise StoreError(f"migration {path.name} must start with its number, e.g. 004_add_x.sql")
        found.append((int(number), name, path.read_text(encoding="utf-8")))
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise StoreError(f"two migrations share a number in {SQL_DIR / 'schema'}")
    return found


class Database:
    """One long-lived DuckDB connection; a cursor per reader; one writer at a time.

    DuckDB allows one writing process per file, and within it we serialise writes with a lock
    (the same model as datasette's write thread), so a batch is one transaction and readers
    on their own cursors always see a committed state.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False):
        self.path = str(path)
        self.read_only = read_only
        if self.path != ":memory:" and not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(
                self.path, read_only=read_only, config={"allow_unsigned_extensions": "false"}
            )
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseLocked(
                    f"{self.path} is held by another process (a running server?). "
                    "Send work to the server's API, or stop it first."
                ) from None
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        # TIMESTAMPTZ values come back in UTC whatever the machine's zone; local clocks are
        # the articles' own business, computed from their stored zone.
        self._con.execute("SET GLOBAL TimeZone = 'UTC'")
        self._load_extensions()
        self._write_lock = threading.Lock()
        self._last_recorded_at: datetime | None = None
        self._text_index: TextIndex | None = None

    @property
    def text_index(self) -> TextIndex:
        """The in-memory full-text index of current events (built on first use)."""
        if self._text_index is None:
            self._text_index = TextIndex()
        return self._text_index

    def _load_extensions(self) -> None:
        import duckdb_extensions

        for name in EXTENSIONS:
            try:
                self._con.execute("LOAD " + name)  # a name from EXTENSIONS, never user input
            except duckdb.Error:
                duckdb_extensions.import_extension(name.removesuffix("_scanner"), con=self._con)
                self._con.execute("LOAD " + name)

    # -- reading -------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one request or thread; close it when done."""
        cur = self._con.cursor()
        cur.execute("SET TimeZone = 'UTC'")
        return cur

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def fetch(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.reading() as cur:
            return fetch(cur, name, params)

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: all of it is stored, or none of it."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    def next_record_time(self, cur: duckdb.DuckDBPyConnection) -> datetime:
        """Record time for a new write: now, but strictly after anything already recorded,
        so `as_of` stays exact even if the machine's clock steps back."""
        now = datetime.now(timezone.utc)
        if self._last_recorded_at is None:
            row = cur.execute(query("latest_record_time")).fetchone()
            self._last_recorded_at = row[0] if row and row[0] else None
        if self._last_recorded_at is not None and now <= self._last_recorded_at:
            now = self._last_recorded_at + timedelta(microseconds=1)
        self._last_recorded_at = now
        return now

    def checkpoint(self) -> None:
        if not self.read_only:
            with self._write_lock:
                self._con.execute("CHECKPOINT")

    # -- schema --------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; refuse a database changed behind our back."""
        applied: list[int] = []
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                    "checksum VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
                )
                done = {v: c for v, c in cur.execute("SELECT version, checksum FROM schema_migrations").fetchall()}
                for number, name, sql in migrations():
                    checksum = hashlib.sha256(sql.encode()).hexdigest()
                    if number in done:
                        if done[number] != checksum:
                            raise StoreError(
                                f"migration {number:03d}_{name}.sql changed after it was applied to "
                                f"{self.path}; add a new migration instead of editing an old one"
                            )
                        continue
                    cur.execute("BEGIN TRANSACTION")
                    try:
                        cur.execute(sql)
                        cur.execute(
                            "INSERT INTO schema_migrations VALUES ($v, $n, $c, now())",
                            {"v": number, "n": name, "c": checksum},
                        )
                        cur.execute("COMMIT")
                    except BaseException:
                        cur.execute("ROLLBACK")
                        raise
                    applied.append(number)
            finally:
                cur.close()
        return applied

    def schema_version(self) -> int:
        with self.reading() as cur:
            row = cur.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0) if row else 0

    # -- snapshots -----------------------------------------------------------------------

    def snapshot(self, folder: Path) -> Path:
        """Publish a read-only copy for analysts, atomically: readers never see a partial file."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        final = folder / f"timeline-{stamp}.duckdb"
        partial = folder / f".{final.name}.partial"
        partial.unlink(missing_ok=True)
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.execute("CHECKPOINT")
                # ATTACH and COPY take no bound parameters: the path is one we made (a timestamped
                # name) and the catalog name is DuckDB's own; both are quoted all the same.
                catalog = cur.execute("SELECT current_database()").fetchone()[0]
                cur.execute("ATTACH " + _quote_literal(str(partial)) + " AS snapshot_target")
                try:
                    cur.execute("COPY FROM DATABASE " + _quote_identifier(catalog) + " TO snapshot_target")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                finally:
                    cur.execute("DETACH snapshot_target")
            finally:
                cur.close()
        partial.replace(final)
        latest = folder / "LATEST"
        tmp = folder / ".LATEST.partial"
        tmp.write_text(final.name + "\n", encoding="utf-8")
        tmp.replace(latest)
        return final

    def close(self) -> None:
        if self._text_index is not None:
            self._text_index.close()
        self._con.close()


def fetch(cur: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run a named query and return its rows as dicts."""
    result = cur.execute(query(name), params or {})
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def latest_snapshot(folder: Path) -> Path | None:
    pointer = folder / "LATEST"
    if not pointer.is_file():
        return None
    path = folder / pointer.read_text(encoding="utf-8").strip()
    return path if path.is_file() else None


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
