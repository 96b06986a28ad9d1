"""`/timeline` and `/events/{id}`: the ordered, deduplicated story, and one event with its sources."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, AsyncIterator, Literal

import duckdb
import msgspec
from litestar import Controller, Response, get
from litestar.response import Stream
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import FromPath, HeaderParameter, QueryParameter

from service.api.articles import AsOf, Limit, Offset
from service.api.params import as_of_or_now, aware, page, read_as_of
from service.api.problems import BadRequest, problem_responses
from service.key_dates import DEFAULT_TOP, MAX_TOP, KeyDates, KeyDatesError, read_key_dates
from service.settings import Settings
from service.store import Database
from service.timeline import (
    EventDetail,
    Kind,
    Timeline,
    TimelineQuery,
    read_event,
    read_timeline,
    timeline_orders,
    timelinejs,
    to_csv,
)

Format = Literal["json", "ndjson", "csv", "timelinejs"]
# TimelineJS is JSON of another shape than the default answer, so it gets its own media type.
TIMELINEJS = "application/vnd.knightlab.timelinejs+json"
_MEDIA = {"application/x-ndjson": "ndjson", "application/ndjson": "ndjson", "text/csv": "csv",
          TIMELINEJS: "timelinejs"}


class TimelineOperation(Operation):
    """The 200 answer of /timeline in every format it can take, so the schema tells the truth."""

    def __init__(self, **fields: Any) -> None:
        super().__init__(**fields)
        ok = (self.responses or {}).get("200")
        if ok is not None and getattr(ok, "content", None):
            content = dict(ok.content)
            text = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
            content["application/x-ndjson"] = text
            content["text/csv"] = text
            content[TIMELINEJS] = OpenAPIMediaType(schema=Schema(
                type=OpenAPIType.OBJECT, description="Knight Lab TimelineJS JSON (title and events)"))
            ok.content = content


def _from_accept(accept: str | None) -> Format:
    """The format an Accept header asks for: the first listed one we produce; JSON for none, a
    wildcard or JSON itself; otherwise 406 (asking `application/xml` must not get JSON silently)."""
    asked = [part.split(";")[0].strip().lower() for part in (accept or "").split(",") if part.strip()]
    for media in asked:
        found = _MEDIA.get(media)
        if found:
            return found  # type: ignore[return-value]
    if not asked or any(m in ("*/*", "application/*", "application/json", "application/problem+json") for m in asked):
        return "json"
    raise BadRequest(f"Accept: {accept} names no format this endpoint writes. Ask for one of "
                     f"{', '.join(sorted(set(_MEDIA)))}, or use ?format= (json, ndjson, csv, timelinejs).",
                     status=406, title="Not acceptable")


def render(timeline: Timeline, chosen: Format) -> Response:
    """The same validated answer in the asked format: nothing is streamed before the query ran."""
    if chosen == "ndjson":
        lines = [msgspec.json.encode(e) + b"\n" for e in timeline.items]
        return Stream(_each(lines), media_type="application/x-ndjson")
    if chosen == "csv":
        return Response(to_csv(timeline), media_type="text/csv")  # Litestar adds the charset
    if chosen == "timelinejs":
        return Response(timelinejs(timeline), media_type=TIMELINEJS)
    return Response(timeline)


async def _each(lines: list[bytes]) -> AsyncIterator[bytes]:
    # An async iterator: Litestar sends a sync iterator's items one thread-pool hop each, which
    # under load made a 100-line answer wait for 100 turns of a busy pool (seconds).
    for line in lines:
        yield line


class TimelineController(Controller):
    path = "/timeline"
    tags = ["timeline"]

    @get(operation_id="getTimeline", responses=problem_responses(406), operation_class=TimelineOperation,
         summary="The story's events in time order, deduplicated across articles",
         description="Events are ordered by the start of their valid interval (open starts first), then its "
                     "end, then their first report. Entries whose intervals overlap say so in `overlaps`. "
                     "Undated events are listed apart in `undated`. `dedup=false` lists every mention instead.",
         sync_to_thread=True)
    def timeline(
        self,
        cursor: NamedDependency[duckdb.DuckDBPyConnection],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        from_: Annotated[datetime | None, QueryParameter(name="from", description="Events that end after this (with offset).")] = None,
        until: Annotated[datetime | None, QueryParameter(description="Events that start before this (with offset).")] = None,
        q: Annotated[str | None, QueryParameter(description="Full-text query, ranked by BM25.", min_length=1, max_length=200)] = None,
        entity: Annotated[str | None, QueryParameter(description="A person, group or place, by any spelling.", min_length=1, max_length=200)] = None,
        source: Annotated[str | None, QueryParameter(max_length=500)] = None,
        article: Annotated[str | None, QueryParameter(max_length=512)] = None,
        kind: Annotated[Kind | None, QueryParameter()] = None,
        dedup: Annotated[bool, QueryParameter(description="Group mentions of the same event (default true).")] = True,
        minor: Annotated[bool, QueryParameter(
            description="Also list minor events: ones no article asserts as a main, dated happening (side "
                        "clauses, vague nouns such as 'the attacks', the words of direct quotes).")] = False,
        sort: Annotated[Literal["time", "relevance"], QueryParameter(description="`relevance` needs `q`.")] = "time",
        format: Annotated[Format | None, QueryParameter(
            description="json (default), ndjson (one entry per line, streamed), csv, or timelinejs (Knight Lab's "
                        "TimelineJS JSON). Also chosen by the Accept header.")] = None,
        accept: Annotated[str | None, HeaderParameter(name="accept", required=False)] = None,
        as_of: AsOf = None,
        limit: Limit = None,
        offset: Offset = 0,
    ) -> Response[Timeline]:
        size, start = page(limit, offset, settings)
        if sort == "relevance" and not q:
            raise BadRequest("sort=relevance needs a text query `q`.", title="Invalid sort")
        query = TimelineQuery(as_of=read_as_of(as_of, db, cursor), limit=size, offset=start, start=aware("from", from_),
                              end=aware("until", until), q=q, entity=entity, source=source, article=article,
                              kind=kind, dedup=dedup, minor=minor, sort=sort)
        chosen = format or _from_accept(accept)
        timeline = read_timeline(cursor, query, db.text_index, timeline_orders(db))
        return render(timeline, chosen)

    @get("/key-dates", operation_id="getKeyDates", responses=problem_responses(),
         summary="The days that matter: days of a range ranked by the evidence for them",
         description="An article mentions a day when one of its time expressions, event mentions, or the events "
                     "they belong to is dated to that day at day grain or finer; it counts once per day, fully "
                     "when published after the day, half on the day or before it. A day's score sums, over "
                     "sources, the square root of its articles' weights. Each day comes with its day-grain "
                     "events and the sentence of its best-supported mention, with the source.",
         sync_to_thread=True)
    def key_dates(
        self,
        cursor: NamedDependency[duckdb.DuckDBPyConnection],
        from_: Annotated[date | None, QueryParameter(
            name="from", description="First day (YYYY-MM-DD, included), on the articles' own clocks.")] = None,
        to: Annotated[date | None, QueryParameter(description="Last day (YYYY-MM-DD, included).")] = None,
        top: Annotated[int, QueryParameter(description=f"How many days to return, 1 to {MAX_TOP}.")] = DEFAULT_TOP,
        as_of: AsOf = None,
    ) -> KeyDates:
        try:
            return read_key_dates(cursor, as_of_or_now(as_of), top=top, start=from_, end=to)
        except KeyDatesError as exc:
            raise BadRequest(str(exc), title=f"Invalid {exc.parameter}") from None


class EventController(Controller):
    path = "/events"
    tags = ["timeline"]

    @get("/{event_id:str}", operation_id="getEvent", responses=problem_responses(404),
         summary="One event: its mentions with quotes, sources and kinds, its claims and conflicts",
         sync_to_thread=True)
    def event(self, event_id: FromPath[str], cursor: NamedDependency[duckdb.DuckDBPyConnection],
              db: NamedDependency[Database], as_of: AsOf = None) -> EventDetail:
        moment = read_as_of(as_of, db, cursor)
        event = read_event(cursor, event_id, moment, timeline_orders(db))
        if event is None:
            raise BadRequest(f"No event {event_id!r} was known at {moment.isoformat()}. Event ids are listed by "
                             "GET /timeline.", status=404, title="Event not found")
        return event
