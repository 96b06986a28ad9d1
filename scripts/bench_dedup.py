"""Deduplication at scale: 10,000 articles -> events (time, peak memory), then timeline query latency.

The articles are synthetic stories made from the TimeBank/AQUAINT news texts (../shared/data/tbaq):

1. **Base derivation (real pipeline, once).** `--base` tbaq documents go through
   `service.pipeline.derive_many` (segment, spaCy parse, time tagging, event mentions) in a child
   process, so spaCy never counts in the figures below. The result is cached in
   out/bench_dedup_base-<key>.msgpack (the key hashes the pipeline version and the deriving code);
   delete it or pass --rederive to redo it. Deriving 10,000 articles through spaCy would take many
   minutes and measure the parser, not deduplication.
2. **Stories.** Story s retells base document s mod B in `--per-story` articles from different
   sources (40 outlets), published 6 hours apart; all its times are moved by 41 days x (s div B),
   so the same text makes a new story at another time. Each article keeps a random 75% of the base
   mentions (its valid times moved with the story), so reports of one happening overlap without
   being copies. Shared entities: every story draws two names from a pool of 30 people, places and
   groups (Vladimir Putin, Kyiv, the European Union...), added to the participants of about half
   of its mentions, so unrelated stories share names the way a news stream does and name blocking
   meets large blocks.
3. **Store.** The articles and their shifted derivations are stored through the real
   `service.ingest.ingest_articles` (with a deriver that hands out the shifted rows), in batches
   of `--batch`, with deduplication held back; then one `service.regroup.regroup` clusters
   everything: that is the timed "articles -> events" stage, run in a fresh child process whose
   peak RSS is the stage's memory.
   The child's peak RSS is read from /proc (VmHWM) while it runs; while the child has forked
   helpers of its own (deduplication scores pairs on a second core), the sum of their
   proportional set sizes (Pss) counts too, so shared pages count once. A regroup still running after
   `--regroup-timeout` seconds is stopped and reported as over the target.
4. **Queries.** Over the result, in another fresh process that rebuilds the text index as the
   server does at start: the default timeline page, a 30-day window, an entity filter, a BM25
   text query, a deep page, one event in full, and the key dates; `--queries` timed runs each
   after 3 warm-ups, p50 and p95. These read through SQL (`read_timeline` without the server's
   in-memory orders), the path `timeline export` takes; the first four again as GET /timeline
   serves them (the run's order in memory, a page not asked before at each run). When the
   regroup did not finish, the queries run over the grouping the stories were built with
   (mention i of a story's base document is one event), stored as one dedup run, so the query figures are still those of a 10,000-article store.

Targets (issue 6): regroup <= 60 s and <= 2 GB; timeline query p95 <= 50 ms. With --profile the
regroup runs under cProfile and the 25 costliest functions (cumulative) are printed: where the
time goes (use a smaller --articles: profiling slows the run about twice). --keep DIR leaves the
database there for EXPLAIN ANALYZE.

Run: python3 -m uv run --frozen python scripts/bench_dedup.py [--articles 10000] [--base 100]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TBAQ = REPO.parent / "shared" / "data" / "tbaq"
OUT = REPO / "out"
SOURCES = [f"Outlet {i:02d}" for i in range(40)]
POOL = ["Vladimir Putin", "Kyiv", "European Union", "Joe Biden", "United Nations", "NATO", "Beijing",
        "Emmanuel Macron", "Olaf Scholz", "Tehran", "Gaza", "Jerusalem", "World Bank", "Federal Reserve",
        "Xi Jinping", "Narendra Modi", "Brussels", "Pentagon", "Kremlin", "Red Cross", "Ankara", "Warsaw",
        "Recep Tayyip Erdogan", "Benjamin Netanyahu", "Volodymyr Zelensky", "London", "Tokyo", "IMF",
        "Amnesty International", "Antony Blinken"]


class Base(msgspec.Struct):
    doc_id: str
    title: str | None
    body: str
    dct: datetime
    expressions: list[Any]
    mentions: list[Any]


def _cache_key() -> str:
    from service.events import EventMention
    from service.pipeline import pipeline_version
    from service.temporal.model import TimeExpression

    shape = [pipeline_version(), list(EventMention.__struct_fields__), list(TimeExpression.__struct_fields__)]
    digest = hashlib.sha256(json.dumps(shape).encode())
    service = REPO / "service"
    for path in sorted([service / "pipeline.py", service / "events.py", service / "text.py",
                        *service.glob("events_lexicon/*"), *service.glob("temporal/**/*.py")]):
        digest.update(path.read_bytes())  # the code that derives, whatever its version says
    return digest.hexdigest()[:12]


# -- 1. base derivation (child process) ---------------------------------------------------


def derive_base(count: int, path: Path) -> None:
    from service.pipeline import derive_many
    from service.articles import Limits, validate_batch
    from service.sources.files import read_timeml_files

    pairs = []
    for folder in ("TimeBank", "AQUAINT"):
        pairs.extend(read_timeml_files(TBAQ / folder))
    pairs = pairs[:count]
    articles = validate_batch([a for _, a in pairs], Limits(max_batch_articles=len(pairs)), where=[w for w, _ in pairs])
    bases = []
    start = time.perf_counter()
    for i in range(0, len(articles), 20):
        chunk = articles[i:i + 20]
        for article, derived in zip(chunk, derive_many(chunk)):
            bases.append(Base(article.id, article.title, article.body, article.published_at,
                              [msgspec.to_builtins(x) for x in derived.expressions],
                              [msgspec.to_builtins(m) for m in derived.mentions]))
    path.write_bytes(msgspec.msgpack.encode(bases))
    print(f"derived {len(bases)} base documents in {time.perf_counter() - start:.1f} s "
          f"({sum(len(b.mentions) for b in bases)} mentions) -> {path.name}", file=sys.stderr)


def load_base(count: int, rederive: bool) -> list[Base]:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"bench_dedup_base-{_cache_key()}-{count}.msgpack"
    if rederive or not path.exists():
        subprocess.run([sys.executable, __file__, "--stage", "derive", "--base", str(count), "--cache", str(path)],
                       check=True)
    return msgspec.msgpack.decode(path.read_bytes(), type=list[Base])


# -- 2. stories ---------------------------------------------------------------------------


class Synthetic(msgspec.Struct):
    article: dict
    base: int
    shift: timedelta
    keep: list[int]
    names: list[str]
    name_on: list[bool]


def make_stories(bases: list[Base], total: int, per_story: int, seed: int = 7) -> list[Synthetic]:
    rng = random.Random(seed)
    out: list[Synthetic] = []
    story = 0
    while len(out) < total:
        b = story % len(bases)
        base = bases[b]
        shift = timedelta(days=41 * (story // len(bases)))
        names = rng.sample(POOL, 2)
        for j in range(per_story):
            if len(out) == total:
                break
            n = len(base.mentions)
            keep = [i for i in range(n) if rng.random() < 0.75]
            published = base.dct + shift + timedelta(hours=6 * j)
            out.append(Synthetic(
                article={"id": f"s{story:05d}-{j}", "source": SOURCES[(story * 7 + j) % len(SOURCES)],
                         "title": base.title, "body": base.body, "published_at": published.isoformat(),
                         "timezone": "UTC"},
                base=b, shift=shift, keep=keep, names=names, name_on=[rng.random() < 0.5 for _ in keep]))
        story += 1
    return out


def shifted(bases: list[Base], s: Synthetic):
    """The base derivation moved to the story's time, with its shared names."""
    from service.events import EventMention
    from service.pipeline import Derived
    from service.temporal.model import TimeExpression

    base = bases[s.base]

    def move(value: Any) -> Any:
        return None if value is None else datetime.fromisoformat(value) + s.shift if isinstance(value, str) else value

    expressions = []
    for x in base.expressions:
        x = dict(x)
        x["valid_from"], x["valid_until"] = move(x.get("valid_from")), move(x.get("valid_until"))
        expressions.append(msgspec.convert(x, TimeExpression))
    mentions = []
    for k, i in enumerate(s.keep):
        m = dict(base.mentions[i])
        m["valid_from"], m["valid_until"] = move(m.get("valid_from")), move(m.get("valid_until"))
        if s.name_on[k]:
            m["participants"] = list(m["participants"]) + s.names
        mentions.append(msgspec.convert(m, EventMention))
    return Derived(expressions=expressions, mentions=mentions)


