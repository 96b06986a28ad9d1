"""Shared fixtures: real DuckDB files (or a real DuckLake) in a temporary folder, the real app,
the seed articles.

The store fixtures (`settings`, `db`, `client`) run on both backends in the modules named in
BOTH_BACKENDS, which together exercise the whole SQL surface: every migration and named query
(test_store), ingest, versions and re-processing (test_ingest), record time and `as_of` through
the API (test_bitemporal_property), and the timeline reads (test_timeline_store). The lake here
has a DuckDB catalog file in the test's folder (one process); tests/test_lake.py runs several
writer processes on a PostgreSQL catalog. Elsewhere the suite runs on the DuckDB file only, so
that its time does not double.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from litestar.testing import TestClient

from service.api import create_app
from service.settings import Settings
from service.store import Database, open_store

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO = REPO / "service" / "demo"


BACKENDS = ("duckdb", "ducklake")
BOTH_BACKENDS = {"test_store", "test_ingest", "test_bitemporal_property", "test_timeline_store", "test_runs"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.module.__name__.rpartition(".")[2] in BOTH_BACKENDS:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "duckdb")


def store_settings(folder: Path, backend: str = "duckdb") -> Settings:
    """Settings for a fresh store of `backend` in `folder`."""
    base = Settings(db_path=folder / "timeline.duckdb", snapshot_dir=folder / "snapshots")
    if backend == "ducklake":
        return base.replace(store="ducklake", lake_catalog=f"duckdb:{folder / 'lake.ducklake'}",
                            lake_data=str(folder / "lake"))
    return base


@pytest.fixture
def settings(tmp_path: Path, backend: str) -> Settings:
    return store_settings(tmp_path, backend)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_store(settings)
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def demo_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.replace(load_demo=True))) as test_client:
        yield test_client


def article(id: str = "a1", body: str = "On Monday, the council met.", **fields: object) -> dict:
    """A valid article as a user would send it; override any field."""
    return {"id": id, "source": "Test Wire", "body": body, "published_at": "2023-05-23T12:00:00+03:00", **fields}
