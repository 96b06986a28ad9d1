"""Parallel ingest: the per-article pipeline (segment, tag, events) in a pool of worker processes.

On the DuckDB file the pool derives and this process writes (the file takes one writing
process); on a DuckLake every worker writes its own batches to the lake through its own cached
connection, and this process deduplicates the shared store once they are done: a regroup
reads and clusters every current mention, so one per worker batch would keep clashing with
the other workers' commits and be redone.
"""

from __future__ import annotations

import math
import multiprocessing
from typing import Callable, Iterator

from service.articles import Article
from service.ingest import IngestReport, _regroup, ingest_articles
from service.pipeline import Derived, configure, derive_many
from service.settings import Settings
from service.store import Database, open_store

# Set in each worker process by `_start_worker`: spaCy loads once per process, at its first
# batch, and on the lake each worker keeps one connection for all its batches.
_worker_db: Database | None = None


def plan_batches(settings: Settings, articles: list[Article], *, workers: int, batch_size: int) -> list[list[Article]]:
    """The batches `ingest_parallel` stores: of `batch_size`, but on a lake, where each worker
    takes whole batches, small enough that every worker gets about four."""
    size = batch_size
    if settings.store == "ducklake" and workers > 1:
        size = max(1, min(batch_size, math.ceil(len(articles) / (workers * 4))))
    return [articles[i : i + size] for i in range(0, len(articles), size)]


def ingest_parallel(
    settings: Settings,
    batches: list[list[Article]],
    *,
    workers: int,
    origin: str = "cli",
) -> Iterator[IngestReport]:
    """Store `batches` (see `plan_batches`) with `workers` processes running the pipeline; yields
    each stored batch's report (in order on the DuckDB file, as they finish on the lake)."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if settings.store == "ducklake":
        db = open_store(settings)
        try:
            db.migrate()  # once, here, rather than N workers racing to do it
        finally:
            db.close()
        if workers == 1:
            yield from _serial(settings, batches, origin)
            return
        with _pool(settings, workers, lake=True) as pool:
            yield from pool.imap_unordered(_ingest_batch, [(batch, origin) for batch in batches])
        db = open_store(settings)
        try:
            _regroup(db)  # redone if it clashes; stored batches are safe either way
        finally:
            db.close()
        return

    if workers == 1:
        yield from _serial(settings, batches, origin)
        return
    db = open_store(settings)
    try:
        db.migrate()
        with _pool(settings, workers, lake=False) as pool:
            # While this process stores batch k (and deduplicates), the pool derives batch k+1.
            pending = _submit(pool, db, batches[0], workers) if batches else None
            for index, batch in enumerate(batches):
                assert pending is not None
                derived = pending()
                pending = _submit(pool, db, batches[index + 1], workers) if index + 1 < len(batches) else None
                yield ingest_articles(db, batch, origin=origin, derive_batch=_lookup(derived))
    finally:
        db.close()


def _serial(settings: Settings, batches: list[list[Article]], origin: str) -> Iterator[IngestReport]:
    db = open_store(settings)
    try:
        db.migrate()
        for batch in batches:
            yield ingest_articles(db, batch, origin=origin)
    finally:
        db.close()


def _pool(settings: Settings, workers: int, *, lake: bool):
    # spawn, not fork: a forked child would inherit DuckDB's threads and open handles.
    context = multiprocessing.get_context("spawn")
    return context.Pool(workers, initializer=_start_worker, initargs=(settings, lake))


def _submit(pool, db: Database, batch: list[Article], workers: int) -> Callable[[], dict[tuple[str, str], Derived]]:
    """Start deriving the articles of `batch` that the store does not hold yet; returns a
    function that waits for the results, keyed by (id, content hash)."""
    from service.ingest import _known_versions, _unique_in_order

    unique = _unique_in_order(batch)
    with db.reading() as cur:
        known = _known_versions(cur, unique)
    todo = [a for a in unique if known[(a.id, a.content_hash)]["same_version"] is None]
    size = max(1, math.ceil(len(todo) / (workers * 4)))  # small chunks balance uneven articles
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    result = pool.map_async(derive_many, chunks)

    def wait() -> dict[tuple[str, str], Derived]:
        derived = [d for chunk in result.get() for d in chunk]
        return {(a.id, a.content_hash): d for a, d in zip(todo, derived)}

    return wait


def _lookup(derived: dict[tuple[str, str], Derived]) -> Callable[[list[Article]], list[Derived]]:
    def derive_batch(articles: list[Article]) -> list[Derived]:
        missing = [a for a in articles if (a.id, a.content_hash) not in derived]
        if missing:  # not expected: the pool derived every article the store lacked
            derived.update(zip(((a.id, a.content_hash) for a in missing), derive_many(missing)))
        return [derived[(a.id, a.content_hash)] for a in articles]

    return derive_batch


def _start_worker(settings: Settings, lake: bool) -> None:
    global _worker_db
    configure(settings)
    if lake:
        _worker_db = open_store(settings)


def _ingest_batch(job: tuple[list[Article], str]) -> IngestReport:
    batch, origin = job
    assert _worker_db is not None
    return ingest_articles(_worker_db, batch, origin=origin, deduplicate=False)
