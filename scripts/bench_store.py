"""A large synthetic store written in bulk: DuckDB SQL over generate_series, no NLP pipeline.

`build_store(path, events)` writes a migrated store holding about `events` current events with
everything the views and the timeline reads need: article versions (with bodies whose sentence
offsets the mentions point into), ingest batches, pipeline runs, event mentions, several dedup
runs (events, mention links, claims) and their event summaries (filled by the service's own
`insert_event_summaries` query, so they are what a real dedup run stores). `cached_store` keeps
the file under out/, keyed by a hash of the schema files and of this generator, so reruns skip
the generation. Used by scripts/bench_api.py and tests/test_bench_api_data.py.

The shape (per story: 4 articles from 4 of 40 sources, 12 sentences each, one mention each):

- a story has 24 events: 6 told by all 4 articles, 6 by two of them, 12 by one (4, 2 or 1
  mentions); 3 of its single-article events are minor (salient = false), the rest are shown;
- valid times are on the story's clock (one of 5 IANA zones): mostly day grain, some hour and
  month grain, some open starts ("before <day>"), and 1 event in 50 stories undated (k = 22);
- stories are spread over 2000-2025 in story order; articles are published 7 days after the
  story starts, 6 hours apart;
- the store grew in 10 ingest batches (story order, an hour apart), then a correction batch
  gives 1 article in 100 a second version (a new pipeline run supersedes the first).
  Dedup runs: run 1 after batch 6 (the first 60% of stories), run 2 after batch 10 (all of
  them), run 3 after the corrections (same events, the links point at the new runs). So
  `as_of` between runs 1 and 2 answers with 60% of the events; now answers with all;
- 1 story in 20 has a conflicting claim (injured: "8" vs "at least 12") on its first event;
- names: each event has one participant and one place from bench_dedup's pool of 30 shared
  names, written in every sentence of the event; `name_keys` are the service's own keys
  (`service.regroup.entity_keys`) of both, which is what the regroup stores for such sentences.

Run alone: python3 -m uv run --frozen python scripts/bench_store.py [--events 1000000] [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re2 as re  # linear-time, as everywhere else in the project
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_dedup import OUT, POOL, SOURCES  # noqa: E402  (the shared names and outlets)

EVENTS_PER_STORY = 24
ARTICLES_PER_STORY = 4
SENTENCES = 12
BATCHES = 10
FIRST_RUN_AFTER = 6  # dedup run 1 follows this many ingest batches
PIPELINE_VERSION = "synthetic+bench_store"
ZONES = ["UTC", "Europe/Moscow", "America/New_York", "Asia/Tokyo", "Europe/London"]
PLACES = ["Kyiv", "Beijing", "Tehran", "Gaza", "Jerusalem", "Brussels", "Ankara", "Warsaw", "London", "Tokyo"]
ACTORS = [n for n in POOL if n not in PLACES]
# (kind, trigger, phrase): the trigger is a word of the phrase; the label of the event.
PHRASES = [
    ("occurrence", "attack", "launched an attack on the border post"),
    ("occurrence", "struck", "struck a fuel depot"),
    ("occurrence", "shelled", "shelled the outskirts"),
    ("occurrence", "explosion", "reported an explosion near the station"),
    ("occurrence", "election", "won the regional election"),
    ("occurrence", "protest", "joined a protest outside parliament"),
    ("occurrence", "summit", "attended a summit on energy"),
    ("occurrence", "ceasefire", "agreed a ceasefire along the river"),
    ("occurrence", "arrested", "arrested two suspects"),
    ("occurrence", "vote", "called a vote on the budget"),
    ("occurrence", "flood", "declared a flood emergency"),
    ("occurrence", "talks", "opened talks with the neighbours"),
    ("occurrence", "evacuated", "evacuated three villages"),
    ("occurrence", "sanctions", "imposed sanctions on the bank"),
    ("occurrence", "drones", "shot down drones over the city"),
    ("reporting", "said", "said the market would recover"),
    ("reporting", "announced", "announced a new court ruling"),
    ("reporting", "denied", "denied any role in the blast"),
    ("reporting", "warned", "warned of further police raids"),
    ("reporting", "accused", "accused the president of lying"),
    ("state", "closed", "kept the airport closed"),
    ("state", "remained", "remained under curfew"),
    ("state", "controls", "controls the main highway"),
    ("state", "shortage", "faced a power shortage"),
]


def cache_key() -> str:
    """Hash of everything the file depends on: the schema, the summary query, this generator."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "sql" / "schema").glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update((REPO / "sql" / "queries" / "insert_event_summaries.sql").read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def cached_store(events: int, rebuild: bool = False, log=print) -> tuple[Path, dict]:
    """The generated store for `events` under out/ (made if missing), and what its making took:
    {"seconds", "counts", "fresh"} (fresh: made by this call). The seconds are kept beside the file."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"bench_api_store-{cache_key()}-{events}.duckdb"
    info = path.with_suffix(".json")
    if path.exists() and info.exists() and not rebuild:
        return path, {**json.loads(info.read_text()), "fresh": False}
    for old in OUT.glob(f"bench_api_store-*-{events}.*"):
        old.unlink()  # earlier schemas' files: they can only be regenerated
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    counts = build_store(partial, events, log=log)
    seconds = time.perf_counter() - started
    partial.replace(path)
    info.write_text(json.dumps({"seconds": round(seconds, 1), "counts": counts}))
    return path, {"seconds": seconds, "counts": counts, "fresh": True}


def build_store(path: Path, events: int, *, start: datetime | None = None, log=print) -> dict[str, int]:
    """Write a migrated store at `path` with about `events` current events (a multiple of 24).

    Record times begin at `start` (default: 30 days ago, at midnight UTC) and stay in the past."""
    import pyarrow as pa

    from service.regroup import entity_keys
    from service.store import Database, query

    stories = max(1, -(-events // EVENTS_PER_STORY))
    start = start or datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=30)
    db = Database(path)
    db.migrate()
    cur = db.cursor()
    step = time.perf_counter()

    def run(sql: str, values: dict | None = None) -> None:
        """Execute with the parameters the statement names (DuckDB refuses extra ones)."""
        names = set(re.findall(r"\$(\w+)", sql))
        cur.execute(sql, {k: v for k, v in (values or {}).items() if k in names})

    def done(what: str) -> None:
        nonlocal step
        log(f"  {what}: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()

    # Small lookup tables from Python: names with their keys, phrases, outlets, zones.
    tables = {
        "g_actors": pa.table({"i": list(range(len(ACTORS))), "name": ACTORS,
                              "keys": [entity_keys(n) for n in ACTORS]}),
        "g_places": pa.table({"i": list(range(len(PLACES))), "name": PLACES,
                              "keys": [entity_keys(n) for n in PLACES]}),
        "g_phrases": pa.table({"i": list(range(len(PHRASES))), "kind": [p[0] for p in PHRASES],
                               "trigger": [p[1] for p in PHRASES], "phrase": [p[2] for p in PHRASES],
                               "tpos": [(" " + p[2] + " ").index(" " + p[1] + " ") for p in PHRASES]}),
        "g_sources": pa.table({"i": list(range(len(SOURCES))), "name": SOURCES}),
        "g_zones": pa.table({"i": list(range(len(ZONES))), "tz": ZONES}),
    }
    for name, table in tables.items():  # read in place by the statements below, on this cursor
        cur.register(name, table)
    params = {"stories": stories, "t0": start, "batches": BATCHES, "n_actors": len(ACTORS),
              "n_places": len(PLACES), "n_phrases": len(PHRASES), "n_sources": len(SOURCES), "n_zones": len(ZONES)}

    # One row per event of the story world: what it is, who, where, when (on the story's clock).
    run("""
        CREATE TEMP TABLE g_events AS
        WITH base AS (
            SELECT s, k, s * $batches // $stories AS batch, s % $n_zones AS zone,
                   -- stories spread over 2000-2025 in order; a story starts on its day
                   DATE '2000-01-01' + (s * 9496 // $stories)::INTEGER AS story_day,
                   (s * 7 + k * 3) % $n_phrases AS phrase, (s * 3 + k) % $n_actors AS actor,
                   (s * 5 + k // 3) % $n_places AS place
            FROM generate_series(0, $stories - 1) g(s), generate_series(0, 23) h(k)
        ), timed AS (
            SELECT *, CASE WHEN k = 22 AND s % 50 = 0 THEN NULL WHEN k % 8 = 7 THEN 'month'
                           WHEN k % 9 = 4 THEN 'hour' ELSE 'day' END AS grain,
                   k % 6 = 5 AND NOT (k = 22 AND s % 50 = 0) AS open_start,
                   (story_day + (k % 7)::INTEGER) AS day
            FROM base
        ), local AS (
            SELECT *, CASE grain WHEN 'month' THEN date_trunc('month', day)::TIMESTAMP
                                 WHEN 'hour' THEN day::TIMESTAMP + INTERVAL 14 HOUR
                                 ELSE day::TIMESTAMP END AS local_from,
                      CASE grain WHEN 'month' THEN date_trunc('month', day)::TIMESTAMP + INTERVAL 1 MONTH
                                 WHEN 'hour' THEN day::TIMESTAMP + INTERVAL 15 HOUR
                                 ELSE day::TIMESTAMP + INTERVAL 1 DAY END AS local_until
            FROM timed
        )
        SELECT l.s, l.k, l.batch, l.story_day, z.tz, 'ev-' || left(md5(l.s || '-' || l.k), 16) AS event_id,
               p.kind, p.trigger, p.phrase, p.tpos, a.name AS actor, pl.name AS place,
               list_sort(list_distinct(a.keys || pl.keys)) AS name_keys,
               l.grain,
               CASE WHEN l.grain IS NULL OR l.open_start THEN NULL ELSE timezone(z.tz, l.local_from) END AS valid_from,
               CASE WHEN l.grain IS NULL THEN NULL ELSE timezone(z.tz, l.local_until) END AS valid_until,
               CASE WHEN l.grain IS NULL THEN '' WHEN l.open_start THEN ' before ' || strftime(l.local_until, '%B %-d, %Y')
                    WHEN l.grain = 'month' THEN ' in ' || strftime(l.local_from, '%B %Y')
                    WHEN l.grain = 'hour' THEN ' at 2 p.m. on ' || strftime(l.local_from, '%B %-d, %Y')
                    ELSE ' on ' || strftime(l.local_from, '%B %-d, %Y') END AS when_text,
               NOT (l.k >= 12 AND l.k % 4 = 3) AS salient,
               l.k = 1 AND l.s % 20 = 0 AS has_conflict
        FROM local l
        JOIN g_zones z ON z.i = l.zone
        JOIN g_phrases p ON p.i = l.phrase
        JOIN g_actors a ON a.i = l.actor
        JOIN g_places pl ON pl.i = l.place
    """, params)
    done(f"{stories * EVENTS_PER_STORY:,} story events")

    # One row per sentence (= mention) of each first version: which event it tells, and its text.
    run("""
        CREATE TEMP TABLE g_mentions AS
        WITH m AS (
            SELECT s, j, i, s * 4 + j AS a,
                   CASE WHEN i < 6 THEN i WHEN i < 9 THEN i + 3 * (j // 2) ELSE 12 + (i - 9) + 3 * j END AS k
            FROM generate_series(0, $stories - 1) g(s), generate_series(0, 3) h(j), generate_series(0, 11) n(i)
        ), t AS (
            SELECT m.*, e.event_id, e.kind, e.trigger, e.actor, e.place, e.valid_from, e.valid_until, e.grain,
                   e.salient, e.batch, e.tz, e.story_day,
                   e.actor || ' ' || e.phrase || ' in ' || e.place || e.when_text || '.' AS sentence,
                   len(e.actor) + 1 + e.tpos AS trigger_at
            FROM m JOIN g_events e USING (s, k)
        )
        SELECT *, coalesce(sum(len(sentence) + 1) OVER (PARTITION BY a ORDER BY i
                                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::INTEGER AS sentence_start
        FROM t
    """, params)
    done(f"{stories * ARTICLES_PER_STORY * SENTENCES:,} sentences")

    # Ingest batches (10 in story order, an hour apart, then one of corrections), article versions.
    run("""
        CREATE TEMP TABLE g_batches AS
        SELECT b, 'bench-batch-' || lpad(b::VARCHAR, 2, '0') AS batch_id,
               $t0::TIMESTAMPTZ + b * INTERVAL 1 HOUR AS recorded_at
        FROM generate_series(0, $batches) g(b)
    """, params)
    run("""
        INSERT INTO article_versions
        WITH a AS (
            SELECT a, any_value(s) AS s, any_value(j) AS j, any_value(batch) AS batch, any_value(tz) AS tz,
                   any_value(story_day) AS story_day, string_agg(sentence, ' ' ORDER BY i) AS body,
                   arg_min(sentence, i) AS lead
            FROM g_mentions GROUP BY a
        ), v AS (
            SELECT a, s, j, batch, tz, story_day, body, lead, 1 AS version FROM a
            UNION ALL  -- corrections: 1 article in 100 gets a second version in the last batch
            SELECT a, s, j, $batches, tz, story_day, body || ' (Updated with further details.)', lead, 2
            FROM a WHERE a % 100 = 37
        )
        SELECT 'bench-' || lpad(s::VARCHAR, 7, '0') || '-' || j AS article_id, version, md5(body) AS content_hash,
               src.name AS source, 'https://news.example/' || s || '/' || j AS url, 'en' AS language,
               'Story ' || s || ': ' || lead AS title, body,
               timezone(tz, story_day::TIMESTAMP + INTERVAL 7 DAY + INTERVAL 9 HOUR + j * INTERVAL 6 HOUR) AS published_at,
               tz AS timezone, story_day::TIMESTAMP + INTERVAL 7 DAY + INTERVAL 9 HOUR + j * INTERVAL 6 HOUR AS local_published_at,
               b.recorded_at, b.batch_id
        FROM v JOIN g_batches b ON b.b = v.batch
        JOIN g_sources src ON src.i = (v.s * 7 + v.j) % $n_sources
        ORDER BY v.a, version
    """, params)
    done("article versions")

    # Pipeline runs: run a + 1 for each first version, then one per correction.
    run("""
        CREATE TEMP TABLE g_runs AS
        SELECT a, 1 AS version, a + 1 AS run_id, batch FROM (SELECT DISTINCT a, batch FROM g_mentions)
        UNION ALL
        SELECT a, 2, $stories * 4 + 1 + row_number() OVER (ORDER BY a), $batches
        FROM (SELECT DISTINCT a FROM g_mentions WHERE a % 100 = 37)
    """, params)
    run("""
        INSERT INTO pipeline_runs
        SELECT r.run_id, 'bench-' || lpad((r.a // 4)::VARCHAR, 7, '0') || '-' || (r.a % 4), r.version, $pv,
               b.recorded_at, b.batch_id, []::VARCHAR[], 0, 12
        FROM g_runs r JOIN g_batches b ON b.b = r.batch ORDER BY r.run_id
    """, params | {"pv": PIPELINE_VERSION})
    run("""
        INSERT INTO ingest_batches
        SELECT b.batch_id, b.recorded_at, 'cli', count(*), count(*) FILTER (WHERE r.version = 1),
               count(*) FILTER (WHERE r.version = 2), 0, 0
        FROM g_runs r JOIN g_batches b ON b.b = r.batch GROUP BY ALL ORDER BY b.recorded_at
    """)
    done("pipeline runs and batches")

    run("""
        INSERT INTO event_mentions BY NAME
        SELECT r.run_id, m.i AS ordinal, 'bench-' || lpad(m.s::VARCHAR, 7, '0') || '-' || m.j AS article_id,
               r.version, m.sentence_start, m.sentence_start + len(m.sentence) AS sentence_end,
               m.sentence_start + m.trigger_at AS trigger_start,
               m.sentence_start + m.trigger_at + len(m.trigger) AS trigger_end, m.trigger, m.kind,
               CASE WHEN m.kind = 'reporting' THEN m.actor END AS attributed_to,
               [m.actor] AS participants, [m.place] AS places,
               CASE WHEN m.grain IS NULL THEN NULL WHEN m.valid_from IS NULL THEN 'before' ELSE 'at' END AS time_link,
               NULL AS time_ordinal, m.valid_from, m.valid_until, m.grain, $pv AS pipeline_version,
               b.recorded_at, CASE WHEN m.grain IS NOT NULL THEN 'linked to the time expression of its sentence' END AS reason,
               m.sentence AS context, m.salient
        FROM g_mentions m JOIN g_runs r USING (a) JOIN g_batches b ON b.b = r.batch
        ORDER BY r.run_id, m.i
    """, params | {"pv": PIPELINE_VERSION})
    done("event mentions")

    # Dedup runs: after batch 6 (its stories), after batch 10 (all), after the corrections.
    runs = [(1, FIRST_RUN_AFTER - 1, start + timedelta(hours=FIRST_RUN_AFTER - 1, minutes=30)),
            (2, BATCHES - 1, start + timedelta(hours=BATCHES - 1, minutes=30)),
            (3, BATCHES - 1, start + timedelta(hours=BATCHES, minutes=30))]
    for run_id, last_batch, recorded_at in runs:
        cur.execute(query("insert_dedup_run"), {"dedup_run_id": run_id, "pipeline_version": PIPELINE_VERSION,
                                                "recorded_at": recorded_at, "fingerprint": f"bench-{run_id}"})
        rv = {"run": run_id, "last": last_batch, "at": recorded_at, "pv": PIPELINE_VERSION}
        run("""
            INSERT INTO events BY NAME
            SELECT $run AS dedup_run_id, event_id, kind, trigger AS label, valid_from, valid_until, grain, has_conflict,
                   $pv AS pipeline_version, $at AS recorded_at,
                   CASE WHEN has_conflict THEN ['injured: 8 (' || actor || ') vs at least 12']
                        ELSE []::VARCHAR[] END AS conflicts,
                   name_keys, salient
            FROM g_events WHERE batch <= $last
            ORDER BY valid_from IS NULL, valid_from, valid_until NULLS LAST, event_id  -- as regroup stores them
        """, rv)
        # Each mention of a story in the run goes to its event, from the article's run current then.
        run("""
            INSERT INTO event_mention_links
            SELECT $run, m.event_id, r.run_id, m.i, $at
            FROM g_mentions m
            JOIN (SELECT a, max(run_id) AS run_id FROM g_runs JOIN g_batches b ON b.b = g_runs.batch
                  WHERE b.recorded_at <= $at GROUP BY a) r USING (a)
            WHERE m.batch <= $last
            ORDER BY m.valid_from IS NULL, m.valid_from, m.valid_until NULLS LAST, m.event_id, r.run_id, m.i
        """, rv)
        run("""
            INSERT INTO event_claims
            SELECT l.dedup_run_id, l.event_id, l.run_id, l.mention_ordinal, 'injured',
                   CASE WHEN l.run_id % 2 = 0 THEN '8' ELSE 'at least 12' END, 'injured', l.recorded_at
            FROM event_mention_links l JOIN g_events e USING (event_id)
            WHERE l.dedup_run_id = $run AND e.has_conflict
        """, {"run": run_id})
        cur.execute(query("insert_event_summaries"), {"dedup_run_id": run_id})
        done(f"dedup run {run_id}")
    cur.execute("CHECKPOINT")
    counts = {name: cur.execute(sql).fetchone()[0] for name, sql in {
        "stories": "SELECT count(DISTINCT s) FROM g_events",
        "current_events": "SELECT count(*) FROM current_events",
        "articles": "SELECT count(*) FROM current_articles",
        "mentions": "SELECT count(*) FROM current_event_mentions",
        "event_rows": "SELECT count(*) FROM events",
        "link_rows": "SELECT count(*) FROM event_mention_links",
    }.items()}
    done("checkpoint and counts")
    cur.close()
    db.close()
    return counts


def copy_store(path: Path, folder: Path) -> Path:
    """A copy of a generated store in `folder`, for a server that may write to it."""
    target = folder / "bench.duckdb"
    shutil.copy(path, target)
    return target


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, help="write here instead of the cache under out/")
    args = ap.parse_args()
    started = time.perf_counter()
    if args.out:
        args.out.unlink(missing_ok=True)
        counts = build_store(args.out, args.events)
        path = args.out
    else:
        path, made = cached_store(args.events, rebuild=True)
        counts = made["counts"]
    print(f"{path}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s {counts}")


if __name__ == "__main__":
    main()