def load_store(db_path: Path, bases: list[Base], stories: list[Synthetic], batch: int) -> tuple[float, int]:
    import service.ingest as ingest
    from service.articles import ArticleIn, Limits, validate_batch
    from service.store import Database

    by_id = {s.article["id"]: s for s in stories}
    articles = validate_batch([msgspec.convert(s.article, ArticleIn) for s in stories],
                              Limits(max_batch_articles=len(stories)))
    db = Database(db_path)
    db.migrate()
    held = ingest._regroup
    ingest._regroup = lambda db: None  # deduplication is timed on its own, below
    start = time.perf_counter()
    try:
        for i in range(0, len(articles), batch):
            ingest.ingest_articles(db, articles[i:i + batch], origin="bench",
                                   deriver=lambda a: shifted(bases, by_id[a.id]))
    finally:
        ingest._regroup = held
    elapsed = time.perf_counter() - start
    with db.reading() as cur:
        mentions = cur.execute("SELECT count(*) FROM current_event_mentions").fetchone()[0]
    db.close()
    return elapsed, int(mentions)


# -- 3. and 4. regroup and queries (child process) ---------------------------------------


def stage_regroup(db_path: Path, profile: bool) -> None:
    from service.regroup import regroup
    from service.store import Database

    db = Database(db_path)
    db.text_index  # a server holds one, which its regroups rebuild: timed as part of the regroup
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    profile_text = ""
    if profile:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        report = prof.runcall(regroup, db)
        stream = io.StringIO()
        pstats.Stats(prof, stream=stream).sort_stats("cumulative").print_stats(25)
        profile_text = stream.getvalue()
    else:
        report = regroup(db)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db.close()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "rss_before_mb": rss_before, "mentions": report.mentions,
                      "events": report.events, "conflicts": report.conflicts, "profile": profile_text}))


