"""Recognition: every rule's regex over the text, then one non-overlapping choice.

All patterns are RE2 automata (linear time, no backtracking). One RE2 set over every rule
says which rules can match at all; only those scan the text. Among overlapping matches
the longest wins, then the higher priority, then the earlier one.
"""

from __future__ import annotations

from .lexicon import Lexicon
from .resolvers import Match

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
    hits = lexicon.rule_set.Match(text) or []
    for index in hits:
        rule = lexicon.rules[index]
        t_index = rule.compiled.groupindex.get("t")
        pos = 0
        while pos <= len(text):
            m = rule.compiled.search(text, pos)
            if m is None:
                break
            pos = m.end() if m.end() > m.start() else m.start() + 1
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            # A group named `t` marks the expression inside wider context ("in May" -> May).
            if t_index is not None and "t" in groups:
                start, end = m.start(t_index), m.end(t_index)
            else:
                start, end = m.start(), m.end()
            while end > start and text[end - 1] in " \t\n-,":
                end -= 1
            if end > start and text[end - 1] == "." and not _abbreviation_dot(text, start, end):
                end -= 1
            if end <= start or not _boundary_ok(text, start, end):
                if m.start() > 0 and text[m.start() - 1].isalnum():
                    # The match began inside a word ("an" of "than a year earlier"): look
                    # again after that word, so the real expression is not hidden by it.
                    # Skipping a whole word keeps the scan linear.
                    k = m.start()
                    while k < len(text) and text[k].isalnum():
                        k += 1
                    pos = max(k, m.start() + 1)
                continue
            # Words a rule absorbs only to keep them out of the span ("last" in "last Oct. 23")
            # count when overlaps compete; context a rule merely requires ("in May") does not.
            # Punctuation trimmed off the expression ("a year.") never counts.
            if rule.params.get("absorb"):
                t_end = m.end(t_index) if t_index is not None and "t" in groups else m.end()
                extent = (m.end() if m.end() > t_end else end) - m.start()
            else:
                extent = end - start
            found.append(Match(rule, start, end, text[start:end], groups, extent))
    return found


def choose(found: list[Match]) -> list[Match]:
    """Longest first, then priority; keep what does not overlap a chosen match."""
    ranked = sorted(found, key=lambda m: (-m.extent, -m.rule.priority, m.start))
    taken: list[tuple[int, int]] = []
    chosen: list[Match] = []
    for m in ranked:
        if any(m.start < e and s < m.end for s, e in taken):
            continue
        taken.append((m.start, m.end))
        chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    return chosen
