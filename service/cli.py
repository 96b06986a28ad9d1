"""The `timeline` command: serve, ingest, reingest, resolve, export, key-dates, snapshot and sql.

Exit codes, for scripts: 0 done; 1 bad input (nothing stored); 2 bad usage; 3 the store or the
server cannot be reached or is busy; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

import msgspec

from service.settings import Settings, SettingsError
from service.store import StoreError
from service.temporal.lexicon import LexiconError

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_BAD_INPUT):
        self.code = code
        super().__init__(message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        from service.pipeline import configure

        configure(settings)
        return int(args.run(args, settings) or EXIT_OK)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LexiconError as exc:
        print(f"error: a lexicon file is invalid: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        print("interrupted; every finished batch is stored, the current one is not", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so plainly; the trace is one setting away
        if settings_debug():
            raise
        print(f"error: internal failure ({type(exc).__name__}: {exc}); the batch in progress was not stored. "
              "Set TIMELINE_LOG_LEVEL=DEBUG to see the trace, and report it.", file=sys.stderr)
        return EXIT_BAD_INPUT


def settings_debug() -> bool:
    import os

    return os.environ.get("TIMELINE_LOG_LEVEL", "").upper() == "DEBUG"


_ABOUT = """\
Reconstructs the timeline of a news story from its articles. Each article is stored with its
publication time and zone; its time expressions ("on Monday", "the day before", "February 2022")
are resolved against it, its events extracted and merged with the same events of other articles,
and everything is kept with the time the service learned it, so any past answer can be read again
with --as-of. Run `timeline COMMAND --help` for the options of one command."""

_EXAMPLES = """\
examples:
  timeline serve --demo                      the service on the sample articles: http://127.0.0.1:8000/ui
  timeline ingest articles.jsonl feeds/      store and process articles (through the server if one runs)
  timeline resolve "Gladkov said on Monday that drones struck overnight." --anchor 2023-05-23T12:00+03:00
  timeline export --format csv -o timeline.csv --from 2023-05-01
  timeline export --format semeval2015 --entity Gladkov
  timeline key-dates --from 2023-05-01 --to 2023-05-31
  timeline snapshot && timeline sql "SELECT source, count(*) FROM current_articles GROUP BY ALL"
  timeline reingest --source feeds/ --every 1h

exit codes:
  0    done
  1    bad input: an invalid article, file or query; nothing was stored
  2    bad usage: an unknown option, a malformed --anchor/--as-of, an invalid TIMELINE_* setting
  3    the store or the server cannot be reached, or the database file is held by another process
  130  interrupted (Ctrl-C): every finished batch is stored, the current one is not
