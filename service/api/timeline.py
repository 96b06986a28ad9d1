"""`/timeline` and `/events/{id}`: the ordered, deduplicated story, and one event with its sources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import duckdb
import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from service.api.articles import AsOf, Limit, Offset
from service.api.params import as_of_or_now, aware, page
from service.api.problems import BadRequest, problem_responses
from service.regroup import entity_keys
from service.settings import Settings
from service.store import fetch

MAX_UNDATED = 200


class TimelineEntry(msgspec.Struct, frozen=True):
    id: str
    kind: str
    label: str
    valid_from: datetime | None
    valid_until: datetime | None
    grain: str | None
    mention_count: int
    sources: list[str]
    articles: list[str]
    has_conflict: bool
    conflicts: list[str]
    first_quote: str
    first_reported_at: datetime
    score: Annotated[float | None, msgspec.Meta(description="BM25 relevance when `q` is given.")]
    overlaps: Annotated[list[str], msgspec.Meta(
        description="Ids of entries on this page whose intervals overlap this one: their order is not known.")]


class Timeline(msgspec.Struct, frozen=True):
    as_of: datetime
    dedup: bool
    items: list[TimelineEntry]
    undated: Annotated[list[TimelineEntry], msgspec.Meta(
        description=f"Entries with no known time (at most {MAX_UNDATED}), listed apart.")]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class EventMentionOut(msgspec.Struct, frozen=True):
    article_id: str
    source: str
    url: str | None
    title: str | None
    published_at: datetime
    kind: str
    trigger: str
    attributed_to: str | None
    participants: list[str]
    places: list[str]
    time_link: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    grain: str | None
    reason: str | None
    quote: str
    trigger_start: int
    trigger_end: int


class ClaimOut(msgspec.Struct, frozen=True):
    attribute: str
    value: str
    text: str
    article_id: str
    source: str
    published_at: datetime


class EventDetail(msgspec.Struct, frozen=True):
    id: str
    kind: str
    label: str
    valid_from: datetime | None
    valid_until: datetime | None
    grain: str | None
    has_conflict: bool
    conflicts: list[str]
    sources: list[str]
    mentions: list[EventMentionOut]
    claims: list[ClaimOut]
    as_of: datetime
    recorded_at: datetime


Kind = Literal["occurrence", "reporting", "state"]


class TimelineController(Controller):
    path = "/timeline"
    tags = ["timeline"]

    @get(operation_id="getTimeline", responses=problem_responses(),
         summary="The story's events in time order, deduplicated across articles",
         description="Events are ordered by the start of their valid interval (open starts first), then its "
                     "end, then their first report. Entries whose intervals overlap say so in `overlaps`. "
                     "Undated events are listed apart in `undated`. `dedup=false` lists every mention instead.",
         sync_to_thread=True)
    def timeline(
        self,
        cursor: NamedDependency[duckdb.DuckDBPyConnection],
        settings: NamedDependency[Settings],
        from_: Annotated[datetime | None, QueryParameter(query="from", description="Events that end after this (with offset).")] = None,
        until: Annotated[datetime | None, QueryParameter(description="Events that start before this (with offset).")] = None,
        q: Annotated[str | None, QueryParameter(description="Full-text query, ranked by BM25.", min_length=1, max_length=200)] = None,
        entity: Annotated[str | None, QueryParameter(description="A person, group or place, by any spelling.", min_length=1, max_length=200)] = None,
        source: Annotated[str | None, QueryParameter(max_length=500)] = None,
        article: Annotated[str | None, QueryParameter(max_length=512)] = None,
        kind: Annotated[Kind | None, QueryParameter()] = None,
        dedup: Annotated[bool, QueryParameter(description="Group mentions of the same event (default true).")] = True,
        sort: Annotated[Literal["time", "relevance"], QueryParameter(description="`relevance` needs `q`.")] = "time",
        as_of: AsOf = None,
        limit: Limit = None,
        offset: Offset = 0,
    ) -> Timeline:
        size, start = page(limit, offset, settings)
        moment = as_of_or_now(as_of)
        if sort == "relevance" and not q:
            raise BadRequest("sort=relevance needs a text query `q`.", title="Invalid sort")
        params: dict[str, Any] = {
            "as_of": moment, "from": aware("from", from_), "until": aware("until", until), "q": q,
            "entity": entity, "source": source, "article": article, "kind": kind,
        }
        name = "timeline_events" if dedup else "timeline_mentions"
        if dedup:
            params |= {"entity_keys": entity_keys(entity) if entity else [], "sort": sort}
        dated = fetch(cursor, name, params | {"dated": True, "limit": size, "offset": start})
        undated = fetch(cursor, name, params | {"dated": False, "limit": MAX_UNDATED, "offset": 0})
        items = _with_overlaps([_entry(r) for r in dated])
        total = int(dated[0]["total"]) if dated else 0
        more = start + len(items) < total
        return Timeline(as_of=moment, dedup=dedup, items=items, undated=[_entry(r) for r in undated], total=total,
                        limit=size, offset=start, next_offset=start + len(items) if more else None)


class EventController(Controller):
    path = "/events"
    tags = ["timeline"]

    @get("/{event_id:str}", operation_id="getEvent", responses=problem_responses(404),
         summary="One event: its mentions with quotes, sources and kinds, its claims and conflicts",
         sync_to_thread=True)
    def event(self, event_id: FromPath[str], cursor: NamedDependency[duckdb.DuckDBPyConnection],
              as_of: AsOf = None) -> EventDetail:
        moment = as_of_or_now(as_of)
        rows = fetch(cursor, "event_as_of", {"event_id": event_id, "as_of": moment})
        if not rows:
            raise BadRequest(f"No event {event_id!r} was known at {moment.isoformat()}. Event ids are listed by "
                             "GET /timeline.", status=404, title="Event not found")
        event = rows[0]
        key = {"dedup_run_id": event["dedup_run_id"], "event_id": event_id}
        mentions = [EventMentionOut(**{k: _listify(r[k]) for k in EventMentionOut.__struct_fields__})
                    for r in fetch(cursor, "event_mentions_of", key)]
        claims = [ClaimOut(**{k: r[k] for k in ClaimOut.__struct_fields__}) for r in fetch(cursor, "event_claims_of", key)]
        return EventDetail(
            id=event_id, kind=event["kind"], label=event["label"], valid_from=event["valid_from"],
            valid_until=event["valid_until"], grain=event["grain"], has_conflict=event["has_conflict"],
            conflicts=list(event["conflicts"] or []), sources=sorted({m.source for m in mentions}),
            mentions=mentions, claims=claims, as_of=moment, recorded_at=event["recorded_at"],
        )


def _listify(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _entry(row: dict) -> TimelineEntry:
    return TimelineEntry(
        id=row["event_id"], kind=row["kind"], label=row["label"], valid_from=row["valid_from"],
        valid_until=row["valid_until"], grain=row["grain"], mention_count=int(row["mention_count"]),
        sources=list(row["sources"]), articles=list(row["articles"]), has_conflict=bool(row["has_conflict"]),
        conflicts=list(row["conflicts"] or []), first_quote=row["first_quote"],
        first_reported_at=row["first_reported_at"], score=row["score"], overlaps=[],
    )


def _with_overlaps(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Mark entries whose intervals overlap: a timeline must not pretend to know their order."""
    overlaps: dict[str, list[str]] = {e.id: [] for e in entries}
    for i, a in enumerate(entries):
        for b in entries[i + 1:]:
            if _overlap(a, b):
                overlaps[a.id].append(b.id)
                overlaps[b.id].append(a.id)
    return [msgspec.structs.replace(e, overlaps=overlaps[e.id]) for e in entries]


def _overlap(a: TimelineEntry, b: TimelineEntry) -> bool:
    a_ends_after_b_starts = a.valid_until is None or b.valid_from is None or a.valid_until > b.valid_from
    b_ends_after_a_starts = b.valid_until is None or a.valid_from is None or b.valid_until > a.valid_from
    return a_ends_after_b_starts and b_ends_after_a_starts
