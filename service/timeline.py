"""Timelines read from the store: the ordered, deduplicated events, and one event in full.

Plain functions that take a cursor, shared by the HTTP API and the `timeline export` command.

A dedup run never changes once stored, so the order of its events on the timeline never does
either. The server keeps the events of the last few runs it was asked about in memory, in that
order (`TimelineOrders`, one per store): a page is then a filter and a slice of that order, not
a join and sort of every event of the run on each request (4 s per page at 1 M events, see
scripts/bench_api.py). Likewise the mentions known at the last few states of the store, for
dedup=false pages (`MentionOrders`, in a private in-memory DuckDB database). Without them
(`timeline export`), the same answers come from SQL (`timeline_events.sql`,
`timeline_mentions.sql`); tests/test_bench_api_data.py checks both give the same pages.

The SQL path reads what each dedup run stored for it (sql/schema/010-012): the run's events in
timeline order with their page columns (`timeline_rows`, so a page is a filter of one run's
rows and a cut by `position`, whose columns are then read by position range), its name keys by
key (`timeline_name_keys`) and the folded article bodies (`article_folds`) for the entity
filter. The text index's hits and the entity filter's rows go to the page query as Arrow
tables registered on the cursor for the request, never as list parameters (DuckDB's Python
client converts a list parameter element by element: 6,300 hits cost hundreds of ms). On the
10,000-article bench_dedup store (204,533 events) a page takes 15-30 ms, an entity or text
query 40-60 ms, at load 5 on 2 cores (scripts/bench_dedup.py).
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Annotated, Any, Literal

import duckdb
import msgspec

from service.regroup import entity_keys
from service.runs import DedupRuns
from service.search import Postings, TextIndex
from service.store import fetch, query as named_query

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

    from service.store import Database

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


def read_timeline(cur: duckdb.DuckDBPyConnection, query: TimelineQuery, index: TextIndex | None = None,
                  orders: TimelineOrders | None = None) -> Timeline:
    """The timeline page `query` asks for. With `orders` (the server's), deduplicated pages are
    cut from the run's order in memory, and pages of mentions (dedup=false) from the mentions'
    order in memory; the answer is the same as without."""
    if query.dedup and orders is not None:
        return _read_from_order(cur, query, index, orders)
    if not query.dedup and orders is not None:
        return orders.mentions.read(cur, query)
    params: dict[str, Any] = {
        "as_of": query.as_of, "from": query.start, "until": query.end, "q": query.q, "entity": query.entity,
        "source": query.source, "article": query.article, "kind": query.kind, "minor": query.minor,
    }
    if not query.dedup:
        dated = fetch(cur, "timeline_mentions", params | {"dated": True, "limit": query.limit, "offset": query.offset})
        undated = fetch(cur, "timeline_mentions", params | {"dated": False, "limit": MAX_UNDATED, "offset": 0})
        items = _with_overlaps([_entry(r) for r in dated])
        total = int(dated[0]["total"]) if dated else 0
        return _timeline(query, items, [_entry(r) for r in undated], total)
    runs = fetch(cur, "timeline_run", {"as_of": query.as_of})
    if not runs:  # no dedup run yet: no events
        return _timeline(query, [], [], 0)
    run_id = runs[0]["dedup_run_id"]
    params |= {"sort": query.sort, "dedup_run_id": run_id}
    import pyarrow as pa

    # What the page query joins (timeline_events.sql), as Arrow tables registered on this cursor
    # for this request: a list of thousands of hits as a bound parameter costs a Python lookup
    # per element (hundreds of ms for "attack" on 204,533 events).
    hits = pa.table({"position": pa.array([], pa.int32()), "score": pa.array([], pa.float64())})
    if query.q and index is not None:
        postings, docs, scores = index.hits(query.q)
        cur.register("timeline_hit_ids", pa.table({"event_id": postings.names.gather(docs).to_arrow(),
                                                   "score": pa.array(scores, pa.float64())}))
        try:
            hits = cur.execute(named_query("timeline_hit_positions"), {"dedup_run_id": run_id}).to_arrow_table()
        finally:
            cur.unregister("timeline_hit_ids")
    named = []
    if query.entity is not None:
        in_text = cur.execute(named_query("timeline_entity_text"), {
            "dedup_run_id": run_id, "entity": query.entity}).to_arrow_table()
        cur.register("timeline_entity_ids", in_text)
        try:
            named = [r["position"] for r in fetch(cur, "timeline_entity_positions", {
                "dedup_run_id": run_id, "entity_keys": entity_keys(query.entity)})]
        finally:
            cur.unregister("timeline_entity_ids")
    cur.register("timeline_hits", hits)
    cur.register("timeline_entity", pa.table({"position": pa.array(named, pa.int32())}))
    try:
        dated, total = _stored_page(cur, run_id, params | {"dated": True, "limit": query.limit, "offset": query.offset})
        undated, _ = _stored_page(cur, run_id, params | {"dated": False, "limit": MAX_UNDATED, "offset": 0})
    finally:
        cur.unregister("timeline_hits")
        cur.unregister("timeline_entity")
    return _timeline(query, _with_overlaps([_entry(r) for r in dated]), [_entry(r) for r in undated],
                     total if dated else 0)


def _stored_page(cur: duckdb.DuckDBPyConnection, run_id: int, params: dict[str, Any]) -> tuple[list[dict], int]:
    """One page of the run's stored rows: timeline_events.sql picks the positions (filters, order,
    cut, total), timeline_rows_at.sql reads their columns; rows without a first quote are left out
    of the page but counted, as timeline_events.sql did when it joined the first report's article."""
    picked = fetch(cur, "timeline_events", params)
    if not picked:
        return [], 0
    import pyarrow as pa

    positions = [int(r["position"]) for r in picked]
    cur.register("timeline_page", pa.table({"position": pa.array(positions, pa.int32())}))
    try:
        found = {r["position"]: r for r in fetch(cur, "timeline_rows_at", {
            "dedup_run_id": run_id, "first": min(positions), "last": max(positions)})}
    finally:
        cur.unregister("timeline_page")
    rows = [found[p] | {"score": r["score"]} for p, r in zip(positions, picked)
            if p in found and found[p]["first_quote"] is not None]
    return rows, int(picked[0]["total"])