"""


def _settings_help() -> str:
    from textwrap import fill

    from service.settings import documented

    lines = ["settings (environment variables; default in brackets):"]
    for name, default, text in documented():
        lines.append(f"  {name} [{default}]")
        lines.append(fill(text, width=96, initial_indent="      ", subsequent_indent="      "))
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    from service import __version__

    parser = argparse.ArgumentParser(
        prog="timeline", description=_ABOUT, epilog=_EXAMPLES + "\n" + _settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND", title="commands")

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", help="address to listen on (default TIMELINE_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (default TIMELINE_PORT)")
    serve.add_argument("--demo", action="store_true", help="load the sample articles when the database is empty")
    serve.set_defaults(run=_serve)

    ingest = sub.add_parser(
        "ingest",
        help="ingest article files (to a running server, or straight into the database file)",
        description="Reads .json (object or array), .jsonl, .parquet files and folders with an articles.json. "
        "Every article is validated before anything is stored. If a server answers at TIMELINE_SERVER_URL "
        "the batches go through its API; otherwise they are written into TIMELINE_DB_PATH directly.",
    )
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest.add_argument("--format", choices=["auto", "timeml"], default="auto",
                        help="'timeml' reads .tml files (folders: every .tml below); auto picks by file suffix")
    ingest.add_argument("--batch-size", type=int, default=500, help="articles per batch (default 500)")
    ingest.add_argument("--direct", action="store_true", help="write into the database file even if a server answers")
    ingest.add_argument("--articles-only", action="store_true",
                        help="store the articles without running the pipeline (direct mode; `timeline reingest` derives them later)")
    ingest.add_argument("--workers", type=int, default=1,
                        help="processes running the pipeline (direct mode; default 1). On the DuckDB file they "
                        "derive and this process writes; on a DuckLake each writes its own batches")
    ingest.set_defaults(run=_ingest)

    reingest = sub.add_parser(
        "reingest", help="poll article sources and run the current pipeline over what it has not processed",
        description="Sends the articles of every --source (unchanged ones change nothing), then has the current "
        "pipeline version process every article it has not processed yet. Through the server at --server or "
        "TIMELINE_SERVER_URL when one answers, else straight into TIMELINE_DB_PATH. With --every it runs as a "
        "scheduled job: one log line per cycle on stdout, a clean stop on SIGTERM or Ctrl-C, and exit code 3 "
        "(server gone) or 1 (bad files) after --max-failures failed cycles in a row. scripts/reingest.py is "
        "this command.")
    from service.reingest import add_arguments

    add_arguments(reingest)
    reingest.set_defaults(run=_reingest)

    resolve = sub.add_parser("resolve", help="resolve the time expressions of a text")
    resolve.add_argument("text")
    resolve.add_argument("--anchor", required=True, help="when the text was written, e.g. 2023-05-23T12:00+03:00")
    resolve.add_argument("--timezone", help="IANA zone of the anchor if it has no offset, e.g. Europe/Moscow")
    resolve.add_argument("--language", default="en")
    resolve.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    resolve.set_defaults(run=_resolve)

    export = sub.add_parser(
        "export", help="write the timeline to a file (csv, ndjson, parquet, timelinejs, semeval2015)",
        description="Reads the database file read-only (or the latest snapshot while a server holds it) and "
        "writes every dated timeline entry matching the filters, in timeline order. semeval2015 writes the "
        "SemEval-2015 Task 4 timeline of --entity (undated events too), one event per line with the "
        "DOCID-SENTENCE-TOKEN names of its mentions.")
    export.add_argument("--format", choices=["csv", "ndjson", "parquet", "timelinejs", "semeval2015"], default="csv")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: standard output; parquet needs a file)")
    export.add_argument("--entity", help="only events this person, group or place takes part in (any spelling)")
    export.add_argument("--source", help="only events reported by this source")
    export.add_argument("--kind", choices=["occurrence", "reporting", "state"], help="only events of this kind")
    export.add_argument("--q", help="full-text filter")
    export.add_argument("--from", dest="start", metavar="WHEN",
                        help="only events that end after this: a day (UTC midnight) or a time with offset")
    export.add_argument("--until", dest="end", metavar="WHEN",
                        help="only events that start before this: a day (UTC midnight) or a time with offset")
    export.add_argument("--as-of", help="record time to read at, with offset (default: now)")
    export.add_argument("--no-dedup", action="store_true", help="one line per mention instead of per event")
    export.set_defaults(run=_export)

    key_dates = sub.add_parser(
        "key-dates", help="the days of the story that matter most, with their events and a sentence",
        description="Ranks the days from --from to --to (both included) by the articles and sources that "
        "mention them at day grain, counting articles published after a day fully and those published on it "
        "or before it half (see GET /timeline/key-dates). Reads the database file read-only, or the latest "
        "snapshot while a server holds it.")
    key_dates.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
    key_dates.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
    key_dates.add_argument("--top", type=int, default=10, help="how many days (1 to 100, default 10)")
    key_dates.add_argument("--as-of", help="record time to read at, with offset (default: now)")
    key_dates.add_argument("--format", choices=["table", "json"], default="table")
    key_dates.set_defaults(run=_key_dates)

    snapshot = sub.add_parser("snapshot", help="publish a read-only copy of the database for ad-hoc SQL")
    snapshot.set_defaults(run=_snapshot)

    compact = sub.add_parser(
        "compact", help="DuckLake maintenance: merge the small Parquet files that each write adds",
        description="Flushes inlined rows and merges adjacent small files (ducklake_merge_adjacent_files); "
        "with --expire-days also forgets DuckLake snapshots older than that and deletes the files only they "
        "used (the service's own as_of does not need them). Safe while writers run. On the DuckDB file: a checkpoint.")
    compact.add_argument("--expire-days", type=float, help="also expire DuckLake snapshots older than this many days")
    compact.set_defaults(run=_compact)

    sql = sub.add_parser("sql", help="run one read-only SQL query (on the file or the lake, or the latest snapshot "
                         "while a server holds the file)")
    sql.add_argument("query")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.set_defaults(run=_sql)
    return parser


# -- serve -------------------------------------------------------------------------------


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import logging
    import os

    # Concurrent requests are the server's parallelism; Polars' own thread pool on top of them
    # handed each small frame operation of a page across threads. With one Polars thread the
    # load test went from 127 to 152 reads/s and p99 387 to 320 ms (7 ms of CPU per read, not
    # 9). Set before Polars is imported (by service.api); a value given in the environment wins.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    import uvicorn

    from service.api import create_app

    settings = settings.replace(
        host=args.host or settings.host,
        port=args.port if args.port is not None else settings.port,
        load_demo=settings.load_demo or args.demo,
    )
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from service.store import open_store

    try:  # fail here with a clear message rather than inside the server's lifespan
        db = open_store(settings)
        where = db.path
        db.close()
    except StoreError as exc:
        raise CliError(str(exc), EXIT_UNAVAILABLE) from None
    print(f"serving {where} on http://{settings.host}:{settings.port} (schema UI at /schema)", file=sys.stderr)
    from service import offload

    offload.start(settings)  # the pipeline and dedup run there, not on the threads serving requests
    try:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level.lower())
    finally:
        offload.stop()
    return EXIT_OK


# -- ingest ------------------------------------------------------------------------------


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from service.articles import InvalidArticles, Limits, validate_batch
    from service.sources.files import SourceError, read_path

    if not 1 <= args.batch_size <= settings.max_batch_articles:
        raise CliError(f"--batch-size must be between 1 and {settings.max_batch_articles}", EXIT_USAGE)
    pairs = []
    try:
        for path in args.paths:
            pairs.extend(read_path(path, args.format))
    except SourceError as exc:
        raise CliError(f"{exc} Nothing was stored.") from None
    if not pairs:
        raise CliError("no articles in the given paths. Nothing was stored.")
    limits = Limits(max_body_chars=settings.max_body_chars, max_batch_articles=len(pairs))
    try:  # validate everything before storing anything
        articles = validate_batch([a for _, a in pairs], limits, where=[w for w, _ in pairs])
    except InvalidArticles as exc:
        lines = "\n".join(f"  {p}" for p in exc.problems[:20])
        more = f"\n  … and {len(exc.problems) - 20} more" if len(exc.problems) > 20 else ""
        raise CliError(f"{len(exc.problems)} invalid article(s); nothing was stored:\n{lines}{more}") from None

    batches = [articles[i : i + args.batch_size] for i in range(0, len(articles), args.batch_size)]
    url = None if args.direct or args.articles_only else _server_if_up(settings)
    totals = {"created": 0, "new_versions": 0, "unchanged": 0}
    if url:
        print(f"ingesting {len(articles)} articles through the server at {url}", file=sys.stderr)
        for number, report in enumerate(_progress(_post_batches(url, pairs, args.batch_size, settings.max_request_bytes), len(batches)), start=1):
            for key in totals:
                totals[key] += report[key]
            _log_batch(number, len(batches), report["created"], report["new_versions"], report["unchanged"])
        where = f"server {url}"
    else:
        from service.ingest import ingest_articles
        from service.store import DatabaseLocked, open_store

        if args.workers < 1 or (args.workers > 1 and args.articles_only):
            raise CliError("--workers must be at least 1, and 1 with --articles-only", EXIT_USAGE)
        try:
            db = open_store(settings)
        except DatabaseLocked as exc:
            raise CliError(f"{exc} No server answered at {settings.resolved_server_url} "
                           "(set TIMELINE_SERVER_URL to reach it).", EXIT_UNAVAILABLE) from None
        where = db.path
        print(f"ingesting {len(articles)} articles directly into {where}"
              + (f" with {args.workers} workers" if args.workers > 1 else ""), file=sys.stderr)
        if args.workers > 1:
            from service.workers import ingest_parallel, plan_batches

            db.close()
            batches = plan_batches(settings, articles, workers=args.workers, batch_size=args.batch_size)
            reports = ingest_parallel(settings, batches, workers=args.workers)
            for number, report in enumerate(_progress(reports, len(batches)), start=1):
                for key in totals:
                    totals[key] += getattr(report, key)
                _log_batch(number, len(batches), report.created, report.new_versions, report.unchanged)
        else:
            try:
                db.migrate()
                for number, batch in enumerate(_progress(batches, len(batches)), start=1):
                    report = ingest_articles(db, batch, origin="cli", run_pipeline=not args.articles_only)
                    for key in totals:
                        totals[key] += getattr(report, key)
                    _log_batch(number, len(batches), report.created, report.new_versions, report.unchanged)
            finally:
                db.close()
    print(f"ingested into {where}: {totals['created']} created, {totals['new_versions']} new versions, "
          f"{totals['unchanged']} unchanged")
    return EXIT_OK


def _post_batches(url: str, pairs: list, size: int, max_bytes: int) -> Iterable[dict[str, Any]]:
    from service.client import Server, ServerError, batches

    with Server(url) as server:
        for start, _, body in batches([a for _, a in pairs], size, max_bytes):
            try:
                yield server.post_articles(body)
            except ServerError as exc:
                if exc.unreachable:
                    raise CliError(f"{exc}; batches before article {start} are stored, re-run to finish "
                                   "(stored articles are skipped)", EXIT_UNAVAILABLE) from None
                raise CliError(f"the server refused the batch starting at article {start}: {exc}") from None


def _server_if_up(settings: Settings) -> str | None:
    from service.client import server_if_up

    return server_if_up(settings.resolved_server_url)


def _log_batch(number: int, total: int, created: int, new_versions: int, unchanged: int) -> None:
    # A terminal gets the progress bar; logs of scheduled runs get one line per stored batch.
    if not sys.stderr.isatty():
        print(f"batch {number}/{total} stored: {created} created, {new_versions} new versions, "
              f"{unchanged} unchanged", file=sys.stderr, flush=True)


def _progress(items: Iterable, total: int) -> Iterable:
    from tqdm import tqdm

    # tqdm draws on stderr and only on a terminal, so scripts and CI logs stay clean.
    return tqdm(items, total=total, unit="batch", disable=None, file=sys.stderr)


def _bar(unit: str):
    from tqdm import tqdm

    return tqdm(unit=unit, disable=None, file=sys.stderr)


# -- reingest ----------------------------------------------------------------------------


def _reingest(args: argparse.Namespace, settings: Settings) -> int:
    from service.reingest import run

    return run(args, settings)


# -- resolve -----------------------------------------------------------------------------


def _resolve(args: argparse.Namespace, settings: Settings) -> int:
    from service.articles import AnchorError, parse_anchor
    from service.temporal import tag

    try:
        _, anchor = parse_anchor(args.anchor, args.timezone)
    except AnchorError as exc:
        raise CliError(str(exc).replace("'published_at'", "--anchor"), EXIT_USAGE) from None
    expressions = tag(args.text, anchor, args.language)
    if args.json:
        for x in expressions:
            print(msgspec.json.encode(x).decode())
        return EXIT_OK
    if not expressions:
        print("no time expressions found")
        return EXIT_OK
    print(_resolve_table(expressions, anchor))
    return EXIT_OK


def _resolve_table(expressions: list, anchor: Any) -> str:
    """One row per expression, its interval on the anchor's own clock (the clock the article
    speaks in), and under it the reason it was resolved so."""
    zone = anchor.tzinfo
    header = ("expression", "type", "value", "grain", "mod", f"interval [from, until) at {_offset(anchor)}")
    rows = [(_clip(x.text, 30), x.type, x.value, x.grain or "", x.mod or "", _interval(x, zone)) for x in expressions]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  " + header[-1]]
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(header[-1]))
    for x, row in zip(expressions, rows):
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths)) + "  " + row[-1])
        if x.reason:
            lines.append(f"  ↳ {x.reason}")
    return "\n".join(lines)


def _interval(x: Any, zone: Any) -> str:
    if x.type not in ("DATE", "TIME") or (x.valid_from is None and x.valid_until is None):
        return ""
    return f"[{_local(x.valid_from, zone)}, {_local(x.valid_until, zone)})"


def _local(moment: Any, zone: Any) -> str:
    if moment is None:
        return "…"  # an open side: "before Tuesday" has no first moment
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d" if (local.hour, local.minute) == (0, 0) else "%Y-%m-%d %H:%M")


def _offset(anchor: Any) -> str:
    name = getattr(anchor.tzinfo, "key", None)  # an IANA zone names itself; a fixed offset prints it
    return name or "UTC" + anchor.isoformat()[-6:]


# -- snapshot and sql --------------------------------------------------------------------


def _snapshot(args: argparse.Namespace, settings: Settings) -> int:
    url = _server_if_up(settings)
    if url:
        from service.client import Server, ServerError

        try:
            with Server(url, timeout=600) as server:
                print(server.snapshot())
        except ServerError as exc:
            raise CliError(f"the server could not publish a snapshot: {exc}", EXIT_UNAVAILABLE) from None
        return EXIT_OK
    from service.store import DatabaseLocked, open_store

    try:
        db = open_store(settings)
    except DatabaseLocked as exc:
        raise CliError(f"{exc} No server answered at {settings.resolved_server_url}.", EXIT_UNAVAILABLE) from None
    try:
        db.migrate()
        print(db.snapshot(settings.snapshot_dir))
    finally:
        db.close()
    return EXIT_OK


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from service.regroup import refresh_text_index
    from service.timeline import Timeline, TimelineQuery, read_timeline, timelinejs, to_csv

    if args.format == "parquet" and args.output is None:
        raise CliError("--format parquet needs --output FILE", EXIT_USAGE)
    if args.format == "semeval2015":
        return _export_semeval(args, settings)
    as_of = _as_of(args.as_of)
    start, end = _moment("--from", args.start), _moment("--until", args.end)
    if start and end and start >= end:
        raise CliError("--from must be before --until", EXIT_USAGE)
    db = _read_only_store(settings)
    try:
        if args.q:
            refresh_text_index(db)
        items, offset = [], 0
        with db.reading() as cur, _bar("entry") as bar:
            while True:
                page = read_timeline(cur, TimelineQuery(
                    as_of=as_of, limit=1_000, offset=offset, entity=args.entity, source=args.source, q=args.q,
                    kind=args.kind, start=start, end=end, dedup=not args.no_dedup), db.text_index)
                items.extend(page.items)
                bar.total = page.total
                bar.update(len(page.items))
                if page.next_offset is None:
                    break
                offset = page.next_offset
    finally:
        db.close()
    whole = Timeline(as_of=as_of, dedup=not args.no_dedup, items=items, undated=[], total=len(items),
                     limit=len(items), offset=0, next_offset=None)
    if args.format == "parquet":
        import polars as pl

        pl.DataFrame([msgspec.structs.asdict(e) for e in items]).write_parquet(args.output)
    else:
        if args.format == "csv":
            text = to_csv(whole)
        elif args.format == "ndjson":
            text = "".join(msgspec.json.encode(e).decode() + "\n" for e in items)
        else:
            text = msgspec.json.encode(timelinejs(whole)).decode()
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    print(f"exported {len(items)} entries", file=sys.stderr)
    return EXIT_OK


def _as_of(text: str | None):
    from datetime import datetime, timezone

    if not text:
        return datetime.now(timezone.utc)
    try:
        as_of = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of {text!r} is not a date and time; write e.g. 2026-11-24T10:00:00Z",
                       EXIT_USAGE) from None
    if as_of.tzinfo is None:
        raise CliError("--as-of needs a UTC offset, e.g. 2026-11-24T10:00:00Z", EXIT_USAGE)
    return as_of


def _moment(flag: str, text: str | None):
    from datetime import date, datetime, timezone

    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), timezone.utc)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{flag} {text!r} is neither a day nor a time; write 2023-05-22 or "
                       "2023-05-22T06:00:00+03:00", EXIT_USAGE) from None
    if moment.tzinfo is None:
        raise CliError(f"{flag} needs a UTC offset when it gives a time, e.g. 2023-05-22T06:00:00+03:00", EXIT_USAGE)
    return moment


def _export_semeval(args: argparse.Namespace, settings: Settings) -> int:
    from service.semeval import semeval_timeline

    if not args.entity:
        raise CliError("--format semeval2015 writes the timeline of one entity: give --entity NAME", EXIT_USAGE)
    if args.no_dedup or args.source or args.q or args.kind or args.start or args.end:
        raise CliError("--format semeval2015 takes --entity and --as-of only (its lines are deduplicated events)",
                       EXIT_USAGE)
    as_of = _as_of(args.as_of)
    db = _read_only_store(settings)
    try:
        with db.reading() as cur:
            text = semeval_timeline(cur, args.entity, as_of)
    finally:
        db.close()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"exported {len(text.splitlines()) - 1} events of {args.entity!r}", file=sys.stderr)
    return EXIT_OK


# -- key dates ---------------------------------------------------------------------------


def _key_dates(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date

    from service.key_dates import KeyDatesError, check, read_key_dates

    days = {}
    for name, text in (("--from", args.start), ("--to", args.end)):
        try:
            days[name] = date.fromisoformat(text) if text else None
        except ValueError:
            raise CliError(f"{name} {text!r} is not a day; write it as YYYY-MM-DD, e.g. 2023-05-22", EXIT_USAGE) from None
    try:
        check(args.top, days["--from"], days["--to"])
    except KeyDatesError as exc:
        raise CliError(str(exc).replace("top=", "--top ").replace("from=", "--from ").replace("to=", "--to "),
                       EXIT_USAGE) from None
    as_of = _as_of(args.as_of)
    db = _read_only_store(settings)
    try:
        with db.reading() as cur:
            answer = read_key_dates(cur, as_of, top=args.top, start=days["--from"], end=days["--to"])
    finally:
        db.close()
    if args.format == "json":
        print(msgspec.json.encode(answer).decode())
        return EXIT_OK
    if not answer.days:
        print("no day is named at day grain in this range")
    for d in answer.days:
        print(f"{d.rank:>3}. {d.day.isoformat()}  score {d.score:.2f}  {d.articles} article(s) from {d.sources} "
              f"source(s), {d.later_articles} published later; {d.event_count} event(s)")
        for e in d.events[:3]:
            print(f"       - {e.label} ({e.kind}, {e.sources} source(s))")
        if d.quote is not None:
            print(f"       “{_clip(d.quote.text, 160)}” ({d.quote.source})")
    return EXIT_OK


def _clip(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _compact(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from service.store import open_store

    if args.expire_days is not None and args.expire_days < 0:
        raise CliError("--expire-days must not be negative", EXIT_USAGE)
    db = open_store(settings)
    try:
        db.migrate()
        steps = db.compact(expire_older_than=None if args.expire_days is None else timedelta(days=args.expire_days))
    finally:
        db.close()
    for step in steps:
        print(step)
    return EXIT_OK


def _read_only_store(settings: Settings):
    """The database file read-only, or the latest snapshot while a server holds the file; on a
    DuckLake, the lake itself attached read-only (any number of readers may, while writers write)."""
    from service.store import Database, DatabaseLocked, StoreError, latest_snapshot, open_store

    if settings.store == "ducklake":
        try:
            return open_store(settings, read_only=True)
        except StoreError as exc:
            raise CliError(str(exc), EXIT_UNAVAILABLE) from None
    if settings.db_path.exists():
        try:
            return Database(settings.db_path, read_only=True)
        except DatabaseLocked:
            pass
    snap = latest_snapshot(settings.snapshot_dir)
    if snap is None:
        raise CliError(f"{settings.db_path} is held by the server (or missing) and there is no snapshot in "
                       f"{settings.snapshot_dir}. Run `timeline snapshot` first.", EXIT_UNAVAILABLE)
    print(f"-- reading snapshot {snap.name}", file=sys.stderr)
    try:
        return Database(snap, read_only=True)
    except StoreError as exc:
        raise CliError(str(exc), EXIT_UNAVAILABLE) from None


def _sql(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    from service.timeouts import bounded, timeout_message

    db = _read_only_store(settings)
    try:
        with db.reading() as cur:
            # Read-only for real: the file is opened read-only, and no statement may reach the file
            # system either (COPY … TO, ATTACH, read_csv); a query cannot turn this back on. (Not on a
            # DuckLake, whose data files are read through the file system; it is attached read-only.)
            if getattr(db, "lake", None) is None:
                cur.execute("SET enable_external_access = false")
            try:
                with bounded(cur, settings.query_timeout_seconds):
                    result = cur.execute(args.query)
                    columns = [d[0] for d in result.description or []]
                    rows = result.fetchmany(settings.max_sql_rows + 1)
            except duckdb.InterruptException:
                raise CliError(timeout_message(settings.query_timeout_seconds)) from None
            except duckdb.Error as exc:
                raise CliError(f"{exc}".strip()) from None
    finally:
        db.close()
    truncated = len(rows) > settings.max_sql_rows
    rows = rows[: settings.max_sql_rows]
    _print_rows(columns, rows, args.format)
    if truncated:
        print(f"-- only the first {settings.max_sql_rows} rows are shown (TIMELINE_MAX_SQL_ROWS)", file=sys.stderr)
    return EXIT_OK


def _print_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "json":
        for row in rows:
            print(msgspec.json.encode(dict(zip(columns, row)), enc_hook=str).decode())
        return
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v[:w].ljust(w) for v, w in zip(row, widths)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _cell(value: Any) -> str:
    return "NULL" if value is None else str(value).replace("\n", " ")


if __name__ == "__main__":
    sys.exit(main())
