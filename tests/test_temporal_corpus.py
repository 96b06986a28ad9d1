"""The corpus is the test: tests/corpus/*_news.toml and every lexicon rule's examples."""

from __future__ import annotations

import tomllib
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.temporal import LEXICON_ROOT, get_lexicon, tag

CORPUS = Path(__file__).parent / "corpus"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "seeds"


def _corpora() -> list[dict]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*_news.toml"))]


def _anchor(corpus: dict, name: str) -> datetime:
    a = corpus["anchors"][name]
    return datetime.fromisoformat(a["at"]).replace(tzinfo=ZoneInfo(a["zone"]))


def _split(phrase: str) -> tuple[str, int, int]:
    """'said on [[Monday]]' -> text, start, end of the marked expression."""
    if "[[" not in phrase:
        return phrase, 0, len(phrase)
    start = phrase.index("[[")
    end = phrase.index("]]") - 2
    return phrase.replace("[[", "").replace("]]", ""), start, end


def _utc(s: str) -> datetime | None:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(timezone.utc) if s else None


CASES = [(c, case, phrase) for c in _corpora() for case in c.get("case", []) for phrase in case["phrases"]]
NEGATIVES = [(c, phrase) for c in _corpora() for phrase in c.get("negative", {}).get("phrases", [])]
SEED_CASES = [(c, seed) for c in _corpora() for seed in c.get("seed", [])]
EXAMPLES = [(lang, rule.name, phrase, value)
            for lang in sorted(p.name for p in LEXICON_ROOT.iterdir() if p.is_dir())
            for rule in get_lexicon(lang).rules  # type: ignore[union-attr]
            for phrase, value in rule.examples.items()]


@pytest.mark.parametrize("corpus,case,phrase", CASES, ids=[f"{c['language']}:{p}" for c, _, p in CASES])
def test_corpus_phrase(corpus: dict, case: dict, phrase: str) -> None:
    text, start, end = _split(phrase)
    found = tag(text, _anchor(corpus, case["anchor"]), corpus["language"])
    hits = [e for e in found if e.start == start and e.end == end]
    assert hits, f"{phrase!r}: expected an expression at [{start}:{end}], got {[(e.text, e.value) for e in found]}"
    e = hits[0]
    assert e.value == case["value"], e.reason
    if "type" in case:
        assert e.type == case["type"]
    if "grain" in case:
        assert e.grain == case["grain"]
    if "mod" in case:
        assert e.mod == case["mod"], e.reason
    if "interval" in case:
        assert (e.valid_from, e.valid_until) == tuple(_utc(s) for s in case["interval"]), e.reason


@pytest.mark.parametrize("corpus,phrase", NEGATIVES, ids=[f"{c['language']}:{p}" for c, p in NEGATIVES])
def test_negative_phrase(corpus: dict, phrase: str) -> None:
    anchor = _anchor(corpus, corpus["negative"]["anchor"])
    assert tag(phrase, anchor, corpus["language"]) == []


@pytest.mark.parametrize("corpus,seed", SEED_CASES, ids=[s["file"] for _, s in SEED_CASES])
def test_seed_article(corpus: dict, seed: dict) -> None:
    path = SEEDS / seed["file"]
    if not path.exists():
        pytest.skip(f"seed article not found: {path}")
    found = tag(path.read_text(encoding="utf-8"), _anchor(corpus, seed["anchor"]), corpus["language"])
    assert [[e.text, e.value] for e in found] == seed["expect"]


@pytest.mark.parametrize("lang,rule,phrase,value", EXAMPLES, ids=[f"{l}:{r}:{p}" for l, r, p, _ in EXAMPLES])
def test_rule_example(lang: str, rule: str, phrase: str, value: str) -> None:
    lexicon = get_lexicon(lang)
    assert lexicon is not None
    found = tag(phrase, datetime.fromisoformat(lexicon.example_anchor), lang)
    if value == "":
        assert found == [], f"{rule}: {phrase!r} should yield nothing"
        return
    assert found, f"{rule}: {phrase!r} found nothing"
    longest = max(found, key=lambda e: e.end - e.start)
    assert longest.value == value, f"{rule}: {phrase!r} -> {longest.value} ({longest.rule}: {longest.reason})"
