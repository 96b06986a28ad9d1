"""Ingest: store validated articles and what the pipeline derives from them, one batch at a time.

A batch is one transaction: every new article version, its pipeline run and its derived rows
are stored together or not at all, so a crash never leaves an article half-stored.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import Callable, Iterable, Literal

import msgspec
import polars as pl

from service.articles import Article, parse_zone
from service.pipeline import Derived, derive, derive_many, pipeline_version
from service.store import Database, StoreBusy, fetch, query

Status = Literal["created", "new_version", "unchanged", "reprocessed"]


class ArticleOutcome(msgspec.Struct, frozen=True):
    id: str
    version: int
    status: Status
    content_hash: str


class IngestReport(msgspec.Struct, frozen=True):
    batch_id: str
    recorded_at: datetime | None
    pipeline_version: str
    received: int
    created: int
    new_versions: int
    unchanged: int
    reprocessed: int
    articles: list[ArticleOutcome]


Deriver = Callable[[Article], Derived]
log = logging.getLogger("service.ingest")


BatchDeriver = Callable[[list[Article]], list[Derived]]


def ingest_articles(
    db: Database,
    articles: list[Article],
    *,
    origin: str,
    run_pipeline: bool = True,
    deriver: Deriver = derive,
    version: str | None = None,
    derive_batch: BatchDeriver | None = None,
    deduplicate: bool = True,
) -> IngestReport:
    """Store a batch. Known content changes nothing; a new hash for a known id is a new version.

    With `run_pipeline=False` only the articles are stored (bulk loads); `timeline reingest`
    derives their rows later, since they show up as stale. The pipeline runs before the write
    transaction, over the articles not stored yet (`derive_batch`, when given, does it, e.g. in a
    pool of processes); the transaction checks again what is new, so on a lake shared with other
    writers an article they stored meanwhile is counted unchanged, and a clash redoes only the write.
    With `deduplicate=False` the caller runs `regroup` itself (parallel workers on a lake do, once).
    """
    batch_id = uuid.uuid4().hex
    version_label = (version or pipeline_version()) if run_pipeline else "none"
    unique = _unique_in_order(articles)
    # Counts and ids only: article bodies never go to the log.
    log.info("batch %s: %d articles received from %s", batch_id, len(articles), origin)
    derived: dict[tuple[str, str], Derived] = {}
    if run_pipeline:
        with db.reading() as cur:
            known = _known_versions(cur, unique)
        todo = [a for a in unique if known[(a.id, a.content_hash)]["same_version"] is None]
        derived = dict(zip(((a.id, a.content_hash) for a in todo), _derive_all(todo, deriver, derive_batch)))

    def store() -> tuple[IngestReport, bool]:
        with db.writing() as cur:
            known = _known_versions(cur, unique)
            outcomes: dict[tuple[str, str], ArticleOutcome] = {}
            latest: dict[str, int] = {}
            new: list[tuple[Article, int]] = []
            for article in unique:
                row = known[(article.id, article.content_hash)]
                if row["same_version"] is not None:
                    outcomes[(article.id, article.content_hash)] = ArticleOutcome(
                        article.id, row["same_version"], "unchanged", article.content_hash
                    )
                    continue
                previous = latest.get(article.id, row["latest_version"] or 0)
                number = previous + 1
                latest[article.id] = number
                new.append((article, number))
                status: Status = "created" if number == 1 else "new_version"
                outcomes[(article.id, article.content_hash)] = ArticleOutcome(
                    article.id, number, status, article.content_hash
                )

            recorded_at = db.next_record_time(cur) if new else None
            if new:
                assert recorded_at is not None
                _insert_articles(cur, new, recorded_at, batch_id)
                if run_pipeline:
                    missing = [a for a, _ in new if (a.id, a.content_hash) not in derived]
                    derived.update(zip(((a.id, a.content_hash) for a in missing),
                                       _derive_all(missing, deriver, derive_batch)))
                    _insert_runs(cur, new, recorded_at, batch_id, version_label,
                                 [derived[(a.id, a.content_hash)] for a, _ in new])
            report = IngestReport(
                batch_id=batch_id,
                recorded_at=recorded_at,
                pipeline_version=version_label,
                received=len(articles),
                created=sum(1 for o in outcomes.values() if o.status == "created"),
                new_versions=sum(1 for o in outcomes.values() if o.status == "new_version"),
                unchanged=sum(1 for a in articles if outcomes[(a.id, a.content_hash)].status == "unchanged"),
                reprocessed=0,
                articles=[outcomes[(a.id, a.content_hash)] for a in articles],
            )
            if new:
                _record_batch(cur, report, origin)
        return report, bool(new)

    report, stored = db.retry(store, f"batch {batch_id}")
    if stored:
        db.checkpoint()
        if run_pipeline and deduplicate:
            _regroup(db)
    log.info("batch %s: stored (%d created, %d new versions, %d unchanged)", batch_id, report.created,
             report.new_versions, report.unchanged)
    return report


def reprocess_stale(
    db: Database,
    *,
    limit: int = 1_000,
    deriver: Deriver = derive,
    version: str | None = None,
    origin: str = "reingest",
    derive_batch: BatchDeriver | None = None,
) -> IngestReport:
    """Run the current pipeline over current article versions it has not processed yet.

    The new runs supersede the old ones (which stay readable with `as_of`); running it twice
    in a row changes nothing the second time. As in `ingest_articles`, the pipeline runs
    before the write transaction, which keeps only the articles that are still stale then.
    """
    batch_id = uuid.uuid4().hex
    version_label = version or pipeline_version()
    params = {"pipeline_version": version_label, "limit": limit}
    rows = db.fetch("stale_articles", params)
    candidates = [(_article_from_row(r), int(r["version"])) for r in rows]
    derived = dict(zip(((a.id, v) for a, v in candidates),
                       _derive_all([a for a, _ in candidates], deriver, derive_batch)))

    def store() -> IngestReport:
        with db.writing() as cur:
            still = {(r["article_id"], int(r["version"])) for r in fetch(cur, "stale_articles", params)}
            todo = [(a, v) for a, v in candidates if (a.id, v) in still]
            recorded_at = db.next_record_time(cur) if todo else None
            if todo:
                assert recorded_at is not None
                _insert_runs(cur, todo, recorded_at, batch_id, version_label, [derived[(a.id, v)] for a, v in todo])
            report = IngestReport(
                batch_id=batch_id,
                recorded_at=recorded_at,
                pipeline_version=version_label,
                received=len(todo),
                created=0,
                new_versions=0,
                unchanged=0,
                reprocessed=len(todo),
                articles=[ArticleOutcome(a.id, v, "reprocessed", a.content_hash) for a, v in todo],
            )
            if todo:
                _record_batch(cur, report, origin)
        return report

    report = db.retry(store, f"re-processing batch {batch_id}")
    if report.reprocessed:
        db.checkpoint()
        _regroup(db)
    return report


def _known_versions(cur, unique: list[Article]) -> dict[tuple[str, str], dict]:
    incoming = pl.DataFrame(
        {"article_id": [a.id for a in unique], "content_hash": [a.content_hash for a in unique]},
        schema={"article_id": pl.String, "content_hash": pl.String},
    )
    cur.register("incoming_articles", incoming.to_arrow())
    try:
        return {(r["article_id"], r["content_hash"]): r for r in fetch(cur, "known_versions")}
    finally:
        cur.unregister("incoming_articles")


def _derive_all(articles: list[Article], deriver: Deriver, derive_batch: BatchDeriver | None) -> list[Derived]:
    # The default pipeline runs the whole batch at once (one spaCy pipe); a custom deriver
    # (another pipeline version, a test) is called per article.
    if not articles:
        return []
    if derive_batch is not None and deriver is derive:
        return derive_batch(articles)
    return derive_many(articles) if deriver is derive else [deriver(a) for a in articles]


def _regroup(db: Database) -> None:
    """Deduplicate the whole store now (see service/regroup.py), redone when it clashed with
    other writers on a lake; if it keeps clashing the next batch's catches up."""
    # After the batch's own transaction: the articles are safe whatever happens here, and the
    # next regroup catches up if this one is interrupted or keeps clashing with other writers.
    from service.regroup import regroup

    try:
        db.retry(lambda: regroup(db), "deduplication")
    except StoreBusy as exc:
        log.warning("the batch is stored but its deduplication is not: %s The next batch's catches up.", exc)