def stage_queries(db_path: Path, runs: int) -> None:
    from service.regroup import refresh_text_index
    from service.store import Database

    db = Database(db_path, read_only=True)
    refresh_text_index(db)  # what the server does at start
    with db.reading() as cur:
        events = cur.execute("SELECT count(*) FROM current_events").fetchone()[0]
    latencies = time_queries(db, runs)
    db.close()
    print(json.dumps({"events": events, "latencies": latencies}))


def oracle_grouping(db_path: Path, bases: list[Base], stories: list[Synthetic]) -> int:
    """Store the grouping the stories were built with (mention i of a story's base document is one
    event), as one dedup run: the queries can then be timed at full scale when regroup cannot finish."""
    import polars as pl

    from service.pipeline import pipeline_version
    from service.regroup import entity_keys
    from service.store import Database, query, query_names

    db = Database(db_path)
    utc = pl.Datetime("us", "UTC")
    with db.writing() as cur:
        runs = dict(cur.execute("SELECT article_id, max(run_id) FROM pipeline_runs GROUP BY article_id").fetchall())
        recorded_at = db.next_record_time(cur)
        run_id = 1 + (cur.execute("SELECT coalesce(max(dedup_run_id), 0) FROM dedup_runs").fetchone()[0])
        events: dict[str, dict] = {}
        links: dict[str, list] = {k: [] for k in ("dedup_run_id", "event_id", "run_id", "mention_ordinal", "recorded_at")}
        for s in stories:
            story = s.article["id"].split("-")[0]
            base = bases[s.base]
            for ordinal, i in enumerate(s.keep):
                event_id = f"oracle-{story}-{i}"
                m = base.mentions[i]
                e = events.get(event_id)
                if e is None:
                    move = (lambda v: None if v is None else datetime.fromisoformat(v) + s.shift)
                    e = events[event_id] = {"kind": m["kind"], "label": m["trigger"], "valid_from": move(m["valid_from"]),
                                            "valid_until": move(m["valid_until"]), "grain": m["grain"], "names": set()}
                for name in list(m["participants"]) + list(m["places"]) + (s.names if s.name_on[ordinal] else []):
                    e["names"].update(entity_keys(name))
                for key, value in (("dedup_run_id", run_id), ("event_id", event_id), ("run_id", runs[s.article["id"]]),
                                   ("mention_ordinal", ordinal), ("recorded_at", recorded_at)):
                    links[key].append(value)
        ids = list(events)
        frame = pl.DataFrame({
            "dedup_run_id": [run_id] * len(ids), "event_id": ids, "kind": [events[i]["kind"] for i in ids],
            "label": [events[i]["label"] for i in ids], "valid_from": [events[i]["valid_from"] for i in ids],
            "valid_until": [events[i]["valid_until"] for i in ids], "grain": [events[i]["grain"] for i in ids],
            "has_conflict": [False] * len(ids), "conflicts": [[] for _ in ids],
            "name_keys": [sorted(events[i]["names"]) for i in ids],
            "pipeline_version": [pipeline_version()] * len(ids), "recorded_at": [recorded_at] * len(ids),
        }, schema={"dedup_run_id": pl.Int64, "event_id": pl.String, "kind": pl.String, "label": pl.String,
                   "valid_from": utc, "valid_until": utc, "grain": pl.String, "has_conflict": pl.Boolean,
                   "conflicts": pl.List(pl.String), "name_keys": pl.List(pl.String), "pipeline_version": pl.String,
                   "recorded_at": utc})
        cur.execute(query("insert_dedup_run"), {"dedup_run_id": run_id, "pipeline_version": pipeline_version(),
                                                "recorded_at": recorded_at, "fingerprint": "bench-oracle"})
        for view, name, data in (("new_events", "insert_events", frame),
                                 ("new_event_mention_links", "insert_event_mention_links", pl.DataFrame(links, schema={
                                     "dedup_run_id": pl.Int64, "event_id": pl.String, "run_id": pl.Int64,
                                     "mention_ordinal": pl.Int32, "recorded_at": utc}))):
            cur.register(view, data.to_arrow())
            try:
                cur.execute(query(name))
            finally:
                cur.unregister(view)
        if "insert_event_summaries" in query_names():  # what /timeline reads, where the store keeps it
            cur.execute(query("insert_event_summaries"), {"dedup_run_id": run_id})
    db.close()
    return len(ids)


