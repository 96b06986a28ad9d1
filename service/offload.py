"""CPU-bound pure-Python work of the server (the per-article pipeline, deduplication) in worker
processes, so that the server's own threads keep the GIL for reads while a batch is processed.

`timeline serve` starts the pool (TIMELINE_WORKER_PROCESSES, 0 = in the server's own process);
`run(fn, *args)` calls `fn` there, or right here when no pool runs (the CLI, tests).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, TypeVar

from service.settings import Settings

log = logging.getLogger("service.offload")
T = TypeVar("T")

# Worker processes run below the server's priority: a read is someone waiting, a batch is not,
# so when both want the cores the scheduler gives them to the reads first. On an idle machine
# niceness changes nothing; under the load test (16 readers, one writer) it is what keeps the
# readers' tail from queueing behind spaCy.
WORKER_NICENESS = 10

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_settings: Settings | None = None


def start(settings: Settings) -> None:
    """Start the pool of `settings.worker_processes` processes (none when 0)."""
    global _pool, _settings
    with _lock:
        if _pool is not None or settings.worker_processes < 1:
            return
        _settings = settings
        _pool = _new_pool(settings)


def stop() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def run(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a worker process when the pool runs, else here. `fn` and its arguments
    must pickle (module-level functions, plain data). A worker that died is replaced once."""
    global _pool
    pool = _pool
    if pool is None:
        return fn(*args)
    try:
        return pool.submit(fn, *args).result()
    except BrokenProcessPool:
        log.warning("a worker process died; starting a new one and retrying")
        with _lock:
            if _pool is pool and _settings is not None:
                _pool = _new_pool(_settings)
            pool = _pool
        if pool is None:
            return fn(*args)
        return pool.submit(fn, *args).result()


def derive_many(articles: list) -> list:
    """The pipeline over a batch (`service.pipeline.derive_many`), in a worker when the pool runs."""
    from service import pipeline

    return run(pipeline.derive_many, articles)


def _new_pool(settings: Settings) -> ProcessPoolExecutor:
    # spawn, not fork: the server has threads and an open DuckDB connection.
    return ProcessPoolExecutor(max_workers=settings.worker_processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(settings, os.getpid()))


def _start_worker(settings: Settings, server_pid: int) -> None:
    from service.pipeline import configure

    # A worker blocked on its task queue never sees the server go when it dies by a signal (uvicorn
    # re-raises SIGTERM after its graceful stop, so no `finally` runs): it watches for itself.
    threading.Thread(target=_exit_with, args=(server_pid,), name="exit-with-server", daemon=True).start()
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    configure(settings)


def _exit_with(server_pid: int) -> None:
    while os.getppid() == server_pid:
        time.sleep(1)
    os._exit(0)
