"""Event mentions: what happened, when, and who says so, read from a dependency parse.

Owns the step sentences + time expressions -> `EventMention`s; vocabulary is data in
`events_lexicon/<lang>.toml`. The parse is made once per article (`parse`) and shared with the
time tagger (`service.temporal.tag(..., doc=doc)`).

How a mention gets its time (the `reason` field says which rule fired):
1. a time expression of its sentence attached to it in the parse (through its preposition:
   "on Monday" -> at, "after the raid" -> after, "since 2014" -> since), with two repairs of
   known parser traps: a time right after a reporting verb with no "that" belongs to the
   reporting verb ("said on Tuesday it had used"), and "between 1999 and 2009" spans both;
2. the time of a neighbour that shares it: a conjoined verb, a non-finite complement
   ("confining himself to speaking ... on Tuesday"), the subject's participle ("Russians
   interviewed on Tuesday expressed"), the event an "after"-phrase precedes;
3. otherwise the reference time: a reported event lies before its report (from the start of
   the story: the earliest recent day the article names), a present-tense one at the report,
   a future one after it; an unreported past event lies between the start of the story and the
   anchor. Never the report's own day for a reported past event.
4. last, a coarse or open interval is narrowed by a finer mention of the same happening in the
   same article (same subject and meaning, or two shared meaning classes).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import msgspec

from service.temporal.model import TimeExpression
from service.text import Segmentation

__all__ = ["EventMention", "extract_events", "parse", "parse_many", "get_lexicon", "EventLexicon"]

Kind = Literal["occurrence", "reporting", "state"]
TimeLink = Literal["at", "before", "after", "during", "since", "until"]

LEXICON_DIR = Path(__file__).with_name("events_lexicon")
FINE_GRAINS = frozenset({"day", "part_of_day", "hour", "minute", "second"})
# How far back a named day may lie and still open the story the article tells.
STORY_WINDOW = timedelta(days=7)
# Sentences longer than this many tokens are not analysed (bounded work on junk input).
MAX_SENTENCE_TOKENS = 400
# A narrative goes on for at most this many sentences after its last dated main clause.
NARRATIVE_REACH = 6
# At most this many mentions per article (like the tagger's MAX_EXPRESSIONS).
MAX_MENTIONS = 2_000
# A meaning key shared by more mentions than this is too common to show two are one happening.
MAX_KEY_MENTIONS = 50


class EventMention(msgspec.Struct, frozen=True, kw_only=True):
    """One event mention of one article. Offsets are Python str indices into the body; the
    valid interval is half-open `[valid_from, valid_until)` in UTC, either side None when open."""

    sentence_start: int
    sentence_end: int
    trigger_start: int
    trigger_end: int
    trigger: str
    kind: Kind
    attributed_to: str | None
    participants: list[str]
    places: list[str]
    time_link: TimeLink | None
    time_index: int | None
    valid_from: datetime | None
    valid_until: datetime | None
    grain: str | None
    reason: str
    # The words of the trigger's own clause (for a report, its whole sentence): what
    # deduplication compares, so that two events of one sentence do not share their words.
    context: str = ""
    # Whether a timeline shows it by default (`_Extractor._salient`): a main assertion of its
    # sentence or a happening the sentence dates itself; side mentions stay stored and linked.
    salient: bool = True


# ------------------------------------------------------------------ lexicon ----------------

class EventLexicon(msgspec.Struct, frozen=True):
    reporting: frozenset[str]
    state: frozenset[str]
    stative: frozenset[str]
    skip_verbs: frozenset[str]
    skip_forms: frozenset[str]
    event_nouns: frozenset[str]
    aspectual_nouns: frozenset[str]
    narrative_past: frozenset[str]
    light_verbs: frozenset[str]
    organizations: frozenset[str]
    signals: dict[str, str]
    classes: dict[str, frozenset[str]]
    irregular: dict[str, str]
    habitual: frozenset[str]
    negative_determiners: frozenset[str]
    narrative_adverbs: frozenset[str]
    version: str


@functools.cache
def get_lexicon(language: str = "en") -> EventLexicon:
    path = LEXICON_DIR / f"{language}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    classes = {k: frozenset(v) for k, v in data.get("classes", {}).items()}
    signals = dict(data.get("signals", {}))
    bad = {v for v in signals.values() if v not in ("at", "before", "after", "during", "since", "until")}
    if bad:
        raise ValueError(f"{path}: unknown time links {sorted(bad)}")
    return EventLexicon(
        reporting=frozenset(data["reporting"]), state=frozenset(data["state"]),
        stative=frozenset(data["stative_participles"]), skip_verbs=frozenset(data["skip_verbs"]),
        skip_forms=frozenset(data.get("skip_forms", [])),
        event_nouns=frozenset(data["event_nouns"]), aspectual_nouns=frozenset(data["aspectual_nouns"]),
        narrative_past=frozenset(data["narrative_past"]),
        light_verbs=frozenset(data.get("light_verbs", [])),
        organizations=frozenset(data.get("organization_heads", [])), signals=signals, classes=classes,
        irregular=dict(data.get("irregular", {})), habitual=frozenset(data.get("habitual", [])),
        negative_determiners=frozenset(data.get("negative_determiners", [])),
        narrative_adverbs=frozenset(data.get("narrative_adverbs", [])),
        version=str(data.get("version", "0")),
    )


def lemma_candidates(word: str, lex: EventLexicon) -> tuple[str, ...]:
    """Possible base forms of an English word (the pipeline runs without a lemmatizer)."""
    w = word.casefold().replace("’", "'")
    if w in lex.irregular:
        return (lex.irregular[w],)
    out = [w]
    if w.endswith("ies") and len(w) > 4:
        out.append(w[:-3] + "y")
    if w.endswith("ied") and len(w) > 4:
        out.append(w[:-3] + "y")
    for suf in ("ing", "ed"):
        if w.endswith(suf) and len(w) > len(suf) + 2:
            stem = w[: -len(suf)]
            out += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # stopped -> stop
    if w.endswith("es") and len(w) > 3:
        out.append(w[:-2])
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        out.append(w[:-1])
    return tuple(out)


def _in(token: Any, words: frozenset[str], lex: EventLexicon) -> str | None:
    for c in lemma_candidates(token.text, lex):
        if c in words:
            return c
    return None


# ------------------------------------------------------------------ parsing ----------------

def _pipeline(model: str | None) -> Any:
    from service.nlp import DEFAULT_MODEL, get_pipeline

    return get_pipeline(model or DEFAULT_MODEL)


def _assemble(nlp: Any, body: str, spans: list[tuple[int, int]], parsed: list[Any]) -> Any:
    """One Doc of exactly `body`: parsed story sentences, the text between them tokenized only."""
    from spacy.tokens import Doc

    from service.nlp import tokenize_only

    parts: list[Any] = []
    pos = 0
    for (a, b), d in zip(spans, parsed):
        if a > pos:
            parts.append(tokenize_only(nlp, body[pos:a]))
        parts.append(d)
        pos = b
    if pos < len(body):
        parts.append(tokenize_only(nlp, body[pos:]))
    if not parts:
        return nlp.make_doc(body)
    if len(parts) == 1:
        return parts[0]
    return Doc.from_docs(parts, ensure_whitespace=False, exclude=["tensor", "user_data"])


def parse(body: str, segmentation: Segmentation, model: str | None = None) -> Any:
    """A spaCy Doc of exactly `body` (char offsets line up), in which only the story sentences
    are tagged and parsed, each on its own (our sentence boundaries, not the parser's).
    Non-story text is tokenized so that offsets stay right, but carries no annotation."""
    return next(parse_many([(body, segmentation)], model))


def parse_many(items: Iterable[tuple[str, Segmentation]], model: str | None = None,
               batch_size: int = 64, n_process: int = 1) -> Iterator[Any]:
    """`parse` for a stream of articles, batching their sentences through one `nlp.pipe`
    (`n_process` > 1 forks spaCy workers; the Docs come back in order)."""
    nlp = _pipeline(model)
    pending: list[tuple[str, list[tuple[int, int]]]] = []
    texts: list[str] = []

    def flush() -> Iterator[Any]:
        docs = list(nlp.pipe(texts, batch_size=batch_size, n_process=n_process)) if texts else []
        k = 0
        for body, spans in pending:
            yield _assemble(nlp, body, spans, docs[k:k + len(spans)])
            k += len(spans)
        pending.clear()
        texts.clear()

    for body, seg in items:
        spans = [(s.start, s.end) for s in seg.sentences if s.story]
        pending.append((body, spans))
        texts.extend(body[a:b] for a, b in spans)
        if len(texts) >= batch_size * 4 * n_process:
            yield from flush()
    yield from flush()


# ------------------------------------------------------------------ helpers ----------------

_SUBJ = ("nsubj", "nsubjpass", "csubj", "expl")
_PRONOUNS = frozenset({"he", "she", "him", "her"})
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "’ll", "wo", "would"})
_MODAL_AUX = frozenset({"could", "may", "might", "should", "must", "can", "ca"})
_PERFECT_AUX = frozenset({"has", "have", "had", "'s", "'ve", "’s", "’ve", "'d", "’d"})
_PRESENT_AUX = frozenset({"is", "are", "am", "'re", "’re", "'m"})
_LOCATIVE = frozenset({"in", "at", "near", "into", "from", "across", "inside", "outside",
                       "toward", "towards", "around", "throughout", "to", "on"})
_PLACE_NOUNS = frozenset({"region", "city", "town", "village", "district", "province", "state",
                          "country", "border", "area", "capital", "territory", "oblast", "county",
                          "island", "port", "base", "airport", "street", "square"})


def _noun_phrase(token: Any, body: str) -> str:
    """A noun as written with its left modifiers ("the Russian Defense Ministry")."""
    left = token
    for c in token.lefts:
        if c.dep_ in ("det", "compound", "amod", "poss", "nummod", "nmod", "quantmod", "case") \
                or (c.dep_ == "punct" and c.text in "“”\"'‘’"):
            left = c.left_edge  # "Ukrainian" of "Ukrainian Deputy Defense Minister Ganna Maliar"
            break
    start = left.idx
    end = token.idx + len(token.text)
    text = body[start:end]
    return text.strip(" “”\"'‘’,")


# Children that start another clause: their words describe another event, not this one.
_OTHER_CLAUSE = frozenset({"ccomp", "relcl", "advcl", "conj", "parataxis", "xcomp", "csubj", "cc", "mark"})
MAX_CONTEXT_TOKENS = 40


def _clause_words(token: Any) -> str:
    """The trigger's own clause: its subtree without embedded or coordinated clauses."""
    keep: list[Any] = []
    if token.dep_ in ("relcl", "acl") and token.head.i != token.i:
        keep.append(token.head)  # "the group that had attacked": the antecedent takes part
    stack = [token]
    while stack and len(keep) < MAX_CONTEXT_TOKENS:
        t = stack.pop()
        keep.append(t)
        stack.extend(c for c in t.children if c.dep_ not in _OTHER_CLAUSE and not c.is_punct)
    return " ".join(t.text for t in sorted(keep, key=lambda t: t.i))


def _report_words(verb: Any) -> str:
    """A statement's speaker and content: the reporting verb's subtree without the clauses
    coordinated with it ("…, adding that …" is another statement); for a trailing "…, the
    governor said" the clause it attributes."""
    if verb.dep_ == "advcl" and verb.head.i != verb.i:
        # "…, the governor said, reporting at least 12 civilians injured": its own content
        # with the speaker of the verb it hangs on
        keep = list(verb.subtree) + [t for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")
                                     for t in c.subtree]
    else:
        root = verb.head if verb.dep_ == "parataxis" else verb
        keep = [t for c in root.children if c.dep_ not in ("advcl", "conj", "cc", "parataxis") or c.i == verb.i
                for t in c.subtree]
        keep.append(root)
    keep = sorted((t for t in keep if not t.is_punct), key=lambda t: t.i)[:MAX_CONTEXT_TOKENS * 2]
    return " ".join(t.text for t in keep)


def _speaker(verb: Any) -> Any | None:
    """The source of a reporting verb: its subject, its agent ("by X"), or for a trailing
    "…, X, wrote" the noun phrase right before it."""
    for c in verb.children:
        if c.dep_ in ("nsubj", "csubj"):
            return c
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    # "…, Vyacheslav Gladkov, Belgorod governor, wrote": the parser may lose the subject.
    if verb.dep_ not in ("conj", "parataxis"):
        return None
    i = verb.i - 1
    doc = verb.doc
    while i >= 0 and doc[i].is_punct:
        i -= 1
    if i >= 0 and doc[i].pos_ in ("PROPN", "NOUN"):
        t = doc[i]
        while t.dep_ in ("appos", "compound") and t.head is not t and t.head.i < verb.i:
            t = t.head
        return t
    return None


def _tense(verb: Any) -> str:
    """past | perfect | present | future | modal | nonfinite, from tags and auxiliaries."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.text.casefold() for a in auxes}
    if words & _FUTURE_AUX:
        return "future"
    if words & _MODAL_AUX:
        return "modal"
    if any(a.tag_ == "TO" for a in auxes) and verb.tag_ == "VB":
        return "nonfinite"
    if words & _PERFECT_AUX:
        return "past" if "had" in words or "'d" in words else "perfect"
    if verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes):
        return "past"
    if verb.tag_ in ("VBZ", "VBP") or words & _PRESENT_AUX:
        return "present"
    if verb.tag_ == "VBN" and verb.dep_ == "ROOT":
        return "past"
    return "nonfinite"


def _local_midnight(t: datetime, tz: Any) -> datetime:
    local = t.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


class _Mention:
    """Working state of one mention while its time is worked out."""

    __slots__ = ("token", "sentence", "kind", "tense", "reporter", "speaker", "link", "index",
                 "start", "end", "grain", "reason", "nominal", "participants", "places", "subject",
                 "according", "present_state", "pluperfect", "narrative", "anchored", "defaulted",
                 "speaker_named")

    def __init__(self, token: Any, sentence: tuple[int, int], kind: str, tense: str, nominal: bool):
        self.token = token
        self.sentence = sentence
        self.kind = kind
        self.tense = tense
        self.nominal = nominal
        self.reporter: _Mention | None = None
        self.speaker: str | None = None
        self.link: str | None = None
        self.index: int | None = None
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.grain: str | None = None
        self.reason = ""
        self.participants: list[str] = []
        self.places: list[str] = []
        self.subject: str | None = None
        self.according: str | None = None
        self.present_state = False
        self.pluperfect = False
        self.narrative = False  # dated by "previously", "earlier": within the story
        self.anchored = False  # dated by its own sentence: a time expression or "after X"
        self.defaulted = False  # its time is only the reference time (`_default_time`)
        self.speaker_named = False  # the speaker is written as a name ("Russia", "Vyacheslav Gladkov")

    @property
    def timed(self) -> bool:
        return bool(self.reason)

    def set(self, link: str | None, index: int | None, start: datetime | None, end: datetime | None,
            grain: str | None, reason: str) -> None:
        self.link, self.index, self.start, self.end, self.grain, self.reason = link, index, start, end, grain, reason

    def copy_time(self, other: "_Mention", reason: str) -> None:
        self.set(other.link, other.index, other.start, other.end, other.grain, reason)


# ------------------------------------------------------------------ extraction -------------

def extract_events(body: str, anchor: datetime, segmentation: Segmentation,
                   expressions: list[TimeExpression], doc: Any = None,
                   language: str = "en") -> list[EventMention]:
    """Event mentions of the story sentences of `body`, each with its time and source.

    `anchor` is the article's publication time (aware); `expressions` what the tagger found in
    the same body; `doc` the Doc `parse` made (parsed here when None).
    """
    if anchor.tzinfo is None or anchor.utcoffset() is None:
        raise ValueError("anchor must be timezone-aware")
    if not body.strip() or not (LEXICON_DIR / f"{language}.toml").is_file():
        return []  # no events vocabulary for this language yet: no mentions, never a guess
    if doc is None:
        doc = parse(body, segmentation)
    if len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) != len(body):
        raise ValueError("doc is not a parse of this body (text lengths differ)")
    lex = get_lexicon(language)
    return _Extractor(body, anchor, segmentation, expressions, doc, lex).run()


class _Extractor:
    def __init__(self, body: str, anchor: datetime, seg: Segmentation,
                 expressions: list[TimeExpression], doc: Any, lex: EventLexicon):
        self.body = body
        self.tz = anchor.tzinfo
        self.anchor = anchor.astimezone(timezone.utc)
        self.seg = seg
        self.exps = expressions
        self.doc = doc
        self.lex = lex
        local = anchor.astimezone(self.tz)
        self.day_start = _local_midnight(anchor, self.tz)
        self.day_end = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).astimezone(timezone.utc)
        # A date-only anchor (TimeML DCTs, midnight exactly) stands for the whole day.
        self.date_only = (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
        self.now = self.day_end if self.date_only else self.anchor
        self.named_start: datetime | None = None  # set once every sentence is linked
        self.story_start: datetime | None = None
        self.sentences_here: list[list[_Mention]] = []
        self.spans: list[Any] = []
        self.quoted: set[int] = set()  # token indices inside direct quotations
        self.attributes: dict[int, int] = {}  # trailing reporting verb -> the verb it attributes
        self.by_token: dict[int, _Mention] = {}
        self.mentions: list[_Mention] = []
        # made when salience first needs them (every mention has its time by then)
        self._dated_statements: dict[str, list[tuple[_Mention, frozenset[str]]]] | None = None  # by head word
        self._dated_happenings: dict[str, list[_Mention]] | None = None  # by meaning class
        self.time_tokens: set[int] = set()
        for e in expressions:
            sp = doc.char_span(e.start, e.end, alignment_mode="expand") if e.end <= len(body) else None
            if sp is not None:
                self.time_tokens.update(range(sp.start, sp.end))

    # -- the story's first day: the earliest recent day the article names ------------------
    def _story_start(self) -> datetime | None:
        """The earliest recent day (within STORY_WINDOW before the anchor) on which the
        article dates something that happened or held: the day its story begins. A day that
        only dates a statement does not count: a report on Tuesday says nothing of when what
        it reports began."""
        best: datetime | None = None
        for m in self.mentions:
            if m.kind == "reporting" or m.index is None or m.start is None or m.grain not in FINE_GRAINS:
                continue
            if not (self.anchor - STORY_WINDOW <= m.start <= self.anchor):
                continue
            if best is None or m.start < best:
                best = m.start
        return _local_midnight(best, self.tz) if best is not None else None

    def run(self) -> list[EventMention]:
        for s in self.seg.sentences:
            if not s.story:
                continue
            span = self.doc.char_span(s.start, s.end, alignment_mode="expand")
            if span is None or len(span) > MAX_SENTENCE_TOKENS or not any(t.dep_ for t in span):
                continue
            self.spans.append(span)
            self._mark_quotes(span)
            self._sentence(span, (s.start, s.end))
            if len(self.mentions) >= MAX_MENTIONS:
                break
        self.named_start = self._story_start()
        # The story's first day: the earliest recent day the article names for a happening.
        # Without one, untimed past events stay open before the anchor (no day is made up).
        self.story_start = self.named_start
        for m in self.mentions:
            # "previously", "earlier": before the anchor but within the story the article tells
            if m.narrative and m.start is None and self.named_start is not None and \
                    (m.end is None or self.named_start < m.end):
                m.start = self.named_start
                m.reason += " (earlier in the story: from the story's first named day)"
        for here in self.sentences_here:
            self._share_times(here)
        self._resolve_pronoun_speakers()
        for m in self.mentions:
            if m.kind == "reporting" and m.speaker is None and m.reporter is not None:
                m.speaker, m.speaker_named = m.reporter.speaker, m.reporter.speaker_named
        self._continue_narrative()
        for m in self.mentions:
            self._default_time(m, depth=0)
        self._refine_by_coreference()
        return [self._out(m) for m in self.mentions[:MAX_MENTIONS]]

    def _mark_quotes(self, span: Any) -> None:
        """Tokens inside a direct quotation of this sentence: a quoted stretch of three or more
        tokens with a verb. Scare quotes around a word or a name ("the Kremlin was
        “concerned”", an “anti-terror regime”) are the writer's own sentence."""
        marks = [t.text for t in span if t.text in ("“", "”", "«", "»")]
        inside = bool(marks) and marks[0] in ("”", "»")  # a quote opened in an earlier sentence
        stretch: list[Any] = []
        for t in list(span) + [None]:
            closing = t is None or t.text in ("“", "”", '"', "«", "»")
            if not closing:
                if inside:
                    stretch.append(t)
                continue
            if inside and len(stretch) >= 3 and any(x.pos_ in ("VERB", "AUX") for x in stretch):
                self.quoted.update(x.i for x in stretch)
            stretch = []
            if t is not None:
                inside = t.text in ("“", "«") or (t.text == '"' and not inside)

    # -- triggers --------------------------------------------------------------------------
    def _is_trigger(self, t: Any) -> tuple[str, str, bool] | None:
        """(kind, tense, nominal) when the token heads an event mention."""
        lex = self.lex
        if t.dep_ in ("amod", "compound", "aux", "auxpass", "prep", "det", "case", "punct"):
            return None
        if any(c.dep_ == "neg" for c in t.children) and t.pos_ in ("VERB", "AUX"):
            return None  # "did not result in casualties": nothing happened
        if t.pos_ == "VERB" and t.tag_.startswith("VB"):
            if _in(t, lex.skip_verbs, lex) or t.text.casefold() in lex.skip_forms:
                return None
            if t.text.casefold() in ("going", "gon") and any(c.dep_ == "xcomp" for c in t.children):
                return None  # "is going to": a future marker
            tense = _tense(t)
            if _in(t, lex.reporting, lex):
                return "reporting", tense, False
            if t.tag_ == "VBN" and t.text.casefold() in lex.stative and \
                    any(c.dep_ == "auxpass" for c in t.children) and not any(c.dep_ == "agent" for c in t.children):
                return "state", tense, False
            if _in(t, lex.state, lex):
                return "state", tense, False
            if tense == "present" and t.tag_ in ("VBZ", "VBP") and not any(c.dep_ == "aux" for c in t.children):
                return "present_state", tense, False  # simple present: a situation that holds
            return "occurrence", tense, False
        if t.pos_ == "AUX" and t.dep_ in ("ROOT", "ccomp", "conj", "advcl", "relcl", "xcomp", "parataxis"):
            # copula: the predicate is the trigger ("is ready", "was a target"), else "be"
            if _in(t, frozenset({"be"}), lex) and not any(c.dep_ in ("attr", "acomp", "oprd") for c in t.children) \
                    and any(c.dep_ == "prep" for c in t.children):
                return "state", _tense(t), False
            return None
        if t.dep_ in ("acomp", "attr", "oprd") and t.head.pos_ == "AUX" and _in(t.head, frozenset({"be"}), lex) \
                and t.pos_ in ("ADJ", "NOUN", "VERB") and not any(c.dep_ == "neg" for c in t.head.children):
            if t.pos_ != "NOUN" or _in(t, lex.event_nouns, lex):  # "is ready", "was a failure"
                return "state", _tense(t.head), False
            return None
        if t.pos_ == "NOUN" and t.dep_ not in ("compound", "npadvmod"):
            if _in(t, lex.event_nouns, lex):
                return "occurrence", "none", True
        return None

    def _absorbed(self, t: Any) -> bool:
        """'campaign' in 'the start of the campaign': the phase noun is the mention."""
        h = t.head
        if t.dep_ == "pobj" and h.text.casefold() == "of" and h.head is not h:
            return h.head.text.casefold() in self.lex.aspectual_nouns and h.head.pos_ == "NOUN"
        return False

    def _sentence(self, span: Any, bounds: tuple[int, int]) -> None:
        here: list[_Mention] = []
        for t in span:
            got = self._is_trigger(t)
            if got is None or (got[2] and self._absorbed(t)):
                continue
            m = _Mention(t, bounds, got[0], got[1], got[2])
            if m.kind == "present_state":
                m.kind, m.present_state = "state", True
            m.pluperfect = any(c.dep_ == "aux" and c.text.casefold() in ("had", "'d", "’d") for c in t.children)
            self._arguments(m)
            here.append(m)
            self.by_token[t.i] = m
        if not here:
            return
        self.mentions.extend(here)
        trailing = self._trailing_attributions(span)
        self.attributes.update({r.i: head for head, r in trailing.items()})
        for m in here:
            self._attribute(m, span, trailing)
        self._link_times(span, bounds, here)
        self._narrative_adverbs(here)
        self.sentences_here.append(here)

    def _arguments(self, m: _Mention) -> None:
        t = m.token
        parts: list[str] = []
        places: list[str] = []
        children = list(t.children)
        if t.dep_ in ("acomp", "attr", "oprd"):
            children += [c for c in t.head.children if c is not t]
        for c in children:
            if c.dep_ in ("nsubj", "nsubjpass", "dobj", "iobj", "attr", "poss") and c.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
                if c.tag_ in ("WDT", "WP") or c.text.casefold() in ("that", "which", "who", "it"):
                    continue
                np = _noun_phrase(c, self.body)
                if c.dep_ in ("nsubj", "nsubjpass", "poss") and m.subject is None:
                    m.subject = c.text.casefold()
                parts.append(np)
            elif c.dep_ in ("agent", "dative") or (c.dep_ == "prep" and c.text.casefold() in ("of", "against", "with", "by")):
                for g in c.children:
                    if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN") and g.i not in self.time_tokens:
                        parts.append(_noun_phrase(g, self.body))
            if c.dep_ == "prep" and c.text.casefold() in _LOCATIVE:
                for g in c.children:
                    if g.dep_ == "pobj" and self._is_place(g) and g.i not in self.time_tokens:
                        places.append(_noun_phrase(g, self.body))
        m.participants = list(dict.fromkeys(p for p in parts if p))
        m.places = list(dict.fromkeys(p for p in places if p))

    @staticmethod
    def _is_place(t: Any) -> bool:
        if t.pos_ == "PROPN":
            return True
        return t.text.casefold() in _PLACE_NOUNS and any(
            c.pos_ == "PROPN" and c.dep_ in ("compound", "poss") for c in t.children)

    # -- attribution -----------------------------------------------------------------------
    def _trailing_attributions(self, span: Any) -> dict[int, Any]:
        """Verb index -> reporting verb that attributes it from after a comma
        ("…, the governor said" / "…, Gladkov, governor, wrote on Telegram")."""
        out: dict[int, Any] = {}
        for t in span:
            m = self.by_token.get(t.i)
            if m is None or m.kind != "reporting" or t.dep_ not in ("conj", "parataxis", "advcl"):
                continue
            h = t.head
            if h.i >= t.i or h.i not in self.by_token:
                continue
            if any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in t.children):
                continue
            between = self.doc[h.i + 1:t.i]
            if not any(x.text == "," for x in between):
                continue
            if t.dep_ == "advcl" and t.tag_ == "VBG":
                continue  # "…, adding that …" reports its own complement
            out[h.i] = t
        return out

    def _attribute(self, m: _Mention, span: Any, trailing: dict[int, Any]) -> None:
        t = m.token
        if m.kind == "reporting":
            sp = _speaker(t)
            if sp is None and t.dep_ in ("advcl", "conj", "xcomp") and t.head.i in self.by_token:
                head = self.by_token[t.head.i]
                if head.kind == "reporting":
                    sp = _speaker(head.token)  # "…, the governor said, reporting …"
            m.speaker = (_noun_phrase(sp, self.body) or None) if sp is not None and sp.tag_ not in ("WDT", "WP") else None
            m.speaker_named = m.speaker is not None and sp is not None and sp.pos_ == "PROPN"
        # Climb to the nearest reporting verb whose complement holds this mention.
        node = t
        for _ in range(40):
            if node.i in trailing:
                r = self.by_token.get(trailing[node.i].i)
                if r is not None and r is not m:
                    m.reporter = r
                    return
            head = node.head
            if head is node:
                break
            r = self.by_token.get(head.i)
            if r is not None and r.kind == "reporting" and node.dep_ in ("ccomp", "parataxis", "dobj", "xcomp"):
                m.reporter = r
                return
            node = head
        # "According to X, …": X is the source of the sentence's main clause.
        for c in span.root.children:
            if c.dep_ == "prep" and c.text.casefold() == "according":
                for g in c.subtree:
                    if g.dep_ == "pobj":
                        m.according = _noun_phrase(g, self.body)
                        return

    def _resolve_pronoun_speakers(self) -> None:
        """'He added': the person named last as a subject before it. A person is a subject
        written with a first and last name ("Vyacheslav Gladkov"), or later by that last name
        alone ("Gladkov"); "Russia" or "the Defense Ministry" never is, so "he" skips them."""
        surnames: set[str] = set()
        roles: dict[str, str] = {}  # "governor" -> "Vyacheslav Gladkov"
        last: str | None = None
        for span in self.spans:
            for t in span:
                m = self.by_token.get(t.i)
                if m is not None and m.kind == "reporting" and m.speaker is not None:
                    said_by = m.speaker.casefold()
                    if said_by in _PRONOUNS and last is not None:
                        m.speaker, m.speaker_named = last, True
                    elif said_by.startswith("the ") and said_by.split()[-1] in roles:
                        m.speaker, m.speaker_named = roles[said_by.split()[-1]], True  # "the governor": named earlier
                if t.pos_ != "PROPN" or t.dep_ not in ("nsubj", "nsubjpass", "conj", "appos", "pobj"):
                    continue
                key = t.text.casefold()
                if key in self.lex.organizations:
                    continue
                first = t.i - 1 if t.i > 0 and t.doc[t.i - 1].pos_ == "PROPN" and t.doc[t.i - 1].dep_ == "compound" else None
                if first is not None and t.doc[first].text.casefold() not in self.lex.organizations:
                    surnames.add(key)
                    name = f"{t.doc[first].text} {t.text}"
                    for role in self._roles_of(t, first):
                        roles[role] = name
                    if t.dep_ in ("nsubj", "nsubjpass") or (m is None and t.head.i in self.by_token):
                        last = f"{t.doc[first].text} {t.text}"
                elif key in surnames and t.dep_ in ("nsubj", "nsubjpass"):
                    last = t.text

    @staticmethod
    def _roles_of(surname: Any, first: int) -> list[str]:
        """Common nouns that name a person's role where the name is written: "Belgorod
        governor Vyacheslav Gladkov", "Vyacheslav Gladkov, Belgorod governor", "the governor,
        Vyacheslav Gladkov". A later "the governor" is that person."""
        doc = surname.doc
        found = [c for i in (first, surname.i) for c in doc[i].children
                 if c.pos_ == "NOUN" and c.dep_ in ("compound", "appos")]
        if surname.dep_ == "appos" and surname.head.pos_ == "NOUN":
            found.append(surname.head)
        return [c.text.casefold() for c in found]  # the pipeline runs no lemmatizer

    # -- time links from the sentence's expressions ------------------------------------------
    def _link_times(self, span: Any, bounds: tuple[int, int], here: list[_Mention]) -> None:
        a, b = bounds
        inside = [(i, e) for i, e in enumerate(self.exps) if a <= e.start and e.end <= b]
        consumed: set[int] = set()
        for i, e in inside:
            if i in consumed or e.type not in ("DATE", "TIME"):
                continue
            es = self.doc.char_span(e.start, e.end, alignment_mode="expand")
            if es is None:
                continue
            root = es.root
            signal, attach = self._signal(root, es)
            if attach is None:
                continue
            start, end, grain = e.valid_from, e.valid_until, e.grain
            reason_extra = ""
            # "between 1999 and 2009": one interval over both.
            if signal == "between":
                for j, f in inside:
                    if j != i and f.start >= e.end and f.type in ("DATE", "TIME"):
                        fs = self.doc.char_span(f.start, f.end, alignment_mode="expand")
                        if fs is not None and fs.root.dep_ == "conj" and fs.root.head.i in range(es.start, es.end):
                            end = f.valid_until
                            consumed.add(j)
                            reason_extra = f" to {f.text!r}"
                            break
            narrative = e.valid_from is None and e.text.casefold() in self.lex.narrative_past
            target = self._trigger_above(attach)
            if target is None or target.timed:
                continue
            target.narrative = narrative
            link = self.lex.signals.get(signal, "at") if signal else "at"
            if link == "at" and grain not in FINE_GRAINS:
                link = "during"
            if target.present_state and end is not None and end <= self.anchor:
                target.kind, target.tense, target.present_state = "occurrence", "past", False
            s2, e2 = self._apply_link(link, start, end, target)
            target.anchored = True
            target.set(link, i, s2, e2, grain, f"{link} {e.text!r}{reason_extra} ({e.value}, {e.reason or e.resolved_against})")

    def _narrative_adverbs(self, here: list[_Mention]) -> None:
        """"He previously said eight people had been injured": an adverb of the narrative past
        that the tagger does not take for a time ("previously", "formerly") places a statement
        before the time under discussion, within the story the article tells: before the
        anchor, from the story's first named day (closed in `run`); it does not continue the
        narrative of the sentence before. Only a statement: what a source said earlier is part
        of the story, while "he previously held similar posts" may lie years back. Being no
        time expression, the adverb does not make the verb one its sentence dates."""
        for m in here:
            if m.timed or m.kind != "reporting" or m.reporter is not None or m.tense not in ("past", "perfect"):
                continue
            adverb = next((c for c in m.token.children
                           if c.dep_ == "advmod" and c.text.casefold() in self.lex.narrative_adverbs), None)
            if adverb is None:
                continue
            m.narrative = True
            m.set("before", None, None, self.now, None,
                  f"before the anchor: {adverb.text!r} places it earlier in the story")

    def _signal(self, root: Any, es: Any) -> tuple[str | None, Any | None]:
        """The preposition that introduces the expression and the token it attaches to."""
        t = root
        signal: str | None = None
        if t.dep_ == "pobj" and t.head.i not in range(es.start, es.end):
            p = t.head
            signal = p.text.casefold()
            attach = p.head if p.head is not p else None
            if attach is not None and attach.dep_ == "prep" and attach.text.casefold() in ("ahead", "prior"):
                attach = attach.head
            # Trap: "Russia said on Tuesday it had used …": the parser hangs the time on the
            # reported verb; a time between a reporting verb and a that-less complement's
            # subject belongs to the reporting verb.
            if attach is not None and attach.dep_ == "ccomp" and attach.head.i < p.i:
                rep = self.by_token.get(attach.head.i)
                subj = [c for c in attach.children if c.dep_ in _SUBJ]
                if rep is not None and rep.kind == "reporting" and not any(c.dep_ == "mark" for c in attach.children) \
                        and subj and p.i < subj[0].i:
                    attach = attach.head
            return signal, attach
        if t.dep_ == "pobj":
            return None, None
        if t.head is t:
            return None, None
        # a signal word inside the expression ("before" in "the day before" is part of it)
        first = es[0]
        if first.i > 0 and self.doc[first.i - 1].text.casefold() in self.lex.signals and \
                self.doc[first.i - 1].head.i in range(es.start, es.end):
            signal = self.doc[first.i - 1].text.casefold()
        return signal, t.head

    def _trigger_above(self, t: Any) -> _Mention | None:
        for _ in range(12):
            m = self.by_token.get(t.i)
            if m is not None:
                return m
            for c in t.children:  # a copula stands for its predicate
                if c.dep_ in ("acomp", "attr", "oprd") and c.i in self.by_token:
                    return self.by_token[c.i]
            if t.head is t:
                return None
            t = t.head
        return None

    def _apply_link(self, link: str, start: datetime | None, end: datetime | None,
                    m: _Mention) -> tuple[datetime | None, datetime | None]:
        past = m.tense in ("past", "perfect") or m.kind == "reporting"
        if link in ("at", "during"):
            return start, end
        if link == "before":
            return None, start
        if link == "after":
            return end, (self.now if past and end is not None and end < self.now else None)
        if link == "since":
            return start, (self.now if start is not None and start < self.now else None)
        if link == "until":
            return None, end
        return start, end

    # -- times shared with neighbours --------------------------------------------------------
    def _share_times(self, here: list[_Mention]) -> None:
        for _ in range(3):  # a few rounds: chains of two or three links
            changed = False
            for m in here:
                if m.timed:
                    continue
                src = self._neighbour_time(m)
                if src is not None:
                    other, how = src
                    if how.startswith("clause:"):
                        mark = how.split(":", 1)[1]
                        rel = {"since": "after", "after": "after", "before": "before", "until": "before",
                               "till": "before"}.get(mark)
                        if rel == "after":
                            m.set("since" if mark == "since" else "after", other.index,
                                  other.start if mark == "since" else other.end,
                                  self.now if m.tense in ("past", "perfect") else None, None,
                                  f"{mark} {other.token.text!r} ({other.reason})")
                        elif rel == "before":
                            m.set("before", other.index, None, other.start, None,
                                  f"{mark} {other.token.text!r} ({other.reason})")
                        else:
                            m.copy_time(other, f"{other.reason}; during its {mark}-clause {other.token.text!r}")
                    elif how == "after-phrase":
                        m.anchored = True
                        m.set("before", other.index, self._before_start(other.start), other.start,
                              other.grain, f"before {other.token.text!r} (it follows this one), from the story's first day")
                    else:
                        m.copy_time(other, f"{other.reason}; shared by {how} {other.token.text!r}")
                    changed = True
            if not changed:
                break

    def _before_start(self, end: datetime | None) -> datetime | None:
        if self.story_start is not None and end is not None and self.story_start < end:
            return self.story_start
        return None

    def _neighbour_time(self, m: _Mention) -> tuple[_Mention, str] | None:
        t = m.token
        bt = self.by_token
        # an event named in "after X" precedes the event the phrase modifies
        if m.nominal and t.dep_ == "pobj" and t.head.text.casefold() in ("after", "following"):
            h = self._trigger_above(t.head.head) if t.head.head is not t.head else None
            if h is not None and h.timed and h.start is not None:
                return h, "after-phrase"
        # conjoined verbs share a time ("said … and introduced"); same for a shared reporter
        if not m.nominal and t.dep_ == "conj" and t.head.i in bt:
            h = bt[t.head.i]
            if h.timed and not h.nominal and h.reporter is m.reporter:
                return h, "conjunction with"
        # a non-finite complement or an event nominal the verb happens at or during
        if not m.nominal:
            for c in t.children:
                cm = bt.get(c.i)
                if cm is not None and cm.timed and c.dep_ in ("xcomp", "pcomp") and cm.tense in ("nonfinite", "none"):
                    return cm, "its complement"
                if c.dep_ == "prep":
                    for g in c.children:
                        gm = bt.get(g.i)
                        if gm is not None and gm.timed and (
                                (g.dep_ == "pcomp" and gm.tense == "nonfinite") or
                                (g.dep_ == "pobj" and gm.nominal and c.text.casefold() in ("at", "during", "amid", "in"))):
                            return gm, "the event it happens at:" if gm.nominal else "its complement"
                if c.dep_ in ("nsubj", "nsubjpass"):
                    for g in c.children:
                        gm = bt.get(g.i)
                        if gm is not None and gm.timed and g.dep_ == "acl" and g.tag_ == "VBN":
                            return gm, "its subject's participle"
        # adverbial clauses: "since Moscow launched …", "when authorities battled …"
        if not m.nominal:
            for c in t.children:
                cm = bt.get(c.i)
                if c.dep_ == "advcl" and cm is not None and cm.timed:
                    mark = next((g.text.casefold() for g in c.children if g.dep_ in ("mark", "advmod")), None)
                    if mark in ("since", "after", "before", "until", "till", "when", "while", "as"):
                        return cm, f"clause:{mark}"
            if t.dep_ == "advcl" and t.head.i in bt and bt[t.head.i].timed:
                mark = next((g.text.casefold() for g in t.children if g.dep_ in ("mark", "advmod")), None)
                if mark in ("when", "while", "as"):
                    return bt[t.head.i], f"its {mark}-clause head"
        # an event noun held by a verb at the same time: "during his keynote", "held a meeting"
        if m.nominal and t.head is not t:
            p = t.head
            if t.dep_ == "pobj" and p.text.casefold() in ("during", "at", "amid", "throughout") and p.head.i in bt:
                h = bt[p.head.i]
                if h.timed and not h.nominal:
                    return h, "the verb it frames"
            if t.dep_ in ("dobj", "nsubjpass") and p.i in bt and _in(p, self.lex.light_verbs, self.lex):
                h = bt[p.i]
                if h.timed:
                    return h, "its light verb"
        # a participle clause shares its head's time ("…, adding that …", "confining himself")
        if not m.nominal and t.dep_ in ("advcl", "xcomp", "pcomp") and m.tense == "nonfinite" and t.head.i in bt:
            h = bt[t.head.i]
            if h.timed:
                return h, "its head"
        return None

    # -- the narrative's current reference time ---------------------------------------------
    def _actor(self, m: _Mention) -> tuple[str | None, bool]:
        """Head word of who acts (the subject, or the agent of a passive) and whether it is a
        proper name; pronouns come back as '<person>'."""
        t = m.token
        for c in t.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g.text.casefold(), g.pos_ == "PROPN"
        for c in t.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                w = c.text.casefold()
                if w in _PRONOUNS or w in ("he", "she"):
                    return "<person>", False
                return w, c.pos_ == "PROPN"
        return None, False

    def _continue_narrative(self) -> None:
        """An untimed simple-past main clause whose actor is the actor of a recent main clause
        dated to a day or finer ("Jobs said yesterday … Jobs also said …", "… He showed …")
        continues that narrative: it takes its time. Perfect tenses ("has denied") speak
        from the present and never continue a narrative; different actors do not either."""
        refs: dict[str, tuple[_Mention, int]] = {}
        for k, here in enumerate(self.sentences_here):
            for m in here:
                if m.reporter is not None or m.nominal or m.token.dep_ not in ("ROOT", "conj"):
                    continue
                if m.token.dep_ == "conj" and m.token.head.dep_ != "ROOT":
                    continue
                actor, proper = self._actor(m)
                if actor is None:
                    continue
                if not m.timed and m.tense == "past" and not m.pluperfect:
                    ref = refs.get(actor)
                    if ref is not None and k - ref[1] <= NARRATIVE_REACH:
                        r = ref[0]
                        m.set(r.link, r.index, r.start, r.end, r.grain,
                              f"continues the narrative of {r.token.text!r} by the same actor ({r.reason})")
                if m.timed and m.start is not None and m.grain in FINE_GRAINS and \
                        m.tense in ("past", "nonfinite", "none"):
                    refs[actor] = (m, k)
                    if proper:
                        refs["<person>"] = (m, k)

    # -- reference times for what the sentence leaves untimed -------------------------------
    def _default_time(self, m: _Mention, depth: int) -> None:
        if m.timed or depth > 8:
            return
        m.defaulted = True
        if m.reporter is not None and m.reporter is not m:
            r = m.reporter
            self._default_time(r, depth + 1)
            if not m.nominal and m.tense in ("future", "modal"):
                m.set("after", r.index, r.start, None, None,
                      f"future in {r.token.text!r}'s report: after the report")
            elif not m.nominal and m.tense == "present":
                m.set("during", r.index, r.start, r.end, r.grain,
                      f"present tense in {r.token.text!r}'s report: holds at the report")
            else:
                end = r.end if r.end is not None else self.now
                # Only a day the article names opens a reported event's bounds: never the
                # report's own day by default (it may have happened any time before).
                start = self.named_start if (self.named_start is not None and r.start is not None
                                             and self.named_start <= r.start) else None
                m.set("before", r.index, start, end, None,
                      f"reported by {r.token.text!r} without its own time: before the report's end"
                      + (", from the story's first day" if start is not None else ", open start"))
            return
        if m.nominal:
            gov = m.token.head
            gm = self._trigger_above(gov) if gov is not m.token else None
            if gm is not None and gm is not m and gm.tense in ("future", "modal"):
                m.set(None, None, None, None, None, "event named under a future or hypothetical verb: undated")
            else:
                m.set("before", None, None, self.now, None, "event named without a time: before the anchor")
            return
        if m.tense in ("future", "modal"):
            m.set("after", None, self.anchor, None, None, "future or hypothetical: after the anchor")
            return
        if (m.tense == "present" and m.kind != "reporting") or (m.kind == "state" and m.tense == "nonfinite"):
            m.set("during", None, self.day_start, self.day_end, "day",
                  "present tense: holds on the publication day (its full extent is not given)")
            return
        if m.tense == "nonfinite" and any(c.dep_ == "aux" and c.tag_ == "TO" for c in m.token.children):
            h = self._trigger_above(m.token.head) if m.token.head is not m.token else None
            if h is not None and h is not m:
                self._default_time(h, depth + 1)
                m.set("after", h.index, h.start, None, None, f"infinitive under {h.token.text!r}: after it starts")
            else:
                m.set(None, None, None, None, None, "infinitive: not asserted to have happened")
            return
        if m.pluperfect:
            m.set("before", None, None, self.now, None, "untimed past perfect: before the story, open start")
            return
        start = self._before_start(self.now)
        m.set("before", None, start, self.now, None,
              "untimed past event: between the story's first day (named in the article) and the anchor"
              if start is not None else "untimed past event: before the anchor, open start")

    # -- narrowing by another mention of the same happening ---------------------------------
    def _keys(self, m: _Mention) -> set[str]:
        lex = self.lex
        words: list[Any] = []
        if m.kind != "reporting" and not _in(m.token, frozenset({"be", "have"}), lex):
            words.append(m.token)
        for c in m.token.children:
            if c.dep_ in ("dobj", "attr", "acomp", "oprd"):
                words.append(c)
            if c.dep_ == "prep" and c.text.casefold() == "of":
                words += [g for g in c.children if g.dep_ == "pobj"]
        keys: set[str] = set()
        for w in words:
            cands = lemma_candidates(w.text, lex)
            keys.add("w:" + cands[0][:5])
            for name, members in lex.classes.items():
                if any(c in members for c in cands):
                    keys.add("c:" + name)
        return keys

    def _refine_by_coreference(self) -> None:
        keyed = [(m, self._keys(m)) for m in self.mentions]
        by_key: dict[str, list[int]] = {}
        for i, (n, kn) in enumerate(keyed):
            if n.start is not None and n.end is not None:
                for k in kn:
                    by_key.setdefault(k, []).append(i)
        for m, km in keyed:
            wide = m.start is None or m.end is None or m.grain not in FINE_GRAINS
            if not wide or not km or m.tense in ("future", "modal"):
                continue
            best: _Mention | None = None
            for i in sorted({i for k in km for i in by_key.get(k, ()) if len(by_key[k]) <= MAX_KEY_MENTIONS}):
                n, kn = keyed[i]
                if n is m or n.start is None or n.end is None or n.reason.startswith("narrowed"):
                    continue
                if not self._narrower(n, m):
                    continue
                shared = km & kn
                classes = {k for k in shared if k.startswith("c:")}
                same_subject = m.subject is not None and m.subject == n.subject
                if len(classes) >= 2 or (same_subject and shared):
                    if best is None or (n.end - n.start) < (best.end - best.start):  # type: ignore[operator]
                        best = n
            if best is not None:
                m.set(m.link or "at", best.index, best.start, best.end, best.grain,
                      f"narrowed by another mention of the same happening, {best.token.text!r} "
                      f"({best.reason}); was: {m.reason}")

    @staticmethod
    def _narrower(n: _Mention, m: _Mention) -> bool:
        """n's interval is finer than m's and starts inside it."""
        assert n.start is not None and n.end is not None
        if m.start is not None and n.start < m.start:
            return False
        if m.end is not None and n.start >= m.end:
            return False
        if m.start is not None and m.end is not None and (n.end - n.start) >= (m.end - m.start):
            return False
        return True

    # -- output ----------------------------------------------------------------------------
    def _out(self, m: _Mention) -> EventMention:
        t = m.token
        attributed = m.speaker if m.kind == "reporting" else (m.reporter.speaker if m.reporter else m.according)
        return EventMention(
            sentence_start=m.sentence[0], sentence_end=m.sentence[1],
            trigger_start=t.idx, trigger_end=t.idx + len(t.text), trigger=t.text,
            kind=m.kind,  # type: ignore[arg-type]
            attributed_to=attributed, participants=m.participants, places=m.places,
            time_link=m.link,  # type: ignore[arg-type]
            time_index=m.index, valid_from=m.start, valid_until=m.end, grain=m.grain,
            reason=m.reason,
            context=_report_words(t) if m.kind == "reporting" else _clause_words(t),
            salient=self._salient(m),
        )

    def _salient(self, m: _Mention) -> bool:
        """A timeline shows what a sentence asserts happened, not every verb of it. Shown: a
        mention its own sentence dates (a time expression, "after the raid"); a statement
        with a known speaker made by a main verb; a happening asserted by a main clause or
        by what a statement reports. Not shown (kept and linked): nouns and side clauses
        without their own time, simple-present situations ("the region borders Ukraine"),
        future, modal or infinitive verbs, and undated statements the timeline already holds:
        a source's standing position in the perfect beside its dated statements, a report of a
        happening the article dates elsewhere."""
        t = m.token
        if m.tense == "modal" or any(c.text.casefold() in self.lex.habitual for c in t.children):
            return False  # "could undermine", "repeatedly shelled": not one dated happening
        if t.i in self.quoted:
            return False  # inside a direct quote: the statement is the event, not its words
        if m.kind == "reporting" and self._attributes_shown_news(t):
            return False  # "Drones struck …, authorities said Tuesday": the news is what they said
        if m.kind == "reporting" and self._second_verb_of_statement(t):
            return False  # "The Kremlin expressed concern and called for …": one statement, shown once
        if m.anchored:
            return m.start is not None or m.end is not None
        if m.kind == "reporting" and self._standing_position(m):
            return False  # "Russia has accused Kiev of …" beside "Russia said on Tuesday …"
        if m.kind == "reporting" and self._reports_a_told_happening(m):
            return False  # "The governor said towns had been shelled" beside "… shelled on Monday"
        if self._ongoing_up_to_now(m):
            return False  # "Russia has been reinforcing the front line": a trend, not a happening
        if m.nominal or m.present_state or m.kind == "state" or m.tense in ("future", "nonfinite"):
            return False
        if m.kind == "reporting":
            if m.speaker is None or m.speaker.casefold() in _PRONOUNS:
                return False
            if any(c.dep_ == "ccomp" and c.i in self.quoted for c in t.children):
                return False  # an undated attribution of a quote ("…,” says Olga)
        return self._main_clause(t, depth=0)

    @staticmethod
    def _speaker_words(m: _Mention) -> tuple[str, ...] | None:
        """The words of a named source ("Belgorod governor Vyacheslav Gladkov"), head last."""
        return tuple(m.speaker.casefold().split()) or None if m.speaker_named and m.speaker else None

    def _standing_position(self, m: _Mention) -> bool:
        """A statement in the present perfect with no time of its own ("Russia has accused Kiev
        of being behind the attack"), by a source whose statement within the story the article
        dates ("Russia said on Tuesday …"). The perfect cannot place an act in the past; it
        tells where the source stands at the time of writing, which sums up what the dated
        statements say: the timeline shows the source's statement there. A perfect that is the
        article's only word from its source ("Kyiv has denied any involvement") is shown.
        One source: the same name at the head of both, the words of one name all in the other
        ("Vyacheslav Gladkov" / "Belgorod governor Vyacheslav Gladkov"; never "Juanita
        Castro" / "Fidel Castro")."""
        words = self._speaker_words(m)
        if m.tense != "perfect" or m.nominal or not m.defaulted or words is None:
            return False
        if self._dated_statements is None:
            since = self.anchor - STORY_WINDOW
            self._dated_statements = {}
            for n in self.mentions:
                nw = self._speaker_words(n)
                if n.kind == "reporting" and n.anchored and nw is not None and n.start is not None and n.start >= since:
                    self._dated_statements.setdefault(nw[-1], []).append((n, frozenset(nw)))
        mine = frozenset(words)
        return any(n is not m and (mine <= theirs or theirs <= mine)
                   for n, theirs in self._dated_statements.get(words[-1], ()))

    def _meaning(self, t: Any) -> set[str]:
        """The meaning classes of a happening: of its verb or noun, of its direct object, and of
        the nouns completing it through a preposition other than a time signal ("subjected to
        bombardments", "came under fire"; not "after the bombing")."""
        words = [t, *(c for c in t.children if c.dep_ == "dobj"),
                 *(g for c in t.children if c.dep_ == "prep" and c.text.casefold() not in self.lex.signals
                   for g in c.children if g.dep_ == "pobj")]
        return {name for w in words for cand in lemma_candidates(w.text, self.lex)
                for name, members in self.lex.classes.items() if cand in members}

    def _reports_a_told_happening(self, m: _Mention) -> bool:
        """A statement with no time of its own that reports, after its verb, a past happening
        with no time of its own either ("Gladkov said several locations had been subjected to
        numerous bombardments"), when another sentence of the article tells and dates a shown
        happening of the same meaning whose time fits ("fighters attacked several towns on
        Monday"): what the statement reports is already on the timeline, and the statement is a
        source of it, not news of its own. A reported happening with a negated participant ("no
        assault had begun") is news of its own."""
        if m.nominal or not m.defaulted:
            return False
        for c in m.token.children:
            cm = self.by_token.get(c.i)
            if c.dep_ != "ccomp" or c.i < m.token.i or cm is None or cm.kind != "occurrence" \
                    or cm.anchored or cm.tense not in ("past", "perfect"):
                continue
            if any(g.dep_ == "det" and g.text.casefold() in self.lex.negative_determiners
                   for a in cm.token.children if a.dep_ in _SUBJ or a.dep_ == "dobj" for g in a.children):
                continue
            meaning = self._meaning(cm.token)
            if not meaning:
                continue
            if self._dated_happenings is None:
                self._dated_happenings = {}
                for n in self.mentions:
                    if n.kind == "occurrence" and n.anchored and n.start is not None and n.end is not None:
                        for name in self._meaning(n.token):
                            self._dated_happenings.setdefault(name, []).append(n)
            for n in (n for name in sorted(meaning) for n in self._dated_happenings.get(name, ())):
                if n.sentence == m.sentence:
                    continue
                assert n.start is not None and n.end is not None
                if (cm.end is not None and n.start >= cm.end) or (cm.start is not None and n.end <= cm.start):
                    continue  # the dated happening lies outside what the report allows
                if self._salient(n):
                    return True
        return False

    def _second_verb_of_statement(self, t: Any) -> bool:
        """A reporting verb coordinated with an earlier one and sharing its subject ("The
        Kremlin expressed concern and called for greater efforts"): the second verb tells more
        of the same statement, which the first one shows."""
        if t.dep_ != "conj" or t.head.i >= t.i or any(c.dep_ in _SUBJ for c in t.children):
            return False
        head = self.by_token.get(t.head.i)
        return head is not None and head.kind == "reporting" and self._salient(head)

    def _ongoing_up_to_now(self, m: _Mention) -> bool:
        """A perfect progressive with no time of its own ("has been reinforcing", "have been
        fleeing"): an activity stretching up to the time of writing, with no point or span a
        timeline could place it at."""
        t = m.token
        if m.nominal or t.tag_ != "VBG" or m.tense != "perfect":
            return False
        return any(c.dep_ == "aux" and c.text.casefold() == "been" for c in t.children)

    def _attributes_shown_news(self, t: Any) -> bool:
        """A trailing attribution ("X happened, the governor said") of a clause that is shown:
        the attribution is kept as the event's source, not shown as news of its own."""
        content = [c for c in t.children if c.dep_ == "ccomp" and c.i < t.i]
        if (t.dep_ == "parataxis" and t.head.i < t.i) or t.i in self.attributes:
            content.append(t.head if t.i not in self.attributes else self.doc[self.attributes[t.i]])
        return any((c_m := self.by_token.get(c.i)) is not None and c_m.kind != "reporting" and self._salient(c_m)
                   for c in content)

    def _main_clause(self, t: Any, depth: int) -> bool:
        """The sentence's main verb, a verb coordinated with it, or the news clause of a trailing
        attribution ("Nine towns were evacuated, the governor said"). What a statement made
        first reports ("Russia said its troops were battling") is shown through the statement,
        unless its own time is given."""
        if depth > 4:
            return False
        if t.dep_ == "ROOT" or (t.dep_ == "parataxis" and t.head.dep_ == "ROOT"):
            return True
        head = self.by_token.get(t.head.i)
        if t.dep_ == "ccomp" and head is not None and head.kind == "reporting":
            return head.token.i > t.i and self._main_clause(head.token, depth + 1)
        return t.dep_ == "conj" and self._main_clause(t.head, depth + 1)
