"""The dedup runs of a store, read once per store state and then answered from memory.

Every timeline read first asks which dedup run was current at its `as_of` (`timeline_run.sql`).
On the embedded file that query costs a millisecond or two of a read's budget; on a DuckLake it
costs a round of catalog queries to PostgreSQL (the snapshot, then the table's files and inlined
rows): 18 ms at the median here, more than cutting the page itself. The runs table is
append-only and small (one row per regrouping), so each process keeps it in memory and reads it
again only when the store's state token (`Database.state`) says that something was committed
since: a lake snapshot id, or this process's count of commits to its file. Both are exact, so
an answer from memory is the answer the query would give, `as_of` in the past included.
"""

from __future__ import annotations

import bisect
import threading
from datetime import datetime
from typing import Any

import duckdb

from service.store import Database, StoreError, fetch


class DedupRuns:
    """`at(cur, as_of)`: the dedup run current at `as_of` (as `timeline_run.sql` answers)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._state: Any = object()  # equal to no state: the first read loads
        self._runs: list[dict[str, Any]] = []  # the dedup runs, in run order
        self._times: list[datetime] = []  # their recorded_at

    def at(self, cur: duckdb.DuckDBPyConnection, as_of: datetime) -> dict[str, Any] | None:
        # The state is read after the caller fixed `as_of`: a commit that lands later carries a
        # record time after `as_of` (service/store.py: next_record_time, settled_now), so a
        # history read before it still answers `as_of` exactly.
        runs, times = self._history(cur, as_of)
        # dedup_run_history: a run holds from its recorded_at until the next run's. Record times
        # rise with the run id (next_record_time), so that is the last run recorded by `as_of`.
        i = bisect.bisect_right(times, as_of) - 1
        return runs[i] if i >= 0 else None

    def _history(self, cur: duckdb.DuckDBPyConnection, as_of: datetime) -> tuple[list[dict[str, Any]], list[datetime]]:
        state = self._db.state(cur, as_of)
        with self._lock:
            if state != self._state:
                runs = fetch(cur, "dedup_run_list")
                times = [r["recorded_at"] for r in runs]
                if times != sorted(times):  # never written so; say it rather than answer wrongly
                    raise StoreError("dedup_runs.recorded_at does not rise with dedup_run_id: the store was "
                                     "written by something other than this service")
                self._runs, self._times, self._state = runs, times, state
            return self._runs, self._times