def _timeline(query: TimelineQuery, items: list[TimelineEntry], undated: list[TimelineEntry], total: int) -> Timeline:
    more = query.offset + len(items) < total
    return Timeline(as_of=query.as_of, dedup=query.dedup, items=items, undated=undated, total=total,
                    limit=query.limit, offset=query.offset, next_offset=query.offset + len(items) if more else None)


class TimelineOrders:
    """The events of the last `keep` dedup runs read, each in timeline order, for one store.

    Built on first use of a run with one query (`timeline_order.sql`, on a cursor of its own so
    that a large run is not cut short by the per-request query bound), then shared by every
    reader. Runs are immutable, so an order is never stale; a new run gets its own."""

    def __init__(self, db: Database, keep: int = 2) -> None:
        self._db = db
        self._keep = keep
        self._lock = threading.Lock()
        self._runs: OrderedDict[tuple, RunOrder] = OrderedDict()
        self.mentions = MentionOrders(db, keep)
        self.runs = DedupRuns(db)  # which run was current at a time, without a query per read

    def frame(self, run: dict[str, Any]) -> RunOrder:
        import polars as pl

        key = (run["dedup_run_id"], run["recorded_at"], run["fingerprint"])
        with self._lock:
            if key in self._runs:
                self._runs.move_to_end(key)
                return self._runs[key]
            def load(name: str, run_id: int = run["dedup_run_id"]) -> pl.DataFrame:
                with self._db.reading() as cur:
                    return cur.execute(named_query(name), {"dedup_run_id": run_id}).pl()

            frame = load("timeline_order").with_columns(
                dated=pl.col("valid_from").is_not_null() | pl.col("valid_until").is_not_null()).rechunk()
            order = self._runs[key] = RunOrder(frame, load)
            while len(self._runs) > self._keep:
                self._runs.popitem(last=False)
            return order


