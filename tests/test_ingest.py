"""Ingest into a real DuckDB file: idempotence, versions, record time and `as_of`."""

from __future__ import annotations

from datetime import datetime, timezone

from service.articles import ArticleIn, Limits, validate_batch
from service.demo import DEMO_DIR, load_demo_if_empty
from service.ingest import ingest_articles, reprocess_stale
from service.pipeline import Derived, derive
from service.store import Database, fetch


def articles(*items: dict) -> list:
    return validate_batch([ArticleIn(**i) for i in items], Limits())


def one(id: str = "a1", body: str = "On Monday, the council met in February 2022.") -> dict:
    return {"id": id, "source": "Wire", "body": body, "published_at": "2023-05-23T12:00:00+03:00"}


def count(db: Database, table: str) -> int:
    with db.reading() as cur:
        return cur.execute("SELECT count(*) FROM " + table).fetchone()[0]


def test_same_article_twice_changes_nothing(db: Database) -> None:
    first = ingest_articles(db, articles(one()), origin="test")
    again = ingest_articles(db, articles(one()), origin="test")
    assert (first.created, again.created, again.unchanged) == (1, 0, 1)
    assert again.articles[0].version == 1
    assert count(db, "article_versions") == 1
    assert count(db, "pipeline_runs") == 1
    assert count(db, "ingest_batches") == 1  # a batch that stored nothing leaves no trace


def test_new_content_is_a_new_version_and_the_old_one_stays(db: Database) -> None:
    ingest_articles(db, articles(one()), origin="test")
    report = ingest_articles(db, articles(one(body="On Tuesday, the council met again.")), origin="test")
    assert [(a.version, a.status) for a in report.articles] == [(2, "new_version")]
    versions = db.fetch("article_versions_of", {"article_id": "a1", "as_of": datetime.now(timezone.utc)})
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["superseded_at"] == versions[1]["recorded_at"]
    assert versions[1]["superseded_at"] is None
    # re-sending the old content does not bring it back
    assert ingest_articles(db, articles(one()), origin="test").articles[0].status == "unchanged"


def test_one_batch_can_hold_two_versions_of_an_article(db: Database) -> None:
    report = ingest_articles(db, articles(one(), one(body="Corrected text."), one()), origin="test")
    assert [(a.version, a.status) for a in report.articles] == [(1, "created"), (2, "new_version"), (1, "created")]
    assert count(db, "article_versions") == 2


def test_as_of_reproduces_what_was_known(db: Database) -> None:
    first = ingest_articles(db, articles(one()), origin="test")
    before = db.fetch("article_time_expressions", {"article_id": "a1", "as_of": first.recorded_at})
    second = ingest_articles(db, articles(one(body="Nothing dated here.")), origin="test")
    assert first.recorded_at < second.recorded_at
    assert db.fetch("article_time_expressions", {"article_id": "a1", "as_of": first.recorded_at}) == before
    assert [r["text"] for r in before] == ["Monday", "February 2022"]
    assert db.fetch("article_time_expressions", {"article_id": "a1", "as_of": second.recorded_at}) == []
    past = datetime(2000, 1, 1, tzinfo=timezone.utc)
    assert db.fetch("article_versions_of", {"article_id": "a1", "as_of": past}) == []


def test_a_new_pipeline_version_supersedes_rows_without_deleting_them(db: Database) -> None:
    first = ingest_articles(db, articles(one()), origin="test", version="v1")
    assert reprocess_stale(db, version="v1").reprocessed == 0

    def no_times(article) -> Derived:
        return Derived(warnings=["experimental pipeline"])

    report = reprocess_stale(db, deriver=no_times, version="v2")
    assert report.reprocessed == 1
    assert reprocess_stale(db, deriver=no_times, version="v2").reprocessed == 0
    assert count(db, "current_time_expressions") == 0
    assert count(db, "time_expressions") == 2  # nothing deleted
    with db.reading() as cur:
        rows = cur.execute("SELECT pipeline_version, superseded_at IS NULL FROM run_history ORDER BY run_id").fetchall()
    assert rows == [("v1", False), ("v2", True)]
    earlier = db.fetch("article_time_expressions", {"article_id": "a1", "as_of": first.recorded_at})
    assert [r["pipeline_version"] for r in earlier] == ["v1", "v1"]


def test_a_failing_pipeline_stores_nothing_of_the_batch(db: Database) -> None:
    def broken(article) -> Derived:
        if article.id == "a2":
            raise RuntimeError("boom")
        return derive(article)

    try:
        ingest_articles(db, articles(one("a1"), one("a2")), origin="test", deriver=broken)
    except RuntimeError:
        pass
    assert count(db, "article_versions") == 0
    assert count(db, "pipeline_runs") == 0
    assert count(db, "time_expressions") == 0


def test_articles_only_ingest_is_picked_up_by_reingest(db: Database) -> None:
    ingest_articles(db, articles(one("a1"), one("a2")), origin="test", run_pipeline=False)
    assert count(db, "pipeline_runs") == 0
    assert reprocess_stale(db).reprocessed == 2
    assert count(db, "current_time_expressions") == 4


def test_demo_loads_once_with_its_time_expressions(db: Database) -> None:
    report = load_demo_if_empty(db)
    assert report is not None and report.created == 2
    assert load_demo_if_empty(db) is None
    with db.reading() as cur:
        rows = fetch(cur, "article_run_as_of", {"article_id": "afp-belgorod-2023-05-23",
                                                "as_of": datetime.now(timezone.utc)})
    assert rows[0]["expression_count"] > 5
    assert (DEMO_DIR / "articles.json").is_file()
