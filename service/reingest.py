"""Re-ingestion: poll article sources, send them in bounded batches, then re-process what the current
pipeline version has not processed; once, or as a scheduled job every N seconds.

`timeline reingest` and `scripts/reingest.py` are both this module. Work goes through a running
server's API (DuckDB allows one writing process per file), or straight into the file with `--direct`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Protocol, Sequence

from service.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE
from service.settings import Settings

if TYPE_CHECKING:  # imported where used, so that `timeline --help` stays quick
    from service.articles import Article, ArticleIn
    from service.client import Server

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class UsageError(ValueError):
    """A flag that cannot be used; exit code 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", type=Path, default=[], metavar="PATH",
                        help="a folder or file of articles to poll (repeatable): a JSON/JSONL/Parquet file, a "
                             "folder with an articles.json, or an inbox folder of such files")
    parser.add_argument("--server", metavar="URL",
                        help="send everything through the server at URL (default TIMELINE_SERVER_URL when a "
                             "server answers there, else straight into TIMELINE_DB_PATH)")
    parser.add_argument("--direct", action="store_true", help="write into the database file, not through a server")
    parser.add_argument("--every", metavar="DURATION",
                        help="run again every DURATION (90s, 30m, 1h, 1h30m) until SIGTERM or Ctrl-C")
    parser.add_argument("--max-failures", type=int, default=3, metavar="N",
                        help="with --every: stop with a non-zero exit after N failed cycles in a row (default 3)")
    parser.add_argument("--batch-size", type=int, default=500, help="articles per batch sent (default 500)")
    parser.add_argument("--limit", type=int, default=1_000, help="articles re-processed per call (default 1000)")


def parse_every(text: str) -> float:
    """Seconds in '90s', '30m', '1h', '1h30m' or a bare number of seconds."""
    raw, total, number = text.strip().lower(), 0.0, ""
    for char in raw:
        if char.isdigit() or char == ".":
            number += char
        elif char in _UNITS and number:
            total += float(number) * _UNITS[char]
            number = ""
        else:
            number = "bad"
            break
    if number:
        try:
            total += float(number)
        except ValueError:
            raise UsageError(f"--every {text!r}: write a duration such as 90s, 30m, 1h or 1h30m") from None
    if total <= 0:
        raise UsageError(f"--every {text!r}: the interval must be longer than zero")
    return total


# -- where the work goes -----------------------------------------------------------------


class Target(Protocol):
    where: str

    def ingest(self, raw: Sequence[ArticleIn], articles: Sequence[Article]) -> dict[str, int]: ...

    def reprocess(self, limit: int) -> tuple[int, str]: ...


class HttpTarget:
    """Through a running server: batches bounded by article count and request bytes."""

    def __init__(self, server: Server, settings: Settings, batch_size: int):
        self.server, self.where = server, f"server {server.url}"
        self.batch_size, self.max_bytes = batch_size, settings.max_request_bytes

    def ingest(self, raw: Sequence[ArticleIn], articles: Sequence[Article]) -> dict[str, int]:
        from service.client import batches

        totals = dict.fromkeys(("created", "new_versions", "unchanged"), 0)
        for _, _, body in batches(raw, self.batch_size, self.max_bytes):
            report = self.server.post_articles(body)
            for key in totals:
                totals[key] += int(report[key])
        return totals

    def reprocess(self, limit: int) -> tuple[int, str]:
        report = self.server.reprocess(limit)
        return int(report["reprocessed"]), str(report["pipeline_version"])


class DirectTarget:
    """Straight into the database file; opened for one cycle, so the file is free between cycles."""

    def __init__(self, settings: Settings, batch_size: int):
        from service.store import open_store

        self.db = open_store(settings)  # the file, or the lake (TIMELINE_STORE)
        self.where, self.batch_size = self.db.path if settings.store == "ducklake" else f"file {settings.db_path}", batch_size
        self.db.migrate()

    def ingest(self, raw: Sequence[ArticleIn], articles: Sequence[Article]) -> dict[str, int]:
        from service.ingest import ingest_articles

        totals = dict.fromkeys(("created", "new_versions", "unchanged"), 0)
        for start in range(0, len(articles), self.batch_size):
            report = ingest_articles(self.db, list(articles[start : start + self.batch_size]), origin="reingest")
            for key in totals:
                totals[key] += getattr(report, key)
        return totals

    def reprocess(self, limit: int) -> tuple[int, str]:
        from service.ingest import reprocess_stale

        report = reprocess_stale(self.db, limit=limit)
        return report.reprocessed, report.pipeline_version

    def close(self) -> None:
        self.db.close()


# -- one cycle ---------------------------------------------------------------------------


@dataclass
class CycleReport:
    files: int = 0
    unchanged_files: int = 0
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    reprocessed: int = 0
    pipeline_version: str = ""
    problems: list[str] = field(default_factory=list)
    stopped: bool = False


def source_files(source: Path) -> Iterator[Path]:
    """The files and folders one `--source` stands for: itself, or an inbox folder's article files."""
    from service.sources.files import SUFFIXES

    if source.is_dir() and not (source / "articles.json").is_file():
        yield from sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    else:
        yield source


