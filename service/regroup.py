"""Deduplication over the store: cluster every current mention and record the grouping.

Runs after each ingest batch that stored mentions. A new grouping is a new dedup run (record
time); the previous run stays readable with `as_of`. Event ids are stable across runs, so a
new article attaches its mentions to the events that already exist or creates new ones.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from functools import lru_cache

import duckdb
import msgspec
import pyarrow as pa

from service import dedup, offload
from service.dedup import Event, MentionRecord
from service.gc_pause import gc_paused
from service.pipeline import pipeline_version
from service.store import Database, fetch, query

log = logging.getLogger("service.regroup")


class RegroupReport(msgspec.Struct, frozen=True):
    dedup_run_id: int | None
    recorded_at: datetime | None
    mentions: int
    events: int
    conflicts: int
    changed: bool


# Clustering runs outside the write transaction (readers and other writers go on meanwhile);
# if the mentions changed under it, it runs again, and the last attempt holds the writer.
REGROUP_ATTEMPTS = 3


@gc_paused  # loads, clusters and writes hundreds of thousands of rows: service/gc_pause.py
def regroup(db: Database) -> RegroupReport:
    """Cluster the current mentions; record a dedup run only if the grouping changed."""
    for attempt in range(1, REGROUP_ATTEMPTS + 1):
        locked = attempt == REGROUP_ATTEMPTS
        if not locked:
            with db.reading() as cur:
                seen = _state(cur)
                records = _records(cur)
            events = _cluster(records)
        with db.writing() as cur:
            if locked:
                records = _records(cur)
                events = _cluster(records)
            elif _state(cur) != seen:
                log.info("mentions changed while clustering (attempt %d): clustering again", attempt)
                continue
            report = _record_run(db, cur, records, events)
        break
    if report.changed:
        db.checkpoint()
        if db.has_text_index:
            # Only a process that searches holds an index (the server, from its start); another one
            # (`timeline ingest`) would build one to throw away at exit: a search builds it from
            # the store when it needs it (refresh_text_index). 4-9 s at 200,000 events.
            texts = _event_texts(events, records)
            del records, events  # the index build is the other peak of memory: the mentions go first
            db.text_index.rebuild(texts)
        log.info("dedup run %d: %d mentions in %d events", report.dedup_run_id, report.mentions, report.events)
    return report


def _state(cur: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """What a grouping was computed from: the last pipeline run and the last dedup run."""
    latest = fetch(cur, "latest_dedup_run")
    return int(cur.execute(query("max_run_id")).fetchone()[0]), (latest[0]["dedup_run_id"] if latest else 0)


def _cluster(records: list[MentionRecord]) -> list[Event]:
    # In a worker process when the server runs one (service/offload.py): pure Python for seconds.
    return offload.run(dedup.cluster, records) if records else []


def _record_run(db: Database, cur: duckdb.DuckDBPyConnection, records: list[MentionRecord],
                events: list[Event]) -> RegroupReport:
    fingerprint = _fingerprint(events)
    conflicts = sum(1 for e in events if e.conflicts)
    latest = fetch(cur, "latest_dedup_run")
    if latest and latest[0]["fingerprint"] == fingerprint:
        return RegroupReport(latest[0]["dedup_run_id"], latest[0]["recorded_at"], len(records), len(events),
                             conflicts, changed=False)
    run_id = (latest[0]["dedup_run_id"] if latest else 0) + 1
    recorded_at = db.next_record_time(cur)
    cur.execute(query("insert_dedup_run"), {"dedup_run_id": run_id, "pipeline_version": pipeline_version(),
                                            "recorded_at": recorded_at, "fingerprint": fingerprint})
    _insert_events(cur, run_id, recorded_at, events, {r.key: r for r in records})
    cur.execute(query("insert_event_summaries"), {"dedup_run_id": run_id})  # what /timeline reads
    return RegroupReport(run_id, recorded_at, len(records), len(events), conflicts, True)


def entity_keys(name: str) -> list[str]:
    """The keys an entity filter looks for: consonant skeletons of the folded name tokens,
    so "Kiev" finds events that say "Kyiv" and "Grayvoron" finds "Graivoron"."""
    return list(_entity_keys(name))


@lru_cache(maxsize=50_000)  # a regroup asks it for every name of every event
def _entity_keys(name: str) -> tuple[str, ...]:
    return tuple(sorted({_skeleton(token) for token in dedup.fold_name(name) if token}))


def _skeleton(folded: str) -> str:
    return folded[0] + "".join(ch for ch in folded[1:] if ch not in "aeiou") if folded else folded


def _records(cur: duckdb.DuckDBPyConnection) -> list[MentionRecord]:
    """Every current mention, as deduplication reads it. Read as Arrow batches, each string and
    time column dictionary-encoded: a value that many mentions share (a sentence holds several
    mentions; sources, triggers, days and wire copies recur) becomes one Python object, made
    once per batch. Row by row the driver made a new copy of each, and converting a million
    timestamps one at a time took longer than clustering them."""
    reader = cur.execute(query("current_mentions_for_dedup")).to_arrow_reader(RECORD_BATCH)
    shared: dict = {}  # one object per distinct value across batches
    one = lambda v: v if v is None else shared.setdefault(v, v)
    out: list[MentionRecord] = []
    for batch in reader:
        col = {name: _values(batch.column(name), one) for name in batch.schema.names}
        out += [
            MentionRecord(key=(run_id, ordinal), article_id=article_id, source=source, published_at=published_at,
                          sentence=sentence, trigger=trigger, kind=kind, attributed_to=attributed_to,
                          participants=one(tuple(participants or ())), places=one(tuple(places or ())),
                          valid_from=valid_from, valid_until=valid_until, grain=grain, context=context or "",
                          salient=salient is not False)
            for (run_id, ordinal, article_id, source, published_at, sentence, trigger, kind, attributed_to,
                 participants, places, valid_from, valid_until, grain, context, salient)
            in zip(*(col[c] for c in ("run_id", "ordinal", "article_id", "source", "published_at", "sentence",
                                      "trigger", "kind", "attributed_to", "participants", "places",
                                      "valid_from", "valid_until", "grain", "context", "salient")))
        ]
    return out


RECORD_BATCH = 50_000


def _values(column: pa.Array, one) -> list:
    """A column as Python values; strings and times through their distinct values."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
            or pa.types.is_timestamp(column.type)):
        return column.to_pylist()
    encoded = column.dictionary_encode()
    distinct = [one(v) for v in encoded.dictionary.to_pylist()]
    return [None if i is None else distinct[i] for i in encoded.indices.to_pylist()]


