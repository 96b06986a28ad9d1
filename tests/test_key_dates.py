"""`GET /timeline/key-dates` and `timeline key-dates` on the seed articles, over a real DuckDB file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from litestar.testing import TestClient

from conftest import DEMO, article
from service.api import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Settings]]:
    folder = tmp_path_factory.mktemp("key-dates")
    settings = Settings(db_path=folder / "timeline.duckdb", snapshot_dir=folder / "snapshots", load_demo=True)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def test_the_raid_day_ranks_first_with_events_and_a_sourced_sentence(seeds) -> None:
    client, _ = seeds
    answer = client.get("/timeline/key-dates")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    days = body["days"]
    assert [d["day"] for d in days[:2]] == ["2023-05-22", "2023-05-23"]
    first = days[0]
    # both articles name Monday the day after it: full weight, one source each -> 1 + 1
    assert (first["rank"], first["articles"], first["sources"], first["later_articles"]) == (1, 2, 2, 2)
    assert first["score"] == pytest.approx(2.0)
    # Tuesday is named by both, but on their own publication day: half weight -> 2 * sqrt(0.5)
    assert days[1]["same_day_articles"] == 2 and days[1]["score"] == pytest.approx(2 * 0.5 ** 0.5)
    assert first["event_count"] >= 1 and first["events"]
    assert all({"id", "kind", "label", "articles", "sources", "has_conflict"} <= set(e) for e in first["events"])
    quote = first["quote"]
    assert quote["source"] in {"AFP", "AFP via a French-language outlet, machine-translated to English"}
    assert quote["text"] and quote["trigger"] in quote["text"]
    event = client.get(f"/events/{first['events'][0]['id']}").json()
    assert event["grain"] in {"day", "part_of_day", "hour", "minute", "second"}


def test_top_is_bounded_and_the_range_is_inclusive(seeds) -> None:
    client, _ = seeds
    assert len(client.get("/timeline/key-dates", params={"top": 1}).json()["days"]) == 1
    only = client.get("/timeline/key-dates", params={"from": "2023-05-23", "to": "2023-05-23"}).json()
    assert [d["day"] for d in only["days"]] == ["2023-05-23"]
    assert only["from"] == "2023-05-23" and only["to"] == "2023-05-23"
    past = client.get("/timeline/key-dates", params={"as_of": "2000-01-01T00:00:00Z"}).json()
    assert past["days"] == []


@pytest.mark.parametrize(("params", "words"), [
    ({"top": 0}, "top=0 must be between 1 and 100"),
    ({"top": 101}, "top=101 must be between 1 and 100"),
    ({"top": "many"}, "top"),
    ({"from": "2023-05-24", "to": "2023-05-22"}, "from=2023-05-24 is after to=2023-05-22"),
    ({"from": "2023-13-01"}, "from"),
    ({"as_of": "2023-05-23T10:00:00"}, "no UTC offset"),
])
def test_bad_parameters_are_400_problems_that_say_why(seeds, params: dict, words: str) -> None:
    client, _ = seeds
    answer = client.get("/timeline/key-dates", params=params)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert words in answer.json()["detail"]


def test_a_day_is_read_on_the_article_clock(client: TestClient) -> None:
    # 2 a.m. on Monday in Tokyo is still Sunday in UTC; the key date is the Tokyo Monday
    for zone in ("+09:00", "Asia/Tokyo"):
        client.post("/articles", json=article(
            id=f"quake-{zone}", body="The quake struck at 2 a.m. on Monday, officials said.",
            published_at="2023-05-23T12:00:00", timezone=zone, source=f"Wire {zone}"))
    days = client.get("/timeline/key-dates").json()["days"]
    assert days[0]["day"] == "2023-05-22" and days[0]["sources"] == 2
    assert "2023-05-21" not in [d["day"] for d in days]


def test_the_cli_prints_the_same_ranking(tmp_path: Path) -> None:
    env = {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"), "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "s"),
           "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}

    def timeline(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True,
                              timeout=300)

    assert timeline("ingest", str(DEMO)).returncode == 0
    as_json = timeline("key-dates", "--top", "2", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert [d["day"] for d in json.loads(as_json.stdout)["days"]] == ["2023-05-22", "2023-05-23"]
    table = timeline("key-dates", "--from", "2023-05-22", "--to", "2023-05-22")
    assert table.returncode == 0 and "2023-05-22" in table.stdout and "2023-05-23" not in table.stdout
    bad = timeline("key-dates", "--top", "0")
    assert bad.returncode == 2 and "between 1 and 100" in bad.stderr
    assert timeline("key-dates", "--from", "22 May").returncode == 2


def test_runs_stored_since_the_last_dedup_run_count_before_they_are_grouped(tmp_path: Path) -> None:
    # day_article_evidence groups a run's rows at the next dedup run; until then key_dates.sql
    # groups that run's day_evidence rows as it reads them, to the same answer
    from datetime import datetime, timezone

    import msgspec

    from service.demo import load_demo_if_empty
    from service.key_dates import read_key_dates
    from service.store import Database

    db = Database(tmp_path / "t.duckdb")
    db.migrate()
    load_demo_if_empty(db)
    with db.reading() as cur:
        times = sorted(r[0] for r in cur.execute("SELECT recorded_at FROM pipeline_runs").fetchall())
    moments = [times[0], times[len(times) // 2], times[-1], datetime.now(timezone.utc)]

    def answers() -> list[bytes]:
        with db.reading() as cur:
            return [msgspec.json.encode(read_key_dates(cur, t, top=20)) for t in moments]

    grouped = answers()
    assert b'"days":[]' not in grouped[-1]
    with db.writing() as cur:
        cur.execute("DELETE FROM day_article_evidence WHERE dedup_run_id IS NULL AND run_id % 2 = 0")
        cur.execute("DELETE FROM day_article_runs WHERE run_id % 2 = 0")
    assert answers() == grouped
    db.close()


def test_the_stored_answers_are_those_of_the_links_at_every_instant(tmp_path: Path) -> None:
    # key_date_days (016) and key_date_quote_events (015) are stored with each dedup run; a read
    # uses the days while nothing was recorded since, the stored quote support while no ingest
    # re-ran a linked article, and reads the links otherwise: all three give the links' answer
    from datetime import date, datetime, timedelta, timezone

    import msgspec

    import service.ingest as ingest
    from service import key_dates
    from service.articles import ArticleIn, Limits, validate_batch
    from service.demo import load_demo_if_empty
    from service.regroup import regroup
    from service.store import Database, fetch

    db = Database(tmp_path / "t.duckdb")
    db.migrate()
    load_demo_if_empty(db)

    def put(items: list[dict], dedup: bool = True) -> None:
        batch = validate_batch([msgspec.convert(a, ArticleIn) for a in items], Limits())
        held = ingest._regroup
        if not dedup:  # stored, not regrouped yet: the window between an ingest and its regroup
            ingest._regroup = lambda db: None
        try:
            ingest.ingest_articles(db, batch, origin="cli")
        finally:
            ingest._regroup = held

    put([article(id=f"h{i}", source=f"S{i % 2}", body=body) for i, body in enumerate([
        "The council met on Monday, May 22, and the vote followed on Tuesday.",
        "On May 22 the raid began; officials said on Tuesday it ended.", "Nothing dated here."])])
    put([article(id="h0", source="S0", body="On May 22 the raid began. The mayor resigned on Wednesday.")], dedup=False)
    put([article(id="h3", source="S1", body="Nothing dated either.")], dedup=False)
    regroup(db)
    put([article(id="h4", source="S0", body="Prices rose on Friday, May 19, the ministry said on Monday.")])

    with db.reading() as cur:
        times = sorted({r[0] for r in cur.execute(
            "SELECT recorded_at FROM pipeline_runs UNION SELECT recorded_at FROM dedup_runs").fetchall()})
    moments = sorted({m for t in times for m in (t - timedelta(microseconds=1), t)} | {datetime.now(timezone.utc)})
    paths = set()
    with db.reading() as cur:
        for t in moments:
            state = fetch(cur, "key_dates_state", {"as_of": t})[0]
            paths.add("days" if key_dates._days_hold(cur, state, t, (1.0, 0.5, 0.5))
                      else "support" if key_dates._support_holds(cur, state, t) else "links")
            for top, start, end in ((10, None, None), (1, None, None), (5, date(2023, 5, 22), date(2023, 5, 23))):
                rows = fetch(cur, "key_dates_exact", {
                    "as_of": t, "from": start, "to": end, "top": top, "max_events": key_dates.MAX_EVENTS_PER_DAY,
                    "later_weight": 1.0, "same_day_weight": 0.5, "earlier_weight": 0.5})
                read = key_dates.read_key_dates(cur, t, top=top, start=start, end=end)
                assert read.days == [key_dates._day(r) for r in rows], (t, top, start, end)
    assert paths == {"days", "support", "links"}
    db.close()