class MentionOrders:
    """The mentions known at the last `keep` states of the store read, each in the order of
    timeline_mentions.sql, for one store's dedup=false pages: at 2 M mentions that query joins
    every mention to its article and sorts them all on each page (1-3 s).

    A state is the record time of the last pipeline run by `as_of` (timeline_mention_state.sql):
    the set of current mentions changes only then. Its mentions are read once, in order, with what
    a page shows and the filters test (timeline_mention_order.sql, on a cursor of its own), into a
    `MentionCopy`: a private in-memory DuckDB database (as the text index is) and where each page
    of each list starts. A page is then mention_copy_page.sql over that one ordered table; without
    filters it reads only the page's range of it."""

    def __init__(self, db: Database, keep: int = 2) -> None:
        self._db = db
        self._keep = keep
        self._lock = threading.Lock()
        self._copies: OrderedDict[datetime, MentionCopy] = OrderedDict()
        self._made = itertools.count(1)  # each copy's number: what its cached pages are kept under
        # Pages read from those copies, by copy and question: a copy never changes once made, so
        # its pages are final, and the same first pages (and the undated list) are asked for
        # again and again; each read is a query of DuckDB planning (2-3 ms) and row conversion.
        self._pages = Kept(PAGES_KEPT)

    def _copy(self, state: datetime) -> MentionCopy:
        """The copy of the mentions known at `state` (made if missing)."""
        with self._lock:
            if state in self._copies:
                self._copies.move_to_end(state)
                return self._copies[state]
            with self._db.reading() as cur:
                rows = cur.execute(named_query("timeline_mention_order"), {"as_of": state}).to_arrow_table()
            copy = self._copies[state] = MentionCopy(rows, next(self._made))
            del rows
            while len(self._copies) > self._keep:
                # not closed: a reader may still be on it; its database goes with the last reference
                self._copies.popitem(last=False)
            return copy

    def read(self, cur: duckdb.DuckDBPyConnection, query: TimelineQuery) -> Timeline:
        """timeline_mentions.sql's page for `query` (dedup=false), from the copy of its state."""
        state = cur.execute(named_query("timeline_mention_state"), {"as_of": query.as_of}).fetchone()[0]
        if state is None:  # nothing was known yet
            return Timeline(as_of=query.as_of, dedup=False, items=[], undated=[], total=0, limit=query.limit,
                            offset=query.offset, next_offset=None)
        copy = self._copy(state)
        filters = {"from": query.start, "until": query.end, "q": query.q, "entity": query.entity,
                   "source": query.source, "article": query.article, "kind": query.kind}
        key = (copy.number, query.minor, query.limit, query.offset, tuple(filters.items()))
        items, undated, total = self._pages.get(key, lambda: copy.page(filters, query))
        more = query.offset + len(items) < total
        return Timeline(as_of=query.as_of, dedup=False, items=list(items), undated=list(undated),
                        total=total, limit=query.limit, offset=query.offset,
                        next_offset=query.offset + len(items) if more else None)


