"""The store: migrations, named queries, and read-only snapshots, on real DuckDB files."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from service import store
from service.store import Database, StoreError, latest_snapshot, migrations, query, query_names

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
}


def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    database = Database(tmp_path / "t.duckdb")
    assert database.migrate() == [n for n, _, _ in migrations()]
    assert database.migrate() == []
    assert database.schema_version() == migrations()[-1][0]
    database.close()


@pytest.mark.parametrize("name", query_names())
def test_every_named_query_prepares_on_a_fresh_database(db: Database, name: str) -> None:
    with db.reading() as cur:
        for frame, sql in FRAMES.items():
            cur.execute("CREATE TEMP VIEW " + frame + " AS " + sql)
        cur.execute("PREPARE checked AS " + query(name))


def test_an_edited_migration_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sql_copy = tmp_path / "sql"
    shutil.copytree(store.SQL_DIR, sql_copy)
    monkeypatch.setattr(store, "SQL_DIR", sql_copy)
    database = Database(tmp_path / "t.duckdb")
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
