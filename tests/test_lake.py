"""DuckLake on a real PostgreSQL catalog: several writer processes at once, a reader while they
write, conflicts between overlapping writers, and a catalog that goes away.

The server is Debian's `postgresql` (`.ci/run` installs it), started in a temporary folder on a
free port by scripts/pg_temp.py; where it cannot start, these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest

from conftest import REPO, SHARED_DATA, store_settings
from service.articles import ArticleIn, Limits, validate_batch
from service.ingest import ingest_articles
from service.settings import Settings
from service.store import Database, StoreUnavailable, WriteConflict, open_store

sys.path.insert(0, str(REPO / "scripts"))
from pg_temp import PostgresServer, PostgresUnavailable, start_postgres  # noqa: E402

TBAQ = SHARED_DATA / "tbaq" / "TimeBank"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL cannot be started here: {exc}")
    yield server
    server.remove()


def lake_settings(postgres: PostgresServer, folder: Path, name: str) -> Settings:
    return store_settings(folder).replace(store="ducklake", lake_catalog=postgres.catalog(name),
                                          lake_data=str(folder / "lake"))


def env_for(settings: Settings) -> dict:
    return {**os.environ, "TIMELINE_STORE": "ducklake", "TIMELINE_LAKE_CATALOG": settings.lake_catalog,
            "TIMELINE_LAKE_DATA": settings.lake_data, "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}


def count(db: Database, sql: str) -> int:
    with db.reading() as cur:
        return cur.execute(sql).fetchone()[0]


@pytest.mark.skipif(not TBAQ.is_dir(), reason="needs ../shared/data/tbaq")
def test_three_writer_processes_and_a_reader_share_one_lake(postgres: PostgresServer, tmp_path: Path) -> None:
    settings = lake_settings(postgres, tmp_path, "multi")
    docs = sorted(TBAQ.glob("*.tml"))[:13]
    shared, rest = docs[0], docs[1:]
    folders = []
    for index in range(3):  # different articles each, and one article that all three send
        folder = tmp_path / f"set{index}"
        folder.mkdir()
        for doc in [shared, *rest[index * 4 : index * 4 + 4]]:
            shutil.copy(doc, folder / doc.name)
        folders.append(folder)
    db = open_store(settings)
    db.migrate()

    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read_while_they_write() -> None:
        reader = open_store(settings, read_only=True)
        try:
            while not done.is_set():
                with reader.reading() as cur:  # a batch is all there or not at all
                    articles, runs = cur.execute(
                        "SELECT (SELECT count(*) FROM current_articles), "
                        "(SELECT count(DISTINCT article_id) FROM pipeline_runs)").fetchone()
                    cur.execute("SELECT count(*) FROM timeline").fetchone()
                seen.append((articles, runs))
                done.wait(0.2)  # the pace of one reader; returns at once when the writers finish
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            reader.close()

    reader = threading.Thread(target=read_while_they_write)
    reader.start()
    writers = [subprocess.Popen([sys.executable, "-m", "service.cli", "ingest", "--direct", "--format", "timeml",
                                 "--batch-size", "2", str(folder)], env=env_for(settings), cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for folder in folders]
    outputs = [w.communicate(timeout=600) for w in writers]
    done.set()
    reader.join()
    for writer, (out, err) in zip(writers, outputs):
        assert writer.returncode == 0, err
    assert not errors, errors
    assert seen and all(articles == runs for articles, runs in seen), seen

    assert count(db, "SELECT count(*) FROM article_versions") == 13  # the shared article once
    assert count(db, "SELECT count(*) FROM current_articles") == 13
    assert count(db, "SELECT count(*) FROM pipeline_runs") == 13
    assert count(db, "SELECT count(DISTINCT run_id) FROM pipeline_runs") == 13
    assert count(db, "SELECT count(DISTINCT dedup_run_id) FROM dedup_runs") == count(db, "SELECT count(*) FROM dedup_runs")
    created = sum(int(out.split(": ")[1].split(" created")[0]) for out, _ in outputs)
    assert created == 13
    # The timeline is complete: the latest grouping holds every current mention once...
    mentions = count(db, "SELECT count(*) FROM current_event_mentions")
    assert mentions > 0
    assert count(db, "SELECT count(*) FROM current_events e JOIN event_mention_links l "
                     "ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id") == mentions
    # ...and it is the timeline one process makes of the same articles.
    lake_events = _events(db)
    db.close()
    single = open_store(store_settings(tmp_path / "single"))
    single.migrate()
    pairs = []
    from service.sources.files import read_path

    for folder in folders:
        pairs.extend(read_path(folder, "timeml"))
    ingest_articles(single, validate_batch([a for _, a in pairs], Limits(max_batch_articles=100)), origin="test")
    assert _events(single) == lake_events
    single.close()


def _events(db: Database) -> list[tuple]:
    with db.reading() as cur:
        return cur.execute("SELECT event_id, kind, label, valid_from, valid_until, grain FROM current_events "
                           "ORDER BY event_id").fetchall()


def test_overlapping_writers_conflict_and_the_loser_is_redone(postgres: PostgresServer, tmp_path: Path) -> None:
    settings = lake_settings(postgres, tmp_path, "conflict")
    first, second = open_store(settings), open_store(settings)
    first.migrate()
    insert = "INSERT INTO ingest_batches VALUES ($b, now(), 'test', 0, 0, 0, 0, 0)"
    with pytest.raises(WriteConflict):
        with first.writing() as cur:
            cur.execute(insert, {"b": "loser"})
            with second.writing() as other:
                other.execute(insert, {"b": "winner"})
    attempts: list[int] = []

    def clashes_once() -> None:
        with first.writing() as cur:
            cur.execute(insert, {"b": f"try-{len(attempts)}"})
            attempts.append(1)
            if len(attempts) == 1:
                with second.writing() as other:
                    other.execute(insert, {"b": "meanwhile"})

    first.retry(clashes_once, "a test write")
    with first.reading() as cur:
        stored = sorted(r[0] for r in cur.execute("SELECT batch_id FROM ingest_batches").fetchall())
    assert stored == ["meanwhile", "try-1", "winner"]
    first.close()
    second.close()


def test_a_catalog_that_goes_away_mid_ingest_stores_nothing_and_the_batch_can_be_resent(
        postgres: PostgresServer, tmp_path: Path) -> None:
    settings = lake_settings(postgres, tmp_path, "outage")
    db = open_store(settings)
    db.migrate()
    batch = validate_batch([ArticleIn(id=f"a{i}", source="Wire", body="On Monday, the council met.",
                                      published_at="2023-05-23T12:00:00+03:00") for i in range(3)], Limits())
    postgres.stop()
    try:
        with pytest.raises(StoreUnavailable, match="send it again once the catalog is back"):
            ingest_articles(db, batch, origin="test")
    finally:
        postgres.start()
    assert count(db, "SELECT count(*) FROM article_versions") == 0
    report = ingest_articles(db, batch, origin="test")  # the same connection, once the catalog is back
    assert report.created == 3
    assert ingest_articles(db, batch, origin="test").unchanged == 3
    assert count(db, "SELECT count(*) FROM article_versions") == 3
    db.close()


@pytest.mark.skipif(not TBAQ.is_dir(), reason="needs ../shared/data/tbaq")
def test_a_catalog_that_is_down_at_start_stops_the_ingest_with_exit_3_and_one_message(tmp_path: Path) -> None:
    # port 1: nothing listens there, so the catalog is down from the start (no server needed)
    env = {**os.environ, "TIMELINE_STORE": "ducklake", "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"),
           "TIMELINE_LAKE_CATALOG": "postgres:dbname=t host=127.0.0.1 port=1 connect_timeout=2",
           "TIMELINE_LAKE_DATA": str(tmp_path / "lake"), "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}
    doc = sorted(TBAQ.glob("*.tml"))[0]
    done = subprocess.run([sys.executable, "-m", "service.cli", "ingest", "--direct", "--format", "timeml", str(doc)],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot attach the DuckLake" in done.stderr and "Check that the catalog database is running" in done.stderr
    assert not list((tmp_path / "lake").glob("**/*.parquet"))  # nothing of the batch written


def test_a_replica_reuses_its_last_snapshot_check_within_the_refresh_bound(postgres: PostgresServer,
                                                                           tmp_path: Path) -> None:
    """TIMELINE_LAKE_REFRESH_SECONDS: a read without as_of answers for the moment of the last
    snapshot check while it is fresh enough; an as_of after that check, or a commit of the
    process itself, asks the catalog again; 0 asks on every read."""
    settings = lake_settings(postgres, tmp_path, "refresh")
    writer = open_store(settings)
    writer.migrate()
    reader = open_store(settings.replace(lake_refresh_seconds=3600))
    eager = open_store(settings.replace(lake_refresh_seconds=0))
    try:
        with reader.reading() as cur, eager.reading() as eager_cur:
            moment, state = reader.read_moment(cur), reader.state(cur)
            eager_moment = eager.read_moment(eager_cur)
            with writer.writing():
                pass  # another process's commit: a new snapshot
            assert reader.read_moment(cur) == moment  # within the bound: the same moment, no question
            assert reader.state(cur) == state
            assert reader.state(cur, moment) == state  # an as_of the last check covers never asks
            assert eager.read_moment(eager_cur) > eager_moment  # 0: asks every time
            assert eager.state(eager_cur) != state  # ... and sees the commit
            later = writer.read_moment(writer.cursor())  # after the commit
            assert reader.state(cur, later) != state  # an as_of after the check asks, and sees it
            assert reader.read_moment(cur) > moment  # and reads without as_of move on with it
            refreshed = reader.state(cur)
            with reader.writing():
                pass  # its own commit
            assert reader.state(cur) != refreshed  # a process always reads its own writes
    finally:
        for db in (writer, reader, eager):
            db.close()


@pytest.mark.parametrize("catalog", ["sqlite", "duckdb"])
def test_compact_expires_only_the_snapshots_older_than_asked_and_keeps_every_answer(tmp_path: Path,
                                                                                      catalog: str) -> None:
    """`timeline compact --expire-days`: snapshots taken before the bound go, fresher ones stay,
    the current one always stays, and the timeline reads the same. (DuckLake's own `older_than`
    expired every snapshot of a SQLite catalog, fresh ones too; the store picks the ids itself.)"""
    settings = store_settings(tmp_path).replace(store="ducklake", lake_catalog=f"{catalog}:{tmp_path / 'catalog'}",
                                                lake_data=str(tmp_path / "lake"))
    db = open_store(settings)
    db.migrate()
    batch = validate_batch([ArticleIn(id=f"a{i}", source="Wire", body=f"On Monday, council {i} met.",
                                      published_at="2023-05-23T12:00:00+03:00") for i in range(3)], Limits())
    ingest_articles(db, batch, origin="test")
    snapshots = "SELECT count(*) FROM ducklake_snapshots('lake')"
    before = count(db, snapshots)
    timeline = _events(db)

    # every snapshot is seconds old (an hour, not a day: the text comparison went wrong within a day)
    db.compact(expire_older_than=timedelta(hours=1))
    assert count(db, snapshots) >= before  # compaction may add its own; none is expired

    db.compact(expire_older_than=timedelta(0))
    assert count(db, snapshots) == 1
    assert _events(db) == timeline and timeline
    assert count(db, "SELECT count(*) FROM current_articles") == 3
    db.close()