def time_queries(db, runs: int) -> dict[str, list[float]]:
    from service.key_dates import read_key_dates
    from service.timeline import TimelineQuery, read_event, read_timeline, timeline_orders

    now = datetime.now(timezone.utc)
    with db.reading() as cur:
        first, last = cur.execute("SELECT min(valid_from), max(valid_from) FROM current_events").fetchone()
        some_event = cur.execute("SELECT event_id FROM current_events ORDER BY event_id LIMIT 1").fetchone()[0]
    middle = first + (last - first) / 2
    cases = {
        "timeline, first page of 50": lambda cur: read_timeline(cur, TimelineQuery(as_of=now, limit=50)),
        "timeline, 30-day window": lambda cur: read_timeline(cur, TimelineQuery(
            as_of=now, limit=50, start=middle, end=middle + timedelta(days=30))),
        "timeline, entity=Kyiv": lambda cur: read_timeline(cur, TimelineQuery(as_of=now, limit=50, entity="Kyiv")),
        "timeline, q=attack (BM25)": lambda cur: read_timeline(
            cur, TimelineQuery(as_of=now, limit=50, q="attack"), db.text_index),
        "timeline, offset 5000": lambda cur: read_timeline(cur, TimelineQuery(as_of=now, limit=50, offset=5000)),
        "one event in full": lambda cur: read_event(cur, some_event, now),
        "key dates, top 10": lambda cur: read_key_dates(cur, now, top=10),
    }
    # The same timeline questions as GET /timeline serves them: cut from the run's order kept in
    # memory. Run i asks page i (offset 50 i), a page not asked before, so that the pages a run
    # keeps (RunOrder.page_of) do not answer: the figure is the cost of cutting one.
    orders = timeline_orders(db)
    served = {
        "timeline, first pages (server)": lambda cur, i: read_timeline(
            cur, TimelineQuery(as_of=now, limit=50, offset=50 * i), db.text_index, orders),
        "timeline, 30-day window (server)": lambda cur, i: read_timeline(cur, TimelineQuery(
            as_of=now, limit=50, offset=50 * i, start=middle, end=middle + timedelta(days=30)), db.text_index, orders),
        "timeline, entity=Kyiv (server)": lambda cur, i: read_timeline(
            cur, TimelineQuery(as_of=now, limit=50, offset=50 * i, entity="Kyiv"), db.text_index, orders),
        "timeline, q=attack (server)": lambda cur, i: read_timeline(
            cur, TimelineQuery(as_of=now, limit=50, offset=50 * i, q="attack"), db.text_index, orders),
    }
    out: dict[str, list[float]] = {}
    with db.reading() as cur:
        for name, run in cases.items():
            for _ in range(3):
                run(cur)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                run(cur)
                times.append((time.perf_counter() - start) * 1000)
            out[name] = times
        for name, ask in served.items():
            ask(cur, runs + 1)  # loads the run's order and its masks, as the server's first read does
            times = []
            for i in range(runs):
                start = time.perf_counter()
                ask(cur, i)
                times.append((time.perf_counter() - start) * 1000)
            out[name] = times
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_child(args: list[str], timeout: float) -> tuple[dict | None, float, float]:
    """Run a stage in a fresh process: its JSON answer (None if it ran out of time), wall seconds, peak RSS (MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_kb = 0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:  # VmHWM: the child's peak resident set so far (Linux)
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
            # While it has forked helpers (dedup scores on a second core), what the machine holds is
            # the proportional set of the family: a forked child shares its parent's pages until it
            # writes them, and its own resident set counts them again.
            helpers = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            if helpers:
                peak_kb = max(peak_kb, sum(_pss_kb(pid) for pid in [str(proc.pid), *helpers]))
        except OSError:
            pass
        if time.perf_counter() - start > timeout:
            proc.kill()
            proc.wait()
            return None, time.perf_counter() - start, peak_kb / 1024
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"stage {args[1]} failed:\n{err[-4000:]}")
    return json.loads(out.strip().splitlines()[-1]), time.perf_counter() - start, peak_kb / 1024


def _pss_kb(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:  # it ended meanwhile
        pass
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--base", type=int, default=100, help="tbaq documents derived through the pipeline (default 100)")
    ap.add_argument("--per-story", type=int, default=8, help="articles per story (default 8)")
    ap.add_argument("--batch", type=int, default=1_000, help="articles per stored batch (default 1000)")
    ap.add_argument("--queries", type=int, default=20, help="timed runs of each query (default 20)")
    ap.add_argument("--regroup-timeout", type=float, default=600,
                    help="seconds before the regroup is stopped and reported as over (default 600)")
    ap.add_argument("--rederive", action="store_true", help="derive the base documents again")
    ap.add_argument("--profile", action="store_true", help="run the regroup under cProfile and print where time goes")
    ap.add_argument("--keep", type=Path, help="leave the benchmark's database in this folder (for EXPLAIN ANALYZE)")
    ap.add_argument("--stage", choices=["derive", "regroup", "queries"], help=argparse.SUPPRESS)
    ap.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage == "derive":
        derive_base(args.base, args.cache)
        return
    if args.stage == "regroup":
        stage_regroup(args.db, args.profile)
        return
    if args.stage == "queries":
        stage_queries(args.db, args.queries)
        return

    bases = load_base(args.base, args.rederive)
    stories = make_stories(bases, args.articles, args.per_story)
    n_mentions = sum(len(s.keep) for s in stories)
    print(f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times grow with it)")
    print(f"{args.articles} articles: {-(-len(stories) // args.per_story)} stories of {args.per_story} from "
          f"{len(bases)} tbaq documents, {len(SOURCES)} sources, {len(POOL)} shared names; {n_mentions} mentions")
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / "bench.duckdb").unlink(missing_ok=True)
        db_path = (args.keep or Path(tmp)) / "bench.duckdb"
        load_seconds, stored = load_store(db_path, bases, stories, args.batch)
        print(f"stored (articles, runs, time expressions, mentions; no dedup): {load_seconds:.1f} s, "
              f"{stored} current mentions")
        result, wall, peak = run_child(["--stage", "regroup", "--db", str(db_path)]
                                       + (["--profile"] if args.profile else []), args.regroup_timeout)
        mem = "ok" if peak <= 2048 else "OVER"
        if result is None:
            print(f"dedup (regroup, one run over all mentions): did NOT finish in {args.regroup_timeout:.0f} s "
                  f"[OVER: target 60 s], peak RSS so far {peak:.0f} MB [{mem}: target 2048 MB]")
            print("  (run with a smaller --articles and --profile to see where the time goes)")
            events = oracle_grouping(db_path, bases, stories)
            grouping = f"the grouping the stories were built with ({events} events), since regroup did not finish"
        else:
            ok = "ok" if result["seconds"] <= 60 else "OVER"
            print(f"dedup (regroup, one run over all mentions): {result['seconds']:.1f} s [{ok}: target 60 s], "
                  f"peak RSS {max(peak, result['peak_mb']):.0f} MB [{mem}: target 2048 MB; "
                  f"{result['rss_before_mb']:.0f} MB after opening the store]")
            print(f"  {result['mentions']} mentions -> {result['events']} events, {result['conflicts']} with conflicts")
            grouping = "the regroup's result"
        answer, _, _ = run_child(["--stage", "queries", "--db", str(db_path), "--queries", str(args.queries)], 3600)
    assert answer is not None
    print(f"query latency over {grouping}: {answer['events']} current events, {args.queries} runs each, ms:")
    for name, times in answer["latencies"].items():
        p95 = percentile(times, 0.95)
        mark = "" if not name.startswith("timeline") else ("  ok" if p95 <= 50 else "  OVER (target 50)")
        print(f"  {name:30} p50 {percentile(times, 0.5):7.1f}   p95 {p95:7.1f}{mark}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if result is not None and result["profile"]:
        print("\nwhere the regroup time goes (cProfile, cumulative):")
        print(result["profile"])


if __name__ == "__main__":
    main()
