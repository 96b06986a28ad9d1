"""Cross-article deduplication: event mentions of many articles -> events.

Pure and storage-independent: the store hands in `MentionRecord`s and stores the `Event`s
that come back. Nothing here reads the database or the clock.

How two mentions become one event (see DESIGN.md, "Events and deduplication"):

0. Each mention is compared as its *scoring view* (`scoring_views`): itself, except a held
   attitude ("the Kremlin was concerned"), compared as its holder's statement, and a party's
   own account of its action in progress ("Russia said its troops were battling …"), compared
   as that action; a possessive role ("his spokesman") speaks as the person named with it.
1. Gates, any of which keeps two mentions apart:
   - different `kind` of their views (occurrence / reporting / state never mix otherwise);
   - incompatible intervals: [from, until) in UTC, an open side (None) is compatible with
     anything it does not exclude. Occurrences and states at day grain or finer may also be
     *adjacent* (less than 12 hours apart: overnight events, time-zone slips); such a merge
     costs score and is reported as a "different days" conflict;
   - reports by two known speakers that share no name token (Gladkov vs the Kremlin), or
     that name two different states (a Ukrainian and a Russian minister); a capital, or a
     demonym with "authorities", is its state ("Kyiv has denied" ~ a Ukrainian minister).
2. A score in 0..1 (`same_event_score`) from trigger meaning (lexicon classes: attack / raid
   / incursion / strike; say / state / claim ...), names (participants, places, speaker,
   folded for spelling variants and transliterations), wording (rapidfuzz token_set_ratio
   and Dice on content words) and, for reports, the speaker. Known-disjoint meanings and
   known-disjoint means (drones vs ground fighters) multiply the score down.
3. Average-link agglomerative clustering over the *candidate* pairs only (`candidate_pairs`,
   blocked by shared key + overlapping time window); a pair that was never a candidate
   counts as 0 in the average, so one strong link cannot chain two groups together. Gates
   are re-checked between whole clusters before each merge.
4. The parts of one statement (`statement_parts`: a quote's attribution by an anaphor right
   after the statement it gives the words of, "“…,” he said on Monday"; a participle of a
   reporting verb, "…, the governor said, reporting …") then join the events holding them.

Names are never listed per story: `fold_token` turns spelling variants into one form
(casefold, diacritics, Cyrillic transliteration, kh->h, ph->f, ou->u, y->i, w->v, doubled
letters, -ian/-ia/-ist endings), names compare as token sets without function words
(token order free: "Freedom of Russia Legion" = "Legion Freedom for Russia") and tokens
that still differ match by consonant skeleton plus rapidfuzz ratio (Kyiv ~ Kiev).
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import math
import os
import pickle
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from service.gc_pause import gc_paused

try:  # rapidfuzz is the intended matcher; the fallback keeps the module importable.
    from rapidfuzz import fuzz as _fuzz

    def _ratio(a: str, b: str) -> float:
        return _fuzz.ratio(a, b)

    def _token_set_ratio(a: str, b: str) -> float:
        return _fuzz.token_set_ratio(a, b)

    HAVE_RAPIDFUZZ = True
except ImportError:  # pragma: no cover - exercised only where rapidfuzz is missing
    from difflib import SequenceMatcher

    HAVE_RAPIDFUZZ = False

    def _ratio(a: str, b: str) -> float:
        if not a and not b:
            return 100.0
        return 100.0 * SequenceMatcher(None, a, b, autojunk=False).ratio()

    def _token_set_ratio(a: str, b: str) -> float:
        ta, tb = set(a.split()), set(b.split())
        if not ta or not tb:
            return 0.0
        sect = " ".join(sorted(ta & tb))
        d1 = " ".join(sorted(ta - tb))
        d2 = " ".join(sorted(tb - ta))
        s1 = (sect + " " + d1).strip()
        s2 = (sect + " " + d2).strip()
        if sect and (not d1 or not d2):
            return 100.0
        best = _ratio(s1, s2)
        if sect:
            best = max(best, _ratio(sect, s1), _ratio(sect, s2))
        return best


__all__ = [
    "Claim",
    "Event",
    "MentionRecord",
    "blocking_keys",
    "candidate_pairs",
    "cluster",
    "extract_claims",
    "fold_name",
    "fold_token",
    "names_match",
    "continuations",
    "same_event_score",
    "score_reasons",
    "scoring_views",
    "statement_parts",
]

LEXICON_DIR = Path(__file__).with_name("dedup_lexicon")
DEFAULT_THRESHOLD = 0.5
# Mentions more than this many in one blocking key's active time window make the key a
# stop key there (like "Russia" in a war): the pair must then share a rarer key.
MAX_BLOCK = 200
# Salient candidates scored for each side mention (those sharing the most blocking keys),
# and for each salient mention: a happening is retold by a handful of articles, not hundreds.
SIDE_LIMIT = 4
MAIN_LIMIT = 12
# A side mention is blocked under its SIDE_KEYS rarest keys, against the SIDE_SCAN salient
# mentions of each that start nearest before its window ends.
SIDE_KEYS = 3
SIDE_SCAN = 32
NEAR_GAP = timedelta(hours=12)
FINE_GRAINS = frozenset({"day", "part_of_day", "hour", "minute", "second"})


# ---------------------------------------------------------------- records ----------

@dataclass(frozen=True, slots=True)  # hundreds of thousands of them in a regroup
class MentionRecord:
    key: tuple[int, int]  # (run_id, ordinal): identity of the stored mention
    article_id: str
    source: str
    published_at: datetime  # article anchor, aware
    sentence: str
    trigger: str
    kind: str  # occurrence | reporting | state
    attributed_to: str | None
    participants: tuple[str, ...]
    places: tuple[str, ...]
    valid_from: datetime | None
    valid_until: datetime | None
    grain: str | None
    # The words of the trigger's own clause (events stage); empty -> the whole sentence.
    context: str = ""
    salient: bool = True  # a main, dated assertion (events stage): the timeline shows its event


@dataclass(frozen=True, slots=True)  # hundreds of thousands of them in a regroup
class Claim:
    """One value a mention asserts about its event: ("injured", "8", "eight people had been injured")."""

    key: tuple[int, int]
    attribute: str
    value: str
    text: str


@dataclass(frozen=True)
class Event:
    event_id: str
    kind: str
    label: str
    valid_from: datetime | None
    valid_until: datetime | None
    grain: str | None
    mention_keys: tuple[tuple[int, int], ...]
    sources: tuple[str, ...]
    claims: tuple[Claim, ...]
    conflicts: tuple[str, ...]
    salient: bool = True  # some mention asserts it as a main, dated happening

    @property
    def has_conflict(self) -> bool:
        return bool(self.conflicts)


# ---------------------------------------------------------------- lexicon ----------

@dataclass(frozen=True)
class _Lexicon:
    classes: dict[str, frozenset[str]]  # stem -> meaning classes
    means: dict[str, str]  # stem -> means class
    irregular: dict[str, str]
    stop: frozenset[str]
    time: frozenset[str]
    pronouns: frozenset[str]
    name_function: frozenset[str]
    numbers: dict[str, int]
    vague: dict[str, tuple[float, float]]
    qualifiers: dict[tuple[str, ...], tuple[float, float]]  # longest phrase first
    claims: dict[str, str]  # meaning class -> attribute
    say_stems: frozenset[str]
    capitals: dict[str, str]  # folded capital -> folded country ("Kyiv has denied": Ukraine's government)
    light_reporting: frozenset[str]  # stems of "expressed", "voiced": the act is their object
    additive: frozenset[str]  # stems of "added": a statement after another one of the article
    public: frozenset[str]  # speakers who are the public ("residents", "witnesses")
    related: dict[str, frozenset[str]]  # class -> classes naming other facets of one happening
    attitudes: frozenset[str]  # classes of attitudes one holds and expresses ("worry")
    first_person: frozenset[str]
    negation: frozenset[str]
    negated_act: str  # the act of a first-person negated statement ("deny")
    sequence: frozenset[str]  # "previously", "later": a statement apart from the last one
    definite: frozenset[str]  # "the", "his": a role written as a definite description
    government: frozenset[str]  # folded "authorities", "government": a state speaking as a whole
    states: frozenset[str]  # folded names of the states the capitals stand for
    version: str


def _stem_raw(word: str, irregular: dict[str, str]) -> str:
    w = strip_accents(word.casefold()).replace("’", "'")
    w = w.removesuffix("'s")
    w = irregular.get(w, w)
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 3 and not w.endswith("ss"):
            w = w[: len(w) - len(suffix)] + repl
            break
    while w.endswith("e") and len(w) > 3:  # decree/decreed -> decr, strike/struck -> strik
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


@lru_cache(maxsize=4)
def load_lexicon(language: str = "en") -> _Lexicon:
    data = tomllib.loads((LEXICON_DIR / f"{language}.toml").read_text(encoding="utf-8"))
    irregular = {k.casefold(): v.casefold() for k, v in data.get("irregular", {}).items()}
    classes: dict[str, set[str]] = {}
    for cls, words in data["classes"].items():
        for word in words:
            for part in word.replace("-", " ").split():
                classes.setdefault(_stem_raw(part, irregular), set()).add(cls)
    means: dict[str, str] = {}
    for cls, words in data["means"].items():
        for word in words:
            means[_stem_raw(word, irregular)] = cls
    words = data["words"]
    quals = {}
    for phrase, (lo, hi) in data["qualifiers"].items():
        quals[tuple(phrase.casefold().split())] = (float(lo), math.inf if hi == "inf" else float(hi))
    return _Lexicon(
        classes={k: frozenset(v) for k, v in classes.items()},
        means=means,
        irregular=irregular,
        stop=frozenset(w.casefold() for w in words["stop"]),
        time=frozenset(w.casefold() for w in words["time"]),
        pronouns=frozenset(w.casefold() for w in words["pronouns"]),
        name_function=frozenset(w.casefold() for w in words["name_function"]),
        numbers={k.casefold(): int(v) for k, v in data["numbers"].items()},
        vague={k.casefold(): (float(v[0]), float(v[1])) for k, v in data["vague_numbers"].items()},
        qualifiers=dict(sorted(quals.items(), key=lambda kv: -len(kv[0]))),  # longest first
        claims=dict(data["claims"]),
        say_stems=frozenset(s for s, c in classes.items() if c == {"say"}),
        capitals={fold_token(k): fold_token(v) for k, v in data.get("capitals", {}).items()},
        light_reporting=frozenset(_stem_raw(w, irregular) for w in words.get("light_reporting", [])),
        additive=frozenset(_stem_raw(w, irregular) for w in words.get("additive_reporting", [])),
        public=frozenset(w.casefold() for w in words.get("public_speakers", [])),
        related=_symmetric(data.get("related", {})),
        attitudes=frozenset(words.get("attitude_classes", [])),
        first_person=frozenset(w.casefold() for w in words.get("first_person", [])),
        negation=frozenset(w.casefold() for w in words.get("negation", [])),
        negated_act=str(data.get("statements", {}).get("negated_statement", "")),
        sequence=frozenset(w.casefold() for w in words.get("sequence_markers", [])),
        definite=frozenset(w.casefold() for w in words.get("definite", [])),
        government=frozenset(fold_token(w) for w in words.get("government", [])),
        states=frozenset(fold_token(v) for v in data.get("capitals", {}).values()),
        version=str(data.get("version", "0")),
    )


def _symmetric(table: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for a, bs in table.items():
        for b in bs:
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


# ---------------------------------------------------------------- text normalisation

class _WordChars(dict[int, int]):
    """A `str.translate` table: letters, digits and apostrophes stay, anything else is a space.

    Words are split with `translate` + `split` rather than a regular expression: both are
    linear in the text and run in C, about 60x faster than google-re2's `findall` on `str`
    (which converts between UTF-8 byte and character offsets for every match), and tokenising
    sentences was half the cost of a small regroup. Letters and digits are Unicode's L and N
    categories (`str.isalnum`); the table fills itself for each code point it meets.
    """

    def __missing__(self, code: int) -> int:
        char = chr(code)
        kept = ord("'") if char in "'’" else code if char.isalnum() else ord(" ")
        self[code] = kept
        return kept


_WORD_CHARS = _WordChars()

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Words of a text, possessive 's dropped ("Russia’s" -> "Russia")."""
    return list(_tokens(text))


