"""The tables the reads store with each dedup run (sql/schema/010-016: timeline_rows,
timeline_name_keys, article_folds, day_evidence) are filled by their migrations on a store made
before them, and the answers read from them there are those of a store that wrote them itself."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import msgspec
import pytest

from service import store
from service.demo import load_demo_if_empty
from service.key_dates import read_key_dates
from service.store import Database
from service.timeline import TimelineQuery, read_timeline

READ_TABLES = ("010_", "011_", "012_", "013_", "014_", "015_", "016_")


def _answers(db: Database) -> list[bytes]:
    now = datetime.now(timezone.utc)
    out = []
    with db.reading() as cur:
        for q in (TimelineQuery(as_of=now, limit=50), TimelineQuery(as_of=now, limit=50, minor=True),
                  TimelineQuery(as_of=now, limit=5, offset=3, entity="Belgorod"),
                  TimelineQuery(as_of=now, limit=50, entity="Kyiv", kind="reporting")):
            page = read_timeline(cur, q)
            out.append(msgspec.json.encode(msgspec.structs.replace(page, as_of=datetime(2000, 1, 1, tzinfo=timezone.utc))))
        days = read_key_dates(cur, now, top=20)
        out.append(msgspec.json.encode(days.days))
    return out


def test_the_migrations_fill_a_store_made_before_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Database(tmp_path / "fresh.duckdb")
    fresh.migrate()
    load_demo_if_empty(fresh)
    expected = _answers(fresh)
    fresh.close()
    assert b'"items":[]' not in expected[0] and expected[-1] != b"[]"  # something to compare

    before = tmp_path / "sql"
    shutil.copytree(store.SQL_DIR, before)
    for path in (before / "schema").glob("*.sql"):
        if path.name.startswith(READ_TABLES):
            path.unlink()
    real = store.SQL_DIR
    for path in (before / "queries").glob("*.sql"):  # the write queries as they were
        text = path.read_text()
        if "day_evidence" in text or "article_folds" in text or "timeline_rows" in text:
            path.unlink()
    (before / "queries" / "insert_event_summaries.sql").write_text(  # as 009 left it
        (Path(__file__).parent / "data_insert_event_summaries_009.sql").read_text())
    for name in ("insert_article_versions", "insert_pipeline_runs", "insert_time_expressions", "insert_event_mentions"):
        (before / "queries" / f"{name}.sql").write_text(
            (real / "queries" / f"{name}.sql").read_text().split(";")[0] + ";\n")
    monkeypatch.setattr(store, "SQL_DIR", before)
    store.query.cache_clear()
    old = Database(tmp_path / "old.duckdb")
    old.migrate()
    load_demo_if_empty(old)
    old.close()

    monkeypatch.setattr(store, "SQL_DIR", real)
    store.query.cache_clear()
    migrated = Database(tmp_path / "old.duckdb")
    assert migrated.migrate() == [10, 11, 12, 13, 14, 15, 16]
    assert _answers(migrated) == expected
    migrated.close()