class MentionCopy:
    """One store state's mentions (timeline_mention_order.sql's rows) in a private in-memory
    DuckDB database of its own, and the places in it of the mentions of each list a page
    without filters shows (salient or any, dated or not): page k of a list is then a known
    range of `pos`. Dropped with its last reference: nothing to name, nothing to drop."""

    def __init__(self, rows: Any, number: int) -> None:
        import numpy as np

        self.number = number
        shown = rows.column("shown").to_numpy(zero_copy_only=False)
        dated = rows.column("dated").to_numpy(zero_copy_only=False)
        # rows come in `pos` order, from 0: a row's index is its place
        self._lists = {(minor, want): np.flatnonzero((shown | minor) & (dated == want)).astype(np.int32)
                       for minor in (False, True) for want in (True, False)}
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET TimeZone = 'UTC'")  # as the store: times come back in UTC
        # a table, not a view of the Arrow rows: DuckDB keeps each row group's range of `pos`
        # (the rows come in `pos` order), so a page reads only its own row groups
        self._con.from_arrow(rows).create("mention_copy")

    def page(self, filters: dict[str, Any], query: TimelineQuery
             ) -> tuple[tuple[TimelineEntry, ...], tuple[TimelineEntry, ...], int]:
        """The page's entries, its undated entries and its total."""
        plain = all(v is None for v in filters.values())
        reader = self._con.cursor()
        try:
            def page(dated: bool, limit: int, offset: int) -> tuple[list[dict], int]:
                first, last, skip = 0, _MAX_POS, offset
                if plain:  # the page's range of places in its list
                    places = self._lists[(query.minor, dated)]
                    if offset >= len(places) or limit <= 0:
                        return [], len(places)
                    first, last = int(places[offset]), int(places[min(offset + limit, len(places)) - 1])
                    skip = 0
                params = filters | {"minor": query.minor, "dated": dated, "first": first, "last": last,
                                    "limit": limit, "offset": skip}
                result = reader.execute(named_query("mention_copy_page"), params)
                columns = [d[0] for d in result.description]
                rows = [dict(zip(columns, row)) for row in result.fetchall()]
                total = len(self._lists[(query.minor, dated)]) if plain else (rows[0]["total"] if rows else 0)
                return rows, int(total)

            dated, total = page(True, query.limit, query.offset)
            undated, _ = page(False, MAX_UNDATED, 0)
        finally:
            reader.close()
        total = total if dated else 0  # as timeline_mentions.sql, whose rows carry the total
        return tuple(_with_overlaps([_entry(r) for r in dated])), tuple(_entry(r) for r in undated), total


_MAX_POS = 2**62  # `pos` bound of a page with filters: the whole copy


