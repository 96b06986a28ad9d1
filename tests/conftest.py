"""Shared fixtures: real DuckDB files in a temporary folder, the real app, the seed articles."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from litestar.testing import TestClient

from service.api import create_app
from service.settings import Settings
from service.store import Database

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO = REPO / "service" / "demo"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "timeline.duckdb", snapshot_dir=tmp_path / "snapshots")


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.db_path)
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