def run_cycle(target: Target, sources: Sequence[Path], settings: Settings, *, limit: int,
              seen: dict[Path, tuple[int, int]], stop: threading.Event) -> CycleReport:
    """Send every new or changed source, then re-process what is stale. A bad file is reported and
    skipped (all of it: nothing of a file is sent unless all of it is valid); a server that does not
    answer ends the cycle with ServerError. `seen` remembers files already sent whole."""
    from service.articles import InvalidArticles, Limits, validate_batch
    from service.client import ServerError
    from service.sources.files import SourceError, read_path

    report = CycleReport()
    limits = Limits(max_body_chars=settings.max_body_chars, max_batch_articles=10**9)
    for source in sources:
        try:
            paths = list(source_files(source))
        except OSError as exc:
            report.problems.append(f"{source}: cannot be read ({exc})")
            continue
        if not paths and not source.exists():
            report.problems.append(f"{source}: no such file or folder")
        for path in paths:
            report.files += 1
            stamp = _stamp(path)
            if stamp is not None and seen.get(path) == stamp:
                report.unchanged_files += 1
                continue
            try:
                pairs = list(read_path(path))
                articles = validate_batch([a for _, a in pairs], limits, where=[w for w, _ in pairs]) if pairs else []
            except SourceError as exc:
                report.problems.append(f"{exc} (skipped)")
                continue
            except InvalidArticles as exc:
                report.problems.append(f"{path}: {exc} (skipped; nothing of it was sent)")
                continue
            if stop.is_set():
                report.stopped = True
                return report
            if articles:
                try:
                    counts = target.ingest([a for _, a in pairs], articles)
                except ServerError as exc:
                    if exc.unreachable:
                        raise
                    report.problems.append(f"{path}: {exc}")
                    continue
                report.created += counts["created"]
                report.new_versions += counts["new_versions"]
                report.unchanged += counts["unchanged"]
            if stamp is not None:
                seen[path] = stamp
    while not stop.is_set():
        done, report.pipeline_version = target.reprocess(limit)
        report.reprocessed += done
        if done < limit:
            break
    report.stopped = stop.is_set()
    return report


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size) if path.is_file() else None


# -- the command -------------------------------------------------------------------------


def run(args: argparse.Namespace, settings: Settings, *, out=None) -> int:
    """`timeline reingest`: one cycle, or one every `--every` until stopped. Returns the exit code."""
    from service.client import Server, ServerError, server_if_up

    out = out or sys.stdout
    try:
        every = parse_every(args.every) if args.every else None
        if every is not None and args.max_failures < 1:
            raise UsageError("--max-failures must be at least 1")
        if not 1 <= args.batch_size <= settings.max_batch_articles:
            raise UsageError(f"--batch-size must be between 1 and {settings.max_batch_articles}")
        if not 1 <= args.limit <= settings.max_batch_articles:
            raise UsageError(f"--limit must be between 1 and {settings.max_batch_articles}")
        if args.direct and args.server:
            raise UsageError("--direct and --server exclude each other")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    # A job that loops, or was given --server, never falls back to the file: a server that is down is
    # a failure to count, not a reason to take the file from under it.
    url = args.server or (None if args.direct else settings.resolved_server_url)
    if url and not args.server and every is None and not server_if_up(url):
        url = None
    stop = threading.Event()
    if every is not None:
        _stop_on_signals(stop)
    seen: dict[Path, tuple[int, int]] = {}

    def cycle() -> CycleReport:
        if url:
            with Server(url) as server:
                return run_cycle(HttpTarget(server, settings, args.batch_size), args.source, settings,
                                 limit=args.limit, seen=seen, stop=stop)
        from service.store import StoreError

        try:
            target = DirectTarget(settings, args.batch_size)
        except StoreError as exc:
            raise ServerError(f"{exc}", unreachable=True) from None
        try:
            return run_cycle(target, args.source, settings, limit=args.limit, seen=seen, stop=stop)
        finally:
            target.close()

    where = f"server {url}" if url else f"file {settings.db_path}"
    return loop(cycle, every=every, max_failures=args.max_failures, stop=stop, where=where, out=out)


def loop(cycle: Callable[[], CycleReport], *, every: float | None, max_failures: int, stop: threading.Event,
         where: str, out) -> int:
    """Run `cycle` once, or every `every` seconds; one log line per cycle. Stops cleanly when `stop`
    is set (between cycles or batches), and with a non-zero code after `max_failures` failures in a row."""
    from service.client import ServerError

    failures, number = 0, 0
    while True:
        number += 1
        started = time.monotonic()
        code = EXIT_OK
        try:
            report = cycle()
        except ServerError as exc:
            code, message = (EXIT_UNAVAILABLE if exc.unreachable else EXIT_BAD_INPUT), str(exc)
        else:
            if report.problems:
                code, message = EXIT_BAD_INPUT, "; ".join(report.problems)
            _log(out, f"cycle {number} ({where}): {report.files} files ({report.unchanged_files} unchanged since "
                      f"last cycle), {report.created} created, {report.new_versions} new versions, "
                      f"{report.unchanged} unchanged, reprocessed {report.reprocessed} with pipeline "
                      f"{report.pipeline_version or '-'}, {time.monotonic() - started:.1f} s"
                      + (", problems: " + "; ".join(report.problems) if report.problems else ""))
        if code == EXIT_OK:
            failures = 0
        else:
            failures += 1
            _log(out, f"cycle {number} failed ({failures} in a row"
                      + (f", stopping at {max_failures}" if every is not None else "") + f"): {message}")
        if stop.is_set():
            _log(out, "stopped by signal; every batch sent so far is stored")
            return EXIT_OK if code == EXIT_OK else code
        if every is None:
            if code != EXIT_OK:
                print(f"error: {message}", file=sys.stderr)
            return code
        if failures >= max_failures:
            print(f"error: re-ingestion gave up after {failures} failed cycles in a row (--max-failures "
                  f"{max_failures}); the last one: {message}", file=sys.stderr, flush=True)
            return code
        if stop.wait(every):
            _log(out, "stopped by signal between cycles")
            return EXIT_OK


def _log(out, message: str) -> None:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    print(f"{stamp} reingest {message}", file=out, flush=True)


def _stop_on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handle(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
