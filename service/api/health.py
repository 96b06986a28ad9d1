"""`GET /health`: is the service up, which database and pipeline does it run."""

from __future__ import annotations

import duckdb
import msgspec
from litestar.di import NamedDependency
from litestar import Controller, get

from service.pipeline import pipeline_version
from service.api.problems import problem_responses
from service.settings import Settings
from service.store import fetch


class Health(msgspec.Struct, frozen=True):
    status: str
    database: str
    schema_version: int
    pipeline_version: str
    articles: int
    article_versions: int
    time_expressions: int
    max_page_size: int  # the largest `limit` a list endpoint takes (TIMELINE_MAX_PAGE_SIZE)


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get(operation_id="health", responses=problem_responses(), summary="Service health and store counts", sync_to_thread=True)
    def health(self, cursor: NamedDependency[duckdb.DuckDBPyConnection], settings: NamedDependency[Settings]) -> Health:
        counts = fetch(cursor, "health_counts")[0]
        return Health(
            status="ok",
            database=str(settings.db_path),
            schema_version=int(counts["schema_version"] or 0),
            pipeline_version=pipeline_version(),
            articles=counts["articles"],
            article_versions=counts["article_versions"],
            time_expressions=counts["time_expressions"],
            max_page_size=settings.max_page_size,
        )
