"""Parallel ingest: the per-article pipeline (segment, tag, events) in a pool of worker processes,
or on a Dask cluster (TIMELINE_CLUSTER, service/cluster.py).

On the DuckDB file, and with a cluster on either store, the workers derive and this process
writes each batch through its one connection while they derive the next ones. On a DuckLake with
a local pool every worker writes its own batches to the lake through its own cached connection.

Either way the store is deduplicated once, after the last batch, not after each one as a single
`timeline ingest` does. A regroup reads and clusters every current mention of the store, so it
costs about as much as deriving the whole store again, and after each of k batches it makes the
ingest quadratic (measured on 400 articles in batches of 100: 6, 11, 22 and 36 s of regroups
against 46 s of pipeline). It runs in one process: after every batch it would stall the workers
(a regroup takes longer than deriving the batches queued ahead) and cap the speed-up of more
workers well below 2x; on a lake it would also keep clashing with the other workers' commits.
The current timeline at the end is the same (event ids come from the mentions, not from earlier
runs); readers see the new articles at once and their events when the ingest is done.
"""

from __future__ import annotations

import math
import multiprocessing
import queue
import time
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterator, Protocol

from service.articles import Article
from service.ingest import IngestReport, _regroup, ingest_articles
from service.pipeline import Derived, configure, derive_many
from service.settings import Settings, SettingsError
from service.store import Database, open_store

# Set in each worker process by `_start_worker`: spaCy loads once per process, when it starts,
# and on the lake each worker keeps one connection for all its batches.
_worker_db: Database | None = None

# How long the pool may take to start: spawning, importing and loading spaCy take 2-4 s a
# worker here; a model that will not load makes the worker die and the pool respawn it, so
# without a bound the ingest would wait for ever instead of saying so.
START_TIMEOUT_SECONDS = 120.0


def plan_batches(settings: Settings, articles: list[Article], *, workers: int, batch_size: int) -> list[list[Article]]:
    """The batches `ingest_parallel` stores: of `batch_size`, but on a lake, where each worker
    takes whole batches, small enough that every worker gets about four (with a cluster this
    process writes every batch, so they stay of `batch_size`)."""
    size = batch_size
    if settings.store == "ducklake" and workers > 1 and not settings.cluster:
        size = max(1, min(batch_size, math.ceil(len(articles) / (workers * 4))))
    return [articles[i : i + size] for i in range(0, len(articles), size)]


