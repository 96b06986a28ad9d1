"""`POST /snapshots` and `POST /reingest`: a read-only copy for ad-hoc SQL, and re-processing of
what the current pipeline version has not seen (what scheduled re-ingestion asks for)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.di import NamedDependency
from litestar import Controller, post
from litestar.params import QueryParameter

from service import offload
from service.api.problems import BadRequest, problem_responses
from service.ingest import IngestReport, reprocess_stale
from service.settings import Settings
from service.store import Database


class Snapshot(msgspec.Struct, frozen=True):
    path: str


class AdminController(Controller):
    path = "/snapshots"
    tags = ["admin"]

    @post(operation_id="publishSnapshot", responses=problem_responses(503), summary="Publish a read-only snapshot for analysts",
          description="Copies the database to TIMELINE_SNAPSHOT_DIR atomically and points LATEST at it; "
                      "`timeline sql` reads the latest snapshot while the server holds the file.",
          sync_to_thread=True)
    def publish(self, db: NamedDependency[Database], settings: NamedDependency[Settings]) -> Snapshot:
        return Snapshot(path=str(db.snapshot(settings.snapshot_dir)))


class ReingestController(Controller):
    path = "/reingest"
    tags = ["admin"]

    @post(operation_id="reprocessStale", responses=problem_responses(503), status_code=200,
          summary="Run the current pipeline over articles it has not processed",
          description="Processes up to `limit` current article versions whose latest run is of another "
                      "pipeline version (or that have none). New runs supersede old ones, which stay readable "
                      "with `as_of`. Call again while `reprocessed` equals `limit`; a call with nothing stale "
                      "changes nothing. `timeline reingest` and scripts/reingest.py call this.",
          sync_to_thread=True)
    def reprocess(
        self,
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        limit: Annotated[int, QueryParameter(ge=1, description="Most articles to process in this call "
                                                               "(at most TIMELINE_MAX_BATCH_ARTICLES).")] = 1_000,
    ) -> IngestReport:
        if limit > settings.max_batch_articles:
            raise BadRequest(f"limit={limit} is more than TIMELINE_MAX_BATCH_ARTICLES={settings.max_batch_articles}; "
                             "ask for fewer and call again.", title="Invalid limit")
        return reprocess_stale(db, limit=limit, origin="http-reingest", derive_batch=offload.derive_many)
