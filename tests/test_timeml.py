"""The TimeML reader on the real corpora in ../shared/data (skipped when they are absent)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.sources.timeml import (
    GoldEvent,
    TimeMLError,
    iter_corpus,
    parse_dct,
    read_timeml,
    read_timeml_string,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TBAQ = DATA / "tbaq"
TRIAL = DATA / "timeline-trial"

needs_tbaq = pytest.mark.skipif(not TBAQ.is_dir(), reason="tbaq corpus not present")
needs_trial = pytest.mark.skipif(not TRIAL.is_dir(), reason="timeline-trial corpus not present")


@pytest.fixture(scope="module")
def tbaq_docs():
    return list(iter_corpus([TBAQ]))


@pytest.fixture(scope="module")
def trial_docs():
    return {d.doc_id: d for d in iter_corpus([TRIAL / "docs"])}


@needs_tbaq
def test_tbaq_counts(tbaq_docs):
    assert len(tbaq_docs) == 256
    assert sum(1 for d in tbaq_docs if "TimeBank" in (d.path or "")) == 183
    assert sum(len(d.timexes) for d in tbaq_docs) == 1822  # DCT excluded
    types = {t.type for d in tbaq_docs for t in d.timexes}
    assert types == {"DATE", "TIME", "DURATION", "SET"}


@needs_tbaq
def test_tbaq_offsets_and_dct(tbaq_docs):
    for d in tbaq_docs:
        assert d.dct is not None and d.dct.tzinfo is not None and d.dct.utcoffset().total_seconds() == 0
        assert "<TIMEX3" not in d.text and "<EVENT" not in d.text
        for t in d.timexes:
            assert t.text and d.text[t.start : t.end] == t.text, (d.doc_id, t)
            assert t.tid != "t0"
        for e in d.events:
            assert e.text and d.text[e.start : e.end] == e.text, (d.doc_id, e)


@needs_tbaq
def test_tbaq_one_document(tbaq_docs):
    d = next(d for d in tbaq_docs if d.doc_id == "APW19980807.0261")
    assert d.dct == datetime(1998, 8, 7, tzinfo=UTC)
    assert d.title == "Explosions rock U.S. embassies in Tanzania, Kenya"
    first = d.timexes[0]
    assert (first.text, first.type, first.value) == ("Friday", "DATE", "1998-08-07")
    assert d.text[first.start - 29 : first.start] == "the Kenyan and Tanzanian capitals "[-29:]
    assert d.events[0].text == "exploded" and d.events[0].event_class == "OCCURRENCE"


@needs_trial
def test_trial_offsets_sentences_tokens(trial_docs):
    assert len(trial_docs) == 30
    for d in trial_docs.values():
        assert d.dct is not None and d.sentences
        for e in d.events:
            assert d.text[e.start : e.end] == e.text
            assert e.sentence_id is not None and e.token_index is not None
            tok = d.sentence(e.sentence_id).tokens[e.token_index]
            assert tok.start == e.start and d.text[tok.start : tok.end] == tok.text
        for s in d.sentences:
            # tokens are the whitespace-split sentence
            assert [t.text for t in s.tokens] == d.text[s.start : s.end].split()
        for a, b in zip(d.sentences, d.sentences[1:]):
            assert a.end < b.start  # sentences never glued together


@needs_trial
def test_trial_mention_ids(trial_docs):
    d = trial_docs["4596"]
    ev = d.resolve_mention("4596-6-sued")  # gold timeline beatles_apple_corps.txt
    assert isinstance(ev, GoldEvent) and ev.text == "sued" and ev.eid == "e18"
    assert d.sentence("6").tokens[ev.token_index].text == "sued"
    # "Apple Corps has twice before sued ...": the 0-based token number names it too
    assert ev.token_index == 5 and d.mention_id(ev) == "4596-6-5"
    assert d.resolve_mention("4596-6-5") == ev
    assert d.resolve_mention("4596-6-0").text == "Apple"  # a plain token, no EVENT
    assert d.resolve_mention("4596-999-0") is None
    assert d.resolve_mention("9999-6-sued") is None
    multi = trial_docs["4954"].resolve_mention("4954-2-court_case")  # "its court case"
    assert isinstance(multi, GoldEvent) and multi.text == "court"


@needs_trial
def test_every_gold_timeline_mention_is_an_event(trial_docs):
    """Each DOCID-SENTENCE-WORD of the gold timelines names that word in that sentence,
    and, but for two words the annotators left untagged, a gold EVENT."""
    n = 0
    absent: set[str] = set()
    untagged: set[str] = set()
    for f in sorted((TRIAL / "gold-timelines").glob("*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()[1:]
        for line in lines:
            if not line.strip():
                continue
            for mention in line.split("\t")[2:]:
                doc_id, _, word = mention.split("-", 2)
                if doc_id not in trial_docs:
                    absent.add(mention)
                    continue
                found = trial_docs[doc_id].resolve_mention(mention)
                assert found is not None, mention
                assert found.text.casefold() in word.casefold().split("_"), mention
                if not isinstance(found, GoldEvent):
                    untagged.add(mention)
                n += 1
    assert n > 150
    # the timelines' typo for 9509-10-access (sentence 10 of 9509 is "... offers access")
    assert absent == {"9590-10-access"}
    assert trial_docs["9509"].resolve_mention("9509-10-access").eid == "e13"
    # "took six months off", "left" (steve_jobs.txt): no EVENT tag in the TimeML files
    assert untagged == {"17677-5-took_off", "18315-10-left"}


def test_parse_dct_forms():
    assert parse_dct("1998-01-08") == datetime(1998, 1, 8, tzinfo=UTC)
    assert parse_dct("19980108") == datetime(1998, 1, 8, tzinfo=UTC)
    assert parse_dct("1998-11-20T19:30") == datetime(1998, 11, 20, 19, 30, tzinfo=UTC)
    with pytest.raises(TimeMLError):
        parse_dct("sometime")


def test_inline_document_nested_and_entities():
    xml = (
        '<TimeML><DOCID>x1</DOCID><DCT><TIMEX3 tid="t0" type="DATE" value="2001-02-03" '
        'functionInDocument="CREATION_TIME">Feb 3</TIMEX3></DCT><TEXT>\nA &amp; B '
        '<EVENT eid="e1" class="OCCURRENCE">met</EVENT> <TIMEX3 tid="t1" type="DATE" '
        'value="2001-02-02" mod="START">early <SIGNAL sid="s1">on</SIGNAL> Friday</TIMEX3>.'
        "</TEXT></TimeML>"
    )
    d = read_timeml_string(xml)
    assert d.doc_id == "x1" and d.text == "\nA & B met early on Friday."
    (t,) = d.timexes
    assert (t.text, t.mod, t.value) == ("early on Friday", "START", "2001-02-02")
    assert d.events[0].sentence_id is None and d.mention_id(d.events[0]) is None
    with pytest.raises(TimeMLError):
        read_timeml_string("<TimeML><DOCID>x</DOCID></TimeML>")
    with pytest.raises(TimeMLError):
        read_timeml_string("<TimeML><TEXT>unclosed</TimeML>")


def test_separate_sentences_flag():
    xml = '<TimeML><DOCID>7</DOCID><TEXT><s id="1">a b</s><s id="2">c <EVENT eid="e1">d</EVENT></s></TEXT></TimeML>'
    assert read_timeml_string(xml).text == "a b\nc d\n"
    bare = read_timeml_string(xml, separate_sentences=False)
    assert bare.text == "a bc d"
    assert bare.resolve_mention("7-2-1").text == "d" and bare.resolve_mention("7-2-d").eid == "e1"


@needs_trial
def test_read_single_file_path():
    f = next((TRIAL / "docs").glob("10718*.tml"))
    d = read_timeml(f)
    assert d.doc_id == "10718" and d.title == "Apple to lower UK iTunes prices"
    assert d.dct == datetime(2008, 1, 9, tzinfo=UTC)
    assert d.text.startswith("January 09 , 2008\nThe European Commission")


def test_jsonl_mode_contract(monkeypatch):
    """`python -m service.temporal --jsonl`: one output line per input line, errors inline.

    The tagger is replaced by a stub so this checks the I/O contract, not the rules."""
    import io

    import msgspec

    import service.temporal as temporal
    from service.temporal.__main__ import parse_anchor, run_jsonl
    from service.temporal.model import TimeExpression

    seen: list[datetime] = []

    def stub(text, anchor, language="en", *, doc=None):
        seen.append(anchor)
        if text == "boom":
            raise RuntimeError("kaboom")
        i = text.find("Friday")
        if i < 0:
            return []
        return [TimeExpression(start=i, end=i + 6, text="Friday", type="DATE", value="1998-08-07")]

    monkeypatch.setattr(temporal, "tag", stub, raising=False)
    lines = [
        b'{"id": 1, "text": "\\u00e9t\\u00e9 Friday", "dct": "1998-08-07"}',
        b"not json",
        b'{"id": "x", "text": "no dct"}',
        b'{"id": 3, "text": "b", "dct": "garbage"}',
        b"",
        b'{"id": 4, "text": "boom", "dct": "1998-11-20T19:30"}',
    ]
    out = io.BytesIO()
    assert run_jsonl(lines, out) == 5
    got = [msgspec.json.decode(x) for x in out.getvalue().splitlines()]
    assert got[0] == {"id": 1, "timexes": [{"start": 4, "end": 10, "type": "DATE", "value": "1998-08-07"}]}
    assert got[1]["id"] is None and "error" in got[1]
    assert got[2]["id"] == "x" and "dct" in got[2]["error"]
    assert got[3]["id"] == 3 and "garbage" in got[3]["error"]
    assert got[4] == {"id": 4, "error": "RuntimeError: kaboom"}
    assert seen[0] == datetime(1998, 8, 7, tzinfo=UTC)
    assert seen[1] == datetime(1998, 11, 20, 19, 30, tzinfo=UTC)
    assert parse_anchor("2023-05-23T12:00+03:00").utcoffset().total_seconds() == 3 * 3600
