"""The dedup runs kept in memory (service/runs.py) answer exactly as timeline_run.sql does, on
the file and on the lake, and see a new run as soon as it is committed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from service.articles import ArticleIn, Limits, validate_batch
from service.ingest import ingest_articles
from service.runs import DedupRuns
from service.store import Database, fetch


def story(n: int) -> list:
    return validate_batch([ArticleIn(id=f"a{n}", source="Wire", published_at="2023-05-23T12:00:00+03:00",
                                     body=f"On Monday, {n} drones attacked the town of Graivoron, the governor said.")],
                          Limits())


def from_sql(db: Database, as_of: datetime) -> dict | None:
    with db.reading() as cur:
        rows = fetch(cur, "timeline_run", {"as_of": as_of})
    assert len(rows) <= 1
    return rows[0] if rows else None


def test_runs_in_memory_answer_as_the_query_does(db: Database) -> None:
    runs = DedupRuns(db)
    with db.reading() as cur:
        assert runs.at(cur, datetime.now(timezone.utc)) is None  # no run yet
    for n in range(1, 4):
        ingest_articles(db, story(n), origin="test")
        with db.reading() as cur:  # the new run is seen at once, without a new DedupRuns
            now = datetime.now(timezone.utc)
            assert runs.at(cur, now) == from_sql(db, now) is not None
    with db.reading() as cur:
        recorded = [r["recorded_at"] for r in fetch(cur, "dedup_run_list")]
        assert len(recorded) == 3
        tick = timedelta(microseconds=1)
        probes = [recorded[0] - timedelta(days=1)] + [t + d for t in recorded for d in (-tick, timedelta(0), tick)]
        for as_of in probes:
            assert runs.at(cur, as_of) == from_sql(db, as_of), as_of
