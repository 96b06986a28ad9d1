"""SemEval-2015 Task 4 timeline files from ingested TimeML documents (two trial articles)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from service.articles import Limits, validate_batch
from service.ingest import ingest_articles
from service.semeval import _Lines, semeval_date, semeval_timeline
from service.sources.files import read_timeml_files
from service.sources.timeml import Token, read_timeml
from service.store import Database
from service.timeline import TimelineEntry

TRIAL = SHARED_DATA / "timeline-trial" / "docs"
DOCS = ("16844-Apple_unveils_iPhone_4.tml", "16900-Apple_swamped_by_iPhone.tml")
needs_trial = pytest.mark.skipif(not TRIAL.is_dir(), reason="needs ../shared/data/timeline-trial")


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("semeval")
    docs = folder / "docs"
    docs.mkdir()
    for name in DOCS:
        (docs / name).write_bytes((TRIAL / name).read_bytes())
    db = Database(folder / "t.duckdb")
    db.migrate()
    pairs = list(read_timeml_files(docs))
    ingest_articles(db, validate_batch([a for _, a in pairs], Limits(), where=[w for w, _ in pairs]), origin="test")
    db.close()
    return folder / "t.duckdb", docs


@needs_trial
def test_the_file_has_the_gold_shape_and_its_mentions_name_real_tokens(trial) -> None:
    path, docs = trial
    db = Database(path, read_only=True)
    with db.reading() as cur:
        text = semeval_timeline(cur, "iPhone 4", datetime.now(timezone.utc))
    db.close()
    lines = text.splitlines()
    assert lines[0] == "iPhone 4" and len(lines) > 5
    documents = {d.doc_id: d for d in (read_timeml(docs / n) for n in DOCS)}
    orders = []
    for line in lines[1:]:
        order, day, *mentions = line.split("\t")
        assert order.isdigit() and mentions
        assert len(day) == 10 and day[4] == day[7] == "-", day  # 2010-06-07, 2010-06-XX, XXXX-XX-XX
        orders.append(int(order))
        for mention in mentions:
            doc_id, sentence, word = mention.split("-", 2)
            found = documents[doc_id].resolve_mention(mention)
            assert found is not None, mention
            # the word is the whitespace token of the TimeML sentence (`<s id=..>`) it names
            tokens = documents[doc_id].sentence(sentence).tokens
            assert word in {t.text for t in tokens}
            assert isinstance(found, Token) or found.sentence_id == sentence
    undated_first = [o for o in orders if o == 0]
    assert orders[: len(undated_first)] == undated_first and orders == sorted(orders)
    # "Yesterday , ... Steve Jobs unveiled iPhone 4" in the article of 2010-06-08
    unveiled = next(line for line in lines if "16844-2-unveiled" in line.split("\t"))
    assert unveiled.split("\t")[1] == "2010-06-07"


@needs_trial
def test_the_cli_writes_the_same_file_and_needs_an_entity(trial, tmp_path: Path) -> None:
    path, _ = trial
    env = {**os.environ, "TIMELINE_DB_PATH": str(path), "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "snaps"),
           "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}
    out = tmp_path / "iphone_4.txt"
    run = subprocess.run([sys.executable, "-m", "service.cli", "export", "--format", "semeval2015",
                          "--entity", "iPhone 4", "-o", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    db = Database(path, read_only=True)
    with db.reading() as cur:
        assert out.read_text() == semeval_timeline(cur, "iPhone 4", datetime.now(timezone.utc))
    db.close()
    bad = subprocess.run([sys.executable, "-m", "service.cli", "export", "--format", "semeval2015"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "--entity" in bad.stderr


def test_mention_names_count_sentences_from_one_and_keep_whole_tokens() -> None:
    lines = _Lines("June 8 , 2010\nApple 's pre-orders began .\n")
    body = lines.body
    assert lines.name("7", body.index("Apple")) == "7-2-Apple"
    assert lines.name("7", body.index("orders")) == "7-2-pre-orders"  # a trigger inside a token
    assert lines.name("7", body.index("began")) == "7-2-began"
    assert lines.name("7", 0) == "7-1-June"


@pytest.mark.parametrize(("start", "end", "zone", "expected"), [
    ("2010-06-07T00:00:00+00:00", "2010-06-08T00:00:00+00:00", "UTC", "2010-06-07"),
    ("2010-06-07T04:00:00+00:00", "2010-06-08T04:00:00+00:00", "America/Toronto", "2010-06-07"),
    ("2010-06-01T00:00:00+00:00", "2010-07-01T00:00:00+00:00", "UTC", "2010-06-XX"),
    ("2010-06-07T00:00:00+00:00", "2010-06-09T00:00:00+00:00", "UTC", "2010-06-XX"),
    ("2010-01-01T00:00:00+00:00", "2011-01-01T00:00:00+00:00", "UTC", "2010-XX-XX"),
    ("2009-01-01T00:00:00+00:00", "2011-01-01T00:00:00+00:00", "UTC", "XXXX-XX-XX"),
    (None, "2010-06-08T00:00:00+00:00", "UTC", "XXXX-XX-XX"),
])
def test_dates_say_what_the_interval_knows(start, end, zone, expected) -> None:
    moment = lambda s: datetime.fromisoformat(s) if s else None  # noqa: E731
    entry = TimelineEntry(id="e", kind="occurrence", label="", valid_from=moment(start), valid_until=moment(end),
                          grain=None, mention_count=1, sources=[], articles=[], has_conflict=False, conflicts=[],
                          first_quote="", first_reported_at=datetime(2010, 6, 8, tzinfo=timezone.utc),
                          timezone=zone, score=None, overlaps=[])
    assert semeval_date(entry) == expected