@lru_cache(maxsize=100_000)
def _tokens(text: str) -> tuple[str, ...]:
    # Cached: the sentence of a mention is read for its features, claims and label, and
    # several mentions share a sentence.
    out = []
    for chunk in text.translate(_WORD_CHARS).split():
        # An apostrophe belongs to a word only inside it ("don't", "O'Neil"); quotes around a
        # word ("'Guerrilla'") are not part of it, nor is the possessive ("Russia's").
        w = chunk.strip("'")
        if w.endswith(("'s", "'S")):
            w = w[:-2]
        if w:
            out.append(w)
    return tuple(out)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stem_raw(word, load_lexicon().irregular)


_DIGRAPHS = (("shch", "sh"), ("sch", "sh"), ("tch", "ch"), ("kh", "h"), ("ph", "f"),
             ("ck", "k"), ("ou", "u"), ("dj", "j"), ("dzh", "j"), ("zh", "j"))


@lru_cache(maxsize=200_000)
def fold_token(word: str) -> str:
    """One spelling for the variants of a name token: Grayvoron/Graivoron -> graivoron,
    Kyiv -> kiv, Zelenskyy/Zelensky -> zelenski, Russian/Russia/Russians -> rus."""
    w = strip_accents(word.casefold())
    w = "".join(_CYRILLIC.get(ch, ch) for ch in w)
    w = "".join(ch for ch in w if ch.isalnum())
    if w.isdigit():
        return w
    for a, b in _DIGRAPHS:
        w = w.replace(a, b)
    w = w.replace("y", "i").replace("w", "v").replace("j", "i")
    collapsed = []
    for ch in w:
        if not collapsed or collapsed[-1] != ch:
            collapsed.append(ch)
    w = "".join(collapsed)
    for suffix in ("ians", "ian", "ans", "ists", "ist", "isms", "ism", "ese", "ia", "es", "s", "e", "i"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w


def _skeleton(folded: str) -> str:
    """First letter plus the consonants: kiv/kiev -> kv, graivoron -> grvrn."""
    if not folded:
        return folded
    return folded[0] + "".join(ch for ch in folded[1:] if ch not in "aeiou")


def fold_name(name: str) -> frozenset[str]:
    """A name as a set of folded tokens, function words dropped, order free."""
    lex = load_lexicon()
    out = set()
    for part in tokens(name.replace("-", " ")):
        low = part.casefold()
        if low in lex.name_function:
            continue
        f = fold_token(part)
        if f:
            out.add(f)
    return frozenset(out)


@lru_cache(maxsize=500_000)
def tokens_match(a: str, b: str) -> bool:
    """Two folded tokens are one name token (equal, or same skeleton and close spelling)."""
    if a == b:
        return True
    if len(a) < 3 or len(b) < 3 or a[0] != b[0]:
        return False
    r = _ratio(a, b)
    if _skeleton(a) == _skeleton(b):
        return r >= 75
    return r >= 90 and min(len(a), len(b)) >= 6


@lru_cache(maxsize=200_000)
def _by_initial(ys: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Tokens of a set that fuzzy matching may pair, by first letter (`tokens_match` needs
    the same first letter and three letters or more)."""
    out: dict[str, list[str]] = {}
    for y in ys:
        if len(y) >= 3:
            out.setdefault(y[0], []).append(y)
    return {k: tuple(v) for k, v in out.items()}


def _fuzzy_in(x: str, ys: frozenset[str]) -> bool:
    if x in ys:
        return True
    if len(x) < 3:
        return False
    return any(tokens_match(x, y) for y in _by_initial(ys).get(x[0], ()))


def _matched(xs: Iterable[str], ys: frozenset[str]) -> int:
    return sum(1 for x in xs if _fuzzy_in(x, ys))


@lru_cache(maxsize=500_000)
def _fuzzy_hits(xs: frozenset[str], ys: frozenset[str]) -> tuple[str, ...]:
    """The tokens of xs that match a token of ys. Cached on the two sets: the mentions of a
    story name the same few participants and places, so one regroup asks the same question of
    the same two name sets thousands of times."""
    return tuple(x for x in xs if _fuzzy_in(x, ys))


def names_match(a: str, b: str) -> float:
    """1.0 when two names are spelling/order variants of each other, 0.8 when one is
    contained in the other (Gladkov / Vyacheslav Gladkov), else the share of matched tokens."""
    fa, fb = fold_name(a), fold_name(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    ma, mb = _matched(fa, fb), _matched(fb, fa)
    if ma == len(fa) and mb == len(fb):
        return 1.0
    if ma == len(fa) or mb == len(fb):
        return 0.8
    return (ma + mb) / (len(fa) + len(fb))


def source_org(source: str) -> str:
    """The organisation a source string names: "AFP via a French-language outlet" -> "afp"."""
    s = source.casefold().split(" via ")[0]
    for sep in (",", "(", ";", " - "):
        s = s.split(sep)[0]
    return " ".join(s.split())


# ---------------------------------------------------------------- features ----------

@dataclass(frozen=True, slots=True)  # hundreds of thousands of them in a regroup
class _Features:
    kind: str
    lo: datetime | None
    hi: datetime | None
    fine: bool
    trig_stems: frozenset[str]
    trig_classes: frozenset[str]
    act: frozenset[str]  # for a report, what kind of statement (accuse, deny, worry...); empty = unknown
    content: frozenset[str]  # folded content tokens
    content_str: str
    content_classes: frozenset[str]
    class_words: tuple[tuple[str, frozenset[str]], ...]  # (stem, classes) of content words
    means: frozenset[str]
    names: frozenset[str]  # folded tokens of participants, places and speaker
    speaker: frozenset[str] | None
    org: str


def _is_number(low: str, lex: _Lexicon) -> bool:
    return low.isdigit() or low in lex.numbers or low in lex.vague


@lru_cache(maxsize=1_000_000)
def _features(m: MentionRecord) -> _Features:
    """What scoring compares of a mention. The parts read from words are kept per text, since
    wire copies and follow-ups repeat sentences, triggers and names word for word."""
    text = _text_features(m.kind, m.trigger, m.context or m.sentence)
    names = _names_of(m.participants + m.places)
    speaker = _speaker(m.attributed_to) if m.attributed_to else None
    if speaker:
        names |= speaker
    fine = (m.grain in FINE_GRAINS) and m.valid_from is not None and m.valid_until is not None
    return _Features(
        kind=m.kind,
        lo=m.valid_from,
        hi=m.valid_until,
        fine=fine,
        names=names,
        speaker=speaker,
        org=source_org(m.source),
        **text,
    )


@lru_cache(maxsize=200_000)
def _text_features(kind: str, trigger: str, text: str) -> dict:
    lex = load_lexicon()
    trig_words = [w for w in tokens(trigger.replace("-", " "))]
    trig_stems = frozenset(stem(w) for w in trig_words)
    trig_classes = frozenset(c for s in trig_stems for c in lex.classes.get(s, ()))
    content: set[str] = set()
    content_classes: set[str] = set()
    class_words: dict[str, frozenset[str]] = {}
    means: set[str] = set()
    for w in tokens(text.replace("-", " ")):
        low = w.casefold()
        if low in lex.stop or low in lex.time or _is_number(low, lex):
            continue
        s = stem(w)
        if s in lex.say_stems:
            continue  # what is said matters, not that it was said
        classes = lex.classes.get(s, frozenset())
        content_classes.update(c for c in classes if c != "say")
        if classes - {"say"}:
            class_words[s] = classes - {"say"}
        if s in lex.means:
            means.add(lex.means[s])
        f = fold_token(s) if classes else fold_token(w)
        if f:
            content.add(f)
    if kind != "reporting":
        for s in trig_stems:
            if s in lex.means:
                means.add(lex.means[s])
    return {
        "trig_stems": trig_stems,
        "trig_classes": trig_classes,
        "act": _act(text, trig_stems, trig_classes, lex) if kind == "reporting" else frozenset(),
        "content": frozenset(content),
        "content_str": " ".join(sorted(content)),
        "content_classes": frozenset(content_classes),
        "class_words": tuple(sorted(class_words.items())),
        "means": frozenset(means),
    }


@lru_cache(maxsize=100_000)
def _names_of(names: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        out |= fold_name(name)
    return frozenset(out)


@lru_cache(maxsize=50_000)
def _speaker(attributed_to: str) -> frozenset[str] | None:
    lex = load_lexicon()
    low = attributed_to.strip().casefold()
    if not low or low in lex.pronouns:
        return None
    sp = fold_name(attributed_to) - {fold_token(p) for p in lex.pronouns}
    # A capital speaks for its government: "Kyiv has denied" is Ukraine speaking, so a
    # Ukrainian minister's words are the same speaker's (the capital is replaced, not
    # added, so that "Kyiv" is wholly contained in "Ukrainian Deputy Defense Minister").
    sp = frozenset(lex.capitals.get(t, t) for t in sp)
    # "Ukrainian authorities", "the Russian government": the state itself speaking
    state = sp - lex.government
    if state and state != sp and all(t in lex.capitals.values() for t in state):
        sp = state
    if _is_public(attributed_to, lex):
        sp |= {PUBLIC}
    return sp or None


def _act(text: str, trig_stems: frozenset[str], trig_classes: frozenset[str], lex: _Lexicon) -> frozenset[str]:
    """The speech act of a report: its verb's meaning beyond "say" (accused, denied), or for a
    light verb the meaning of what follows it ("expressed concern" -> worry)."""
    act = trig_classes - {"say"}
    if act:
        return act
    words = tokens(text)
    if trig_stems & lex.light_reporting:
        stems = [stem(w) for w in words]
        at = next((i for i, s in enumerate(stems) if s in trig_stems), None)
        for s in stems[at + 1:at + 4] if at is not None else ():
            found = lex.classes.get(s, frozenset()) - {"say"}
            if found:
                return found
        return frozenset()
    if lex.negated_act and _first_person_negation(words, lex):
        return frozenset({lex.negated_act})  # "“We are not waging war,” said the minister"
    return frozenset()


def _is_negation(low: str, lex: _Lexicon) -> bool:
    return low in lex.negation or low.endswith("n't")


def _first_person_negation(words: tuple[str, ...] | list[str], lex: _Lexicon) -> bool:
    """"We are not …", "I have never …": the speaker says of itself that something is not so."""
    lows = [w.casefold() for w in words]
    return any(low in lex.first_person and any(_is_negation(x, lex) for x in lows[i + 1:i + 4])
               for i, low in enumerate(lows))


# ---------------------------------------------------------------- time --------------

def _overlap(alo, ahi, blo, bhi) -> bool:
    if alo is not None and bhi is not None and not alo < bhi:
        return False
    return not (blo is not None and ahi is not None and not blo < ahi)


def _gap(alo, ahi, blo, bhi) -> timedelta | None:
    """Distance between two closed intervals that do not overlap (None if any side open)."""
    if None in (alo, ahi, blo, bhi):
        return None
    return max(alo, blo) - min(ahi, bhi)


def interval_compatibility(a: MentionRecord, b: MentionRecord) -> str:
    """"yes" (overlap, open sides compatible), "near" (adjacent fine-grained occurrences or
    states, < 12 h apart: may be one event dated differently) or "no"."""
    return _compatibility(a, b, _features(a), _features(b))


def _compatibility(a: MentionRecord, b: MentionRecord, fa: _Features, fb: _Features) -> str:
    if _overlap(a.valid_from, a.valid_until, b.valid_from, b.valid_until):
        return "yes"
    if fa.fine and fb.fine and a.kind != "reporting" and b.kind != "reporting":
        gap = _gap(a.valid_from, a.valid_until, b.valid_from, b.valid_until)
        if gap is not None and gap < NEAR_GAP:
            return "near"
    return "no"


# ---------------------------------------------------------------- scoring -----------

PUBLIC = "\x00public"  # speaker mark of people in the street, never an official voice


def _is_public(speaker: str, lex: _Lexicon) -> bool:
    """"Russians interviewed by AFP", "residents": the public, not the state whose name they share."""
    last = speaker.split()[-1] if speaker.split() else ""
    low = last.casefold()
    return low in lex.public or (last[:1].isupper() and low.endswith(("ans", "ians", "is")))


def _speakers_compatible(x: frozenset[str] | None, y: frozenset[str] | None) -> bool:
    if not x or not y:
        return True
    if (PUBLIC in x) != (PUBLIC in y):
        return False  # the public and an official never make one statement
    states = load_lexicon().states
    sx, sy = x & states, y & states
    if sx and sy and not sx & sy:
        return False  # a Ukrainian and a Russian minister: two governments speaking
    return _matched(x - {PUBLIC}, y - {PUBLIC}) > 0


def _speaker_match(x: frozenset[str], y: frozenset[str]) -> float:
    """1 for the same speaker, 0.8 when one name contains the other (Gladkov / Vyacheslav
    Gladkov, Russia / Russian Defense Ministry), else the share of matched tokens."""
    if x == y:
        return 1.0
    mx, my = _matched(x, y), _matched(y, x)
    if mx == len(x) and my == len(y):
        return 1.0
    if mx == len(x) or my == len(y):
        return 0.8
    return (mx + my) / (len(x) + len(y))


def _set_match(x: frozenset[str], y: frozenset[str], weights: Weights | None = None, *,
               fuzzy: bool = True) -> float:
    """Dice over fuzzy-matched tokens, each weighted by its rarity among the mentions grouped
    together (`token_weights`): the story's own topic words ("Belgorod", "attack") are in
    every mention and say little about which happening two mentions name."""
    if not x or not y:
        return 0.0
    if weights is None:
        return min(1.0, (len(_fuzzy_hits(x, y)) + len(_fuzzy_hits(y, x))) / (len(x) + len(y)))
    if fuzzy:
        hit = weights.sum(_fuzzy_hits(x, y)) + weights.sum(_fuzzy_hits(y, x))
    else:  # content words are already stemmed and folded: equal or not
        hit = 2 * weights.sum(x & y)
    return min(1.0, hit / (weights.total(x) + weights.total(y)))


class Weights:
    """Smoothed inverse document frequency of folded tokens over the mentions grouped together
    (`token_weights`), and the weighted size of a token set, kept per set: a regroup weighs the
    same name and content sets for every candidate pair they take part in."""

    def __init__(self, table: dict[str, float], unseen: float) -> None:
        self.table = table
        self.unseen = unseen  # a token no mention had
        self._totals: dict[frozenset[str], float] = {}

    def sum(self, tokens: Iterable[str]) -> float:
        get, unseen = self.table.get, self.unseen
        # fsum is exact, so the total does not depend on the order a set of strings iterates in,
        # which changes with the process's hash seed: with sum, ties between candidates broke
        # differently from one process to the next (44 of 296,749 mentions at 10,000 articles).
        return math.fsum(get(t, unseen) for t in tokens)

    def total(self, tokens: frozenset[str]) -> float:
        """`sum` of a mention's own name or content set, kept."""
        got = self._totals.get(tokens)
        if got is None:
            got = self._totals[tokens] = self.sum(tokens)
        return got


def token_weights(mentions: list[MentionRecord]) -> Weights:
    """Smoothed inverse document frequency of each folded content and name token over the
    mentions (a mention is a document)."""
    df: dict[str, int] = {}
    for m in mentions:
        f = _features(m)
        for t in f.content | f.names:
            df[t] = df.get(t, 0) + 1
    n = len(mentions)
    return Weights({t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}, math.log(1 + n) + 1.0)


def _meaning(fa: _Features, fb: _Features, reporting: bool) -> tuple[float | None, str]:
    """Similarity of what happened. None = unknown on one side (neutral)."""
    if not reporting:
        if fa.trig_stems & fb.trig_stems:
            return 1.0, "same trigger"
        if fa.trig_classes and fb.trig_classes:
            if fa.trig_classes & fb.trig_classes:
                return 0.85, "trigger class " + ",".join(sorted(fa.trig_classes & fb.trig_classes))
            if (fa.trig_classes & fb.content_classes) or (fb.trig_classes & fa.content_classes):
                return 0.6, "trigger class found in the other sentence"
            related = load_lexicon().related
            if any(related.get(c, frozenset()) & fb.trig_classes for c in fa.trig_classes):
                return 0.6, "related trigger meaning"
            return 0.0, "different trigger meaning"
    if reporting and fa.act and fb.act:
        if not (fa.act & fb.act):
            return 0.0, "different statements (" + ",".join(sorted(fa.act)) + " / " + ",".join(sorted(fb.act)) + ")"
        # One speech act (a denial, an accusation, an expression of concern): what is denied
        # is worded freely ("denied any involvement" / "we are not waging war").
        return 1.0, "same speech act (" + ",".join(sorted(fa.act & fb.act)) + ")"
    wa, wb = fa.class_words, fb.class_words
    if not wa or not wb:
        return None, "meaning unknown"
    # Dice over the meaning-bearing words: a word counts as matched when the other
    # sentence has a word of one of its classes (a word in three classes counts once).
    ma = sum(1 for _, ca in wa if any(ca & cb for _, cb in wb))
    mb = sum(1 for _, cb in wb if any(cb & ca for _, ca in wa))
    if not ma:
        return 0.0, "different content meaning"
    shared = sorted({c for _, ca in wa for _, cb in wb for c in ca & cb})
    return (ma + mb) / (len(wa) + len(wb)), "content class " + ",".join(shared)


def score_reasons(a: MentionRecord, b: MentionRecord, weights: Weights | None = None) -> tuple[float, list[str]]:
    """`same_event_score` with the reasons behind it, for debugging and the API. `weights`
    (`token_weights` of the mentions being grouped) make rare shared words count more."""
    return _score(a, b, weights, explain=True)


def _score(a: MentionRecord, b: MentionRecord, weights: Weights | None, *, explain: bool,
           fa: _Features | None = None, fb: _Features | None = None) -> tuple[float, list[str]]:
    # `explain=False` skips writing the reasons and `fa`/`fb` skip looking the features up:
    # clustering scores millions of pairs.
    if a.kind != b.kind:
        return 0.0, [f"different kinds ({a.kind} / {b.kind})"]
    if a.sentence == b.sentence and a.article_id == b.article_id:  # `_place`
        return 0.0, ["one sentence names two different happenings"]
    fa = fa or _features(a)
    fb = fb or _features(b)
    compat = _compatibility(a, b, fa, fb)
    if compat == "no":
        return 0.0, ["incompatible intervals"]
    reporting = a.kind == "reporting"
    if reporting and not _speakers_compatible(fa.speaker, fb.speaker):
        return 0.0, [f"different speakers ({a.attributed_to} / {b.attributed_to})"]
    if reporting and a.article_id == b.article_id and (fa.trig_stems | fb.trig_stems) & load_lexicon().additive:
        return 0.0, ["'added': a further statement of the same article"]
    reasons = []
    meaning, why = _meaning(fa, fb, reporting)
    if explain:
        reasons.append(why)
    names = _set_match(fa.names, fb.names, weights)
    known_names = bool(fa.names and fb.names)  # a side without names is not a disagreement
    if fa.content and fb.content:
        tsr = _token_set_ratio(fa.content_str, fb.content_str) / 100.0
        wording = 0.5 * tsr + 0.5 * _set_match(fa.content, fb.content, weights, fuzzy=False)
    else:
        wording = 0.0
    if explain:
        reasons.append(f"names {names:.2f}, wording {wording:.2f}")
    m = 0.4 if meaning is None else meaning
    if reporting:
        if fa.speaker and fb.speaker:
            spk = _speaker_match(fa.speaker, fb.speaker)
            if explain:
                reasons.append(f"speaker {spk:.2f}")
        elif fa.speaker or fb.speaker:
            spk = 0.3
        else:
            spk = 0.6 if fa.org == fb.org else 0.3
            if explain:
                reasons.append("speaker unknown, same source organisation" if fa.org == fb.org
                               else "speaker unknown")
        score = _weighted([(0.30, m), (0.20, spk), (0.15, names if known_names else None), (0.35, wording)])
    else:
        score = _weighted([(0.40, m), (0.25, names if known_names else None), (0.35, wording)])
    if meaning == 0.0:
        score *= 0.4
    if compat == "yes" and fa.fine and fb.fine:
        score = min(1.0, score + 0.05)  # both dated to the same day or finer: evidence, not only a gate
        if explain:
            reasons.append("same day")
    if fa.means & fb.means and not reporting:
        score = min(1.0, score + 0.1)  # the same means (drones, ground fighters) is evidence too
        if explain:
            reasons.append("same means (" + ",".join(sorted(fa.means & fb.means)) + ")")
    if fa.means and fb.means and not (fa.means & fb.means):
        score *= 0.3
        if explain:
            reasons.append("different means (" + ",".join(sorted(fa.means)) + " / "
                           + ",".join(sorted(fb.means)) + ")")
    if compat == "near":
        score *= 0.8
        if explain:
            reasons.append("adjacent, not overlapping, intervals")
    return max(0.0, min(1.0, score)), reasons


def _weighted(parts: list[tuple[float, float | None]]) -> float:
    """Weighted mean of the known parts (None: unknown on one side, left out)."""
    known = [(w, v) for w, v in parts if v is not None]
    return sum(w * v for w, v in known) / sum(w for w, _ in known)


def _place(m: MentionRecord) -> tuple[str, str]:
    """Where a mention is written. Two mentions of one sentence are two happenings: a
    sentence that names one event twice ("the raid ... the attack") is rare, while a sentence
    that names several related events (drones struck as operations pressed after a raid) is
    the rule in news."""
    return m.article_id, m.sentence


def same_event_score(a: MentionRecord, b: MentionRecord, weights: Weights | None = None) -> float:
    """0..1: how likely two mentions name the same happening (0 when a gate fails).
    `score_reasons` gives the reasons."""
    return _score(a, b, weights, explain=False)[0]


# ---------------------------------------------------------------- blocking ----------

def blocking_keys(m: MentionRecord) -> set[str]:
    """Keys a mention is blocked under, each prefixed by its kind (kinds never mix):
    `kind|c:CLASS` for the meaning classes of its trigger (and, for reports, of the reported
    content), `kind|t:STEM` for a trigger outside the lexicon, and `kind|n:SKELETON` for each
    name token of its participants, places and speaker (consonant skeleton of the folded
    token, so Kyiv and Kiev, Grayvoron and Graivoron share a key)."""
    f = _features(m)
    return set(_keys(m.kind, f.trig_classes, f.content_classes, f.trig_stems, f.names))


@lru_cache(maxsize=100_000)  # the mentions of a story repeat triggers, classes and names
def _keys(kind: str, trig_classes: frozenset[str], content_classes: frozenset[str], trig_stems: frozenset[str],
          names: frozenset[str]) -> frozenset[str]:
    lex = load_lexicon()
    keys = set()
    classes = content_classes if kind == "reporting" else (trig_classes or content_classes)
    if kind != "reporting":  # a battle may be the raid it fights: related classes meet
        classes = classes | {r for c in trig_classes for r in lex.related.get(c, ())}
    for c in classes:
        keys.add(f"{kind}|c:{c}")
    for s in trig_stems:
        if not lex.classes.get(s):
            keys.add(f"{kind}|t:{fold_token(s)}")
    for n in names:
        if len(n) >= 2:
            keys.add(f"{kind}|n:{_skeleton(n)}")
    return frozenset(keys)


def _window(m: MentionRecord, f: _Features | None = None) -> tuple[datetime | None, datetime | None]:
    """The time window a mention is blocked in: its interval, widened by the adjacency
    tolerance for fine-grained occurrences and states."""
    lo, hi = m.valid_from, m.valid_until
    if (f or _features(m)).fine and m.kind != "reporting":
        lo, hi = lo - NEAR_GAP, hi + NEAR_GAP
    return lo, hi


def candidate_pairs(mentions: list[MentionRecord], *, max_block: int = MAX_BLOCK,
                    side_limit: int | None = None,
                    features: list[_Features] | None = None) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth scoring. Never all pairs: two mentions are a candidate only
    if they share a blocking key (`blocking_keys`: kind + meaning class, kind + name token)
    AND their time windows overlap (`_window`: the interval, open sides unbounded, widened
    by 12 h for fine-grained occurrences/states).

    Per key this is an interval join, done as a sweep over the windows sorted by start. A key
    whose active window already holds `max_block` mentions is a stop key there (too common to
    say anything) and pairs nothing more until the window thins out.

    With `side_limit`, only pairs with a salient mention are made (`cluster` groups salient
    mentions and attaches the others): a salient mention keeps the MAIN_LIMIT partners sharing
    the most keys with it, and a side mention looks under its SIDE_KEYS rarest keys at the
    SIDE_SCAN salient mentions nearest in time and keeps `side_limit` of them. Side mentions
    are most of a store, and a vague noun needs a few good candidates, not every attack of the
    week; the work stays linear in the number of mentions.

    In SQL / Polars: explode (mention, key) rows, self-join on `key` with
    `a.lo < b.hi AND b.lo < a.hi` (NULL = unbounded; DuckDB plans this as an IEJoin, Polars
    as `join_where`), drop (key, day) groups larger than `max_block`, keep distinct pairs.
    """
    main = [m.salient or side_limit is None for m in mentions]
    feats = features if features is not None else [_features(m) for m in mentions]  # looked up by record: hashed
    windows = [_window(m, f) for m, f in zip(mentions, feats)]
    spans = [(lo.timestamp() if lo is not None else -math.inf, hi.timestamp() if hi is not None else math.inf)
             for lo, hi in windows]
    keys_of = [_keys(m.kind, f.trig_classes, f.content_classes, f.trig_stems, f.names)
               for m, f in zip(mentions, feats)]
    by_key: dict[str, list[int]] = {}  # salient members of each key
    size: dict[str, int] = {}  # all members of each key
    for i, keys in enumerate(keys_of):
        for k in keys:
            size[k] = size.get(k, 0) + 1
            if main[i]:
                by_key.setdefault(k, []).append(i)
    # Each (salient, salient) pair once per key the two share, as the number i * n + j (i < j):
    # a regroup makes tens of millions of them, so they are made and counted as arrays.
    n = len(mentions)
    codes = _key_sweep(by_key, spans, n, max_block)
    if side_limit is None:
        return {divmod(int(code), n) for code in np.unique(codes)}
    pairs = _best_partners(codes, n, MAIN_LIMIT)
    del codes
    # A side mention looks under its rarest keys at the salient mentions nearest in time. The
    # copies of a story's mention share its key set and window: their salient candidates are
    # one question, asked once; the questions are independent, so a second core takes half.
    for members in by_key.values():
        members.sort(key=lambda i: spans[i][0])  # stable: ties in index order, as the sweep went
    starts = {k: [spans[i][0] for i in members] for k, members in by_key.items()}
    question_of: dict[tuple[frozenset[str], float, float], int] = {}
    asked = [question_of.setdefault((keys_of[i], *spans[i]), len(question_of))
             for i in range(n) if not main[i]]
    questions = list(question_of)
    del question_of
    global _side
    _side = (by_key, starts, spans, size, side_limit)
    try:
        parts, answers = _strided(_side_partners, questions, PARALLEL_SIDE)
    finally:
        _side = None
    best_of: list[list[int]] = [[] for _ in questions]
    for k, got in enumerate(answers):
        best_of[k::parts] = got
    side = (i for i in range(n) if not main[i])
    for i, q in zip(side, asked):
        for j in best_of[q]:
            pairs.add((j, i) if j < i else (i, j))
    return pairs


# Distinct side-mention questions from which half are answered in a forked process.
PARALLEL_SIDE = 20_000
_side: tuple | None = None  # (by_key, starts, spans, size, side_limit) of the pairs being made


def _side_partners(questions: list[tuple[frozenset[str], float, float]]) -> list[list[int]]:
    """For each (key set, window start, window end) of side mentions: the `side_limit` salient
    mentions sharing most of its SIDE_KEYS rarest keys among the SIDE_SCAN nearest in time
    under each (ties: the later start, then the first met)."""
    by_key, starts, spans, size, side_limit = _side
    rarest: dict[frozenset[str], list[str]] = {}  # a story's side mentions share key sets
    out = []
    for keys, lo_ts, hi_ts in questions:
        counts: dict[int, int] = {}
        looked = rarest.get(keys)
        if looked is None:
            looked = rarest[keys] = sorted((k for k in keys if k in by_key), key=lambda k: (size[k], k))[:SIDE_KEYS]
        for k in looked:
            members, first = by_key[k], starts[k]
            r = bisect.bisect_left(first, hi_ts)
            for x in range(r - 1, max(-1, r - 1 - SIDE_SCAN), -1):
                j = members[x]
                if spans[j][1] > lo_ts:
                    counts[j] = counts.get(j, 0) + 1
        out.append(heapq.nlargest(side_limit, counts, key=lambda j: (counts[j], spans[j][0])))
    return out


def _key_sweep(by_key: dict[str, list[int]], spans: list[tuple[float, float]], n: int,
               max_block: int) -> np.ndarray:
    """The pairs of mentions sharing a key whose windows overlap, once per key they share, as
    codes i * n + j (i < j). Per key, members in order of window start (ties: lower index)
    meet each earlier member whose window is still open (`end > start`), unless `max_block`
    of those are open: a stop key there.

    That sweep, as arrays over every (key, member) row at once: row x's open earlier members
    are `x - E(x)`, E counting the rows of its key that end by x's start (less those ending by
    it but placed at or after it, which only an empty window, end <= start, can be); and the
    rows an earlier row y meets are the rows after it starting before y ends, a range."""
    groups = [members for members in by_key.values() if len(members) > 1]
    if not groups:
        return np.zeros(0, dtype=np.int64)
    sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    idx = np.fromiter((i for g in groups for i in g), dtype=np.int64, count=int(sizes.sum()))
    gid = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    lo_m = np.fromiter((lo for lo, _ in spans), dtype=np.float64, count=len(spans))
    hi_m = np.fromiter((hi for _, hi in spans), dtype=np.float64, count=len(spans))
    values = np.unique(np.concatenate([lo_m, hi_m]))  # times as ranks, so (key, time) is one integer
    rank_lo, rank_hi = np.searchsorted(values, lo_m), np.searchsorted(values, hi_m)
    width = np.int64(len(values) + 1)
    order = np.lexsort((idx, rank_lo[idx], gid))  # by key, start, index (members are in index order)
    idx, gid = idx[order], gid[order]
    rows = len(idx)
    start_key = gid * width + rank_lo[idx]  # ascending
    end_key = gid * width + rank_hi[idx]
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)  # each row's key's first row
    pos = np.arange(rows, dtype=np.int64)
    ended = np.searchsorted(np.sort(end_key), start_key, side="right") - first
    empty = np.flatnonzero(rank_hi[idx] <= rank_lo[idx])
    correction = np.zeros(rows + 1, dtype=np.int64)
    if len(empty):  # an empty window at y ends by the start of the rows x <= y starting at its end
        begin = np.searchsorted(start_key, end_key[empty], side="left")
        np.add.at(correction, begin, 1)
        np.add.at(correction, empty + 1, -1)
    correction = np.cumsum(correction[:-1])
    open_before = (pos - first) - (ended - correction)
    ok = open_before < max_block
    # row y meets the rows after it, of its key, that start before it ends and are no stop there
    reach = np.maximum(np.searchsorted(start_key, end_key, side="left"), pos + 1)
    ok_before = np.concatenate([[0], np.cumsum(ok)])
    ok_rows = np.flatnonzero(ok)
    lo_at, count = ok_before[pos + 1], ok_before[reach] - ok_before[pos + 1]
    out = np.empty(int(count.sum()), dtype=np.int64)
    ends = np.cumsum(count)
    step = 1 << 22  # codes made per chunk: the temporaries stay small
    y0, done = 0, 0
    while y0 < rows:
        y1 = int(np.searchsorted(ends, done + step, side="right"))
        y1 = max(y1, y0 + 1)
        ys = np.arange(y0, y1)
        c = count[ys]
        total = int(c.sum())
        if total:
            ys, c = ys[c > 0], c[c > 0]
            shift = lo_at[ys] - (np.cumsum(c) - c)
            partner = ok_rows[np.repeat(shift, c) + np.arange(total)]
            a, b = np.repeat(idx[ys], c), idx[partner]
            out[done:done + total] = np.minimum(a, b) * n + np.maximum(a, b)
            done += total
        y0 = y1
    return out


def _best_partners(codes: np.ndarray, n: int, limit: int) -> set[tuple[int, int]]:
    """The pairs (i < j) of `codes` (i * n + j, once per blocking key the two share) that one
    of their two mentions keeps among its `limit` partners sharing the most keys (ties: the
    lower index). Counting and ranking millions of rows: arrays, not a loop per mention, each
    direction of the pairs in turn, sorted as one integer (mention, fewest missing keys, partner)."""
    if not len(codes):
        return set()
    codes.sort()
    new = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
    shared = np.diff(np.append(new, len(codes)))
    pair = codes[new]
    del new
    top = int(shared.max()) + 1
    missing = (top - shared).astype(np.int32)
    del shared
    i, j = np.divmod(pair, n)
    del pair
    i, j = i.astype(np.int32), j.astype(np.int32)
    if n * n * top >= 2 ** 62:  # pragma: no cover - far beyond any store this runs on
        raise OverflowError("too many mentions to rank candidate partners as one integer")
    span = np.int64(top * n)
    # one row per (mention, partner), both directions: i's partners and j's
    key = np.empty(2 * len(i), dtype=np.int64)
    step = missing.astype(np.int64) * n
    del missing
    for half, (mention, partner) in enumerate(((i, j), (j, i))):
        part = key[half * len(i):(half + 1) * len(i)]
        np.multiply(mention, span, out=part, dtype=np.int64)
        part += step
        part += partner
    del step
    key.sort()
    who = np.unique(i).astype(np.int64)
    who = np.union1d(who, np.unique(j))
    del i, j
    first = np.searchsorted(key, who * span, side="left")
    last = np.searchsorted(key, (who + 1) * span, side="left")
    take = first[:, None] + np.arange(limit)
    chosen = key[take[take < last[:, None]]]
    del key
    a, b = chosen // span, chosen % n
    return set(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))


# ---------------------------------------------------------------- claims ------------

def _number_value(words: list[str], i: int, lex: _Lexicon) -> tuple[int, tuple[float, float], str] | None:
    """The number ending at words[i] (with its qualifier): (first index, range, text)."""
    low = words[i].casefold()
    if low.isdigit():
        n = float(low)
        rng = (n, n)
    elif low in lex.vague:
        rng = lex.vague[low]
    elif low in lex.numbers:
        n = float(lex.numbers[low])
        start = i
        # "twenty five", "one hundred"
        if i > 0 and words[i - 1].casefold() in lex.numbers and lex.numbers[words[i - 1].casefold()] >= 20:
            prev = lex.numbers[words[i - 1].casefold()]
            n = prev * n if n in (100, 1000) else prev + n
            start = i - 1
        rng = (n, n)
        i = start
        low = words[i].casefold()
    else:
        return None
    start = i
    for phrase, (qlo, qhi) in lex.qualifiers.items():
        k = len(phrase)
        if start - k >= 0 and tuple(w.casefold() for w in words[start - k:start]) == phrase:
            lo, hi = rng
            rng = (lo * qlo, hi * qhi)
            start -= k
            break
    return start, rng, ""


def _format_value(words: list[str], start: int, end: int, lex: _Lexicon) -> str:
    out = []
    for w in words[start:end + 1]:
        low = w.casefold()
        out.append(str(lex.numbers[low]) if low in lex.numbers and low not in ("no", "none") else w)
    # "twenty five" -> "20 5" would be wrong; keep words when more than one number word
    nums = [w for w in words[start:end + 1] if w.casefold() in lex.numbers]
    if len(nums) > 1:
        return " ".join(words[start:end + 1])
    return " ".join(out)


def _claims_with_ranges(m: MentionRecord) -> list[tuple[Claim, tuple[float, float]]]:
    return [(Claim(key=m.key, attribute=attr, value=value, text=text), rng)
            for attr, value, text, rng in _sentence_claims(m.sentence)]


@lru_cache(maxsize=200_000)
def _sentence_claims(sentence: str) -> tuple[tuple[str, str, str, tuple[float, float]], ...]:
    """(attribute, value, text, range) of each countable claim of a sentence; kept per sentence,
    which several mentions and wire copies share."""
    lex = load_lexicon()
    words = tokens(sentence.replace("-", " "))
    out: list[tuple[str, str, str, tuple[float, float]]] = []
    used: set[int] = set()
    for i, w in enumerate(words):
        classes = lex.classes.get(stem(w), frozenset())
        attrs = [lex.claims[c] for c in sorted(classes) if c in lex.claims]
        if not attrs:
            continue
        attr = attrs[0]
        found = None
        for j in range(i - 1, max(-1, i - 7), -1):  # "eight people had been injured"
            if j in used:
                break
            v = _number_value(words, j, lex)
            if v is not None:
                found = (v[0], j, v[1])
                break
        if found is None:  # "killed more than 70 people", "injuring 12"
            for j in range(i + 1, min(len(words), i + 5)):
                v = _number_value(words, j, lex)
                if v is not None:
                    found = (v[0], j, v[1])
                    break
        if found is None:
            continue
        start, numpos, rng = found
        used.update(range(min(start, i), max(numpos, i) + 1))
        value = _format_value(words, start, numpos, lex)
        lo_i, hi_i = min(start, i), max(numpos, i)
        text = " ".join(words[lo_i:hi_i + 1])
        out.append((attr, value, text, rng))
    return tuple(out)


def extract_claims(m: MentionRecord) -> list[Claim]:
    """Countable claims of a mention: casualty and evacuation figures with their qualifier
    ("at least 12"), the attribute named by the lexicon ([claims])."""
    return [c for c, _ in _claims_with_ranges(m)]


# ---------------------------------------------------------------- clustering --------

def _canonical(m: MentionRecord) -> tuple:
    return (m.published_at.timestamp(), m.article_id, m.sentence, m.trigger, m.kind,
            m.valid_from.timestamp() if m.valid_from else -math.inf, m.key)


@dataclass(slots=True)
class _Cluster:
    members: list[int]
    kind: str
    lo: datetime | None
    hi: datetime | None
    fine: bool
    near: bool
    speakers: list[frozenset[str]]
    places: set[tuple[str, str]]


def _merge_window(x: _Cluster, y: _Cluster) -> tuple[str, datetime | None, datetime | None]:
    if _overlap(x.lo, x.hi, y.lo, y.hi):
        lo = x.lo if y.lo is None else (y.lo if x.lo is None else max(x.lo, y.lo))
        hi = x.hi if y.hi is None else (y.hi if x.hi is None else min(x.hi, y.hi))
        return "yes", lo, hi
    if x.fine and y.fine and x.kind != "reporting" and not (x.near or y.near):
        gap = _gap(x.lo, x.hi, y.lo, y.hi)
        if gap is not None and gap < NEAR_GAP:
            return "near", min(x.lo, y.lo), max(x.hi, y.hi)
    return "no", None, None


def _merge_gates(a: _Cluster, b: _Cluster) -> tuple[str, datetime | None, datetime | None]:
    """Whether two whole clusters may be one event, and the merged window ("no" = never)."""
    if a.kind != b.kind or a.places & b.places:
        return "no", None, None
    if a.kind == "reporting" and not all(_speakers_compatible(x, y) for x in a.speakers for y in b.speakers):
        return "no", None, None
    return _merge_window(a, b)


def _join(clusters: dict[int, _Cluster], keep: int, drop: int, compat: str,
          lo: datetime | None, hi: datetime | None) -> None:
    k, d = clusters[keep], clusters.pop(drop)
    k.members += d.members
    k.lo, k.hi = lo, hi
    k.near = k.near or d.near or compat == "near"
    k.speakers += d.speakers
    k.places |= d.places


def _agglomerated(clusters: dict[int, _Cluster], first: np.ndarray, second: np.ndarray, score: np.ndarray,
                  salient: np.ndarray, threshold: float) -> list[tuple]:
    """The merges average link makes among the salient singletons, given the scored pairs (i, j,
    score; pairs never scored count 0), as (keep, drop, compat, lo, hi) for `_join`.

    Two clusters whose pairs all score below the threshold average below it and never merge, so
    the salient mentions fall into groups, the connected components of the pairs at or above
    it, that merge independently of one another: group by group, the merges are those one heap
    over all of them makes, and half of the groups merge in a forked process."""
    both = salient[first] & salient[second]
    first, second, score = first[both], second[both], score[both]
    strong = score >= threshold
    group = _components(first[strong], second[strong], len(salient))
    of = group[first]
    inside = (of >= 0) & (of == group[second])  # pairs across groups never change a merge
    first, second, score, of = first[inside], second[inside], score[inside], of[inside]
    order = np.argsort(of, kind="stable")  # each group's pairs in the order they were scored
    cuts = np.flatnonzero(np.diff(of[order])) + 1
    groups = list(zip(np.split(first[order], cuts), np.split(second[order], cuts), np.split(score[order], cuts)))
    groups.sort(key=lambda g: -len(g[0]))  # largest first, so that striding balances the parts
    global _merging
    _merging = (clusters, threshold)
    try:
        return [m for merges in _strided(_merge_groups, groups, PARALLEL_MERGE)[1] for m in merges]
    finally:
        _merging = None


# Pair groups from which half are merged in a forked process; the clusters and threshold read.
PARALLEL_MERGE = 2_000
_merging: tuple | None = None


def _components(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The connected component of each of `n` nodes joined by the edges (a[k], b[k]), numbered
    by its root; -1 for a node on no edge."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[rx] = ry
    label = np.full(n, -1, dtype=np.int64)
    for x in set(a.tolist()) | set(b.tolist()):
        label[x] = root(x)
    return label


def _merge_groups(groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[tuple]:
    clusters, threshold = _merging
    merges: list[tuple] = []
    for first, second, score in groups:
        nbr: dict[int, dict[int, float]] = {}
        for i, j, s in zip(first.tolist(), second.tolist(), score.tolist()):
            nbr.setdefault(i, {})[j] = s
            nbr.setdefault(j, {})[i] = s
        # singletons: copies are merged here, and the caller replays the merges on its own
        own = {i: _Cluster(list(c.members), c.kind, c.lo, c.hi, c.fine, c.near, list(c.speakers), set(c.places))
               for i, c in ((i, clusters[i]) for i in nbr)}
        _agglomerate(own, nbr, threshold, merges)
    return merges


def _agglomerate(clusters: dict[int, _Cluster], nbr: dict[int, dict[int, float]], threshold: float,
                 merges: list[tuple]) -> None:
    """Average-link merging of the singleton clusters of one group, `nbr` their pair scores
    both ways; each merge is made on `clusters` and appended to `merges`."""
    version = {i: 0 for i in nbr}
    heap: list[tuple[float, int, int, int, int]] = []
    for i, d in nbr.items():
        for j, s in d.items():
            if i < j and s >= threshold:
                heap.append((-s, i, j, 0, 0))
    heapq.heapify(heap)
    while heap:
        neg, i, j, vi, vj = heapq.heappop(heap)
        if i not in nbr or j not in nbr or version[i] != vi or version[j] != vj:
            continue
        if -neg < threshold:
            break
        compat, lo, hi = _merge_gates(clusters[i], clusters[j])
        if compat == "no":
            continue
        keep, drop = (i, j) if i < j else (j, i)  # keep the canonical first mention's id
        _join(clusters, keep, drop, compat, lo, hi)
        merges.append((keep, drop, compat, lo, hi))
        dn = nbr.pop(drop)
        kn = nbr[keep]
        kn.pop(drop, None)
        dn.pop(keep, None)
        for c, s in dn.items():
            kn[c] = kn.get(c, 0.0) + s
            cn = nbr[c]
            cn.pop(drop, None)
            cn[keep] = kn[c]
        version[keep] += 1
        size = len(clusters[keep].members)
        for c, s in kn.items():
            avg = s / (size * len(clusters[c].members))
            if avg >= threshold:
                x, y = (keep, c) if keep < c else (c, keep)
                heapq.heappush(heap, (-avg, x, y, version[x], version[y]))


def _side_candidates(first: np.ndarray, second: np.ndarray, score: np.ndarray, salient: np.ndarray,
                     threshold: float) -> dict[int, list[tuple[float, int]]]:
    """Each side mention's salient partners scoring at or above the threshold, as (score, partner)."""
    strong = score >= threshold
    left = strong & ~salient[first] & salient[second]  # the first of the pair is the side mention
    right = strong & salient[first] & ~salient[second]
    out: dict[int, list[tuple[float, int]]] = {}
    for i, j, s in zip(np.concatenate([first[left], second[right]]).tolist(),
                       np.concatenate([second[left], first[right]]).tolist(),
                       np.concatenate([score[left], score[right]]).tolist()):
        out.setdefault(i, []).append((s, j))
    return out


def _attach(clusters: dict[int, _Cluster], candidates: dict[int, list[tuple[float, int]]],
            salient: set[int], side: list[int]) -> None:
    """Each side mention joins the cluster of its best salient candidate, gates permitting."""
    owner = {m: c for c, cl in clusters.items() if c in salient for m in cl.members}
    for i in side:
        ranked = sorted(((s, j) for s, j in candidates.get(i, ()) if j in owner), reverse=True)
        for _, j in ranked:
            target = owner[j]
            compat, lo, hi = _merge_gates(clusters[target], clusters[i])
            if compat != "no":
                _join(clusters, target, i, compat, lo, hi)
                owner[i] = target
                break


# ---------------------------------------------------------------- one happening, two kinds

_BE = frozenset({"is", "are", "was", "were", "am", "been", "'s", "'re", "being"})
# The speaker's own side in a reported clause: "said its troops were battling", "said it was".
_OWN = frozenset({"its", "their", "our", "my", "his", "her", "it", "they", "we", "i", "he", "she"})


def scoring_views(mentions: list[MentionRecord]) -> list[MentionRecord]:
    """The mention each mention is compared as. Kinds never mix, with two exceptions that are
    one happening told two ways:

    - holding an attitude is a statement of it: "the Kremlin was concerned" (a state) is
      compared as a report by its holder ("the Kremlin expressed concern"), so the gates of
      statements apply (speaker, the public, the speech act);
    - a party's own account of its action in progress when it speaks ("Russia said its
      troops were battling a group that entered from Ukraine") is evidence of that action: the
      report is compared as the occurrence it reports, at the report's time, described by the
      action's clause and the relative clauses of its participants ("group that entered").

    A report whose speaker is written as a definite role ("his spokesman said") is compared as
    said by the person its article named earlier with that role ("Kremlin spokesman Dmitry
    Peskov"). Everything else is compared as itself. The stored kind never changes."""
    lex = load_lexicon()
    by_place: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(mentions):
        by_place.setdefault(_place(m), []).append(i)
    out = _roles_resolved(mentions, lex)
    for i, m in enumerate(mentions):
        if m.kind == "state":
            out[i] = _held_attitude(m, lex) or m
        elif m.kind == "reporting" and m.attributed_to:
            mates = [mentions[j] for j in by_place[_place(m)] if j != i]
            out[i] = _own_action_in_progress(out[i], mates) or out[i]
    return out


def _definite_role(speaker: str, lex: _Lexicon) -> str | None:
    """"his spokesman", "the governor" -> "spokesman", "governor"; None for a name."""
    words = speaker.split()
    if len(words) == 2 and words[0].casefold() in lex.definite and words[1].islower():
        return words[1]
    return None


def _roles_resolved(mentions: list[MentionRecord], lex: _Lexicon) -> list[MentionRecord]:
    out = list(mentions)
    named: dict[str, list[str]] = {}  # article -> speakers written with a name, in text order
    for i in sorted(range(len(mentions)), key=lambda i: (mentions[i].article_id, mentions[i].key)):
        m = mentions[i]
        if m.kind != "reporting" or not m.attributed_to:
            continue
        role = _definite_role(m.attributed_to, lex)
        seen = named.setdefault(m.article_id, [])
        if role is None:
            if any(w[:1].isupper() for w in m.attributed_to.split()[1:]):
                seen.append(m.attributed_to)  # "Kremlin spokesman Dmitry Peskov"
            continue
        person = next((s for s in reversed(seen) if role in (w.casefold() for w in s.split())), None)
        if person is not None:
            out[i] = MentionRecord(**{**_fields(m), "attributed_to": person})
    return out


def _held_attitude(m: MentionRecord, lex: _Lexicon) -> MentionRecord | None:
    if not (_features(m).trig_classes & lex.attitudes):
        return None
    holder = next((p for p in m.participants if fold_name(p) - {fold_token(x) for x in lex.pronouns}), None)
    if holder is None or holder.casefold() in lex.pronouns:
        return None
    return MentionRecord(**{**_fields(m), "kind": "reporting", "attributed_to": holder})


def _own_action_in_progress(r: MentionRecord, mates: list[MentionRecord]) -> MentionRecord | None:
    words = [w.casefold() for w in tokens(r.sentence)]
    speaker = fold_name(r.attributed_to or "")
    for x in mates:
        if x.kind != "occurrence" or x.attributed_to != r.attributed_to:
            continue  # not what this speaker reports
        trig = x.trigger.casefold()
        at = next((k for k, w in enumerate(words) if w == trig), None)
        if at is None or not trig.endswith("ing") or not _BE & set(words[max(0, at - 2):at]):
            continue  # not in progress ("were battling")
        ctx = tokens(x.context)
        own = bool(ctx) and ctx[0].casefold() in _OWN or any(fold_name(p) & speaker for p in x.participants[:1])
        if not own:
            continue  # someone else's action: a report about it, not evidence of it
        heads = {tokens(p)[-1].casefold() for p in x.participants if tokens(p)}
        described = [y for y in mates if y is not x and y.kind == "occurrence" and y.context
                     and tokens(y.context)[0].casefold() in heads]  # "group that entered from Ukraine"
        return MentionRecord(**{
            **_fields(r), "kind": x.kind, "trigger": x.trigger,
            "context": " ".join([x.context] + [y.context for y in described]),
            "participants": x.participants,
            "places": tuple(dict.fromkeys([*x.places, *(p for y in described for p in y.places)])),
        })
    return None


def _fields(m: MentionRecord) -> dict:
    return {f: getattr(m, f) for f in MentionRecord.__slots__}


def continuations(mentions: list[MentionRecord]) -> list[tuple[int, int]]:
    """Pairs (i, j) of reports where j gives the words of statement i: j attributes a direct
    quote ("“…,” he said on Monday"), its speaker is written as an anaphor ("he", "the
    minister") that the events stage resolved to i's speaker, i is the report told just before
    it in the same article (the nearest one of an earlier sentence), and j neither marks itself
    as a further or other statement ("added", "previously", "later") nor makes another speech
    act. In news, "X suggested that …. “…,” he said on Monday" gives the words and the day of
    the statement just summarised, while "He said that …" makes a new assertion."""
    lex = load_lexicon()
    out: list[tuple[int, int]] = []
    last: dict[str, list[int]] = {}
    for i in sorted(range(len(mentions)), key=lambda i: (mentions[i].article_id, mentions[i].key)):
        m = mentions[i]
        if m.kind != "reporting":
            continue
        seen = last.setdefault(m.article_id, [])
        if m.attributed_to and m.participants and _quote_attribution(m) and _anaphoric(m, lex):
            before = next((j for j in reversed(seen) if mentions[j].sentence != m.sentence), None)
            if before is not None and mentions[before].attributed_to \
                    and names_match(mentions[before].attributed_to, m.attributed_to) >= 0.8:
                out.append((before, i))
        seen.append(i)
    return out


_OPEN_QUOTES = ("“", '"', "‘", "«", "``", "'")


def _quote_attribution(m: MentionRecord) -> bool:
    """"“…,” he said on Monday" / "he said: “…”": the sentence gives someone's words, and the
    report only says whose. A new reported clause ("He said that …") is a new assertion."""
    text = m.sentence.strip()
    if text.startswith(_OPEN_QUOTES):
        return True
    at = text.find(m.trigger)
    return at >= 0 and text[at + len(m.trigger):].lstrip().startswith(":")


def _anaphoric(m: MentionRecord, lex: _Lexicon) -> bool:
    f = _features(m)
    if f.act or f.trig_stems & lex.additive:
        return False  # another speech act, or "he added": a further statement
    words = [w.casefold() for w in tokens(m.context or m.sentence)]
    at = [k for k, w in enumerate(words) if w == m.trigger.casefold()]
    # "he previously said", "she also said", "he said later": another statement. Only the words
    # around the verb count: "Nine towns were also evacuated, the governor said" goes on.
    near = {w for k in at for w in words[max(0, k - 3):k + 3]} if at else set(words)
    if near & lex.sequence:
        return False
    # the speaker as written: a personal pronoun ("he") or a definite role ("the governor")
    written = m.participants[0]
    return written.casefold() in lex.pronouns or _definite_role(written, lex) is not None


def statement_parts(mentions: list[MentionRecord]) -> list[tuple[int, int]]:
    """Pairs of reports that are parts of one statement: a quote whose attribution follows the
    statement it gives the words of (`continuations`); a participle of a reporting verb with
    the same speaker in its sentence ("…, the governor said, reporting at least 12 civilians
    injured"; "the ministry said, claiming …"); a second reporting verb with no subject of its
    own ("The Kremlin expressed concern and called for greater efforts"). Never one that adds
    a further statement ("adding that …", "and added")."""
    lex = load_lexicon()
    out = continuations(mentions)
    by_place: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(mentions):
        if m.kind == "reporting" and m.attributed_to:
            by_place.setdefault(_place(m), []).append(i)
    for members in by_place.values():
        for j in members:
            mj = mentions[j]
            if _features(mj).trig_stems & lex.additive:
                continue
            own = tokens(mj.context)
            if own and own[0] == mj.trigger and (at := mj.sentence.find(" and " + mj.trigger)) >= 0:
                # "The Kremlin expressed concern and called for greater efforts": a second verb
                # with no subject of its own goes on with the first one's statement
                head = next((i for i in members if i != j and mentions[i].attributed_to == mj.attributed_to
                             and 0 <= mentions[i].sentence.find(mentions[i].trigger) < at), None)
                if head is not None:
                    out.append((head, j))
                continue
            if not mj.trigger.casefold().endswith("ing"):
                continue
            # "…, the governor said, reporting …": the participle follows its verb after a comma
            at = mj.sentence.find(", " + mj.trigger)
            if at < 0:
                continue
            head = next((i for i in members if i != j and mentions[i].attributed_to == mj.attributed_to
                         and not mentions[i].trigger.casefold().endswith("ing")
                         and 0 <= mentions[i].sentence.find(mentions[i].trigger) < at), None)
            if head is not None:
                out.append((head, j))
    return out


def _singleton(i: int, v: MentionRecord) -> _Cluster:
    f = _features(v)
    return _Cluster([i], v.kind, v.valid_from, v.valid_until, f.fine, False,
                    [f.speaker] if f.speaker and v.kind == "reporting" else [], {_place(v)})


def _rebuilt(members: list[int], views: list[MentionRecord]) -> _Cluster:
    """A cluster of these members, its window folded as merging made it."""
    c = _singleton(members[0], views[members[0]])
    for i in members[1:]:
        d = _singleton(i, views[i])
        compat, lo, hi = _merge_window(c, d)
        if compat == "no":  # cannot happen for members merged under the gates; stay safe
            compat, lo, hi = "near", c.lo, c.hi
        c.members.append(i)
        c.lo, c.hi, c.near = lo, hi, c.near or compat == "near"
        c.speakers += d.speakers
        c.places |= d.places
    return c


def _join_statement_parts(clusters: dict[int, _Cluster], views: list[MentionRecord],
                          salient: set[int]) -> None:
    """The parts of one statement go together (their sentences may be shared: one sentence may
    hold two parts of one statement), when kind, speakers and time allow and never putting "he
    added" with another report of its article (the rule of `_score`). A side part goes to the
    event of the statement's shown part, leaving whatever it was attached to by its words; two
    shown parts, or two side parts, bring their events together."""
    links = statement_parts(views)
    if not links:
        return
    additive = load_lexicon().additive
    owner = {m: c for c, cl in clusters.items() for m in cl.members}

    def reports(members: list[int]) -> tuple[set[str], set[str]]:
        arts, added = set(), set()
        for i in members:
            if views[i].kind == "reporting":
                arts.add(views[i].article_id)
                if _features(views[i]).trig_stems & additive:
                    added.add(views[i].article_id)
        return arts, added

    def joinable(x: _Cluster, y: _Cluster) -> tuple[str, datetime | None, datetime | None]:
        if x.kind != y.kind or not all(_speakers_compatible(s, t) for s in x.speakers for t in y.speakers):
            return "no", None, None
        (arts_x, add_x), (arts_y, add_y) = reports(x.members), reports(y.members)
        if add_x & arts_y or add_y & arts_x:
            return "no", None, None
        return _merge_window(x, y)

    for i, j in links:
        a, b = owner[i], owner[j]
        if a == b:
            continue
        if (i in salient) != (j in salient) and len(clusters[owner[j if i in salient else i]].members) > 1:
            shown, part = (i, j) if i in salient else (j, i)
            alone = _singleton(part, views[part])
            target, source = owner[shown], owner[part]
            compat, lo, hi = joinable(clusters[target], alone)
            if compat == "no":
                continue
            rest = [m for m in clusters.pop(source).members if m != part]
            key = source if source != part else min(rest)  # a cluster's id is one of its members
            clusters[key] = _rebuilt(rest, views)
            for m in rest:
                owner[m] = key
            clusters[part] = alone  # no cluster has `part` as its id any more
            _join(clusters, target, part, compat, lo, hi)
            owner[part] = target
            continue
        compat, lo, hi = joinable(clusters[a], clusters[b])
        if compat == "no":
            continue
        keep, drop = (a, b) if a < b else (b, a)
        for m in clusters[drop].members:
            owner[m] = keep
        _join(clusters, keep, drop, compat, lo, hi)


@gc_paused  # millions of short-lived objects, no cycles: service/gc_pause.py
def cluster(mentions: list[MentionRecord], *, threshold: float = DEFAULT_THRESHOLD,
            max_block: int = MAX_BLOCK) -> list[Event]:
    """Group mentions into events. Events come back ordered by interval start, end, first mention.

    Two passes, so that vague side mentions ("the attacks", an undated participle) cannot chain
    or dilute the grouping of the happenings articles assert and date:
    1. salient mentions (main, dated assertions) are grouped by average link over blocked
       candidate pairs, gates checked between whole clusters;
    2. every other mention joins the group of its best-scoring salient candidate (of the
       `SIDE_LIMIT` sharing most keys with it) when that score passes the threshold and the
       gates hold; the rest stay events of their own, listed only on request.
    """
    if not mentions:
        return []
    order = sorted(range(len(mentions)), key=lambda i: _canonical(mentions[i]))
    ms = [mentions[i] for i in order]
    views = scoring_views(ms)  # what each mention is compared as (kinds of one happening)
    feats = [_features(v) for v in views]
    clusters: dict[int, _Cluster] = {}
    for i, (v, f) in enumerate(zip(views, feats)):
        clusters[i] = _Cluster([i], v.kind, v.valid_from, v.valid_until, f.fine, False,
                               [f.speaker] if f.speaker and v.kind == "reporting" else [], {_place(v)})
    weights = token_weights(views)
    pairs = candidate_pairs(views, max_block=max_block, side_limit=SIDE_LIMIT, features=feats)
    first, second, score = _pair_scores(views, feats, weights, pairs)
    del pairs
    is_salient = np.fromiter((m.salient for m in ms), dtype=bool, count=len(ms))
    for merge in _agglomerated(clusters, first, second, score, is_salient, threshold):
        _join(clusters, *merge)
    candidates = _side_candidates(first, second, score, is_salient, threshold)
    del first, second, score
    salient = {i for i, m in enumerate(ms) if m.salient}
    side = sorted(set(clusters) - salient)
    _attach(clusters, candidates, salient, side)
    _join_statement_parts(clusters, views, salient)
    # side mentions left over stay events of their own (listed with minor=true)
    groups = [sorted(c.members) for c in clusters.values()]
    del clusters, candidates
    global _grouped
    _grouped = ms
    try:  # events are made half here, half in a forked process: they only read their mentions
        events = [e for made in _strided(_events_of, groups, PARALLEL_EVENTS)[1] for e in made]
    finally:
        _grouped = None
    for cache in (_features, _keys, _phrase, _sentence_claims, _tokens, _fuzzy_hits, _text_features, _names_of, _speaker):
        cache.cache_clear()  # per run: a long-lived server must not keep every mention ever seen
    # stable, unique ids: a clash (two groups sharing a first mention's text) gets a suffix, in
    # the order of the groups' mention keys as written (`repr`); `_event_order` ends with the id
    same_id: dict[str, list[Event]] = {}
    for e in events:
        same_id.setdefault(e.event_id, []).append(e)
    out = []
    for clash in same_id.values():
        if len(clash) > 1:
            clash.sort(key=lambda e: repr(e.mention_keys))
            clash[1:] = [Event(**{**e.__dict__, "event_id": f"{e.event_id}-{n}"}) for n, e in enumerate(clash[1:], 2)]
        out += clash
    return sorted(out, key=_event_order)


# Unique pairs of signatures from which scoring is shared with a second process (forked, so it
# reads the mentions without copying them), when the machine has a second core.
PARALLEL_SCORES = 20_000
_scoring: tuple | None = None  # (views, features, weights) of the clustering being scored


def _pair_scores(views: list[MentionRecord], feats: list[_Features], weights: Weights,
                 pairs: Iterable[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate pairs that score above 0, as arrays (i, j, score), in the pairs' order.

    A pair's score reads only the two mentions' `_signature`s and whether they share their
    article, sentence and source organisation; syndicated copies of a wire story make the
    same pair of signatures over and over, scored once: for the first pair that asks."""
    global _scoring
    code = np.fromiter((x for pair in pairs for x in pair), dtype=np.int64).reshape(-1, 2)
    i, j = code[:, 0], code[:, 1]
    signatures: dict[tuple, int] = {}
    sig = np.fromiter((signatures.setdefault(_signature(v, f), len(signatures)) for v, f in zip(views, feats)),
                      dtype=np.int64, count=len(views))
    ids: dict[str, int] = {}  # articles, sentences and organisations as numbers
    article = np.fromiter((ids.setdefault(v.article_id, len(ids)) for v in views), dtype=np.int64, count=len(views))
    sentence = np.fromiter((ids.setdefault(v.sentence, len(ids)) for v in views), dtype=np.int64, count=len(views))
    org = np.fromiter((ids.setdefault(f.org, len(ids)) for f in feats), dtype=np.int64, count=len(views))
    del ids
    if len(signatures) ** 2 * 8 >= 2 ** 62:  # pragma: no cover - billions of distinct mentions
        raise OverflowError("too many distinct mentions to number their pairs")
    key = (sig[i] * len(signatures) + sig[j]) * 8 + (article[i] == article[j]) * 4 \
        + (sentence[i] == sentence[j]) * 2 + (org[i] == org[j])
    del sig, article, sentence, org
    _, asks, which = np.unique(key, return_index=True, return_inverse=True)
    del key
    asks = code[asks]  # the first pair of each question
    _scoring = (views, feats, weights)
    try:
        parts, answers = _strided(_score_pairs, asks, PARALLEL_SCORES)
    finally:
        _scoring = None
    unique = np.empty(len(asks), dtype=np.float64)
    for k, got in enumerate(answers):
        unique[k::parts] = got
    score = unique[which.reshape(-1)]
    keep = score > 0
    return i[keep], j[keep], score[keep]


def _score_pairs(pairs: np.ndarray) -> np.ndarray:
    views, feats, weights = _scoring
    return np.fromiter((_score(views[i], views[j], weights, explain=False, fa=feats[i], fb=feats[j])[0]
                        for i, j in pairs.tolist()), dtype=np.float64, count=len(pairs))


def _cores() -> int:
    """Processes worth running on this machine's cores (at most 2: the work splits in two)."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    return 2 if count > 1 and hasattr(os, "fork") else 1


def _strided(fn, items, at_least: int) -> tuple[int, list]:
    """`fn` over `items` cut in strided parts (item i in part i % parts), a part per core when
    there are at least `at_least` items (`_fanned`); how many parts, and their results."""
    parts = _cores() if len(items) >= at_least else 1
    return parts, _fanned(fn, [items[k::parts] for k in range(parts)])


def _fanned(fn, chunks: list) -> list:
    """`[fn(chunk) for chunk in chunks]`, the first chunk here and each other one in a process
    forked for it: the child reads this process's data as it is (copy on write, nothing is
    sent but the chunk's result, pickled back through a pipe) and exits. A child that fails or
    dies has its chunk done here, so the result never depends on whether a fork worked."""
    if len(chunks) < 2:
        return [fn(chunk) for chunk in chunks]
    children = []
    for chunk in chunks[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its result or nothing, then out, never back into the caller
            status = 1
            try:
                os.close(read)
                with os.fdopen(write, "wb") as out:
                    pickle.dump(fn(chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        children.append((pid, read, chunk))
    results = [fn(chunks[0])]
    for pid, read, chunk in children:
        with os.fdopen(read, "rb") as got:
            data = got.read()
        _, status = os.waitpid(pid, 0)
        results.append(pickle.loads(data) if status == 0 and data else fn(chunk))
    return results


PARALLEL_EVENTS = 20_000  # events from which half are made in a forked process
_grouped: list[MentionRecord] | None = None  # the mentions of the clustering whose events are made


def _events_of(groups: list[list[int]]) -> list[Event]:
    return [_make_event([_grouped[i] for i in members]) for members in groups]


def _signature(m: MentionRecord, f: _Features) -> tuple:
    """Everything `_score` reads of one mention, but for its article, sentence and source
    organisation, which it only compares with the other mention's."""
    return (m.kind, m.trigger, m.context or m.sentence, f.names, f.speaker, f.lo, f.hi, f.fine)


def _event_order(e: Event) -> tuple:
    return (e.valid_from is None, e.valid_from.timestamp() if e.valid_from else 0.0,
            e.valid_until.timestamp() if e.valid_until else math.inf, e.event_id)


def event_id_for(m: MentionRecord) -> str:
    digest = hashlib.sha1(f"{m.article_id}\x1f{m.sentence}\x1f{m.trigger}".encode()).hexdigest()
    return "ev-" + digest[:16]


_GRAIN_RANK = {g: i for i, g in enumerate(
    ["second", "minute", "hour", "part_of_day", "day", "week", "month", "season", "quarter",
     "half", "year", "decade", "century", "unknown"])}


def _fmt_interval(m: MentionRecord) -> str:
    lo = m.valid_from.isoformat() if m.valid_from else "…"
    hi = m.valid_until.isoformat() if m.valid_until else "…"
    return f"[{lo}, {hi})"


def _event_interval(members: list[MentionRecord]) -> tuple[datetime | None, datetime | None, str | None, list[str]]:
    confident = [m for m in members if m.grain and m.grain != "unknown"
                 and m.valid_from is not None and m.valid_until is not None]
    pool = confident or members
    lo = max((m.valid_from for m in pool if m.valid_from is not None), default=None)
    hi = min((m.valid_until for m in pool if m.valid_until is not None), default=None)
    conflicts = []
    if lo is not None and hi is not None and not lo < hi:
        # the fine-grained mentions disagree: keep the widest span they cover, flag it
        lo = min(m.valid_from for m in pool if m.valid_from is not None)
        hi = max(m.valid_until for m in pool if m.valid_until is not None)
        days = sorted({(m.source, _fmt_interval(m)) for m in pool})
        conflicts.append("different days: " + " vs ".join(f"{iv} ({src})" for src, iv in days))
    grains = [m.grain for m in pool if m.grain and m.valid_from == lo and m.valid_until == hi]
    if not grains:
        grains = [m.grain for m in pool if m.grain]
        grain = max(grains, key=lambda g: _GRAIN_RANK.get(g, 99)) if conflicts and grains else (
            min(grains, key=lambda g: _GRAIN_RANK.get(g, 99)) if grains else None)
    else:
        grain = min(grains, key=lambda g: _GRAIN_RANK.get(g, 99))
    return lo, hi, grain, conflicts


def _short_source(source: str) -> str:
    return source if len(source) <= 48 else source[:47] + "…"


def _claim_conflicts(members: list[MentionRecord], claims: list[tuple[Claim, tuple[float, float]]]) -> list[str]:
    by_key = {m.key: m for m in members}
    by_attr: dict[str, list[tuple[Claim, tuple[float, float]]]] = {}
    for c, rng in claims:
        by_attr.setdefault(c.attribute, []).append((c, rng))
    out = []
    for attr, items in sorted(by_attr.items()):
        disagree = any(not (r1[0] <= r2[1] and r2[0] <= r1[1])
                       for x, (_, r1) in enumerate(items) for (_, r2) in items[x + 1:])
        if not disagree:
            continue
        parts = []
        seen = set()
        for c, _ in items:
            m = by_key[c.key]
            label = f"{c.value} ({_short_source(m.source)}, {m.published_at.date().isoformat()})"
            if label not in seen:
                seen.add(label)
                parts.append(label)
        out.append(f"{attr}: " + " vs ".join(parts))
    return out


def _label(members: list[MentionRecord]) -> str:
    lex = load_lexicon()
    m = next((x for x in members if x.salient), members[0])  # the event as a main clause tells it
    text = _phrase(m.sentence, m.trigger)
    if m.kind == "reporting" and m.attributed_to and m.attributed_to.casefold() not in lex.pronouns \
            and m.attributed_to.casefold() not in text.casefold():
        text = f"{m.attributed_to}: {text}"
    places: list[str] = []
    for x in members:
        for p in x.places:
            if p not in places and p.casefold() not in text.casefold():
                places.append(p)
    if places:
        text += " (" + ", ".join(places[:2]) + ")"
    return text[:100]


@lru_cache(maxsize=100_000)
def _phrase(sentence: str, trigger: str) -> str:
    """The trigger with a content word before it and two after: the words of a label."""
    lex = load_lexicon()
    words = tokens(sentence)
    trig = tokens(trigger)
    pos = None
    if trig:
        t0 = stem(trig[0])
        for i, w in enumerate(words):
            if stem(w) == t0:
                pos = i
                break
    content = lambda w: w.casefold() not in lex.stop and w.casefold() not in lex.time
    if pos is None:
        phrase = [w for w in words if content(w)][:4]
    else:
        before = [w for w in words[max(0, pos - 3):pos] if content(w)][-1:]
        after = [w for w in words[pos + 1:pos + 6] if content(w)][:2]
        phrase = before + words[pos:pos + len(trig)] + after
    return " ".join(phrase) or trigger


def _make_event(members: list[MentionRecord]) -> Event:
    members = sorted(members, key=_canonical)
    first = members[0]
    lo, hi, grain, conflicts = _event_interval(members)
    claims_r = [cr for m in members for cr in _claims_with_ranges(m)]
    conflicts += _claim_conflicts(members, claims_r)
    sources: list[str] = []
    for m in members:
        if m.source not in sources:
            sources.append(m.source)
    return Event(
        event_id=event_id_for(first),
        kind=first.kind,
        label=_label(members),
        valid_from=lo,
        valid_until=hi,
        grain=grain,
        mention_keys=tuple(m.key for m in members),
        sources=tuple(sources),
        claims=tuple(c for c, _ in claims_r),
        conflicts=tuple(conflicts),
        salient=any(m.salient for m in members),
    )
