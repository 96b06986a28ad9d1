"""The lexicon loader refuses broken lexicons with one message naming the file and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.temporal import LEXICON_ROOT, LEXICON_VERSION
from service.temporal.lexicon import LexiconError, load
from service.temporal.resolvers import RESOLVERS

GOOD_RULE = """
[[rule]]
name = "weekday"
priority = 10
pattern = '{weekday}'
resolver = "weekday"
examples = { "Friday" = "2000-01-07" }
"""
VOCAB = """
[weekday]
[weekday.words]
friday = 5
"""
FRAGMENTS = """
[fragments]
weekday = '(?P<weekday>{vocab:weekday})'
"""


def _lexicon(tmp_path: Path, date_rules: str, vocab: str = VOCAB, fragments: str = FRAGMENTS) -> Path:
    folder = tmp_path / "xx"
    folder.mkdir()
    (folder / "vocab.toml").write_text(vocab)
    (folder / "fragments.toml").write_text(fragments)
    (folder / "date.toml").write_text(date_rules)
    return folder


def test_good_lexicon_loads(tmp_path: Path) -> None:
    lexicon = load(_lexicon(tmp_path, GOOD_RULE), RESOLVERS)
    assert [r.name for r in lexicon.rules] == ["weekday"]
    assert lexicon.rules[0].type == "DATE"


@pytest.mark.parametrize("rules,needle", [
    (GOOD_RULE + GOOD_RULE, "duplicate rule name"),
    (GOOD_RULE.replace("{weekday}", "{weekdays}"), "unknown fragment {weekdays}"),
    (GOOD_RULE.replace("'{weekday}'", "'(?P<x>a'"), "bad regex"),
    (GOOD_RULE.replace("'{weekday}'", "'(?<=a)b'"), "bad regex"),  # RE2: no lookbehind
    (GOOD_RULE.replace('resolver = "weekday"', 'resolver = "guess"'), "unknown resolver 'guess'"),
    (GOOD_RULE.replace("priority = 10", 'priority = "high"'), "'priority' must be an integer"),
    (GOOD_RULE.replace("'{weekday}'", "'a*'"), "matches the empty string"),
    (GOOD_RULE.replace("priority = 10", "priority = 10\ncolour = 1"), "unknown keys"),
    ("[[rule]\nname=", "not valid TOML"),
])
def test_broken_rule_is_named(tmp_path: Path, rules: str, needle: str) -> None:
    folder = _lexicon(tmp_path, rules)
    with pytest.raises(LexiconError) as err:
        load(folder, RESOLVERS)
    message = str(err.value)
    assert needle in message
    assert "date.toml" in message
    if "TOML" not in needle:
        assert "weekday" in message  # the rule's name


def test_unknown_vocabulary_table(tmp_path: Path) -> None:
    folder = _lexicon(tmp_path, GOOD_RULE, fragments=FRAGMENTS.replace("vocab:weekday", "vocab:days"))
    with pytest.raises(LexiconError, match=r"fragments.toml: fragment 'weekday': unknown vocabulary table"):
        load(folder, RESOLVERS)


def test_cased_word_must_exist(tmp_path: Path) -> None:
    folder = _lexicon(tmp_path, GOOD_RULE, vocab=VOCAB.replace("[weekday]\n", '[weekday]\ncased = ["Fri"]\n'))
    with pytest.raises(LexiconError, match=r"vocab.toml: \[weekday\].cased"):
        load(folder, RESOLVERS)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="does not exist"):
        load(tmp_path / "nope", RESOLVERS)


def test_shipped_lexicons_load() -> None:
    for folder in LEXICON_ROOT.iterdir():
        if folder.is_dir():
            assert load(folder, RESOLVERS).rules
    assert len(LEXICON_VERSION) == 12