def ingest_parallel(
    settings: Settings,
    batches: list[list[Article]],
    *,
    workers: int,
    origin: str = "cli",
    timings: dict[str, float] | None = None,
) -> Iterator[IngestReport]:
    """Store `batches` (see `plan_batches`) with `workers` processes running the pipeline (on a Dask
    cluster when TIMELINE_CLUSTER is set: `workers` is then the size of a `local` one), then
    deduplicate once; yields each stored batch's report (in order, except on the lake with a local
    pool: as they finish). `timings`, when given, gets the seconds spent in each of `STAGES` added
    to it (`derive` summed over the workers)."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if settings.cluster:
        from service.cluster import Pending, connect

        began = time.perf_counter()
        with connect(settings, workers) as client:
            _add(timings, "start", time.perf_counter() - began)
            width = max(workers, len(client.scheduler_info().get("workers", {})) or workers)
            yield from _one_writer(settings, batches, lambda chunks: Pending(client, settings, chunks, timings),
                                   width, origin, timings)
        return
    if workers == 1:
        yield from _serial(settings, batches, origin, timings)
        return
    if settings.store == "ducklake":
        with _clock(timings, "start"):
            db = open_store(settings)
            try:
                db.migrate()  # once, before the workers attach
            finally:
                db.close()
        stored = False
        try:
            with _pool(settings, workers, lake=True, timings=timings) as pool:
                done = pool.imap_unordered(_ingest_batch, [(batch, origin) for batch in batches])
                while True:
                    with _clock(timings, "wait"):
                        finished = next(done, None)
                    if finished is None:
                        break
                    derive_seconds, store_seconds, report = finished
                    _add(timings, "derive", derive_seconds)
                    _add(timings, "store", store_seconds)
                    stored = stored or _stored(report)
                    yield report
        except Exception:
            if stored:
                _deduplicate(settings, timings)  # what was stored gets its events, as after each batch
            raise
        if stored:
            _deduplicate(settings, timings)
        return
    with _pool(settings, workers, lake=False, timings=timings) as pool:
        # Once every batch is derived the workers (spaCy loaded, about 1 GB each) are killed:
        # their results are all in, the deduplication (the other peak of memory) needs neither
        # them nor their cores, and a joined worker would spend a second or more unwinding its
        # interpreter while this process writes.
        yield from _one_writer(settings, batches, lambda chunks: _PoolPending(pool, chunks, timings), workers,
                               origin, timings, derived_all=pool.terminate)


# Where the time goes (scripts/bench_scale.py prints them): starting (the Dask cluster, or connecting
# to it and checking its workers; opening and migrating the store), deriving (in the workers, summed
# over them; in this process with one worker), this process handing batches to the workers
# (which articles are new, sending them), waiting for the workers, writing (summed over the workers
# on a lake with a local pool, where they write), deduplicating.
STAGES = ("start", "derive", "submit", "wait", "store", "dedup")


class _Pending(Protocol):
    def get(self) -> list[Derived]: ...


class _PoolPending:
    def __init__(self, pool, chunks: list[list[Article]], timings: dict[str, float] | None) -> None:
        self._result = pool.map_async(_derive_timed, chunks)
        self._timings = timings

    def get(self) -> list[Derived]:
        out: list[Derived] = []
        for seconds, derived in self._result.get():
            _add(self._timings, "derive", seconds)
            out.extend(derived)
        return out


# Batches derived ahead of the one being written: two keep the workers busy while this process
# writes, and bound what waits in memory.
AHEAD = 2


def _one_writer(
    settings: Settings,
    batches: list[list[Article]],
    start: Callable[[list[list[Article]]], _Pending],
    workers: int,
    origin: str,
    timings: dict[str, float] | None,
    derived_all: Callable[[], None] = lambda: None,
) -> Iterator[IngestReport]:
    """Workers derive, this process writes every batch through one connection (while the workers
    derive the next ones) and deduplicates once at the end. `derived_all` runs once every batch
    has been derived (the workers are no longer needed)."""
    with _clock(timings, "start"):
        db = open_store(settings)
    try:
        with _clock(timings, "start"):
            db.migrate()
        queue: deque[tuple[list[Article], Callable[[], dict[tuple[str, str], Derived]]]] = deque()
        following = iter(batches)

        def fill() -> None:
            while len(queue) < AHEAD:
                batch = next(following, None)
                if batch is None:
                    return
                with _clock(timings, "submit"):
                    queue.append((batch, _submit(db, batch, workers, start)))

        stored = False
        try:
            fill()
            while queue:
                batch, wait = queue.popleft()
                with _clock(timings, "wait"):
                    derived = wait()
                fill()
                if not queue:
                    derived_all()
                with _clock(timings, "store"):
                    report = ingest_articles(db, batch, origin=origin, derive_batch=_lookup(derived),
                                             deduplicate=False)
                stored = stored or _stored(report)
                yield report
        except Exception:
            if stored:
                with _clock(timings, "dedup"):
                    _regroup(db)  # the batches stored before the failure get their events
            raise
        if stored:
            with _clock(timings, "dedup"):
                _regroup(db)
    finally:
        db.close()


def _serial(settings: Settings, batches: list[list[Article]], origin: str,
            timings: dict[str, float] | None = None) -> Iterator[IngestReport]:
    """One process does everything, and deduplicates once at the end like the parallel paths
    (`timeline ingest --workers 1` deduplicates after each batch instead)."""
    with _clock(timings, "start"):
        db = open_store(settings)
    try:
        with _clock(timings, "start"):
            db.migrate()
        stored = False
        try:
            for batch in batches:
                derive_seconds, store_seconds, report = _store_timed(db, batch, origin)
                _add(timings, "derive", derive_seconds)
                _add(timings, "store", store_seconds)
                stored = stored or _stored(report)
                yield report
        except Exception:
            if stored:
                with _clock(timings, "dedup"):
                    _regroup(db)
            raise
        if stored:
            with _clock(timings, "dedup"):
                _regroup(db)
    finally:
        db.close()


def _stored(report: IngestReport) -> bool:
    return bool(report.created or report.new_versions)


def _deduplicate(settings: Settings, timings: dict[str, float] | None) -> None:
    db = open_store(settings)
    try:
        with _clock(timings, "dedup"):
            _regroup(db)  # redone if it clashes; stored batches are safe either way
    finally:
        db.close()


def _add(timings: dict[str, float] | None, stage: str, seconds: float) -> None:
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + seconds


@contextmanager
def _clock(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        _add(timings, stage, time.perf_counter() - began)


@contextmanager
def _pool(settings: Settings, workers: int, *, lake: bool, timings: dict[str, float] | None):
    """A pool of `workers` processes, each with spaCy loaded, counted in the "start" stage.

    Waiting until every worker has loaded the model keeps the start-up out of the first batch
    (a model that cannot load fails here, with its name, not in the middle of an ingest), and
    the time per batch then measures the per-article pipeline alone."""
    # spawn, not fork: a forked child would inherit DuckDB's threads and open handles.
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    with _clock(timings, "start"):
        pool = context.Pool(workers, initializer=_start_worker, initargs=(settings, lake, ready))
        try:
            for _ in range(workers):
                failure = ready.get(timeout=START_TIMEOUT_SECONDS)
                if failure is not None:
                    raise SettingsError(f"an ingest worker process could not start ({failure}); "
                                        f"TIMELINE_SPACY_MODEL is {settings.spacy_model!r}")
        except queue.Empty:
            pool.terminate()
            raise SettingsError(
                f"the {workers} ingest worker processes did not start within {START_TIMEOUT_SECONDS:.0f} s; "
                f"check that the spaCy model {settings.spacy_model!r} loads: "
                f"python -c 'import spacy; spacy.load({settings.spacy_model!r})'; a script that starts "
                f"the pool must run it under `if __name__ == \"__main__\":` (workers are spawned, and "
                f"each imports the script again)") from None
        except SettingsError:
            pool.terminate()
            raise
    with pool:
        yield pool


def _submit(db: Database, batch: list[Article], workers: int, start: Callable[[list[list[Article]]], _Pending]
            ) -> Callable[[], dict[tuple[str, str], Derived]]:
    """Start deriving the articles of `batch` that the store does not hold yet; returns a
    function that waits for the results, keyed by (id, content hash)."""
    from service.ingest import _known_versions, _unique_in_order

    unique = _unique_in_order(batch)
    with db.reading() as cur:
        known = _known_versions(cur, unique)
    todo = [a for a in unique if known[(a.id, a.content_hash)]["same_version"] is None]
    size = max(1, math.ceil(len(todo) / (workers * 4)))  # small chunks balance uneven articles
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    pending = start(chunks) if chunks else None

    def wait() -> dict[tuple[str, str], Derived]:
        return {(a.id, a.content_hash): d for a, d in zip(todo, pending.get() if pending else [])}

    return wait


def _lookup(derived: dict[tuple[str, str], Derived]) -> Callable[[list[Article]], list[Derived]]:
    def derive_batch(articles: list[Article]) -> list[Derived]:
        missing = [a for a in articles if (a.id, a.content_hash) not in derived]
        if missing:  # not expected: the pool derived every article the store lacked
            derived.update(zip(((a.id, a.content_hash) for a in missing), derive_many(missing)))
        return [derived[(a.id, a.content_hash)] for a in articles]

    return derive_batch


def _start_worker(settings: Settings, lake: bool, ready) -> None:
    """Configure the pipeline, load spaCy and (on the lake) connect, then report to `_pool`:
    None when ready, or what went wrong (the worker then stays idle: the pool is terminated,
    and a worker that raised would be respawned and print its trace for each attempt)."""
    global _worker_db
    from service.nlp import get_pipeline

    try:
        configure(settings)
        get_pipeline(settings.spacy_model)  # every article is parsed (events), so load it now
        if lake:
            _worker_db = open_store(settings)
    except Exception as exc:
        ready.put(f"{type(exc).__name__}: {exc}")
        return
    ready.put(None)


def _derive_timed(articles: list[Article]) -> tuple[float, list[Derived]]:
    began = time.perf_counter()
    derived = derive_many(articles)
    return time.perf_counter() - began, derived


def _ingest_batch(job: tuple[list[Article], str]) -> tuple[float, float, IngestReport]:
    """In a worker on the lake: derive and store one batch; the seconds spent deriving and storing."""
    batch, origin = job
    assert _worker_db is not None
    return _store_timed(_worker_db, batch, origin)


def _store_timed(db: Database, batch: list[Article], origin: str) -> tuple[float, float, IngestReport]:
    """Derive and store one batch in this process, deduplication left to the caller; the
    seconds spent deriving and storing."""
    spent: dict[str, float] = {}

    def derive_batch(articles: list[Article]) -> list[Derived]:
        with _clock(spent, "derive"):
            return derive_many(articles)

    began = time.perf_counter()
    report = ingest_articles(db, batch, origin=origin, derive_batch=derive_batch, deduplicate=False)
    derive_seconds = spent.get("derive", 0.0)
    return derive_seconds, time.perf_counter() - began - derive_seconds, report
