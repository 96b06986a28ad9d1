"""Segmentation: an article body -> paragraphs and sentences with offsets into the body.

Owns what counts as story text: captions, subheadings, link lists, bylines, datelines and a
repeated title are kept as non-story segments so that no later stage turns them into events.

Decisions (see `segment`):
- A paragraph is one line: blank lines and single newlines both end a paragraph, because news
  feeds put captions, links and subheadings on lines of their own with or without a blank line
  around them. A hard-wrapped line (no closing punctuation, next line starts in lower case) is
  joined to the next one.
- Sentences never cross paragraphs. The splitter is rule based (no spaCy): it splits after
  `.`, `!`, `?` or `…` (with any closing quotes or brackets) when white space and a capital,
  digit or opening quote follow, unless the word before is a known abbreviation, an initial
  or a dotted acronym followed by a name.
- Every offset is a Python `str` index into the body: `body[s.start:s.end]` is the text, with
  no leading or trailing white space.
- A "sentence" longer than `MAX_STORY_SENTENCE_CHARS` (a table, a list or a dump without
  sentence ends; no news sentence comes near it) is not story text: its pieces are kept as
  `run_on` segments, so it is neither parsed nor turned into events; `Segmentation.run_on` lists
  these sentences whole, for the warning stored with the article.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

import msgspec
import re2

__all__ = ["Paragraph", "Sentence", "Segmentation", "SegmentKind", "segment", "MAX_SENTENCE_CHARS",
           "MAX_STORY_SENTENCE_CHARS"]

SegmentKind = Literal["story", "caption", "subheading", "link", "byline", "dateline", "title_repeat", "run_on"]

# A longer "sentence" (a table, a run-on dump, a 200 KB line) is cut at white space so that the
# parser's time and memory stay bounded.
MAX_SENTENCE_CHARS = 1_000
# Past this a "sentence" is not prose and is not parsed at all (its pieces are `run_on`): the
# longest sentence of the 256 TimeBank/AQUAINT news documents has 606 characters. Parsing the
# pieces of a 200 KB run-on line costs seconds of spaCy and makes up to MAX_MENTIONS junk events.
MAX_STORY_SENTENCE_CHARS = 5_000
# A line without closing punctuation is a caption, a heading or a link only when it is short;
# a longer one is text whose last period was lost.
MAX_CAPTION_WORDS = 60


class Paragraph(msgspec.Struct, frozen=True, kw_only=True):
    start: int
    end: int
    kind: SegmentKind = "story"


class Sentence(msgspec.Struct, frozen=True, kw_only=True):
    """A sentence (or a non-story line) of the body: `body[start:end]`."""

    start: int
    end: int
    paragraph: int  # index into Segmentation.paragraphs
    story: bool = True
    kind: SegmentKind = "story"


class Segmentation(msgspec.Struct, frozen=True, kw_only=True):
    paragraphs: list[Paragraph]
    sentences: list[Sentence]
    # (start, end) of each sentence longer than MAX_STORY_SENTENCE_CHARS, whole (its pieces are
    # the `run_on` sentences).
    run_on: list[tuple[int, int]] = msgspec.field(default_factory=list)

    def story_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences if s.story]


# ------------------------------------------------------------------ vocabulary -------------

# Words that end in a period without ending a sentence when a capital follows.
_TITLES = frozenset("""mr mrs ms dr prof gen lt col maj capt cmdr sgt cpl adm gov sen rep rev fr
sr jr st mt ft hon pres supt insp det messrs mme mlle""".split())
_ABBREVIATIONS = _TITLES | frozenset("""jan feb mar apr jun jul aug sep sept oct nov dec
inc corp co ltd bros vs etc approx dept est fig no nos vol ave blvd rd gov't e.g i.e cf al""".split())
# After these a dotted acronym ("U.S.", "a.m.") ends its sentence: they start sentences.
_SENTENCE_STARTERS = frozenset("""the a an he she it they we i you this that these those there
but and or so yet in on at after before when while if as his her its their our my some many
most all no one two three officials police president meanwhile however still also""".split())
_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{"
_TERMINALS = ".!?…"
_DASHES = "-–—―"
_BULLETS = "•·▪►▸‣◦●■→*"
_LINK_CUES = ("also read", "read also", "read more", "see also", "related:", "related stories",
              "related articles", "more on this", "watch:", "listen:", "lire aussi", "à lire aussi")
_BYLINE_CUES = ("by ", "reporting by", "writing by", "editing by", "additional reporting",
                "compiled by", "with afp", "with reuters", "with ap", "(afp)", "(reuters)")

_WORD = re2.compile(r"[\pL\pN][\pL\pN'’.-]*")
_DATELINE_MAX = 80


def dateline_length(line: str) -> int:
    """Length of a dateline prefix at the start of `line` ("Moscow (AFP) - ",
    "KYIV, Ukraine (AP) — ", "WASHINGTON — "), else 0. Plain string scanning: a dash
    surrounded by spaces within the first 80 characters, after a few capitalised words
    that either end with an agency in brackets or start with a word in capitals."""
    best = -1
    for dash in (" - ", " – ", " — ", " -- "):
        k = line.find(dash, 0, _DATELINE_MAX)
        if k > 0 and (best < 0 or k < best):
            best = k
    if best < 0:
        return 0
    head = line[:best].strip()
    words = head.replace(",", " ").split()
    if not words or len(words) > 8:
        return 0
    agency = head.endswith(")") and "(" in head
    place = head[: head.rfind("(")].strip() if agency else head
    place_words = place.replace(",", " ").split()
    if not place_words or len(place_words) > 5:
        return 0
    if agency:
        ok = all(w[0].isupper() or w[0].isdigit() for w in place_words)
    else:
        first = place_words[0]
        ok = len(first) > 1 and first.isupper() and all(w[0].isupper() for w in place_words)
    if not ok:
        return 0
    end = best
    while end < len(line) and (line[end] == " " or line[end] in _DASHES):
        end += 1
    return end



# ------------------------------------------------------------------ paragraphs -------------

def _lines(body: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed, with hard-wrapped lines joined."""
    out: list[tuple[int, int]] = []
    pos = 0
    n = len(body)
    while pos < n:
        nl = body.find("\n", pos)
        end = n if nl < 0 else nl
        s, e = pos, end
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if s < e:
            if out and nl_joins(body, out[-1], s):
                out[-1] = (out[-1][0], e)
            else:
                out.append((s, e))
        pos = end + 1
    return out


def nl_joins(body: str, prev: tuple[int, int], start: int) -> bool:
    """A hard-wrapped line: the previous line has no closing punctuation, only one newline
    separates them, and this one goes on in lower case."""
    gap = body[prev[1]:start]
    if gap.count("\n") != 1 or not body[start].islower():
        return False
    last = body[prev[1] - 1]
    return last not in _TERMINALS and last not in _CLOSERS and last not in ":;"


def _normal(text: str) -> str:
    """Case-, accent- and punctuation-blind form for comparing a line with the title."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c)).split())


def _ends_closed(text: str) -> bool:
    """True when the line ends like a sentence: terminal punctuation, maybe inside quotes."""
    t = text.rstrip()
    while t and t[-1] in _CLOSERS:
        t = t[:-1].rstrip()
    return bool(t) and (t[-1] in _TERMINALS or t[-1] in ":;")


def _line_kind(text: str, index: int, title_norm: str | None, first_line: bool) -> SegmentKind:
    """What a paragraph is, from typographic cues only."""
    low = text.casefold()
    stripped = text.strip()
    if len(stripped) > 20 * MAX_CAPTION_WORDS:
        return "story"  # far too long for a caption, heading or link
    words = _WORD.findall(stripped)
    if title_norm is not None and len(words) >= 3:
        norm = _normal(stripped)
        if norm and (norm == title_norm or (first_line and title_norm.startswith(norm + " "))):
            # The first line repeats the title (maybe cut off): a duplicate. A later line equal
            # to the title is the headline printed as the lead, which is story text.
            return "title_repeat" if first_line else "story"
    if stripped[0] in _DASHES and stripped[-1] in _DASHES and len(words) <= 12:
        return "subheading"  # "- 'Guerrilla groups' -"
    body_low = low.lstrip(_BULLETS + _DASHES + " \t")
    if body_low.startswith(_LINK_CUES):
        return "link"
    if stripped[0] in _BULLETS and not _ends_closed(stripped):
        return "link"
    if low.startswith(_BYLINE_CUES) and len(words) <= 12 and not _ends_closed(stripped):
        return "byline"
    if _ends_closed(stripped) or len(words) > MAX_CAPTION_WORDS:
        return "story"
    if not words:
        return "caption"
    if len(words) <= 8 and any(w.isdigit() and len(w) == 4 for w in words):
        return "dateline"  # "January 09 , 2008", "May 23, 2023 10:00"
    if len(words) <= 6 and all(w[0].isupper() or not w[0].isalpha() for w in words):
        return "subheading"  # a short title-case heading
    return "caption"


# ------------------------------------------------------------------ sentences --------------

def _is_abbreviation(body: str, start: int, dot: int) -> bool:
    """Is the period at `dot` part of an abbreviation (its word starts after `start`)?"""
    w = dot
    while w > start and not body[w - 1].isspace() and body[w - 1] not in _OPENERS:
        w -= 1
    word = body[w:dot].casefold()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. K. Rowling"
    return False


def _dotted_acronym(body: str, start: int, dot: int) -> bool:
    """'U.S.', 'a.m.', 'U.N.': letters separated by periods."""
    w = dot
    while w > start and not body[w - 1].isspace():
        w -= 1
    word = body[w:dot + 1]
    return len(word) >= 4 and word.count(".") >= 2 and all(c.isalpha() or c == "." for c in word)


def _next_word(body: str, pos: int, end: int) -> str:
    j = pos
    while j < end and body[j] in _OPENERS:
        j += 1
    k = j
    while k < end and (body[k].isalnum() or body[k] in "'’-"):
        k += 1
    return body[j:k]


def _split_sentences(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of one paragraph, whole (not cut to MAX_SENTENCE_CHARS yet)."""
    out: list[tuple[int, int]] = []
    s = start
    i = start
    while i < end:
        c = body[i]
        if c in _TERMINALS:
            j = i + 1
            while j < end and (body[j] in _TERMINALS):
                j += 1
            while j < end and body[j] in _CLOSERS:
                j += 1
            if j >= end:
                break
            if not body[j].isspace():
                i = j
                continue
            k = j
            while k < end and body[k].isspace():
                k += 1
            nxt = body[k] if k < end else ""
            boundary = bool(nxt) and (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS)
            if boundary and c == "." and j == i + 1:
                if _is_abbreviation(body, s, i):
                    boundary = False
                elif _dotted_acronym(body, s, i):
                    boundary = _next_word(body, k, end).casefold() in _SENTENCE_STARTERS
            if boundary:
                out.append((s, j))
                s = k
            i = j
            continue
        i += 1
    if s < end:
        out.append((s, end))
    return out


def _cap_length(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at white space (after a comma or semicolon when possible)."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = -1
        for sep in (", ", "; ", " "):
            k = body.rfind(sep, start + MAX_SENTENCE_CHARS // 2, limit)
            if k > start:
                cut = k + len(sep) - 1
                break
        if cut < 0:
            cut = limit
        e = cut
        while e > start and body[e - 1].isspace():
            e -= 1
        pieces.append((start, e))
        start = cut
        while start < end and body[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


# ------------------------------------------------------------------ entry point ------------

def segment(body: str, title: str | None = None) -> Segmentation:
    """Paragraphs (one per line) and sentences of `body`, non-story text marked.

    `title` lets the first line be recognised as a repeat of the headline. A dateline prefix
    ("Moscow (AFP) - ") becomes a non-story segment of its own and the rest of its line is
    story text.
    """
    title_norm = _normal(title) if title and title.strip() else None
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    run_on: list[tuple[int, int]] = []
    for index, (a, b) in enumerate(_lines(body)):
        kind = _line_kind(body[a:b], index, title_norm, first_line=index == 0)
        paragraphs.append(Paragraph(start=a, end=b, kind=kind))
        if kind != "story":
            sentences.append(Sentence(start=a, end=b, paragraph=index, story=False, kind=kind))
            continue
        n = dateline_length(body[a:b])
        if 0 < n < b - a:
            sentences.append(Sentence(start=a, end=a + len(body[a:a + n].rstrip()), paragraph=index,
                                      story=False, kind="dateline"))
            a += n
        for s, e in _split_sentences(body, a, b):
            story = e - s <= MAX_STORY_SENTENCE_CHARS
            if not story:
                run_on.append((s, e))
            for ps, pe in _cap_length(body, s, e):
                sentences.append(Sentence(start=ps, end=pe, paragraph=index, story=story,
                                          kind="story" if story else "run_on"))
    return Segmentation(paragraphs=paragraphs, sentences=sentences, run_on=run_on)