def _unique_in_order(articles: Iterable[Article]) -> list[Article]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for article in articles:
        key = (article.id, article.content_hash)
        if key not in seen:
            seen.add(key)
            unique.append(article)
    return unique


def _article_from_row(row: dict) -> Article:
    _, zone = parse_zone(row["timezone"])
    return Article(
        id=row["article_id"],
        source=row["source"],
        url=row["url"],
        language=row["language"],
        title=row["title"],
        body=row["body"],
        published_at=row["published_at"].astimezone(zone),
        timezone=row["timezone"],
        content_hash=row["content_hash"],
    )


_UTC = pl.Datetime("us", "UTC")


def _utc(moment: datetime | None) -> datetime | None:
    # Polars needs one zone per column; the article's own zone is kept in its `timezone` column.
    return moment.astimezone(timezone.utc) if moment is not None else None


def _insert_articles(cur, new: list[tuple[Article, int]], recorded_at: datetime, batch_id: str) -> None:
    frame = pl.DataFrame(
        {
            "article_id": [a.id for a, _ in new],
            "version": [v for _, v in new],
            "content_hash": [a.content_hash for a, _ in new],
            "source": [a.source for a, _ in new],
            "url": [a.url for a, _ in new],
            "language": [a.language for a, _ in new],
            "title": [a.title for a, _ in new],
            "body": [a.body for a, _ in new],
            "published_at": [_utc(a.published_at) for a, _ in new],
            "timezone": [a.timezone for a, _ in new],
            "local_published_at": [a.published_at.replace(tzinfo=None) for a, _ in new],
            "recorded_at": [recorded_at] * len(new),
            "batch_id": [batch_id] * len(new),
        },
        schema={
            "article_id": pl.String, "version": pl.Int32, "content_hash": pl.String, "source": pl.String,
            "url": pl.String, "language": pl.String, "title": pl.String, "body": pl.String,
            "published_at": _UTC, "timezone": pl.String, "local_published_at": pl.Datetime("us"),
            "recorded_at": _UTC, "batch_id": pl.String,
        },
        strict=False,
    )
    _insert_frame(cur, "new_article_versions", "insert_article_versions", frame)


