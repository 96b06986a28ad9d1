"""Full-text search over the current events: BM25 over DuckDB's FTS index, kept in memory.

The index is a cache derived from the store, rebuilt after each dedup run and at start. It
lives in a private in-memory database, not in the store's file, because DuckDB's FTS index
is rebuilt by dropping and recreating its schema, and a WAL holding that drop could not be
replayed after a crash (seen with duckdb 1.5.5): the store must always reopen. (It also
cannot live in a DuckLake catalog.) The cost: rebuilding is proportional to current events.
On a DuckLake other processes deduplicate too, so there the index is given a `refresh` that
returns the current texts when a newer dedup run exists: each search asks it first.

DuckDB's `PRAGMA create_fts_index` does the text work (accents, case, punctuation, English
stop words and Snowball stems), and a query is tokenized by the same index's own `tokenize`
macro and `stem` function. What is not DuckDB's is the lookup: its `match_bm25` macro scores
the query against every document in turn (1.2 s at 1 M events), so after each build the
index's term occurrences are folded into postings lists (term -> documents holding it, with
the term's count in each), and a search reads only the lists of the query's own terms. The
score is match_bm25's own formula and parameters (Okapi BM25, k1 = 1.2, b = 0.75, log10 IDF,
a document's score the sum over the query's distinct terms it holds), so the same documents
come back in the same order; tests/test_search.py checks it against match_bm25 itself.
"""

from __future__ import annotations

import threading
from typing import Callable

import duckdb
import duckdb_extensions
import numpy as np
import pyarrow as pa

# The PRAGMA names its table; both are ours, never user input.
_BUILD = ("PRAGMA create_fts_index('event_texts', 'event_id', 'text', "
          "stemmer = 'english', stopwords = 'english', overwrite = 1)")
# The query's terms as match_bm25 finds them (its `tokens` CTE, with our stemmer).
_TOKENS = "SELECT DISTINCT stem(unnest(fts_main_event_texts.tokenize($q)), 'english') AS t"
# match_bm25's parameters (its defaults, which the service always used).
K1, B = 1.2, 0.75


class Postings:
    """One build of the index, immutable: a search reads the build current when it starts.

    Documents are numbered 0..n-1 in the index's own order: `docs[starts[t]:starts[t + 1]]`
    are the documents holding term t, ascending, and `tfs` the term's count in each;
    `lengths[d]` is document d's length in terms, `names[d]` its event id; `terms` maps a
    stemmed term to (termid, document frequency)."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None) -> None:
        import polars as pl

        if con is None:  # the empty index
            self.num_docs, self.avgdl = 0, 0.0
            self.terms: dict[str, tuple[int, int]] = {}
            self.starts = np.zeros(1, dtype=np.int64)
            self.docs = np.zeros(0, dtype=np.int32)
            self.tfs = np.zeros(0, dtype=np.int32)
            self.lengths = np.zeros(0, dtype=np.int32)
            self.names = pl.Series("event_id", [], dtype=pl.String)
            return
        num_docs, avgdl = con.execute("SELECT num_docs, avgdl FROM fts_main_event_texts.stats").fetchone()
        self.num_docs, self.avgdl = int(num_docs or 0), float(avgdl or 0.0)
        self.terms = {t: (int(i), int(df)) for t, i, df in
                      con.execute("SELECT term, termid, df FROM fts_main_event_texts.dict").fetchall()}
        docs = con.execute("SELECT docid, name, len FROM fts_main_event_texts.docs ORDER BY docid").pl()
        docids = docs["docid"].to_numpy()
        self.lengths = docs["len"].to_numpy().astype(np.int32)
        self.names = docs["name"].rename("event_id")
        postings = con.execute("SELECT termid, docid, count(*) AS tf FROM fts_main_event_texts.terms "
                               "GROUP BY termid, docid ORDER BY termid, docid").fetchnumpy()
        size = max(self.terms.values(), default=(-1, 0))[0] + 1
        counts = np.bincount(postings["termid"].astype(np.int64), minlength=size)
        self.starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.docs = np.searchsorted(docids, postings["docid"]).astype(np.int32)  # docid -> 0..n-1
        self.tfs = postings["tf"].astype(np.int32)

    def hits(self, terms: list[str], limit: int) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding any of `terms` and their BM25 scores, in document order; only
        the best `limit` when more match (ties at the cut fall either way, as in ORDER BY ... LIMIT)."""
        found = [self.terms[t] for t in dict.fromkeys(terms) if t in self.terms]
        if not found or limit <= 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        docs, scores = [], []
        for termid, df in found:
            lo, hi = self.starts[termid], self.starts[termid + 1]
            held = self.docs[lo:hi]
            tf = self.tfs[lo:hi].astype(np.float64)
            # match_bm25's subscore, operation for operation
            idf = np.log10(((self.num_docs - df) + 0.5) / (df + 0.5) + 1)
            docs.append(held)
            scores.append(idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * (self.lengths[held] / self.avgdl)))))
        if len(docs) == 1:
            doc, score = docs[0], scores[0]
        else:  # a document's score sums its terms' subscores
            doc, where = np.unique(np.concatenate(docs), return_inverse=True)
            score = np.bincount(where, weights=np.concatenate(scores), minlength=len(doc))
        if len(doc) > limit:
            keep = np.sort(np.argpartition(-score, limit - 1)[:limit])
            doc, score = doc[keep], score[keep]
        return doc, score

    def ranked(self, doc: np.ndarray, score: np.ndarray) -> tuple[list[str], list[float]]:
        """Event ids and scores of `hits`, best first; equal scores in document order."""
        order = np.lexsort((doc, -score))
        return self.names.gather(doc[order]).to_list(), score[order].tolist()


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
        self._postings = Postings(None)
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
        self._postings = Postings(self._con)
        # What searches read is in the postings now: the term occurrences (one row per word of
        # every text) and the texts are only held for the next build, which replaces them.
        self._con.execute("DROP TABLE fts_main_event_texts.terms")
        self._con.execute("DROP TABLE event_texts")

    def search(self, q: str, limit: int = 100_000) -> tuple[list[str], list[float]]:
        """Event ids matching `q` and their BM25 scores, best first (equal scores in index order)."""
        postings, docs, scores = self.hits(q, limit)
        return postings.ranked(docs, scores)

    def hits(self, q: str, limit: int = 100_000) -> tuple[Postings, np.ndarray, np.ndarray]:
        """The build searched, and the documents matching `q` with their scores, in document
        order (`Postings.names` gives their event ids): for readers that filter the hits
        further before they rank them."""
        if self._refresh is not None:
            texts = self._refresh()
            if texts is not None:
                self.rebuild(texts)
        with self._lock:
            postings = self._postings
            cur = self._con.cursor()
            try:
                terms = [r[0] for r in cur.execute(_TOKENS, {"q": q}).fetchall()]
            finally:
                cur.close()
        return (postings, *postings.hits(terms, limit))

    def close(self) -> None:
        self._con.close()
