"""Recognition: every rule's regex over the text, then one non-overlapping choice.

All patterns are RE2 automata (linear time, no backtracking). One RE2 set over every rule
says which rules can match at all; only those scan the text. Among overlapping matches
the longest wins, then the higher priority, then the earlier one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

from .lexicon import Lexicon
from .resolvers import Match


class _Utf8:
    """The text encoded once, with byte -> character offsets.

    The re2 wrapper, given a str, re-encodes the whole text and recounts the prefix before
    `pos` on every call: a scan with many matches becomes quadratic. Searching the bytes and
    mapping offsets back keeps each search linear in what it reads.
    """

    def __init__(self, text: str):
        # surrogatepass: a lone surrogate (invalid in any real text) matches nothing, but
        # keeps its place so that offsets still line up with the str.
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)
        self.starts: list[int] = [] if self.ascii else [0, *accumulate(_utf8_len(ch) for ch in text)]

    def char(self, byte: int) -> int:
        return byte if self.ascii or byte < 0 else bisect_left(self.starts, byte)

    def byte(self, char: int) -> int:
        return char if self.ascii else self.starts[char]


def _utf8_len(ch: str) -> int:
    code = ord(ch)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4

# Money and percentages are not years or days: "$48", "1990%", "12.5".
_NUMERIC_BEFORE = frozenset("$£€¥#")
_NUMERIC_AFTER = frozenset("%")


def _boundary_ok(text: str, start: int, end: int) -> bool:
    if start > 0:
        before = text[start - 1]
        if before.isalnum() or before in _NUMERIC_BEFORE:
            return False
        if before in ".,/" and start > 1 and text[start - 2].isdigit() and text[start].isdigit():
            return False
    if end < len(text):
        after = text[end]
        if after.isalnum() or after in _NUMERIC_AFTER:
            return False
        if after in ".,/:" and end + 1 < len(text) and text[end + 1].isdigit() and text[end - 1].isdigit():
            return False
    return True


def _abbreviation_dot(text: str, start: int, end: int) -> bool:
    """A final dot belongs to the expression only after an abbreviation ("Sept.", "p.m.")."""
    i = end - 1
    while i > start and text[i - 1].isalpha():
        i -= 1
    word = text[i:end - 1].lower()
    return 0 < len(word) <= 4 and word not in _FULL_SHORT_WORDS


_FULL_SHORT_WORDS = frozenset({"may", "june", "july", "now", "day", "days", "week", "year", "ago", "soon",
                               "noon", "hour", "time", "fall", "then", "once", "last", "past", "next",
                               "this", "that", "eve", "term", "date", "era", "late", "few"})


def candidates(text: str, lexicon: Lexicon) -> list[Match]:
    found: list[Match] = []
    utf8 = _Utf8(text)
    hits = lexicon.rule_set.Match(utf8.data) or []
    for index in hits:
        rule = lexicon.rules[index]
        t_index = rule.compiled.groupindex.get("t")
        names = {i: n for n, i in rule.compiled.groupindex.items()}
        pos = 0
        while pos <= len(text):
            m = rule.compiled.search(utf8.data, utf8.byte(pos))
            if m is None:
                break
            m_start, m_end = utf8.char(m.start()), utf8.char(m.end())
            pos = m_end if m_end > m_start else m_start + 1
            groups = {}
            for i, name in names.items():
                g_start, g_end = m.span(i)
                if g_start >= 0:
                    groups[name] = text[utf8.char(g_start):utf8.char(g_end)]
            # A group named `t` marks the expression inside wider context ("in May" -> May).
            if t_index is not None and "t" in groups:
                start, end = utf8.char(m.start(t_index)), utf8.char(m.end(t_index))
            else:
                start, end = m_start, m_end
            while end > start and text[end - 1] in " \t\n-,":
                end -= 1
            if end > start and text[end - 1] == "." and not _abbreviation_dot(text, start, end):
                end -= 1
            if end <= start or not _boundary_ok(text, start, end):
                if m_start > 0 and text[m_start - 1].isalnum():
                    # The match began inside a word ("an" of "than a year earlier"): look
                    # again after that word, so the real expression is not hidden by it.
                    # Skipping a whole word keeps the scan linear.
                    k = m_start
                    while k < len(text) and text[k].isalnum():
                        k += 1
                    pos = max(k, m_start + 1)
                continue
            # Words a rule absorbs only to keep them out of the span ("last" in "last Oct. 23")
            # count when overlaps compete; context a rule merely requires ("in May") does not.
            # Punctuation trimmed off the expression ("a year.") never counts.
            if rule.params.get("absorb"):
                t_end = utf8.char(m.end(t_index)) if t_index is not None and "t" in groups else m_end
                extent = (m_end if m_end > t_end else end) - m_start
            else:
                extent = end - start
            found.append(Match(rule, start, end, text[start:end], groups, extent))
    return found


def choose(found: list[Match]) -> list[Match]:
    """Longest first, then priority; keep what does not overlap a chosen match.

    Chosen spans never overlap, so sorted by start their ends are sorted too: only the last
    span starting before a candidate's end can overlap it (a bisection, not a scan).
    """
    ranked = sorted(found, key=lambda m: (-m.extent, -m.rule.priority, m.start))
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[Match] = []
    for m in ranked:
        i = bisect_left(starts, m.end)
        if i > 0 and ends[i - 1] > m.start:
            continue
        j = bisect_right(starts, m.start)
        starts.insert(j, m.start)
        ends.insert(j, m.end)
        chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    return chosen