class RunOrder:
    """One dedup run's events in timeline order (`frame`), with the masks and lookups its
    filters made before (a source, a name key, a kind, an entity's text): the first request
    for a value scans the run, the next ones reuse the answer.

    A request works on numpy: masks are boolean arrays, rows are integer arrays, and a page is
    cut from `page` by numpy indexing. Polars runs many Series methods (gather, fill_null,
    arg_true, is_null) as a one-expression query on its thread pool; under concurrent requests
    each waited for that pool (one thread in the server, see cli._serve), which was half of a
    timeline read's time under the load test. Polars stays for loading and for the masks made
    once per value."""

    def __init__(self, frame: pl.DataFrame, load: Any) -> None:
        import numpy as np

        self.frame = frame
        self.page = frame.select(_PAGE_COLUMNS)  # cut with page[rows]: no query engine
        self._load = load  # (query name) -> that query's rows for this run as a frame
        self._postings: dict[str, pl.DataFrame] = {}
        self._lock = threading.Lock()
        self._named: OrderedDict[str, np.ndarray] = OrderedDict()
        self._equal: dict[tuple[str, Any], np.ndarray] = {}
        self._masks: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._details = Kept(DETAILS_KEPT)
        self._pages = Kept(PAGES_KEPT)

        # what every timeline page tests: shown by default, in the page (summarized), dated
        self.shown = (frame["salient"].fill_null(False) & frame["summarized"]).to_numpy()
        self.listed = frame["summarized"].to_numpy()
        self.latest_record = frame["recorded_at"].max()
        self.recorded_us = frame["recorded_at"].dt.epoch("us").to_numpy()
        # valid_until IS NULL OR valid_until > t: an open end is later than any t
        self.until_us = frame["valid_until"].dt.epoch("us").fill_null(np.iinfo(np.int64).max).to_numpy()
        self.dated = frame["dated"].to_numpy()
        self.undated_rows = np.flatnonzero(~self.dated)  # few: undated events are listed apart
        self._base_rows: dict[tuple[bool, bool], np.ndarray] = {}
        self._text_rows: tuple[Any, Any] | None = None  # (weakref to a text index build, its rows here)

    def text_rows(self, postings: Postings) -> Any:
        """For each document of this build of the text index, the row of its event in this
        run, or -1 (a numpy array): made once per build and run, so that a search's hits
        become rows without a lookup of their ids in every event of the run."""
        import numpy as np
        import polars as pl

        with self._lock:
            if self._text_rows is not None and self._text_rows[0]() is postings:
                return self._text_rows[1]
        found = pl.DataFrame({"event_id": postings.names}).with_row_index("doc").join(
            self.frame.select("event_id", row=pl.int_range(pl.len(), dtype=pl.Int64)), on="event_id")
        rows = np.full(len(postings.names), -1, dtype=np.int64)
        rows[found["doc"].to_numpy()] = found["row"].to_numpy()
        with self._lock:
            self._text_rows = (weakref.ref(postings), rows)
        return rows

    def starting_before(self, end: datetime) -> np.ndarray:
        """Mask of the rows with valid_from IS NULL OR valid_from < end. The order is by
        valid_from, open starts first, so they are the rows before the first start >= end."""
        import numpy as np

        starts = self.frame["valid_from"]
        nulls = starts.null_count()
        cut = nulls + starts.slice(nulls).search_sorted(end, "left")
        mask = np.zeros(self.frame.height, dtype=bool)
        mask[:cut] = True
        return mask

    def base_rows(self, minor: bool, dated: bool) -> np.ndarray:
        """Rows of a page without filters (shown or listed, dated or not), in timeline order."""
        import numpy as np

        key = (minor, dated)
        with self._lock:
            found = self._base_rows.get(key)
        if found is None:
            found = np.flatnonzero((self.listed if minor else self.shown) & (self.dated if dated else ~self.dated))
            with self._lock:
                self._base_rows[key] = found
        return found

    def rows_with(self, column: str, value: str) -> np.ndarray:
        """Mask of the rows whose list `column` contains `value` (list_contains), kept for the
        last 256 values asked: a source or name key is asked again and again."""
        key = (column, value)
        with self._lock:
            found = self._masks.get(key)
            if found is not None:
                self._masks.move_to_end(key)
                return found
        found = self.frame[column].list.contains(value).fill_null(False).to_numpy()
        with self._lock:
            self._masks[key] = found
            while len(self._masks) > 256:
                self._masks.popitem(last=False)
        return found

    def event(self, event_id: str) -> dict[str, Any] | None:
        """The row of event `event_id` (events_as_of ... WHERE event_id =), or None."""
        import polars as pl

        with self._lock:
            ids = self._postings.get("event_id")
            if ids is None:
                ids = self._postings["event_id"] = self.frame.select(
                    "event_id", row=pl.int_range(pl.len(), dtype=pl.UInt32)).sort("event_id", "row")
        lo = ids["event_id"].search_sorted(event_id, "left")
        if lo >= ids.height or ids["event_id"][lo] != event_id:
            return None
        return self.frame.row(ids["row"][lo], named=True)

    def links(self, event_id: str) -> tuple[list[int], list[int]]:
        """The (run_id, mention_ordinal) keys of the event's mentions (every link of the run is
        read once, by timeline_links.sql)."""
        with self._lock:
            links = self._postings.get("links")
            if links is None:
                links = self._postings["links"] = self._load("timeline_links")
        column = links["event_id"]
        lo, hi = column.search_sorted(event_id, "left"), column.search_sorted(event_id, "right")
        found = links.slice(lo, hi - lo)
        return found["run_id"].to_list(), found["mention_ordinal"].to_list()

    def detail(self, event_id: str, read: Any) -> Any:
        """What `read()` returns for an event of this run (its mentions and claims), kept for the
        last DETAILS_KEPT events asked: a run's links, mentions and claims never change, and the
        query that joins them (2.5 ms of DuckDB planning, 5 ms in all) was most of an event's
        read."""
        return self._details.get(event_id, read)

    def page_of(self, key: tuple | None, read: Any) -> Any:
        """What `read()` returns for the page question `key` (None: not kept), kept for the last
        PAGES_KEPT questions: the first pages of a run, plain or with the same filter, are asked
        again and again, and cutting one is 2-3 ms of a read."""
        return read() if key is None else self._pages.get(key, read)

    def has_claims(self, event_id: str) -> bool:
        """Whether the event has claims in this run (timeline_claimed_events.sql, read once):
        most have none, and their detail then skips the claims query."""
        with self._lock:
            claimed = self._postings.get("claimed")
            if claimed is None:
                claimed = self._postings["claimed"] = self._load("timeline_claimed_events")
        column = claimed["event_id"]
        at = column.search_sorted(event_id, "left")
        return at < len(column) and column[at] == event_id

    def named_in_text(self, entity: str, find: Any) -> np.ndarray:
        """Mask of the run's events whose sentences name `entity` (`find` runs the query, which
        returns their ids), kept for the last 64 entities: paging through one entity's
        timeline scans the text once."""
        import polars as pl

        with self._lock:
            if entity in self._named:
                self._named.move_to_end(entity)
                return self._named[entity]
        found = self.frame["event_id"].is_in(pl.Series(find(), dtype=pl.String).implode()).to_numpy()
        with self._lock:
            self._named[entity] = found
            while len(self._named) > 64:
                self._named.popitem(last=False)
        return found

    def equal(self, column: str, value: Any) -> np.ndarray:
        """Mask of the rows whose `column` equals `value` (for columns of few values: kind)."""
        key = (column, value)
        with self._lock:
            found = self._equal.get(key)
        if found is None:
            found = (self.frame[column] == value).fill_null(False).to_numpy()
            with self._lock:
                if len(self._equal) < 64:
                    self._equal[key] = found
        return found


