"""The store: how the database is attached, migrated, queried and written.

This is the only module that knows how the database is attached: an embedded DuckDB file, or a
DuckLake (catalog in PostgreSQL, SQLite or DuckDB; Parquet files in a folder or on S3) that many
processes share. SQL lives in `sql/`: numbered migrations in `sql/schema/`, named queries in
`sql/queries/` loaded by `query()`; the same files run on both backends.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
import shutil
import socket
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

import duckdb

from service.search import TextIndex
from service.timeouts import bounded


class _PandasIsAbsent:
    """DuckDB's Python binding tries `import pandas` for each Python value it converts (every
    element of a list parameter), and a failed import searches sys.path again each time: 4,000
    searches and 0.9 s of one text-search read went there. Without pandas, say so at once."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("No module named 'pandas'", name="pandas")
        return None


if importlib.util.find_spec("pandas") is None:
    sys.meta_path.insert(0, _PandasIsAbsent())

if TYPE_CHECKING:
    from service.settings import Settings

T = TypeVar("T")

SQL_DIR = next(
    (p for p in (Path(__file__).parent / "sql", Path(__file__).parent.parent / "sql") if p.is_dir()),
    Path(__file__).parent.parent / "sql",
)
# Extensions are installed from the PyPI wheels (duckdb-extension-*), which carry DuckDB's own
# signed binaries: nothing is downloaded at run time and unsigned code is refused. fts serves
# text search; ducklake and postgres are there for the multi-machine store.
EXTENSIONS = ("fts", "ducklake", "postgres_scanner")
LAKE = "lake"  # the name the DuckLake is attached under
CURSOR_POOL_SIZE = 64  # idle reader cursors kept (more than the server's worker threads)
# A write transaction that clashed with another writer on the lake is redone this many times in
# all, waiting a little longer (with jitter) each time, before the caller gets StoreBusy.
WRITE_ATTEMPTS = 10
# Migrations whose text was edited after release without changing what they mean for an
# existing database: PRIMARY KEYs and list DEFAULTs were removed so that DuckLake can run them.
# A database migrated with the earlier text keeps its constraints and is accepted as it is.
EARLIER_CHECKSUMS = {
    1: "53c6f8080ed91488de5255f400f14ef9e361ab271bf566f9d01288e53b32bbbc",
    2: "cb233a5c363f26102f738d60db07d24503dcb5b08c025bbd492ca83ce2f67654",
    4: "046a1ba4f70c076b334282b225c64161bdb89674ec1fec68ae57d458b4b2c3a0",
    5: "9cb61616357539c5938aea381eeec46253e980b8c1bef58d7d44bd8306f0e773",
}


class StoreError(RuntimeError):
    """The database cannot be used as asked; the message says why and what to do."""


class DatabaseLocked(StoreError):
    """Another process (usually the server) holds the database file for writing."""


class StoreUnavailable(StoreError):
    """The lake's catalog cannot be reached (down, wrong address, wrong credentials)."""


class WriteConflict(StoreError):
    """A write transaction on the lake clashed with another writer's and was rolled back whole.
    `Database.retry` redoes it; callers outside a retry see it as a plain StoreError."""


class StoreBusy(StoreError):
    """A write kept clashing with other writers until the retry bound; nothing of it was stored."""


@dataclass(frozen=True)
class Lake:
    """Where a DuckLake lives: its catalog (`postgres:…`, `sqlite:PATH`, `duckdb:PATH`) and the
    folder or `s3://` prefix of its Parquet files (needed only when the lake is created)."""

    catalog: str
    data_path: str = ""
    refresh_seconds: float = 0.5  # TIMELINE_LAKE_REFRESH_SECONDS: see Database.state

    def __post_init__(self) -> None:
        kind = self.catalog.partition(":")[0]
        if kind not in ("postgres", "sqlite", "duckdb") or ":" not in self.catalog:
            raise StoreError(f"TIMELINE_LAKE_CATALOG={self.describe()!r} must start with postgres:, sqlite: or "
                             "duckdb:, e.g. 'postgres:dbname=timeline host=127.0.0.1 user=timeline'")

    @property
    def kind(self) -> str:
        return self.catalog.partition(":")[0]

    def describe(self) -> str:
        """The catalog without its password, for messages and logs."""
        return self.redact(self.catalog)

    def redact(self, text: str) -> str:
        """`text` (a message that may quote the catalog) without the catalog's password."""
        for word in self.catalog.split(" "):
            if word.lower().startswith("password="):
                text = text.replace(word, "password=***")
        return text