def _names(event: Event, by_key: dict[tuple[int, int], MentionRecord]) -> list[str]:
    """Keys of the names the event's mentions take part in or say: participants, places, the
    speaker, and the proper names of their sentences (an entity timeline takes an event whose
    sentence names the entity, and "Grayvoron" must find the sentence that writes "Graivoron")."""
    names: set[str] = set()
    for key in event.mention_keys:
        m = by_key[key]
        for name in (*m.participants, *m.places, *([m.attributed_to] if m.attributed_to else [])):
            names.update(_entity_keys(name))
        names.update(_sentence_name_keys(m.sentence))
    return sorted(names)


@lru_cache(maxsize=50_000)
def _sentence_name_keys(sentence: str) -> frozenset[str]:
    # A capitalised word after the first is a name in English prose; the first word is
    # capitalised anyway and is left out rather than guessed.
    words = dedup.tokens(sentence)[1:]
    return frozenset(key for w in words if w[:1].isupper() for key in _entity_keys(w))


def _fingerprint(events: list[Event]) -> str:
    digest = hashlib.sha256()
    for e in sorted(events, key=lambda e: e.event_id):
        digest.update(msgspec.json.encode([
            e.event_id, e.kind, e.label, e.valid_from, e.valid_until, e.grain, e.salient, sorted(e.mention_keys),
            list(e.conflicts), sorted((c.key, c.attribute, c.value) for c in e.claims),
        ]))
    return digest.hexdigest()


