"""`/articles`: ingest articles (one or a batch) and read them back, with their versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import duckdb
import msgspec
from litestar.di import NamedDependency
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from service import offload
from service.api.params import MAX_OFFSET, as_of_or_now, aware, page
from service.api.problems import BadRequest, problem_responses
from service.articles import ArticleIn, Limits, parse_zone, validate_batch
from service.ingest import IngestReport, ingest_articles
from service.settings import Settings
from service.store import Database, fetch
from service.temporal.model import TimeExpression


Limit = Annotated[int | None, QueryParameter(
    ge=1, description="Page size (default TIMELINE_DEFAULT_PAGE_SIZE); larger values are clamped to "
                      "TIMELINE_MAX_PAGE_SIZE, and the answer's `limit` says which was used.")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
AsOf = Annotated[datetime | None, QueryParameter(
    description="Record time to read at, with an offset (default: now): the answer the service gave then.")]


class ArticleSummary(msgspec.Struct, frozen=True):
    id: str
    version: int
    content_hash: str
    source: str
    url: str | None
    language: str
    title: str | None
    published_at: datetime
    timezone: str
    local_published_at: Annotated[datetime, msgspec.Meta(
        description="The anchor on the article's own clock, with that clock's offset.")]
    recorded_at: datetime
    body_chars: int


class ArticlePage(msgspec.Struct, frozen=True):
    items: list[ArticleSummary]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class ArticleVersion(msgspec.Struct, frozen=True):
    version: int
    content_hash: str
    recorded_at: datetime
    superseded_at: datetime | None


class PipelineRun(msgspec.Struct, frozen=True):
    version: int
    pipeline_version: str
    recorded_at: datetime
    warnings: list[str]


class ArticleDetail(msgspec.Struct, frozen=True):
    id: str
    version: int
    content_hash: str
    source: str
    url: str | None
    language: str
    title: str | None
    body: str
    published_at: datetime
    timezone: str
    local_published_at: datetime
    recorded_at: datetime
    as_of: datetime
    versions: list[ArticleVersion]
    run: PipelineRun | None
    time_expressions: list[TimeExpression]


class ArticleController(Controller):
    path = "/articles"
    tags = ["articles"]

    @post(
        operation_id="ingestArticles", responses=problem_responses(413, 422),
        summary="Ingest one article or a batch",
        description=(
            "Send one article object or an array of them. A batch is all-or-nothing: if any article is "
            "invalid, the response lists every problem and nothing is stored. The same content twice "
            "changes nothing; new content under a known id is stored as its next version. Answers 201 "
            "when something new was stored, 200 when everything was already known."
        ),
        sync_to_thread=True,
    )
    def ingest(self, data: JSONBody[ArticleIn | list[ArticleIn]], db: NamedDependency[Database], settings: NamedDependency[Settings]) -> Response[IngestReport]:
        items = data if isinstance(data, list) else [data]
        labels = [f"[{i}]" for i in range(len(items))] if isinstance(data, list) else ["article"]
        limits = Limits(max_body_chars=settings.max_body_chars, max_batch_articles=settings.max_batch_articles)
        articles = validate_batch(items, limits, where=labels)
        report = ingest_articles(db, articles, origin="http", derive_batch=offload.derive_many)
        stored = report.created + report.new_versions
        return Response(report, status_code=201 if stored else 200)

    @get(operation_id="listArticles", responses=problem_responses(), summary="List articles (current versions as of a time)", sync_to_thread=True)
    def list_articles(
        self,
        cursor: NamedDependency[duckdb.DuckDBPyConnection],
        settings: NamedDependency[Settings],
        source: Annotated[str | None, QueryParameter(description="Only this source.", max_length=500)] = None,
        language: Annotated[str | None, QueryParameter(description="Only this language code.", max_length=10)] = None,
        published_from: Annotated[datetime | None, QueryParameter(description="Published at or after (with offset).")] = None,
        published_until: Annotated[datetime | None, QueryParameter(description="Published before (with offset).")] = None,
        title_contains: Annotated[str | None, QueryParameter(description="Title contains (any case).", max_length=200)] = None,
        as_of: AsOf = None,
        limit: Limit = None,
        offset: Offset = 0,
    ) -> ArticlePage:
        size, start = page(limit, offset, settings)
        rows = fetch(cursor, "list_articles", {
            "as_of": as_of_or_now(as_of), "source": source, "language": language,
            "published_from": aware("published_from", published_from),
            "published_until": aware("published_until", published_until),
            "title_contains": title_contains, "limit": size, "offset": start,
        })
        total = int(rows[0]["total"]) if rows else 0
        items = [ArticleSummary(id=r["article_id"], **{k: _local(r, k) for k in ArticleSummary.__struct_fields__
                                                       if k != "id"}) for r in rows]
        more = start + len(items) < total
        return ArticlePage(items=items, total=total, limit=size, offset=start,
                           next_offset=start + len(items) if more else None)

    @get("/{article_id:str}", operation_id="getArticle", responses=problem_responses(404), summary="One article with its versions and time expressions",
         sync_to_thread=True)
    def get_article(
        self,
        article_id: FromPath[str],
        cursor: NamedDependency[duckdb.DuckDBPyConnection],
        as_of: AsOf = None,
    ) -> ArticleDetail:
        moment = as_of_or_now(as_of)
        versions = fetch(cursor, "article_versions_of", {"article_id": article_id, "as_of": moment})
        if not versions:
            raise BadRequest(f"No article with id {article_id!r} was known at {moment.isoformat()}. "
                             "List ids with GET /articles.", status=404, title="Article not found")
        current = next((v for v in versions if v["superseded_at"] is None), versions[-1])
        runs = fetch(cursor, "article_run_as_of", {"article_id": article_id, "as_of": moment})
        expressions = fetch(cursor, "article_time_expressions", {"article_id": article_id, "as_of": moment})
        return ArticleDetail(
            id=article_id,
            as_of=moment,
            versions=[ArticleVersion(v["version"], v["content_hash"], v["recorded_at"], v["superseded_at"])
                      for v in versions],
            run=PipelineRun(runs[0]["version"], runs[0]["pipeline_version"], runs[0]["recorded_at"],
                            list(runs[0]["warnings"])) if runs else None,
            time_expressions=[_expression(r) for r in expressions],
            **{k: _local(current, k) for k in ArticleDetail.__struct_fields__
               if k not in {"id", "as_of", "versions", "run", "time_expressions"}},
        )


    @get("/{article_id:str}/annotations", operation_id="getArticleAnnotations", responses=problem_responses(404),
         summary="The article as the machine read it: time expressions and event mentions with their spans",
         sync_to_thread=True)
    def annotations(
        self,
        article_id: FromPath[str],
        cursor: NamedDependency[duckdb.DuckDBPyConnection],
        as_of: AsOf = None,
    ) -> Annotations:
        moment = as_of_or_now(as_of)
        runs = fetch(cursor, "article_run_as_of", {"article_id": article_id, "as_of": moment})
        versions = fetch(cursor, "article_versions_of", {"article_id": article_id, "as_of": moment})
        if not versions:
            raise BadRequest(f"No article with id {article_id!r} was known at {moment.isoformat()}. "
                             "List ids with GET /articles.", status=404, title="Article not found")
        run = runs[0] if runs else None
        wanted = run["version"] if run else versions[-1]["version"]
        article = next(v for v in versions if v["version"] == wanted)
        params = {"article_id": article_id, "as_of": moment}
        return Annotations(
            id=article_id, version=wanted, title=article["title"], body=article["body"],
            published_at=article["published_at"], timezone=article["timezone"],
            local_published_at=_local(article, "local_published_at"), as_of=moment,
            pipeline_version=run["pipeline_version"] if run else None,
            warnings=list(run["warnings"]) if run else ["not processed yet: run `timeline reingest`"],
            time_expressions=[_expression(r) for r in fetch(cursor, "article_time_expressions", params)],
            mentions=[_mention(r, article["body"]) for r in fetch(cursor, "article_event_mentions", params)],
        )


class Mention(msgspec.Struct, frozen=True):
    """An event mention as stored: spans are offsets into the article body."""

    ordinal: int
    sentence_start: int
    sentence_end: int
    trigger_start: int
    trigger_end: int
    trigger: str
    kind: str
    attributed_to: str | None
    participants: list[str]
    places: list[str]
    time_link: str | None
    time_ordinal: Annotated[int | None, msgspec.Meta(
        description="Index into `time_expressions` of the expression this mention is tied to.")]
    valid_from: datetime | None
    valid_until: datetime | None
    grain: str | None
    reason: str | None
    quote: str


class Annotations(msgspec.Struct, frozen=True):
    id: str
    version: int
    title: str | None
    body: str
    published_at: datetime
    timezone: str
    local_published_at: datetime
    as_of: datetime
    pipeline_version: str | None
    warnings: list[str]
    time_expressions: list[TimeExpression]
    mentions: list[Mention]


def _local(row: dict, key: str) -> object:
    """Row values as the API shows them: the local publication time with its own offset."""
    if key == "local_published_at":
        return row["published_at"].astimezone(parse_zone(row["timezone"])[1])
    return row[key]


def _mention(row: dict, body: str) -> Mention:
    fields = {k: row[k] for k in Mention.__struct_fields__ if k != "quote"}
    fields["participants"] = list(row["participants"] or [])
    fields["places"] = list(row["places"] or [])
    return Mention(**fields, quote=body[row["sentence_start"]:row["sentence_end"]])


def _expression(row: dict) -> TimeExpression:
    return TimeExpression(
        start=row["start_offset"], end=row["end_offset"], text=row["text"], type=row["timex_type"],
        value=row["value"], grain=row["grain"], mod=row["mod"], valid_from=row["valid_from"],
        valid_until=row["valid_until"], resolved_against=row["resolved_against"], reason=row["reason"],
        rule=row["rule"],
    )
