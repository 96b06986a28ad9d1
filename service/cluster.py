"""The ingest's per-article pipeline on a Dask cluster (TIMELINE_CLUSTER): segment, tag and events
run on Dask workers, on this machine (`local`) or many (`tcp://scheduler:8786`).

Only the pipeline is distributed: the derived rows come back to the ingesting process, which writes
them through its one connection and deduplicates (service/workers.py), so the store never needs a
cluster engine. Dask is imported here only, when an ingest asks for a cluster: the server never
loads it.

Dask rather than Ray: the work is a few coarse tasks per batch (chunks of tens of articles, seconds
each), so what matters is starting quickly and staying small. Dask starts in about 0.4 s against
Ray's 2-3 s (the figures of issue 9), and it is a pure-Python wheel that runs in the same image;
Ray's lower cost per task (about 0.5 ms against Dask's 1.6 ms) is noise next to a task of seconds.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from service.articles import Article
from service.pipeline import Derived
from service.settings import Settings
from service.store import StoreError

if TYPE_CHECKING:
    from distributed import Client


class ClusterUnavailable(StoreError):
    """The Dask scheduler did not answer, has no workers, or its workers run another pipeline
    version. A StoreError, so that commands report it as exit code 3 (something they need cannot
    be reached), with nothing stored."""


@contextmanager
def connect(settings: Settings, workers: int) -> Iterator["Client"]:
    """A Dask client for TIMELINE_CLUSTER whose workers run this pipeline version: `local` starts a
    LocalCluster of `workers` processes (one thread each: spaCy is CPU-bound and holds the GIL) on
    127.0.0.1 and stops it after; an address connects to that scheduler, whose workers are started
    elsewhere (`dask scheduler`, `dask worker tcp://scheduler:8786`). Waits at most
    TIMELINE_CLUSTER_TIMEOUT_SECONDS for the scheduler and for a first worker."""
    from distributed import Client, LocalCluster

    timeout = settings.cluster_timeout_seconds
    if settings.cluster == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR)
        try:
            with Client(cluster, timeout=timeout) as client:
                _check_workers(client, settings)
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(settings.cluster, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(
            f"no Dask scheduler answered at {settings.cluster} within {timeout} s ({exc}). Start one "
            "(`dask scheduler`, then `dask worker` on each machine), or unset TIMELINE_CLUSTER to run the "
            "pipeline on this machine. Nothing was stored.") from None
    with client:
        _check_workers(client, settings)
        yield client


def _check_workers(client: "Client", settings: Settings) -> None:
    """Refuse a cluster without workers, or with a worker whose pipeline version differs from this
    process's: its rows would be stored under a version that did not make them."""
    from service.pipeline import pipeline_version

    try:
        client.wait_for_workers(1, timeout=settings.cluster_timeout_seconds)
    except TimeoutError:
        raise ClusterUnavailable(
            f"the Dask scheduler at {settings.cluster} has no worker after {settings.cluster_timeout_seconds} s: "
            "start `dask worker` on the machines that should run the pipeline. Nothing was stored.") from None
    try:
        versions = client.run(worker_pipeline_version, settings)
    except Exception as exc:  # a worker that cannot even import this code
        raise ClusterUnavailable(f"a Dask worker could not run this pipeline ({type(exc).__name__}: {exc}): run "
                                 "the same code on every machine of the cluster. Nothing was stored.") from None
    _refuse_other_versions(versions, pipeline_version())


def _refuse_other_versions(versions: dict[str, str], ours: str) -> None:
    others = {address: version for address, version in versions.items() if version != ours}
    if others:
        listed = ", ".join(f"{address} runs {version}" for address, version in sorted(others.items()))
        raise ClusterUnavailable(
            f"Dask workers run another pipeline version than this process ({ours}): {listed}. Run the same "
            "code and lexicons on every machine of the cluster (stored rows name the version that made them); "
            "on one machine, the code or lexicon files changed after this process started: run it again. "
            "Nothing was stored.")


class Pending:
    """The derivations of one batch, running on the cluster."""

    def __init__(self, client: "Client", settings: Settings, chunks: list[list[Article]],
                 timings: dict[str, float] | None = None) -> None:
        self._futures = client.map(derive_chunk, chunks, settings=settings, pure=False)
        self._client = client
        self._timings = timings

    def get(self) -> list[Derived]:
        from service.pipeline import pipeline_version

        ours = pipeline_version()
        out: list[Derived] = []
        results = self._client.gather(self._futures)
        # A worker that joined after the start is checked here, before anything of the batch is stored.
        _refuse_other_versions({address: version for address, version, _, _ in results if version != ours}, ours)
        for _, _, seconds, derived in results:
            if self._timings is not None:
                self._timings["derive"] = self._timings.get("derive", 0.0) + seconds
            out.extend(derived)
        return out


# Set in each Dask worker process at its first task: spaCy and the lexicons load once per process.
_configured: tuple[str, str] | None = None


def _configure_once(settings: Settings) -> None:
    global _configured
    from service.pipeline import configure

    options = (settings.tense, settings.spacy_model)
    if _configured != options:
        configure(settings)
        _configured = options


def worker_pipeline_version(settings: Settings) -> str:
    """Runs on each Dask worker when the ingest connects: the version its pipeline would write."""
    from service.pipeline import pipeline_version

    _configure_once(settings)
    return pipeline_version()


def derive_chunk(articles: list[Article], settings: Settings) -> tuple[str, str, float, list[Derived]]:
    """Runs on a Dask worker: the pipeline over `articles`, with the worker's address, the pipeline
    version that made the rows and the seconds it took."""
    from distributed import get_worker

    from service.pipeline import derive_many, pipeline_version

    _configure_once(settings)
    began = time.perf_counter()
    derived = derive_many(articles)
    return get_worker().address, pipeline_version(), time.perf_counter() - began, derived