def _insert_runs(
    cur,
    todo: list[tuple[Article, int]],
    recorded_at: datetime,
    batch_id: str,
    version_label: str,
    derived_all: list[Derived],
) -> None:
    first_run = int(cur.execute(query("max_run_id")).fetchone()[0]) + 1
    runs: dict[str, list] = {k: [] for k in (
        "run_id", "article_id", "version", "pipeline_version", "recorded_at", "batch_id",
        "warnings", "expression_count", "mention_count")}
    times: dict[str, list] = {k: [] for k in (
        "run_id", "ordinal", "article_id", "version", "start_offset", "end_offset", "text", "timex_type",
        "value", "mod", "grain", "valid_from", "valid_until", "resolved_against", "reason", "rule",
        "pipeline_version", "recorded_at")}
    mentions: dict[str, list] = {k: [] for k in _MENTION_SCHEMA}
    for index, ((article, version), derived) in enumerate(zip(todo, derived_all)):
        run_id = first_run + index
        for key, value in (
            ("run_id", run_id), ("article_id", article.id), ("version", version),
            ("pipeline_version", version_label), ("recorded_at", recorded_at), ("batch_id", batch_id),
            ("warnings", derived.warnings), ("expression_count", len(derived.expressions)),
            ("mention_count", len(derived.mentions)),
        ):
            runs[key].append(value)
        for ordinal, m in enumerate(derived.mentions):
            row = {
                "run_id": run_id, "ordinal": ordinal, "article_id": article.id, "version": version,
                "sentence_start": m.sentence_start, "sentence_end": m.sentence_end,
                "trigger_start": m.trigger_start, "trigger_end": m.trigger_end, "trigger": m.trigger,
                "kind": m.kind, "attributed_to": m.attributed_to, "participants": list(m.participants),
                "places": list(m.places), "time_link": m.time_link, "time_ordinal": m.time_index,
                "valid_from": _utc(m.valid_from), "valid_until": _utc(m.valid_until), "grain": m.grain,
                "reason": m.reason, "context": m.context, "salient": m.salient,
                "pipeline_version": version_label, "recorded_at": recorded_at,
            }
            for key in _MENTION_SCHEMA:
                mentions[key].append(row[key])
        for ordinal, x in enumerate(derived.expressions):
            for key, value in (
                ("run_id", run_id), ("ordinal", ordinal), ("article_id", article.id), ("version", version),
                ("start_offset", x.start), ("end_offset", x.end), ("text", x.text), ("timex_type", x.type),
                ("value", x.value), ("mod", x.mod), ("grain", x.grain), ("valid_from", _utc(x.valid_from)),
                ("valid_until", _utc(x.valid_until)), ("resolved_against", x.resolved_against),
                ("reason", x.reason), ("rule", x.rule), ("pipeline_version", version_label),
                ("recorded_at", recorded_at),
            ):
                times[key].append(value)
    _insert_frame(cur, "new_pipeline_runs", "insert_pipeline_runs", pl.DataFrame(runs, schema={
        "run_id": pl.Int64, "article_id": pl.String, "version": pl.Int32, "pipeline_version": pl.String,
        "recorded_at": _UTC, "batch_id": pl.String, "warnings": pl.List(pl.String),
        "expression_count": pl.Int32, "mention_count": pl.Int32}))
    if times["run_id"]:
        _insert_frame(cur, "new_time_expressions", "insert_time_expressions", pl.DataFrame(times, schema={
            "run_id": pl.Int64, "ordinal": pl.Int32, "article_id": pl.String, "version": pl.Int32,
            "start_offset": pl.Int32, "end_offset": pl.Int32, "text": pl.String, "timex_type": pl.String,
            "value": pl.String, "mod": pl.String, "grain": pl.String, "valid_from": _UTC, "valid_until": _UTC,
            "resolved_against": pl.String, "reason": pl.String, "rule": pl.String,
            "pipeline_version": pl.String, "recorded_at": _UTC}))
    if mentions["run_id"]:
        _insert_frame(cur, "new_event_mentions", "insert_event_mentions", pl.DataFrame(mentions, schema=_MENTION_SCHEMA))


