"""Full-text search over the current events: DuckDB's BM25 index, kept in memory.

The index is a cache derived from the store, rebuilt after each dedup run and at start. It
lives in a private in-memory database, not in the store's file, because DuckDB's FTS index
is rebuilt by dropping and recreating its schema, and a WAL holding that drop could not be
replayed after a crash (seen with duckdb 1.5.5): the store must always reopen. (It also
cannot live in a DuckLake catalog.) The cost: rebuilding is proportional to current events.
On a DuckLake other processes deduplicate too, so there the index is given a `refresh` that
returns the current texts when a newer dedup run exists: each search asks it first.
"""

from __future__ import annotations

import threading
from typing import Callable

import duckdb
import duckdb_extensions
import pyarrow as pa

# The PRAGMA names its table; both are ours, never user input.
_BUILD = ("PRAGMA create_fts_index('event_texts', 'event_id', 'text', "
          "stemmer = 'english', stopwords = 'english', overwrite = 1)")
_SEARCH = ("SELECT event_id, score FROM (SELECT event_id, fts_main_event_texts.match_bm25(event_id, $q) AS score "
           "FROM event_texts) WHERE score IS NOT NULL ORDER BY score DESC LIMIT $limit")


class TextIndex:
    def __init__(self, refresh: Callable[[], list[tuple[str, str]] | None] | None = None) -> None:
        self._refresh = refresh
        self._con = duckdb.connect(":memory:", config={"allow_unsigned_extensions": "false"})
        try:
            self._con.execute("LOAD fts")
        except duckdb.Error:
            duckdb_extensions.import_extension("fts", con=self._con)
            self._con.execute("LOAD fts")
        self._lock = threading.Lock()
        self._rebuild([])

    def rebuild(self, texts: list[tuple[str, str]]) -> None:
        """Replace the index with these (event_id, text) rows."""
        with self._lock:
            self._rebuild(texts)

    def _rebuild(self, texts: list[tuple[str, str]]) -> None:
        self._con.execute("CREATE OR REPLACE TABLE event_texts (event_id VARCHAR PRIMARY KEY, text VARCHAR)")
        if texts:  # one statement over an Arrow table: executemany would insert row by row
            frame = pa.table({"event_id": [t[0] for t in texts], "text": [t[1] for t in texts]})
            self._con.register("new_event_texts", frame)
            try:
                self._con.execute("INSERT INTO event_texts SELECT * FROM new_event_texts")
            finally:
                self._con.unregister("new_event_texts")
        self._con.execute(_BUILD)

    def search(self, q: str, limit: int = 100_000) -> tuple[list[str], list[float]]:
        """Event ids matching `q` and their BM25 scores, best first."""
        if self._refresh is not None:
            texts = self._refresh()
            if texts is not None:
                self.rebuild(texts)
        with self._lock:
            cur = self._con.cursor()
            try:
                rows = cur.execute(_SEARCH, {"q": q, "limit": limit}).fetchall()
            finally:
                cur.close()
        return [r[0] for r in rows], [float(r[1]) for r in rows]

    def close(self) -> None:
        self._con.close()
