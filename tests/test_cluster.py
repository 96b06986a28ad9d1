"""`timeline ingest --workers N` on a real Dask cluster (TIMELINE_CLUSTER, service/cluster.py): the
same stored rows and timeline as one process, a clear exit 3 when no scheduler answers, and a
refusal of workers that run another pipeline version. Everything is real: a LocalCluster of worker
processes, a `dask worker` process started from another copy of the code, the CLI in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from conftest import REPO, SHARED_DATA, store_settings
from service.articles import Article, Limits, validate_batch
from service.cluster import ClusterUnavailable
from service.ingest import ingest_articles
from service.settings import Settings
from service.sources.files import read_path
from service.store import Database, open_store
from service.timeline import TimelineQuery, read_timeline
from service.workers import STAGES, ingest_parallel

TIMEBANK = SHARED_DATA / "tbaq" / "TimeBank"
pytestmark = pytest.mark.skipif(not TIMEBANK.is_dir(), reason="needs ../shared/data/tbaq")

# Columns that differ between two runs of the same ingest by nature: when it was recorded, the
# random batch ids, and how many dedup runs led to the current grouping.
VOLATILE = {"recorded_at", "batch_id", "dedup_run_id"}
TABLES = ("current_articles", "run_history", "time_expressions", "event_mentions", "current_events",
          "current_event_claims")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five short TimeBank documents, in a folder as a user would pass it."""
    folder = tmp_path_factory.mktemp("docs")
    for path in sorted(TIMEBANK.glob("*.tml"), key=lambda p: p.stat().st_size)[:5]:
        shutil.copy(path, folder / path.name)
    return folder


def load(folder: Path) -> list[Article]:
    pairs = list(read_path(folder, "timeml"))
    return validate_batch([a for _, a in pairs], Limits(max_batch_articles=len(pairs)))


def stored(db: Database) -> dict[str, list[tuple]]:
    """Every stored row that does not depend on when or in how many dedup runs it was stored."""
    out: dict[str, list[tuple]] = {}
    with db.reading() as cur:
        for table in TABLES:
            columns = [r[0] for r in cur.execute(f"DESCRIBE {table}").fetchall() if r[0] not in VOLATILE]
            rows = cur.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        links = cur.execute("SELECT event_id, run_id, mention_ordinal FROM event_mention_links "
                            "WHERE dedup_run_id = (SELECT max(dedup_run_id) FROM dedup_runs)").fetchall()
        out["event_mention_links"] = sorted(links)
        page = read_timeline(cur, TimelineQuery(as_of=datetime.now(timezone.utc), limit=500))
        out["timeline"] = [(e.id, e.label, e.valid_from, e.valid_until, e.sources) for e in page.items + page.undated]
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def batches_of(folder: Path) -> list[list[Article]]:
    articles = load(folder)
    articles = articles + articles[:1]  # sent twice: stored once, counted unchanged the second time
    return [articles[i : i + 2] for i in range(0, len(articles), 2)]


@pytest.fixture(scope="module")
def serial(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    """What `timeline ingest --workers 1` stores: each batch derived, stored and deduplicated in turn."""
    db = open_store(store_settings(tmp_path_factory.mktemp("serial")))
    try:
        db.migrate()
        for batch in batches_of(docs):
            ingest_articles(db, batch, origin="cli")
        return stored(db)
    finally:
        db.close()


@pytest.mark.parametrize("cluster", ["local", ""], ids=["dask-local-cluster", "process-pool"])
def test_two_workers_store_what_one_process_stores(docs: Path, tmp_path: Path, cluster: str,
                                                  serial: dict[str, list[tuple]]) -> None:
    batches = batches_of(docs)
    settings = store_settings(tmp_path / "parallel").replace(cluster=cluster)
    timings: dict[str, float] = {}
    reports = list(ingest_parallel(settings, batches, workers=2, timings=timings))
    assert [r.created for r in reports] == [2, 2, 1]
    assert reports[-1].unchanged == 1
    assert set(timings) == set(STAGES) and timings["derive"] > 0 and timings["dedup"] > 0

    parallel = open_store(settings, read_only=True)
    try:
        got = stored(parallel)
        assert got["timeline"] and got["event_mentions"]
        for name in serial:
            assert got[name] == serial[name], name
        with parallel.reading() as cur:  # one deduplication for the whole ingest, not one per batch
            assert cur.execute("SELECT count(*) FROM dedup_runs").fetchone()[0] == 1
    finally:
        parallel.close()


def test_no_scheduler_at_the_address_fails_fast_with_exit_3_and_stores_nothing(docs: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "t.duckdb"
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    env = {**os.environ, "TIMELINE_DB_PATH": str(db_path), "TIMELINE_SERVER_URL": "http://127.0.0.1:9",
           "TIMELINE_CLUSTER": address, "TIMELINE_CLUSTER_TIMEOUT_SECONDS": "2"}
    done = subprocess.run([sys.executable, "-m", "service.cli", "ingest", "--direct", "--format", "timeml",
                           "--workers", "2", str(docs)], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3, done.stderr
    assert f"no Dask scheduler answered at {address} within 2 s" in done.stderr
    assert "Nothing was stored" in done.stderr and "Traceback" not in done.stderr
    assert articles_in(Settings(db_path=db_path)) == 0


def articles_in(settings: Settings) -> int:
    db = open_store(settings)
    try:
        db.migrate()
        with db.reading() as cur:
            return cur.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    finally:
        db.close()


@pytest.fixture
def other_version_worker(tmp_path: Path) -> Iterator[str]:
    """A `dask scheduler` with one `dask worker` that runs another copy of the code, whose version
    differs: as on a machine that was not upgraded."""
    other = tmp_path / "other"
    shutil.copytree(REPO / "service", other / "service", ignore=shutil.ignore_patterns("__pycache__"))
    init = other / "service" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "0.0.1-old+'))
    dask = str(Path(sys.executable).parent / "dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], **quiet)
    worker = subprocess.Popen([dask, "worker", address, "--no-nanny", "--nthreads", "1", "--no-dashboard"],
                              cwd=other, env={**os.environ, "PYTHONPATH": str(other)}, **quiet)
    try:
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)


def test_a_worker_with_another_pipeline_version_is_refused(docs: Path, tmp_path: Path,
                                                           other_version_worker: str) -> None:
    settings = store_settings(tmp_path).replace(cluster=other_version_worker, cluster_timeout_seconds=60)
    with pytest.raises(ClusterUnavailable, match="another pipeline version") as caught:
        list(ingest_parallel(settings, [load(docs)], workers=1))
    assert "0.0.1-old+" in str(caught.value) and "Nothing was stored" in str(caught.value)
    assert articles_in(settings) == 0


def test_a_pool_whose_workers_cannot_load_the_model_stops_at_start_with_exit_2(docs: Path, tmp_path: Path) -> None:
    """Each pool worker loads spaCy before the first batch; a model that will not load ends the
    ingest there with the model's name, instead of a trace per article or a pool that respawns
    dying workers for ever."""
    db_path = tmp_path / "t.duckdb"
    env = {**os.environ, "TIMELINE_DB_PATH": str(db_path), "TIMELINE_SERVER_URL": "http://127.0.0.1:9",
           "TIMELINE_SPACY_MODEL": "no_such_spacy_model"}
    done = subprocess.run([sys.executable, "-m", "service.cli", "ingest", "--direct", "--format", "timeml",
                           "--workers", "2", str(docs)], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert "an ingest worker process could not start" in done.stderr
    assert "'no_such_spacy_model'" in done.stderr and "Traceback" not in done.stderr
    assert articles_in(Settings(db_path=db_path)) == 0