_orders: weakref.WeakKeyDictionary[Any, TimelineOrders] = weakref.WeakKeyDictionary()
_orders_lock = threading.Lock()


def timeline_orders(db: Database) -> TimelineOrders:
    """The in-memory timeline orders of `db` (one set per open store)."""
    with _orders_lock:
        found = _orders.get(db)
        if found is None:
            found = _orders[db] = TimelineOrders(db)
        return found


class Kept:
    """The answers of the last `size` questions asked of something that never changes (a run,
    a table of one store state), each read once by the caller's `read()`. Two threads asking a
    new question at once may both read it; the answer is the same."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, read: Any) -> Any:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                return found
        found = read()
        with self._lock:
            self._answers[key] = found
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return found


DETAILS_KEPT = 2048  # event details kept per run in memory (RunOrder.detail): a few MB
PAGES_KEPT = 128  # page answers kept per run (RunOrder.page_of) and per mention table (MentionOrders)

_PAGE_COLUMNS = ("event_id", "kind", "label", "valid_from", "valid_until", "grain", "has_conflict", "conflicts",
                 "mention_count", "sources", "articles", "first_quote", "first_reported_at", "timezone")


def _read_from_order(cur: duckdb.DuckDBPyConnection, query: TimelineQuery, index: TextIndex | None,
                     orders: TimelineOrders) -> Timeline:
    """timeline_events.sql over the in-memory order of the run current at `as_of`: the same
    filters (SQL's three-valued logic: a NULL test keeps nothing), order, page and total."""
    run = orders.runs.at(cur, query.as_of)
    runs = [run] if run is not None else []
    if not runs:
        return Timeline(as_of=query.as_of, dedup=True, items=[], undated=[], total=0, limit=query.limit,
                        offset=query.offset, next_offset=None)
    order = orders.frame(runs[0])
    # A run's order never changes, so a page of it is final for the same question; with `q` the
    # answer also depends on the text index's build, so those are not kept.
    as_of_matters = order.latest_record is not None and order.latest_record > query.as_of
    key = None if query.q is not None else (
        query.minor, query.kind, query.start, query.end, query.source, query.article, query.entity, query.sort,
        query.limit, query.offset, query.as_of if as_of_matters else None)
    items, undated, total = order.page_of(key, lambda: _page_from_order(cur, query, index, order, run))
    more = query.offset + len(items) < total
    return Timeline(as_of=query.as_of, dedup=True, items=list(items), undated=list(undated),
                    total=total, limit=query.limit, offset=query.offset,
                    next_offset=query.offset + len(items) if more else None)


def _page_from_order(cur: duckdb.DuckDBPyConnection, query: TimelineQuery, index: TextIndex | None,
                     order: RunOrder, run: dict[str, Any]) -> tuple[tuple[TimelineEntry, ...],
                                                                  tuple[TimelineEntry, ...], int]:
    """The entries, undated entries and total of `query`'s page of `order` (run `run`)."""
    import numpy as np

    runs = [run]
    masks = [order.listed if query.minor else order.shown]
    if order.latest_record is not None and order.latest_record > query.as_of:
        masks.append(order.recorded_us <= _micros(query.as_of))
    if query.kind is not None:
        masks.append(order.equal("kind", query.kind))
    if query.start is not None:
        masks.append(order.until_us > _micros(query.start))
    if query.end is not None:  # valid_from IS NULL OR valid_from < end: a prefix of the order
        masks.append(order.starting_before(query.end.astimezone(timezone.utc)))
    if query.source is not None:
        masks.append(order.rows_with("sources", query.source))
    if query.article is not None:
        masks.append(order.rows_with("articles", query.article))
    if query.entity is not None:
        run_id = runs[0]["dedup_run_id"]
        named = order.named_in_text(query.entity, lambda: [r["event_id"] for r in fetch(
            cur, "timeline_entity_text", {"dedup_run_id": run_id, "entity": query.entity})])
        keys = entity_keys(query.entity)
        if keys:  # list_has_all(name_keys, keys)
            by_keys = order.rows_with("name_keys", keys[0])
            for k in keys[1:]:
                by_keys = by_keys & order.rows_with("name_keys", k)
            named = named | by_keys
        masks.append(named)
    hits = None  # with q: the rows of the run's events the index found, ascending, and their scores
    if query.q is not None:
        if index is None:
            at, values = np.zeros(0, dtype=np.int64), np.zeros(0)
        else:
            postings, docs, values = index.hits(query.q)
            at = order.text_rows(postings)[docs]
            found = at >= 0
            by_row = np.argsort(at[found], kind="stable")
            at, values = at[found][by_row], values[found][by_row]
        ok = masks[0][at]  # the other filters, at the hits only
        for mask in masks[1:]:
            ok = ok & mask[at]
        hits = (at[ok], values[ok])
    else:
        keep = masks[0]
        for mask in masks[1:]:
            keep = keep & mask
    relevance = query.sort == "relevance"

    def rows(dated: bool, limit: int, offset: int) -> tuple[list[TimelineEntry], int]:
        page_scores = None
        if hits is not None:
            side = order.dated[hits[0]]
            side = side if dated else ~side
            wanted, values = hits[0][side], hits[1][side]
            if relevance:  # best score first, then timeline order (the order `wanted` is in)
                picked = np.lexsort((np.arange(len(values)), -values))[offset:offset + limit]
            else:
                picked = np.arange(offset, min(offset + limit, len(values)))
            total = len(wanted)
            wanted, page_scores = wanted[picked], values[picked].tolist()
        elif len(masks) == 1:  # no filter: the run's own rows
            wanted = order.base_rows(query.minor, dated)
        elif dated:
            wanted = np.flatnonzero(keep & order.dated)
        else:
            wanted = order.undated_rows[keep[order.undated_rows]]
        if hits is None:
            total = len(wanted)
            wanted = wanted[offset:offset + limit]
        page = order.page[wanted]
        c = {name: page[name].to_list() for name in _PAGE_COLUMNS}
        # timeline_events.sql joins the first report's article after the page is cut
        shown = [i for i, quote in enumerate(c["first_quote"]) if quote is not None]
        ids = [c["event_id"][i] for i in shown]
        overlaps = (_overlap_ids([c["valid_from"][i] for i in shown], [c["valid_until"][i] for i in shown], ids)
                    if dated else [[] for _ in shown])
        return [TimelineEntry(
            id=ids[k], kind=c["kind"][i], label=c["label"][i], valid_from=c["valid_from"][i],
            valid_until=c["valid_until"][i], grain=c["grain"][i], mention_count=int(c["mention_count"][i]),
            sources=c["sources"][i], articles=c["articles"][i], has_conflict=bool(c["has_conflict"][i]),
            conflicts=c["conflicts"][i] or [], first_quote=c["first_quote"][i],
            first_reported_at=c["first_reported_at"][i], timezone=c["timezone"][i],
            score=page_scores[i] if page_scores is not None else None, overlaps=overlaps[k],
        ) for k, i in enumerate(shown)], total

    items, total = rows(True, query.limit, query.offset)
    undated, _ = rows(False, MAX_UNDATED, 0)
    total = total if items else 0
    return tuple(items), tuple(undated), total


def read_event(cur: duckdb.DuckDBPyConnection, event_id: str, as_of: datetime,
               orders: TimelineOrders | None = None) -> EventDetail | None:
    """One event as known at `as_of` with its mentions and claims. With `orders` (the server's),
    the event and its mention keys come from the run kept in memory; the answer is the same."""
    if orders is None:
        rows = fetch(cur, "event_as_of", {"event_id": event_id, "as_of": as_of})
        if not rows:
            return None
        event = rows[0]
        key = {"dedup_run_id": event["dedup_run_id"], "event_id": event_id}
        mentions, claims = _mentions_and_claims(cur, key, fetch(cur, "event_mentions_of", key), claimed=True)
    else:
        run = orders.runs.at(cur, as_of)
        order = orders.frame(run) if run is not None else None
        event = order.event(event_id) if order is not None else None
        if event is None or event["recorded_at"] > as_of:
            return None
        key = {"dedup_run_id": run["dedup_run_id"], "event_id": event_id}

        def read() -> tuple[tuple[EventMentionOut, ...], tuple[ClaimOut, ...]]:
            run_ids, ordinals = order.links(event_id)
            rows = fetch(cur, "timeline_event_mentions", {"run_ids": run_ids, "ordinals": ordinals})
            return _mentions_and_claims(cur, key, rows, claimed=order.has_claims(event_id))

        mentions, claims = order.detail(event_id, read)
    return EventDetail(
        id=event_id, kind=event["kind"], label=event["label"], valid_from=event["valid_from"],
        valid_until=event["valid_until"], grain=event["grain"], has_conflict=event["has_conflict"],
        conflicts=list(event["conflicts"] or []), sources=sorted({m.source for m in mentions}),
        mentions=list(mentions), claims=list(claims), as_of=as_of, recorded_at=event["recorded_at"],
    )


def _mentions_and_claims(cur: duckdb.DuckDBPyConnection, key: dict[str, Any], mention_rows: list[dict[str, Any]],
                         claimed: bool) -> tuple[tuple[EventMentionOut, ...], tuple[ClaimOut, ...]]:
    """An event's mentions (rows of event_mentions_of.sql) and its claims, read when `claimed`."""
    mentions = tuple(EventMentionOut(**{k: _listify(r[k]) for k in EventMentionOut.__struct_fields__})
                     for r in mention_rows)
    claims = tuple(ClaimOut(**{k: r[k] for k in ClaimOut.__struct_fields__})
                   for r in (fetch(cur, "event_claims_of", key) if claimed else []))
    return mentions, claims


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
    found = _overlap_ids([e.valid_from for e in entries], [e.valid_until for e in entries], [e.id for e in entries])
    return [msgspec.structs.replace(e, overlaps=o) for e, o in zip(entries, found)]


def _overlap_ids(starts: list[datetime | None], ends: list[datetime | None], ids: list[str]) -> list[list[str]]:
    """For each interval, the ids of the others that overlap it, in page order (all pairs at
    once: a 500-entry page has 125,000). An open side reaches past any time."""
    import numpy as np

    if len(ids) < 2:
        return [[] for _ in ids]
    lowest, highest = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    lo = np.array([lowest if t is None else _micros(t) for t in starts], dtype=np.int64)
    hi = np.array([highest if t is None else _micros(t) for t in ends], dtype=np.int64)
    # a.valid_until > b.valid_from and b.valid_until > a.valid_from
    overlap = (hi[:, None] > lo[None, :]) & (hi[None, :] > lo[:, None])
    np.fill_diagonal(overlap, False)
    return [[ids[j] for j in np.flatnonzero(row)] for row in overlap]


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


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
