"""The synthetic store of scripts/bench_store.py (what scripts/bench_api.py measures), at small
size, read through the real API: the timeline's order, its filters, as_of, and /events."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import msgspec
import pytest
from litestar.testing import TestClient

from service.api import create_app
from service.settings import Settings
from service.store import Database
from service.timeline import TimelineQuery, read_timeline, timeline_orders

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import bench_store  # noqa: E402

EVENTS = 2_400  # 100 stories


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "bench.duckdb"
    counts = bench_store.build_store(path, EVENTS, log=lambda line: None)
    assert counts["current_events"] == EVENTS and counts["stories"] == 100
    return path


@pytest.fixture(scope="module")
def runs(store: Path) -> list[datetime]:
    with duckdb.connect(str(store), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return [r[0] for r in con.execute("SELECT recorded_at FROM dedup_runs ORDER BY dedup_run_id").fetchall()]


@pytest.fixture(scope="module")
def client(store: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("served")
    served = bench_store.copy_store(store, folder)
    with TestClient(create_app(Settings(db_path=served, snapshot_dir=folder / "snapshots"))) as test_client:
        yield test_client


def _page(client: TestClient, **params) -> dict:
    response = client.get("/timeline", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _key(item: dict) -> tuple:
    start, end = item["valid_from"], item["valid_until"]
    return (start is not None, start or "", end is None, end or "", item["first_reported_at"], item["id"])


def test_the_store_has_what_the_views_need(store: Path) -> None:
    with duckdb.connect(str(store), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM current_events") == EVENTS
        assert one("SELECT count(*) FROM dedup_runs") == 3
        # every mention's sentence and trigger are where its offsets say
        assert one("""SELECT count(*) FROM event_mentions m JOIN article_versions a USING (article_id, version)
                      WHERE substring(a.body, m.trigger_start + 1, m.trigger_end - m.trigger_start) <> m.trigger
                         OR substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) <> m.context""") == 0
        # corrections: a second version whose run supersedes the first
        assert one("SELECT count(*) FROM article_versions WHERE version = 2") == 4
        assert one("SELECT count(*) FROM current_event_mentions WHERE version = 1 AND article_id IN "
                   "(SELECT article_id FROM article_versions WHERE version = 2)") == 0
        assert one("SELECT count(*) FROM event_summaries WHERE dedup_run_id = 3") == EVENTS


def test_the_timeline_comes_in_order_with_every_shown_event(client: TestClient) -> None:
    items, offset, total = [], 0, None
    while offset is not None:
        page = _page(client, offset=offset)
        items += page["items"]
        total, offset = page["total"], page["next_offset"]
    assert len(items) == total == 2_098  # 24 per story, less 3 minor, less the 2 undated
    assert [_key(i) for i in items] == sorted(_key(i) for i in items)
    assert len(page["undated"]) == 2
    assert items[0]["mention_count"] in (1, 2, 4) and items[0]["first_quote"].endswith(".")


def test_as_of_reads_the_earlier_runs(client: TestClient, runs: list[datetime]) -> None:
    now = _page(client, limit=1)["total"]
    between = _page(client, limit=1, as_of=(runs[0] + timedelta(minutes=30)).isoformat())["total"]
    before = _page(client, limit=1, as_of=(runs[0] - timedelta(seconds=1)).isoformat())["total"]
    assert before == 0 and 0 < between < now  # run 1 holds 60% of the stories
    assert between == 1_258


def test_filters_return_what_they_should(client: TestClient) -> None:
    source = _page(client, source="Outlet 07")
    assert source["total"] > 0 and all("Outlet 07" in i["sources"] for i in source["items"])
    state = _page(client, kind="state")
    assert state["total"] > 0 and {i["kind"] for i in state["items"]} == {"state"}
    kyiv = _page(client, entity="Kyiv")
    assert kyiv["total"] > 0 and all("Kyiv" in i["first_quote"] for i in kyiv["items"])
    assert _page(client, entity="kiev")["total"] == kyiv["total"]  # another spelling, the same events
    hits = _page(client, q="ceasefire")
    assert hits["total"] > 0 and all(i["label"] == "ceasefire" for i in hits["items"])
    start, end = "2000-03-01T00:00:00Z", "2000-04-01T00:00:00Z"
    window = _page(client, **{"from": start, "until": end})
    assert 0 < window["total"] < 2_098
    assert all((i["valid_until"] is None or i["valid_until"] > "2000-03-01T00:00:00")
               and (i["valid_from"] is None or i["valid_from"] < "2000-04-01T00:00:00") for i in window["items"])
    mentions = _page(client, dedup="false")
    assert mentions["total"] > 2_098 and all(i["mention_count"] == 1 for i in mentions["items"])


def test_an_event_in_full_has_its_mentions(client: TestClient) -> None:
    item = next(i for i in _page(client)["items"] if i["mention_count"] == 4)
    event = client.get(f"/events/{item['id']}").json()
    assert len(event["mentions"]) == 4 and sorted(event["sources"]) == item["sources"]
    assert all(m["quote"] == event["mentions"][0]["quote"] for m in event["mentions"])


def test_pages_from_memory_equal_the_sql_query(store: Path, runs: list[datetime]) -> None:
    db = Database(store, read_only=True)
    try:
        now = datetime.now(timezone.utc)
        queries = [TimelineQuery(as_of=now, limit=100), TimelineQuery(as_of=now, limit=100, offset=2_050),
                   TimelineQuery(as_of=runs[0] + timedelta(minutes=30), limit=50, offset=10),
                   TimelineQuery(as_of=now, limit=100, source="Outlet 07", minor=True),
                   TimelineQuery(as_of=now, limit=100, article="bench-0000003-2"),
                   TimelineQuery(as_of=now, limit=100, entity="Tehran", kind="occurrence"),
                   TimelineQuery(as_of=now, limit=100, entity="border post"),
                   TimelineQuery(as_of=now, limit=100, start=datetime(2000, 3, 1, tzinfo=timezone(timedelta(hours=3))),
                                 end=datetime(2000, 4, 1, tzinfo=timezone.utc)),
                   TimelineQuery(as_of=now, limit=100, offset=10**6)]
        with db.reading() as cur:
            for q in queries:
                assert msgspec.json.encode(read_timeline(cur, q, None, timeline_orders(db))) == \
                    msgspec.json.encode(read_timeline(cur, q, None)), q
    finally:
        db.close()


def test_text_search_pages_from_memory_equal_the_sql_query(store: Path, runs: list[datetime]) -> None:
    """q: the in-memory order takes the index's hits as rows of the run (service/timeline.py);
    timeline_events.sql takes them as a list of ids. Same pages, totals and scores."""
    from service.regroup import refresh_text_index

    db = Database(store, read_only=True)
    try:
        refresh_text_index(db)
        now = datetime.now(timezone.utc)
        past = runs[0] + timedelta(minutes=30)
        queries = [TimelineQuery(as_of=now, limit=100, q="ceasefire"),
                   TimelineQuery(as_of=now, limit=100, q="ceasefire", sort="relevance"),
                   TimelineQuery(as_of=now, limit=20, offset=15, q="attack river", sort="relevance"),
                   TimelineQuery(as_of=now, limit=30, offset=40, q="attack river"),
                   TimelineQuery(as_of=now, limit=100, q="ceasefire", source="Outlet 07", minor=True),
                   TimelineQuery(as_of=now, limit=100, q="drones", kind="occurrence", entity="Tehran"),
                   TimelineQuery(as_of=past, limit=100, q="ceasefire", sort="relevance"),
                   TimelineQuery(as_of=now, limit=100, q="summit", start=datetime(2000, 3, 1, tzinfo=timezone.utc),
                                 end=datetime(2001, 4, 1, tzinfo=timezone.utc)),
                   TimelineQuery(as_of=now, limit=100, q="nothingmatchesthis"),
                   TimelineQuery(as_of=now, limit=100, offset=10**6, q="ceasefire")]
        with db.reading() as cur:
            for q in queries:
                memory = read_timeline(cur, q, db.text_index, timeline_orders(db))
                assert msgspec.json.encode(memory) == msgspec.json.encode(read_timeline(cur, q, db.text_index)), q
            hits = read_timeline(cur, queries[1], db.text_index, timeline_orders(db))
            assert hits.total > 0 and all(i.score is not None and i.label == "ceasefire" for i in hits.items)
            scores = [i.score for i in hits.items]
            assert scores == sorted(scores, reverse=True)
            # an undated event's words find it among the undated, on both paths
            label = read_timeline(cur, TimelineQuery(as_of=now, limit=1), None, timeline_orders(db)).undated[0].label
            for q in (TimelineQuery(as_of=now, limit=5, q=label), TimelineQuery(as_of=now, limit=5, q=label,
                                                                                sort="relevance")):
                memory = read_timeline(cur, q, db.text_index, timeline_orders(db))
                assert memory.undated and all(i.score is not None for i in memory.undated)
                assert msgspec.json.encode(memory) == msgspec.json.encode(read_timeline(cur, q, db.text_index))
    finally:
        db.close()


def test_mention_pages_from_memory_equal_the_sql_query(store: Path, runs: list[datetime]) -> None:
    """dedup=false: the server's ordered copy of the current mentions (service/timeline.py,
    MentionOrders) gives timeline_mentions.sql's pages, totals and undated lists."""
    db = Database(store, read_only=True)
    try:
        now = datetime.now(timezone.utc)
        past, before = runs[0] + timedelta(minutes=30), runs[0] - timedelta(days=40)
        queries = [TimelineQuery(as_of=now, limit=100, dedup=False),
                   TimelineQuery(as_of=now, limit=100, offset=2_000, dedup=False, minor=True),
                   TimelineQuery(as_of=now, limit=500, offset=4_500, dedup=False),
                   TimelineQuery(as_of=past, limit=50, offset=10, dedup=False),
                   TimelineQuery(as_of=before, limit=50, dedup=False),
                   TimelineQuery(as_of=now, limit=100, dedup=False, source="Outlet 07", minor=True),
                   TimelineQuery(as_of=now, limit=100, dedup=False, article="bench-0000003-2"),
                   TimelineQuery(as_of=now, limit=100, dedup=False, entity="Tehran", kind="occurrence"),
                   TimelineQuery(as_of=now, limit=100, dedup=False, entity="border post"),
                   TimelineQuery(as_of=now, limit=100, dedup=False, q="ceasefire", offset=5),
                   TimelineQuery(as_of=past, limit=100, dedup=False, kind="state", minor=True),
                   TimelineQuery(as_of=now, limit=100, dedup=False,
                                 start=datetime(2000, 3, 1, tzinfo=timezone(timedelta(hours=3))),
                                 end=datetime(2000, 4, 1, tzinfo=timezone.utc)),
                   TimelineQuery(as_of=now, limit=100, dedup=False, offset=10**6)]
        orders = timeline_orders(db)
        with db.reading() as cur:
            for q in queries:
                memory = read_timeline(cur, q, None, orders)
                assert msgspec.json.encode(memory) == msgspec.json.encode(read_timeline(cur, q, None)), q
            first = read_timeline(cur, queries[0], None, orders)
            assert first.total > 2_098 and len(first.items) == 100 and first.undated
            assert read_timeline(cur, queries[4], None, orders).total == 0
            assert read_timeline(cur, queries[3], None, orders).total < first.total  # as_of reads fewer
    finally:
        db.close()