_MENTION_SCHEMA = {
    "run_id": pl.Int64, "ordinal": pl.Int32, "article_id": pl.String, "version": pl.Int32,
    "sentence_start": pl.Int32, "sentence_end": pl.Int32, "trigger_start": pl.Int32, "trigger_end": pl.Int32,
    "trigger": pl.String, "kind": pl.String, "attributed_to": pl.String, "participants": pl.List(pl.String),
    "places": pl.List(pl.String), "time_link": pl.String, "time_ordinal": pl.Int32, "valid_from": _UTC,
    "valid_until": _UTC, "grain": pl.String, "reason": pl.String, "context": pl.String, "salient": pl.Boolean,
    "pipeline_version": pl.String, "recorded_at": _UTC,
}


def _insert_frame(cur, view: str, query_name: str, frame: pl.DataFrame) -> None:
    """Insert a whole frame in one statement: DuckDB scans the Arrow data column-wise."""
    cur.register(view, frame.to_arrow())
    try:
        cur.execute(query(query_name))
    finally:
        cur.unregister(view)


def _record_batch(cur, report: IngestReport, origin: str) -> None:
    cur.execute(query("insert_ingest_batch"), {
        "batch_id": report.batch_id, "recorded_at": report.recorded_at, "origin": origin,
        "received": report.received, "created": report.created, "new_versions": report.new_versions,
        "unchanged": report.unchanged, "reprocessed": report.reprocessed,
    })
