"""Timelines read from the store: the ordered, deduplicated events, and one event in full.

Plain functions that take a cursor, shared by the HTTP API and the `timeline export` command.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import duckdb
import msgspec

from service.regroup import entity_keys
from service.search import TextIndex
from service.store import fetch

Kind = Literal["occurrence", "reporting", "state"]
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
    timezone: Annotated[str, msgspec.Meta(
        description="Zone of the first report: the clock in which this event's dates read as reported.")]
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




class TimelineQuery(msgspec.Struct, frozen=True, kw_only=True):
    as_of: datetime
    limit: int
    offset: int = 0
    start: datetime | None = None   # events that end after this
    end: datetime | None = None     # events that start before this
    q: str | None = None
    entity: str | None = None
    source: str | None = None
    article: str | None = None
    kind: str | None = None
    dedup: bool = True
    minor: bool = False  # also events no mention asserts as a main, dated happening
    sort: Literal["time", "relevance"] = "time"


def read_timeline(cur: duckdb.DuckDBPyConnection, query: TimelineQuery, index: TextIndex | None = None) -> Timeline:
    params: dict[str, Any] = {
        "as_of": query.as_of, "from": query.start, "until": query.end, "q": query.q, "entity": query.entity,
        "source": query.source, "article": query.article, "kind": query.kind, "minor": query.minor,
    }
    name = "timeline_events" if query.dedup else "timeline_mentions"
    if query.dedup:
        ids, scores = index.search(query.q) if (query.q and index is not None) else ([], [])
        params |= {"entity_keys": entity_keys(query.entity) if query.entity else [], "sort": query.sort,
                   "hit_ids": ids, "hit_scores": scores}
    dated = fetch(cur, name, params | {"dated": True, "limit": query.limit, "offset": query.offset})
    undated = fetch(cur, name, params | {"dated": False, "limit": MAX_UNDATED, "offset": 0})
    items = _with_overlaps([_entry(r) for r in dated])
    total = int(dated[0]["total"]) if dated else 0
    more = query.offset + len(items) < total
    return Timeline(as_of=query.as_of, dedup=query.dedup, items=items, undated=[_entry(r) for r in undated],
                    total=total, limit=query.limit, offset=query.offset,
                    next_offset=query.offset + len(items) if more else None)


def read_event(cur: duckdb.DuckDBPyConnection, event_id: str, as_of: datetime) -> EventDetail | None:
    rows = fetch(cur, "event_as_of", {"event_id": event_id, "as_of": as_of})
    if not rows:
        return None
    event = rows[0]
    key = {"dedup_run_id": event["dedup_run_id"], "event_id": event_id}
    mentions = [EventMentionOut(**{k: _listify(r[k]) for k in EventMentionOut.__struct_fields__})
                for r in fetch(cur, "event_mentions_of", key)]
    claims = [ClaimOut(**{k: r[k] for k in ClaimOut.__struct_fields__}) for r in fetch(cur, "event_claims_of", key)]
    return EventDetail(
        id=event_id, kind=event["kind"], label=event["label"], valid_from=event["valid_from"],
        valid_until=event["valid_until"], grain=event["grain"], has_conflict=event["has_conflict"],
        conflicts=list(event["conflicts"] or []), sources=sorted({m.source for m in mentions}),
        mentions=mentions, claims=claims, as_of=as_of, recorded_at=event["recorded_at"],
    )


def _listify(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _entry(row: dict) -> TimelineEntry:
    return TimelineEntry(
        id=row["event_id"], kind=row["kind"], label=row["label"], valid_from=row["valid_from"],
        valid_until=row["valid_until"], grain=row["grain"], mention_count=int(row["mention_count"]),
        sources=list(row["sources"]), articles=list(row["articles"]), has_conflict=bool(row["has_conflict"]),
        conflicts=list(row["conflicts"] or []), first_quote=row["first_quote"],
        first_reported_at=row["first_reported_at"], timezone=row["timezone"], score=row["score"], overlaps=[],
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


_PARTS = {"century": 1, "decade": 1, "year": 1, "half": 2, "quarter": 2, "season": 2, "month": 2, "week": 3,
          "day": 3, "part_of_day": 4, "hour": 4, "minute": 5, "second": 6}


def timelinejs(timeline: Timeline, title: str = "Timeline") -> dict[str, Any]:
    """Knight Lab TimelineJS JSON: dates only down to each event's grain, on its reporter's clock
    ("February 2022" is {year: 2022, month: 2}); the end is the last unit inside the interval."""
    from datetime import timedelta

    from service.articles import parse_zone

    def parts(moment: datetime, depth: int) -> dict[str, int]:
        names = ("year", "month", "day", "hour", "minute", "second")
        values = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
        return {n: v for n, v in zip(names[:depth], values[:depth])}

    events = []
    for e in timeline.items:
        if e.valid_from is None:
            continue  # TimelineJS has no open starts ("before Tuesday"); the JSON answer keeps them
        zone = parse_zone(e.timezone)[1]
        depth = _PARTS.get(e.grain or "", 3)
        start = e.valid_from
        entry: dict[str, Any] = {
            "unique_id": e.id,
            "start_date": parts(start.astimezone(zone), depth),
            "text": {"headline": e.label, "text": e.first_quote + " (" + ", ".join(e.sources) + ")"},
            "group": e.kind,
        }
        if e.valid_from is not None and e.valid_until is not None:
            last = (e.valid_until - timedelta(microseconds=1)).astimezone(zone)
            end = parts(last, depth)
            if end != entry["start_date"]:
                entry["end_date"] = end
        events.append(entry)
    return {"title": {"text": {"headline": title}}, "events": events}


CSV_COLUMNS = ("id", "kind", "label", "valid_from", "valid_until", "grain", "mention_count", "sources",
               "has_conflict", "conflicts", "first_quote", "first_reported_at", "timezone")


def to_csv(timeline: Timeline) -> str:
    """One row per dated entry; lists joined with ' | '."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in timeline.items:
        row = []
        for column in CSV_COLUMNS:
            value = getattr(e, column)
            if isinstance(value, list):
                value = " | ".join(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            row.append("" if value is None else value)
        writer.writerow(row)
    return out.getvalue()
