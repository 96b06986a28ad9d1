"""Segmentation: story vs non-story lines, sentence offsets, abbreviations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.text import MAX_SENTENCE_CHARS, segment

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "seeds"


def _seed(article_id: str) -> tuple[str, str | None]:
    meta = {a["id"]: a for a in json.loads((SEEDS / "articles.json").read_text(encoding="utf-8"))}[article_id]
    return (SEEDS / meta["body_file"]).read_text(encoding="utf-8"), meta["title"]


needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed data not present (../shared/data/seeds)")


def _kind_of_line(body: str, seg, startswith: str) -> tuple[str, bool]:
    for s in seg.sentences:
        if body[s.start:s.end].startswith(startswith):
            return s.kind, s.story
    raise AssertionError(f"no segment starts with {startswith!r}")


@needs_seeds
@pytest.mark.parametrize(("start", "kind"), [
    ("A destroyed house following a strike", "caption"),
    ("Map of the border between Russia and Ukraine", "caption"),
    ("- ‘Guerrilla groups’ -", "subheading"),
    ("An army service recruitment desk in Moscow", "caption"),
    ("Moscow (AFP) -", "dateline"),
])
def test_afp_non_story_lines(start: str, kind: str) -> None:
    body, title = _seed("afp-belgorod-2023-05-23")
    seg = segment(body, title)
    assert _kind_of_line(body, seg, start) == (kind, False)


@needs_seeds
def test_afp_dateline_keeps_the_rest_of_its_sentence_as_story() -> None:
    body, title = _seed("afp-belgorod-2023-05-23")
    seg = segment(body, title)
    assert _kind_of_line(body, seg, "Drones struck Russia’s border region") == ("story", True)
    assert _kind_of_line(body, seg, "He previously said eight people") == ("story", True)


@needs_seeds
def test_translated_title_repeat_and_link_list() -> None:
    body, title = _seed("translated-belgorod-2023-05-23")
    seg = segment(body, title)
    assert _kind_of_line(body, seg, "On the second day the Kremlin was concerned about a") == ("title_repeat", False)
    # the full headline printed again as the lead is story text (the gold dates it)
    assert _kind_of_line(body, seg, "On the second day, the Kremlin was") == ("story", True)
    links = [s for s in seg.sentences if s.kind == "link"]
    assert len(links) == 3
    assert all("Also read:" in body[s.start:s.end] and not s.story for s in links)
    assert _kind_of_line(body, seg, "Nine towns were also evacuated") == ("story", True)


@needs_seeds
@pytest.mark.parametrize("article_id", ["afp-belgorod-2023-05-23", "translated-belgorod-2023-05-23"])
def test_offsets_are_exact_sorted_and_trimmed(article_id: str) -> None:
    body, title = _seed(article_id)
    seg = segment(body, title)
    prev_end = 0
    for s in seg.sentences:
        text = body[s.start:s.end]
        assert text and text == text.strip()
        assert s.start >= prev_end
        p = seg.paragraphs[s.paragraph]
        assert p.start <= s.start and s.end <= p.end
        prev_end = s.end
    for p in seg.paragraphs:
        assert "\n" not in body[p.start:p.end]


@pytest.mark.parametrize(("text", "expected"), [
    ("Dr. Smith met Mr. J. K. Rowling in the U.S. on Jan. 5. The talks went well.",
     ["Dr. Smith met Mr. J. K. Rowling in the U.S. on Jan. 5.", "The talks went well."]),
    ("He lives in the U.S. He likes it.", ["He lives in the U.S.", "He likes it."]),
    ("The U.S. Senate voted on Tuesday. Gov. Brown signed it.",
     ["The U.S. Senate voted on Tuesday.", "Gov. Brown signed it."]),
    ("Prices rose 3.5 percent. “Why?” he asked. “Because it rained.” She left!",
     ["Prices rose 3.5 percent.", "“Why?” he asked.", "“Because it rained.”", "She left!"]),
    ("“We will win,” he said. Nobody believed him.", ["“We will win,” he said.", "Nobody believed him."]),
])
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    seg = segment(text)
    assert [text[s.start:s.end] for s in seg.sentences] == expected
    assert all(s.story for s in seg.sentences)


def test_generic_cues_without_seed_strings() -> None:
    body = ("By Jane Doe\n\nLONDON (Reuters) - Shares fell sharply on Monday.\n\n"
            "• Read more: Markets in turmoil\n\n"
            "Traders on the floor of the exchange in London\n\n"
            "Analysts expect more losses.\n")
    seg = segment(body)
    kinds = [(body[s.start:s.end], s.kind) for s in seg.sentences]
    assert kinds == [
        ("By Jane Doe", "byline"),
        ("LONDON (Reuters) -", "dateline"),
        ("Shares fell sharply on Monday.", "story"),
        ("• Read more: Markets in turmoil", "link"),
        ("Traders on the floor of the exchange in London", "caption"),
        ("Analysts expect more losses.", "story"),
    ]


def test_hard_wrapped_lines_are_joined() -> None:
    body = "The minister said the talks\nwould resume next week.\nThey did not."
    seg = segment(body)
    assert [body[s.start:s.end] for s in seg.sentences] == [
        "The minister said the talks\nwould resume next week.", "They did not."]


@pytest.mark.parametrize("body", ["", "   \n\n\t  ", "\n"])
def test_empty_bodies(body: str) -> None:
    seg = segment(body)
    assert seg.sentences == [] and seg.paragraphs == []


def test_one_huge_sentence_is_cut_into_bounded_pieces() -> None:
    body = ("word " * 40_000).strip() + "."
    seg = segment(body)
    assert len(seg.sentences) > 100
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in seg.sentences)
    assert body[seg.sentences[-1].start:seg.sentences[-1].end].endswith("word.")
