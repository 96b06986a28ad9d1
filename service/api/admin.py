"""`POST /snapshots`: publish a read-only copy of the database for ad-hoc SQL."""

from __future__ import annotations

import msgspec
from litestar.di import NamedDependency
from litestar import Controller, post

from service.api.problems import problem_responses
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
