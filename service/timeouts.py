"""Query time bounds: DuckDB has no statement timeout, so one watchdog thread interrupts the
connections that run past their deadline (TIMELINE_QUERY_TIMEOUT_SECONDS).

`bounded(cursor, seconds)` guards a block; a query still running at the deadline fails with
`duckdb.InterruptException`, which the API answers with 503 and `timeline sql` with exit code 1.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import duckdb

# After the deadline the watchdog interrupts again at this pace until the guarded block ends:
# an interrupt that lands between two queries of the block is lost (DuckDB only stops a running
# query), so it is repeated for the next one.
REPEAT_SECONDS = 0.05


class _Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._deadlines: list[tuple[float, int]] = []
        self._guarded: dict[int, duckdb.DuckDBPyConnection] = {}
        self._expired: set[int] = set()
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, con: duckdb.DuckDBPyConnection, seconds: float) -> int:
        token = next(self._ids)
        with self._cond:
            self._guarded[token] = con
            heapq.heappush(self._deadlines, (time.monotonic() + seconds, token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="query-timeouts", daemon=True)
                self._thread.start()
            self._cond.notify()
        return token

    def remove(self, token: int) -> bool:
        """Stop guarding; True if the deadline had passed."""
        with self._cond:
            self._guarded.pop(token, None)
            expired = token in self._expired
            self._expired.discard(token)
            return expired

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                while self._deadlines and self._deadlines[0][0] <= now:
                    _, token = heapq.heappop(self._deadlines)
                    if token in self._guarded:
                        self._expired.add(token)
                for token in self._expired:
                    # Under the lock, so a block that has ended is never interrupted.
                    self._guarded[token].interrupt()
                waits = [self._deadlines[0][0] - now] if self._deadlines else []
                if self._expired:
                    waits.append(REPEAT_SECONDS)
                self._cond.wait(min(waits) if waits else None)


_WATCHDOG = _Watchdog()


class Deadline:
    """What `bounded` yields: after the block, `expired` says whether the deadline passed."""

    expired = False


@contextmanager
def bounded(con: duckdb.DuckDBPyConnection, seconds: float | None) -> Iterator[Deadline]:
    """Interrupt the queries `con` runs in this block once `seconds` have passed (0 or None: no bound)."""
    deadline = Deadline()
    if not seconds:
        yield deadline
        return
    token = _WATCHDOG.add(con, seconds)
    try:
        yield deadline
    finally:
        deadline.expired = _WATCHDOG.remove(token)


def timeout_message(seconds: float) -> str:
    return (f"The query ran longer than {seconds:g} s (TIMELINE_QUERY_TIMEOUT_SECONDS) and was stopped. "
            "Narrow it (a time range, a source, a smaller page) or raise the bound.")
