"""The store: migrations, named queries, read-only snapshots and write conflicts, on real DuckDB
files and real DuckLakes (see BOTH_BACKENDS in conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from service import store
from service.settings import Settings
from service.store import (Database, Lake, StoreBusy, StoreError, WriteConflict, latest_snapshot, migrations,
                           open_store, query, query_names)

# Frames that write queries read; a test registers empty ones shaped like the target table.
FRAMES = {
    "incoming_articles": "SELECT ''::VARCHAR AS article_id, ''::VARCHAR AS content_hash LIMIT 0",
    "new_article_versions": "SELECT * FROM article_versions LIMIT 0",
    "new_pipeline_runs": "SELECT * FROM pipeline_runs LIMIT 0",
    "new_time_expressions": "SELECT * FROM time_expressions LIMIT 0",
    "new_event_mentions": "SELECT * FROM event_mentions LIMIT 0",
    "new_events": "SELECT * FROM events LIMIT 0",
    "new_event_mention_links": "SELECT * FROM event_mention_links LIMIT 0",
    "new_event_claims": "SELECT * FROM event_claims LIMIT 0",
    # what service/timeline.py registers for a timeline page read from SQL
    "timeline_hit_ids": "SELECT ''::VARCHAR AS event_id, 0.0::DOUBLE AS score LIMIT 0",
    "timeline_hits": "SELECT 0::INTEGER AS position, 0.0::DOUBLE AS score LIMIT 0",
    "timeline_entity_ids": "SELECT ''::VARCHAR AS event_id LIMIT 0",
    "timeline_entity": "SELECT 0::INTEGER AS position LIMIT 0",
    "timeline_page": "SELECT 0::INTEGER AS position LIMIT 0",
    # the in-memory copy of a state's mentions (service.timeline.MentionCopy), shaped like its rows
    "mention_copy": "SELECT * FROM (" + query("timeline_mention_order").replace("$as_of", "now()").rstrip().rstrip(";")
                    + ") LIMIT 0",
}


def test_migrations_apply_once_and_are_recorded(settings: Settings) -> None:
    database = open_store(settings)
    assert database.migrate() == [n for n, _, _ in migrations()]
    assert database.migrate() == []
    assert database.schema_version() == migrations()[-1][0]
    database.close()


@pytest.mark.parametrize("name", query_names())
def test_every_named_query_prepares_on_a_fresh_database(db: Database, name: str) -> None:
    if name.startswith("lake_") and db.lake is None:
        pytest.skip("a lake_ query reads DuckLake's own functions: it runs on the lake only")
    with db.reading() as cur:
        for frame, sql in FRAMES.items():
            cur.execute("CREATE TEMP VIEW " + frame + " AS " + sql)
        # each statement of the file on its own (PREPARE takes one; the rest would run)
        for number, statement in enumerate(cur.extract_statements(query(name))):
            cur.execute(f"PREPARE checked_{number} AS " + statement.query)


def test_an_edited_migration_is_refused(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sql_copy = tmp_path / "sql"
    shutil.copytree(store.SQL_DIR, sql_copy)
    monkeypatch.setattr(store, "SQL_DIR", sql_copy)
    database = open_store(settings)
    database.migrate()
    first = sorted((sql_copy / "schema").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(StoreError, match="changed after it was applied"):
        database.migrate()
    database.close()


def test_a_second_writer_process_gets_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "t.duckdb"
    holder = Database(path)
    code = (
        "import sys\nfrom service.store import Database, DatabaseLocked\n"
        f"try:\n    Database({str(path)!r})\nexcept DatabaseLocked as e:\n    print(e); sys.exit(7)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    holder.close()
    assert result.returncode == 7, result.stderr
    assert "held by another process" in result.stdout


def test_snapshot_is_complete_and_read_only(db: Database, tmp_path: Path) -> None:
    with db.writing() as cur:
        cur.execute(
            "INSERT INTO article_versions VALUES ('a', 1, 'h', 's', NULL, 'en', NULL, 'body', "
            "TIMESTAMPTZ '2023-05-23 09:00:00+00', 'UTC', TIMESTAMP '2023-05-23 09:00:00', now(), 'b')"
        )
    path = db.snapshot(tmp_path / "snaps")
    assert latest_snapshot(tmp_path / "snaps") == path
    copy = Database(path, read_only=True)
    with copy.reading() as cur:
        assert cur.execute("SELECT count(*) FROM current_articles").fetchone() == (1,)
        with pytest.raises(duckdb.Error, match="read-only"):
            cur.execute("DELETE FROM article_versions")
    copy.close()


def test_snapshot_holds_writes_a_reader_kept_out_of_the_checkpoint(db: Database, tmp_path: Path) -> None:
    # The snapshot copies the file's bytes while readers go on: one holding a transaction open
    # across the write and the snapshot must not cost the copy a committed write.
    reader = db.cursor()
    reader.execute("BEGIN TRANSACTION")
    reader.execute("SELECT count(*) FROM article_versions").fetchall()
    with db.writing() as cur:
        cur.execute(
            "INSERT INTO article_versions VALUES ('late', 1, 'h', 's', NULL, 'en', NULL, 'body', "
            "TIMESTAMPTZ '2023-05-23 09:00:00+00', 'UTC', TIMESTAMP '2023-05-23 09:00:00', now(), 'b')"
        )
    path = db.snapshot(tmp_path / "snaps")
    reader.execute("ROLLBACK")
    reader.close()
    copy = Database(path, read_only=True)
    with copy.reading() as cur:
        assert cur.execute("SELECT article_id FROM current_articles").fetchall() == [("late",)]
    copy.close()
    assert not list((tmp_path / "snaps").glob("*.wal")) and not list((tmp_path / "snaps").glob(".*partial*"))


def test_a_file_migrated_before_the_constraints_were_dropped_is_accepted(tmp_path: Path) -> None:
    database = Database(tmp_path / "t.duckdb")
    database.migrate()
    with database.writing() as cur:  # as recorded by a database migrated with the earlier text
        for number, checksum in store.EARLIER_CHECKSUMS.items():
            cur.execute("UPDATE schema_migrations SET checksum = $c WHERE version = $v", {"c": checksum, "v": number})
    assert database.migrate() == []
    database.close()


def test_the_catalog_password_stays_out_of_messages() -> None:
    lake = Lake("postgres:dbname=t host=127.0.0.1 port=1 password=s3cret connect_timeout=2")
    assert "s3cret" not in lake.describe()
    with pytest.raises(StoreError, match="cannot attach") as raised:
        Database(lake=lake)
    assert "s3cret" not in str(raised.value)


def test_a_write_that_keeps_clashing_stops_with_a_clear_error(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # Real clashes between processes are in tests/test_lake.py (PostgreSQL catalog).
    attempts = []

    def loses_once() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise WriteConflict("another writer committed first")
        return "stored"

    assert db.retry(loses_once, "a test write") == "stored" and len(attempts) == 2

    def always_loses() -> None:
        raise WriteConflict("another writer committed first")

    monkeypatch.setattr(store, "WRITE_ATTEMPTS", 2)
    with pytest.raises(StoreBusy, match="2 times in a row and was not stored. Send it again"):
        db.retry(always_loses, "a test write")