def open_store(settings: "Settings", *, read_only: bool = False) -> "Database":
    """The database the settings name: the DuckDB file, or the DuckLake (TIMELINE_STORE)."""
    if settings.store == "ducklake":
        return Database(lake=Lake(settings.lake_catalog, settings.lake_data, settings.lake_refresh_seconds),
                        read_only=read_only)
    return Database(settings.db_path, read_only=read_only)


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
    """One long-lived DuckDB connection; a cursor per reader; one writer at a time per process.

    DuckDB allows one writing process per file, and within it we serialise writes with a lock
    (the same model as datasette's write thread), so a batch is one transaction and readers
    on their own cursors always see a committed state. A DuckLake (`lake=`) takes writers in
    many processes: there `writing()` makes overlapping transactions conflict, and `retry`
    redoes the loser.
    """

    def __init__(self, path: Path | str = ":memory:", *, read_only: bool = False, lake: Lake | None = None):
        self.lake = lake
        self.path = f"the DuckLake at {lake.describe()}" if lake else str(path)
        self.read_only = read_only
        if lake is None and self.path != ":memory:" and not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(
                ":memory:" if lake else self.path, read_only=read_only and lake is None,
                config={"allow_unsigned_extensions": "false"},
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
        self._load_extensions(EXTENSIONS)
        if lake is not None:
            self._attach_lake(lake)
        self._write_lock = threading.Lock()
        self._last_recorded_at: datetime | None = None
        self._text_index: TextIndex | None = None
        self._indexed_dedup_run: int | None = -1
        self._indexed_state: int | None = None  # state() when the lake's index was last checked
        self._commits = 0  # write transactions this process committed (see state())
        # The lake's last snapshot seen: (id, a moment it was current by, monotonic clock then,
        # self._commits then); see state().
        self._seen: tuple[int, datetime, float, int] | None = None
        self._seen_lock = threading.Lock()
        self._pool: list[duckdb.DuckDBPyConnection] = []  # idle readers' cursors (leased_cursor)
        self._pool_lock = threading.Lock()
        self._closed = False
        self._writer = f"{socket.gethostname()}:{os.getpid()}"

    def _attach_lake(self, lake: Lake) -> None:
        if lake.kind == "sqlite":
            self._load_extensions(("sqlite_scanner",))
        if lake.data_path.startswith(("s3://", "gs://", "r2://", "https://")):
            try:
                self._load_extensions(("httpfs",))
            except Exception:  # not installed: duckdb_extensions has no wheel to load it from
                raise StoreError(f"TIMELINE_LAKE_DATA={lake.data_path!r} is object storage, which needs DuckDB's "
                                 "httpfs extension: install the wheel duckdb-extension-httpfs==1.5.5 into the "
                                 "environment, and create a persistent S3 secret (DuckDB's CREATE PERSISTENT "
                                 "SECRET) for the bucket") from None
        if lake.kind == "duckdb" and not self.read_only:
            Path(lake.catalog.partition(":")[2]).parent.mkdir(parents=True, exist_ok=True)
        options = []
        if lake.data_path:
            data_path = lake.data_path
            if "://" not in data_path:  # absolute: the catalog keeps it for processes in other folders
                data_path = str(Path(data_path).resolve())
                if not self.read_only:
                    Path(data_path).mkdir(parents=True, exist_ok=True)
            options.append("DATA_PATH " + _quote_literal(data_path))
        if self.read_only:
            options.append("READ_ONLY")
        # ATTACH takes no bound parameters; both values come from the settings and are quoted.
        sql = f"ATTACH {_quote_literal('ducklake:' + lake.catalog)} AS {LAKE}"
        try:
            self._con.execute(sql + (f" ({', '.join(options)})" if options else ""))
        except duckdb.Error as exc:
            message = lake.redact(str(exc))
            self._con.close()
            if "lock" in message.lower():
                raise DatabaseLocked(f"the catalog of {self.path} is held by another process; a duckdb: catalog "
                                     "takes one process: use sqlite: or postgres: for several") from None
            raise StoreUnavailable(f"cannot attach {self.path}: {message.strip()} Check that the catalog database "
                                   "is running and reachable, and TIMELINE_LAKE_CATALOG / TIMELINE_LAKE_DATA.") from None
        self._con.execute("USE " + LAKE)

    @property
    def has_text_index(self) -> bool:
        """Whether this process made its full-text index (a regroup keeps only a made one current)."""
        return self._text_index is not None

    @property
    def text_index(self) -> TextIndex:
        """The in-memory full-text index of current events (built on first use)."""
        if self._text_index is None:
            self._text_index = TextIndex(refresh=self._newer_event_texts if self.lake is not None else None)
        return self._text_index

    def _newer_event_texts(self) -> list[tuple[str, str]] | None:
        """On a lake: the current events' texts if a dedup run newer than the indexed one exists
        (another process may have made it), else None. One catalog query per search, and two
        more when the lake changed."""
        with self.reading() as cur:
            state = self.state(cur)  # one catalog query; reading dedup_runs costs several
            if state == self._indexed_state:
                return None
            row = cur.execute(query("latest_dedup_run")).fetchone()
            latest = row[0] if row else None
            if latest == self._indexed_dedup_run:
                self._indexed_state = state
                return None
            texts = [(r["event_id"], r["text"]) for r in fetch(cur, "current_event_texts")]
        self._indexed_dedup_run, self._indexed_state = latest, state
        return texts

    def _load_extensions(self, names: tuple[str, ...]) -> None:
        import duckdb_extensions

        for name in names:
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
        if self.lake is not None:
            try:  # a cursor is a new connection: it starts in the memory catalog
                cur.execute("USE " + LAKE)
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                cur.close()
                raise self._unreachable(exc) from None
        return cur

    @contextmanager
    def leased_cursor(self, seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A reader's cursor from a pool, returned after the block. Opening one per request took
        an eighth of the server's time under the load test (py-spy): each is a new connection to
        the database, which waits on DuckDB's instance lock while other threads query. A cursor in
        autocommit mode starts a fresh transaction with each statement, so a reused one sees
        every commit. Its queries are bounded by `seconds` (service/timeouts.py); one that failed
        or ran past its bound is closed, not reused."""
        with self._pool_lock:
            cur = self._pool.pop() if self._pool else None
        if cur is None:
            cur = self.cursor()
        healthy = False
        try:
            with bounded(cur, seconds) as deadline:
                yield cur
            healthy = not deadline.expired
        finally:
            with self._pool_lock:
                if healthy and not self._closed and len(self._pool) < CURSOR_POOL_SIZE:
                    self._pool.append(cur)
                    cur = None
            if cur is not None:
                cur.close()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.cursor()
        try:
            yield cur
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            raise self._unreachable(exc) from None
        finally:
            cur.close()

    def _unreachable(self, exc: duckdb.Error) -> BaseException:
        """A lake whose catalog stopped answering becomes StoreUnavailable; anything else stays."""
        if self.lake is None:
            return exc
        return StoreUnavailable(f"{self.path} stopped answering: {self.lake.redact(str(exc)).strip()} Nothing of "
                                "the write in progress was stored; send it again once the catalog is back.")

    def fetch(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.reading() as cur:
            return fetch(cur, name, params)

    def state(self, cur: duckdb.DuckDBPyConnection, as_of: datetime | None = None) -> int:
        """A token that changes whenever a commit may have changed what readers see at `as_of`
        (None: now), so that a process can keep small derived tables in memory (service/runs.py).
        On the file it is this process's count of commits, since DuckDB lets only one process
        write a file and a read-only file does not change while it is open. On a lake it is the
        current snapshot id (every commit of any process makes a new one): one catalog round trip,
        which was the whole difference between a read of the lake and of the file. So the last
        snapshot seen is reused for an `as_of` it already covers (any `as_of` before the moment it
        was seen), and `read_moment` lets a read without `as_of` answer for that moment while it
        is at most TIMELINE_LAKE_REFRESH_SECONDS seconds old; a commit of this process always refreshes."""
        if self.lake is None:
            return self._commits
        return self._lake_snapshot(cur, as_of)[0]

    def read_moment(self, cur: duckdb.DuckDBPyConnection) -> datetime:
        """The record time a read without `as_of` answers for: now (`settled_now`), or on a lake
        the moment its last snapshot check was current by, if that check is at most
        TIMELINE_LAKE_REFRESH_SECONDS seconds old. A replica of the API then sees other processes'
        commits up to that long after they land, and says so: the answer's `as_of` is that
        moment, and asking again with it gives the same answer."""
        if self.lake is None:
            return settled_now()
        seen = self._lake_snapshot(cur, None)
        return min(settled_now(), seen[1])

    def _lake_snapshot(self, cur: duckdb.DuckDBPyConnection, as_of: datetime | None) -> tuple[int, datetime, float, int]:
        with self._seen_lock:
            seen = self._seen
        if seen is not None and seen[3] == self._commits:
            covered = seen[1] >= as_of if as_of is not None else time.monotonic() - seen[2] <= self.lake.refresh_seconds
            if covered:
                return seen
        current_by = datetime.now(timezone.utc)  # before the question: the answer is at least this new
        row = cur.execute(query("lake_snapshot")).fetchone()
        seen = (int(row[0]), current_by, time.monotonic(), self._commits)
        with self._seen_lock:
            if self._seen is None or self._seen[1] < current_by:
                self._seen = seen
        return seen

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: all of it is stored, or none of it.

        On the lake it first takes the write turn (see sql/schema/007_write_turn.sql), so a
        transaction that overlapped another writer's fails at commit with WriteConflict instead
        of silently reusing the ids or versions the other one allocated; `retry` redoes it.
        """
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                if self.lake is not None:
                    cur.execute("DELETE FROM write_turn")
                    cur.execute("INSERT INTO write_turn VALUES ($w, now())", {"w": self._writer})
                yield cur
                try:
                    cur.execute("COMMIT")
                except duckdb.TransactionException as exc:
                    if _is_conflict(exc):
                        raise WriteConflict(f"another writer committed to {self.path} first: {exc}") from None
                    raise
                self._commits += 1
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                _rollback(cur)
                raise self._unreachable(exc) from None
            except BaseException:
                _rollback(cur)
                raise
            finally:
                _settle(id(cur))
                cur.close()

    def retry(self, work: Callable[[], T], what: str) -> T:
        """Run `work` (which opens its own write transactions) and redo it whole when it clashed
        with another writer on the lake; after WRITE_ATTEMPTS clashes, raise StoreBusy."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return work()
            except WriteConflict:
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
        raise StoreBusy(
            f"{what} clashed with other writers on {self.path} {WRITE_ATTEMPTS} times in a row and was not "
            "stored. Send it again (articles already stored are skipped), or run fewer writers at once."
        )

    def next_record_time(self, cur: duckdb.DuckDBPyConnection) -> datetime:
        """Record time for a new write: now, but strictly after anything already recorded,
        so `as_of` stays exact even if the machine's clock steps back (or, on the lake, another
        writer's clock is ahead: there the latest record time is read in every transaction)."""
        now = datetime.now(timezone.utc)
        if self._last_recorded_at is None or self.lake is not None:
            row = cur.execute(query("latest_record_time")).fetchone()
            latest = row[0] if row and row[0] else None
            if latest is not None and (self._last_recorded_at is None or latest > self._last_recorded_at):
                self._last_recorded_at = latest
        if self._last_recorded_at is not None and now <= self._last_recorded_at:
            now = self._last_recorded_at + timedelta(microseconds=1)
        now = _take_record_time(id(cur), now)  # in flight until `writing` commits or rolls back
        self._last_recorded_at = now
        return now

    def checkpoint(self) -> None:
        # On a lake CHECKPOINT is the whole maintenance (merging files, expiring snapshots):
        # far too much after each batch, and it would clash with other writers. See compact().
        if not self.read_only and self.lake is None:
            with self._write_lock:
                self._con.execute("CHECKPOINT")

    def compact(self, *, expire_older_than: timedelta | None = None) -> list[str]:
        """Lake maintenance: move small inlined inserts into Parquet files and merge adjacent
        small files (one per write transaction) into larger ones. With `expire_older_than`, also
        forget DuckLake snapshots older than that and delete the files only they used; the
        service never time-travels through DuckLake snapshots (record time is in its own
        columns), so this loses no `as_of` answer. On the DuckDB file: a CHECKPOINT."""
        if self.lake is None:
            self.checkpoint()
            return ["CHECKPOINT"]
        # (what `timeline compact` prints, the statement, its parameters)
        lake = {"lake": LAKE}
        steps = [("flush inlined data into Parquet files", "CALL ducklake_flush_inlined_data($lake)", lake),
                 ("merge adjacent small files", "CALL ducklake_merge_adjacent_files($lake)", lake)]
        if expire_older_than is not None:
            before = datetime.now(timezone.utc) - expire_older_than
            with self.reading() as cur:  # by id: sql/queries/lake_snapshots_older_than.sql says why
                old = [int(row[0]) for row in cur.execute(query("lake_snapshots_older_than"), {"before": before})
                       .fetchall()]
            if old:
                steps.append((f"expire {len(old)} snapshots (ids {old[0]} to {old[-1]}) taken before "
                              f"{before.isoformat(timespec='seconds')}",
                              "CALL ducklake_expire_snapshots($lake, versions => $versions)", lake | {"versions": old}))
            steps += [
                ("delete the files only expired snapshots used", "CALL ducklake_cleanup_old_files($lake, cleanup_all => true)",
                 lake),
                (f"delete files no snapshot knows, written before {before.isoformat(timespec='seconds')}",
                 "CALL ducklake_delete_orphaned_files($lake, older_than => $before)", lake | {"before": before}),
            ]

        def run(sql: str, params: dict[str, Any]) -> None:
            with self._write_lock:
                cur = self.cursor()
                try:
                    cur.execute(sql, params)
                except duckdb.TransactionException as exc:
                    if _is_conflict(exc):
                        raise WriteConflict(str(exc)) from None
                    raise
                finally:
                    cur.close()

        for _, sql, params in steps:
            self.retry(lambda sql=sql, params=params: run(sql, params), "compaction")
        return [shown for shown, _, _ in steps]

    # -- schema --------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; refuse a database changed behind our back.
        Processes that start together on one lake may race here: DuckLake refuses the second
        CREATE of the same table, and the loser starts over and finds the work done."""
        if self.read_only:
            return []
        return self.retry(self._migrate_once, "migrating the schema")

    def _migrate_once(self) -> list[int]:
        applied: list[int] = []
        with self._write_lock:
            cur = self.cursor()
            try:
                _run_conflict_checked(cur, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                           "version INTEGER NOT NULL, name VARCHAR NOT NULL, "
                                           "checksum VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")
                done = {v: c for v, c in cur.execute("SELECT version, checksum FROM schema_migrations").fetchall()}
                for number, name, sql in migrations():
                    checksum = hashlib.sha256(sql.encode()).hexdigest()
                    if number in done:
                        if done[number] not in (checksum, EARLIER_CHECKSUMS.get(number)):
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
                        _run_conflict_checked(cur, "COMMIT")
                        self._commits += 1
                    except BaseException:
                        _rollback(cur)
                        raise
                    applied.append(number)
            except duckdb.CatalogException as exc:
                # Another process created the same table or view first, between our read of
                # schema_migrations and our CREATE: start over, and find it applied.
                if self.lake is not None and "already exists" in str(exc):
                    raise WriteConflict(str(exc)) from None
                raise
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
            if self.lake is None:
                self._copy_file(partial)
            else:
                self._copy_lake(partial)
        partial.replace(final)
        latest = folder / "LATEST"
        tmp = folder / ".LATEST.partial"
        tmp.write_text(final.name + "\n", encoding="utf-8")
        tmp.replace(latest)
        return final

    def _copy_file(self, partial: Path) -> None:
        """The file as it is, bytes copied: nothing writes it while we hold the write lock (DuckDB
        lets one process write, and that is us). Rewriting it through COPY FROM DATABASE took
        2.4 s and 3.3 CPU-seconds for a 57 MB store, the copy 0.08 s: a snapshot every few
        seconds must not take a core from the readers. Should CHECKPOINT leave a WAL behind, it is
        copied too and replayed into the copy, so the copy never depends on it."""
        self._con.execute("CHECKPOINT")
        shutil.copyfile(self.path, partial)
        wal = Path(self.path + ".wal")
        partial_wal = Path(str(partial) + ".wal")
        partial_wal.unlink(missing_ok=True)
        if wal.exists():
            shutil.copyfile(wal, partial_wal)
            duckdb.connect(str(partial)).close()  # replays and folds the WAL into the copy
        partial_wal.unlink(missing_ok=True)

    def _copy_lake(self, partial: Path) -> None:
        """The lake copied into one DuckDB file, through DuckDB (never its Parquet files)."""
        cur = self.cursor()
        try:
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

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            idle, self._pool = self._pool, []
        for cur in idle:
            cur.close()
        if self._text_index is not None:
            self._text_index.close()
        self._con.close()


# A write takes its record time before it commits, and its rows appear at commit. A read "as of
# now" made in between would miss them, and the same `as_of` asked again later would not: so reads
# at now stay before every record time still in flight in this process, and a new record time
# comes after every "now" already handed out. (Writers in other processes, on a lake, are not seen.)
_clock_lock = threading.Lock()
_in_flight: dict[int, datetime] = {}
_handed_out: datetime | None = None


def settled_now() -> datetime:
    """Now, or just before the record time of a write still in flight: the latest time whose
    answer is final. Reads without `as_of` use it, and answer with it."""
    global _handed_out
    with _clock_lock:
        moment = datetime.now(timezone.utc)
        if _in_flight:
            moment = min(moment, min(_in_flight.values()) - timedelta(microseconds=1))
        if _handed_out is None or moment > _handed_out:
            _handed_out = moment
        return moment


def _take_record_time(key: int, moment: datetime) -> datetime:
    with _clock_lock:
        if _handed_out is not None and moment <= _handed_out:
            moment = _handed_out + timedelta(microseconds=1)
        _in_flight.setdefault(key, moment)
        return moment


def _settle(key: int) -> None:
    with _clock_lock:
        _in_flight.pop(key, None)


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


def _is_conflict(exc: BaseException) -> bool:
    # DuckLake's own word for a logical clash; a SQLite catalog also refuses a commit while another
    # process holds its lock ("database is locked"), which a later attempt gets past.
    message = str(exc).lower()
    return "conflict" in message or "database is locked" in message


def _run_conflict_checked(cur: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        cur.execute(sql)
    except duckdb.TransactionException as exc:
        if _is_conflict(exc):
            raise WriteConflict(str(exc)) from None
        raise


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass  # a failed COMMIT has already ended the transaction


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