def _insert_events(cur: duckdb.DuckDBPyConnection, run_id: int, recorded_at: datetime, events: list[Event],
                   by_key: dict[tuple[int, int], MentionRecord]) -> None:
    # Arrow columns straight from Python lists: a list column built through Polars went value
    # by value (a second per 40,000 events).
    version = pipeline_version()
    text, ts = pa.string(), pa.timestamp("us", tz="UTC")
    links = [(e.event_id, k) for e in events for k in e.mention_keys]
    claims = [(e.event_id, c) for e in events for c in e.claims]
    tables = {
        ("new_events", "insert_events"): pa.table({
            "dedup_run_id": pa.array([run_id] * len(events), pa.int64()),
            "event_id": pa.array([e.event_id for e in events], text),
            "kind": pa.array([e.kind for e in events], text),
            "label": pa.array([e.label for e in events], text),
            "valid_from": pa.array([e.valid_from for e in events], ts),
            "valid_until": pa.array([e.valid_until for e in events], ts),
            "grain": pa.array([e.grain for e in events], text),
            "salient": pa.array([e.salient for e in events], pa.bool_()),
            "has_conflict": pa.array([e.has_conflict for e in events], pa.bool_()),
            "conflicts": pa.array([list(e.conflicts) for e in events], pa.list_(text)),
            "name_keys": pa.array([_names(e, by_key) for e in events], pa.list_(text)),
            "pipeline_version": pa.array([version] * len(events), text),
            "recorded_at": pa.array([recorded_at] * len(events), ts),
        }),
        ("new_event_mention_links", "insert_event_mention_links"): pa.table({
            "dedup_run_id": pa.array([run_id] * len(links), pa.int64()),
            "event_id": pa.array([event_id for event_id, _ in links], text),
            "run_id": pa.array([k[0] for _, k in links], pa.int64()),
            "mention_ordinal": pa.array([k[1] for _, k in links], pa.int32()),
            "recorded_at": pa.array([recorded_at] * len(links), ts),
        }),
        ("new_event_claims", "insert_event_claims"): pa.table({
            "dedup_run_id": pa.array([run_id] * len(claims), pa.int64()),
            "event_id": pa.array([event_id for event_id, _ in claims], text),
            "run_id": pa.array([c.key[0] for _, c in claims], pa.int64()),
            "mention_ordinal": pa.array([c.key[1] for _, c in claims], pa.int32()),
            "attribute": pa.array([c.attribute for _, c in claims], text),
            "value": pa.array([c.value for _, c in claims], text),
            "text": pa.array([c.text for _, c in claims], text),
            "recorded_at": pa.array([recorded_at] * len(claims), ts),
        }),
    }
    for (view, name), table in tables.items():
        if table.num_rows:
            cur.register(view, table)
            try:
                cur.execute(query(name))
            finally:
                cur.unregister(view)


def _event_texts(events: list[Event], records: list[MentionRecord]) -> list[tuple[str, str]]:
    """The rows of `current_event_texts` for the events just stored, from memory: each event's
    label and its mentions' sentences (the query cuts the same sentences from the bodies).
    BM25 reads a text's terms, not their order. The query joined every mention to its
    article's body, which took DuckDB 1.4 GB at 300,000 mentions; these strings are 50 MB."""
    sentence = {r.key: r.sentence for r in records}
    return [(e.event_id, e.label + " " + " ".join(sentence[k] for k in e.mention_keys)) for e in events]


def refresh_text_index(db: Database) -> None:
    """Rebuild the in-memory BM25 index from the current events (at start, and on a store
    that another process deduplicated)."""
    with db.reading() as cur:
        texts = [(r["event_id"], r["text"]) for r in fetch(cur, "current_event_texts")]
    db.text_index.rebuild(texts)
