"""The text index answers what DuckDB's own match_bm25 answers: the same events, scores and
order, though it reads only the postings of the query's terms (service/search.py)."""

from __future__ import annotations

import random

import duckdb
import duckdb_extensions
import pytest

from service.search import TextIndex

WORDS = ("ceasefire ceasefires attack attacked attacks drone drones shelling border post river talks "
         "election vote budget flood emergency Kyiv Kiev Grayvoron Graivoron president minister said "
         "announced denied the a of and in on at was were is naïve café résumé 2023 12 x-ray e-mail").split()


def _texts(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 40))]
        if i % 7 == 0:
            words.insert(0, "ceasefire")  # a frequent term, repeated in some texts
        punct = rng.choice(["", ".", ", ", "!", " -- ", "'s"])
        texts.append((f"ev-{i:05d}", " ".join(words) + punct))
    return texts


def _match_bm25(texts: list[tuple[str, str]], q: str, limit: int = 100_000) -> dict[str, float]:
    """What the index answered before: DuckDB's match_bm25 over every text."""
    con = duckdb.connect(":memory:")
    try:
        try:
            con.execute("LOAD fts")
        except duckdb.Error:
            duckdb_extensions.import_extension("fts", con=con)
            con.execute("LOAD fts")
        con.execute("CREATE TABLE event_texts (event_id VARCHAR PRIMARY KEY, text VARCHAR)")
        con.executemany("INSERT INTO event_texts VALUES (?, ?)", texts)
        con.execute("PRAGMA create_fts_index('event_texts', 'event_id', 'text', stemmer = 'english', "
                    "stopwords = 'english', overwrite = 1)")
        rows = con.execute(
            "SELECT event_id, score FROM (SELECT event_id, fts_main_event_texts.match_bm25(event_id, $q) AS score "
            "FROM event_texts) WHERE score IS NOT NULL ORDER BY score DESC LIMIT $limit",
            {"q": q, "limit": limit}).fetchall()
        return dict(rows)
    finally:
        con.close()


QUERIES = ["ceasefire", "Ceasefires!", "attack on the border post", "drones drones", "KYIV talks",
           "naive cafe", "résumé", "x-ray", "2023", "the of and", "nothingmatches", "attacked ceasefire election",
           "   ", "'"]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[tuple[str, str]], TextIndex]:
    texts = _texts(600, seed=7)
    index = TextIndex()
    index.rebuild(texts)
    yield texts, index
    index.close()


@pytest.mark.parametrize("q", QUERIES)
def test_search_equals_match_bm25(corpus, q: str) -> None:
    texts, index = corpus
    expected = _match_bm25(texts, q)
    ids, scores = index.search(q)
    assert sorted(ids) == sorted(expected)
    assert scores == pytest.approx([expected[i] for i in ids], rel=1e-12)
    # best first; equal scores in index (insertion) order
    assert all((-a, ia) <= (-b, ib) for (a, ia), (b, ib) in zip(zip(scores, ids), zip(scores[1:], ids[1:])))


def test_a_limit_keeps_the_best(corpus) -> None:
    texts, index = corpus
    expected = sorted(_match_bm25(texts, "attack drone").values(), reverse=True)
    assert len(expected) > 50
    ids, scores = index.search("attack drone", limit=50)
    assert len(ids) == 50 and scores == pytest.approx(expected[:50], rel=1e-12)


def test_rebuild_replaces_the_index(corpus) -> None:
    index = TextIndex()
    try:
        assert index.search("ceasefire") == ([], [])
        index.rebuild([("a", "A ceasefire on the river"), ("b", "Talks about talks")])
        assert index.search("ceasefire")[0] == ["a"]
        index.rebuild([("c", "ceasefire ceasefire"), ("d", "nothing")])
        ids, scores = index.search("ceasefires")
        assert ids == ["c"] and scores == pytest.approx([_match_bm25([("c", "ceasefire ceasefire"),
                                                                      ("d", "nothing")], "ceasefire")["c"]])
        index.rebuild([])
        assert index.search("ceasefire") == ([], [])
    finally:
        index.close()


def test_a_lake_index_refreshes_before_searching() -> None:
    calls = []

    def refresh():
        calls.append(1)
        return [("e1", "drones over the city")] if len(calls) == 1 else None

    index = TextIndex(refresh=refresh)
    try:
        assert index.search("drone")[0] == ["e1"]
        assert index.search("drone")[0] == ["e1"] and len(calls) == 2
    finally:
        index.close()


def test_the_regroups_texts_are_the_stores_texts(tmp_path) -> None:
    """The BM25 texts are made in two places: by the regroup from the mentions it clustered, and
    by current_event_texts.sql from the stored bodies (at start, and on a store another process
    deduplicated). A search must not depend on which made the index: the same events, and for
    each the same words (BM25 reads terms, not their order)."""
    from service.demo import load_demo_if_empty
    from service.regroup import _cluster, _event_texts, _records
    from service.store import Database, fetch

    db = Database(tmp_path / "t.duckdb")
    db.migrate()
    assert load_demo_if_empty(db) is not None
    with db.reading() as cur:
        records = _records(cur)
        from_store = {r["event_id"]: sorted(r["text"].split()) for r in fetch(cur, "current_event_texts")}
    from_memory = {event_id: sorted(text.split()) for event_id, text in _event_texts(_cluster(records), records)}
    db.close()
    assert len(from_store) > 20
    assert from_memory == from_store
