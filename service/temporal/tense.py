"""Tense of the clause that governs a time expression, from a spaCy dependency parse.

Only bare weekdays, months, seasons and holidays ask; their sentences are parsed in one
batch (or read from the caller's Doc), so articles without such expressions never pay.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

Tense = Literal["past", "future", "present", "none"]

_FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "going", "gon"})
# Verbs whose infinitive complement is still to come: "plans to meet on Friday".
_PROSPECTIVE = frozenset({"plan", "plans", "planned", "expect", "expects", "expected", "intend",
                          "intends", "scheduled", "set", "due", "hope", "hopes", "want", "wants",
                          "agreed", "agree", "agrees", "promised", "vowed", "is", "are", "was"})
_MAX_SENTENCE = 1000
# Parsing is the costly part of tagging (~70 kchars/s): a text gets at most this many
# characters parsed for tense; past it, tense comes from the fast path's cue words. A news
# article needs a few hundred; hostile text ("Monday Monday Monday ...") stays bounded.
MAX_PARSED_CHARS = 30_000


def verb_tense(token: Any) -> Tense:
    """Climb from the expression's token to its governing verb and read its tense."""
    seen = 0
    t = token
    while seen < 12:
        seen += 1
        if t.pos_ in ("VERB", "AUX") or t.tag_ in ("MD",):
            tense = _tense_at(t)
            if tense == "present" and _scheduled_present(token, t):
                return "future"
            return tense
        if t.head is t:
            return "none"
        t = t.head
    return "none"


# Verbs that put their date ahead even in the past tense: "scheduled a meeting Thursday".
_SCHEDULING = frozenset({"scheduled", "planned", "postponed", "delayed", "slated", "due",
                         "expected", "planning", "scheduling", "plans", "adjourned", "deferred"})
# A plan made before a past time ("had been scheduled to expire Friday", "as previously
# planned") is told from after the date it names: the date is past.
_EARLIER_PLAN = frozenset({"previously", "originally", "initially"})
# Dependencies of a non-finite clause that modifies another clause (not a noun).
_ADJUNCT_CLAUSE = frozenset({"advcl", "xcomp", "pcomp"})


# Present-tense verbs that state, report or hold rather than tell an event to come.
_STATIVE = frozenset({"be", "have", "say", "tell", "report", "know", "think", "believe", "want",
                      "need", "seem", "remain", "own", "hold", "show", "mean", "include",
                      "contain", "follow", "compare", "represent", "reflect", "cost", "total",
                      "stand", "expect", "estimate", "accuse", "claim", "insist", "argue",
                      "deny", "confirm", "note", "add", "indicate", "suggest", "see", "feel"})
# Verbs whose past is spelled as their present ("hurt", "cut"): a tagger's VBP may be a past.
_SAME_PAST = frozenset({"hit", "hurt", "cut", "put", "set", "let", "shut", "cost", "spread", "quit",
                        "bid", "burst", "cast", "beat", "split", "upset", "broadcast", "forecast",
                        "read", "shed", "slit", "thrust", "bet", "rid", "fit"})
_PRESENT_IN_ED = frozenset({"need", "feed", "proceed", "succeed", "exceed", "bleed", "speed", "breed",
                            "heed", "seed", "shed", "wed", "embed"})
# The simple-present forms of those verbs (the parse carries no lemmas).
_STATIVE_FORMS = frozenset({f for w in _STATIVE for f in (w, w + "s", w + "es", w[:-1] + "ies")}
                           | {"is", "are", "am", "'s", "'re", "has", "does", "do"})


def _scheduled_present(token: Any, verb: Any) -> bool:
    """An event verb in the simple present with a day as its own adjunct tells a timetable:
    "Arafat and Netanyahu meet separately Monday", "the talks resume on Friday"."""
    low = verb.text.lower()
    if verb.tag_ not in ("VBZ", "VBP") or low in _STATIVE_FORMS | _SAME_PAST:
        return False
    if low.endswith("ed") and low not in _PRESENT_IN_ED:
        return False  # a past the tagger read as a present ("Russia on Monday decreed")
    if any(c.dep_ in ("aux", "auxpass", "neg") for c in verb.children):
        return False
    head = token.head
    if head.i == verb.i:
        return token.dep_ in ("npadvmod", "obl", "nmod:tmod", "dobj")
    return head.dep_ == "prep" and head.text.lower() == "on" and head.head.i == verb.i


def _tense_at(verb: Any) -> Tense:
    low = verb.text.lower()
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.text.lower() for a in auxes}
    if low in _SCHEDULING or (low == "set" and any(a.dep_ == "auxpass" for a in auxes)):
        # "set" schedules only as a passive ("is set for Friday"); active or as a
        # modifier it is a past act ("set Friday as the deadline", "a record set Aug. 6").
        if "had" in words or any(c.text.lower() in _EARLIER_PLAN for c in verb.children):
            return "past"
        return "future"
    if words & _FUTURE_AUX or any(a.tag_ == "MD" and a.text.lower() in ("will", "shall") for a in auxes):
        return "future"
    if "would" in words and "have" not in words:
        # Reported future ("said the split would be paid in January"): ahead of the report,
        # which news dates at or just before the anchor; "would have" is a past counterfactual.
        return "future"
    if verb.tag_ == "VB" and any(c.dep_ == "aux" and c.tag_ == "TO" for c in verb.children):
        head = verb.head
        if head is not verb and head.text.lower() in _PROSPECTIVE:
            return "future"
        if head is not verb and head.pos_ in ("VERB", "AUX"):
            return _tense_at(head)
    if (verb.tag_ in ("VBG", "VBN") and not auxes and verb.dep_ in _ADJUNCT_CLAUSE
            and verb.head.i != verb.i and verb.head.pos_ in ("VERB", "AUX")):
        # A participle clause has no tense of its own: it shares its matrix clause's time
        # ("has fluctuated, rising to a high in June from $29.75 in March", "After touring
        # Dar es Salaam Thursday, the chief said").
        return _tense_at(verb.head)
    if verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes):
        return "past"
    if verb.tag_ == "VBN" and words & {"has", "have", "had", "'s", "'ve"}:
        return "past"
    if verb.tag_ == "VBN" and verb.dep_ in ("ROOT", "acl"):
        # A bare past participle, as a clause or reducing a relative clause ("the year
        # ended March 31", "the contract signed Monday"), tells a completed event.
        return "past"
    if verb.tag_ in ("VBZ", "VBP", "VBG") or words & {"is", "are", "am"}:
        if verb.tag_ == "VBG" and words & {"is", "are", "am", "'re", "'s"}:
            return "future"  # news present progressive with a date: "is meeting on Friday"
        return "present"
    return "none"


# Words a dot abbreviates inside a sentence: a dot after them is no sentence end.
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
                  "gov", "sen", "rep", "u.s", "a.m", "p.m", "vs", "gen", "col", "lt", "sgt",
                  "capt", "adm", "rev", "sr", "jr", "ft", "mt"})


def _sentence_end(text: str, dot: int) -> bool:
    """Whether the '.', '!' or '?' at `dot` ends a sentence (the caller saw a space after it)."""
    i = dot
    while i > 0 and dot - i < 8 and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    word = text[i:dot].lower()
    if text[dot] == "." and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
        return False  # "Roe vs. Wade", "Sen. Kennedy", "J. Smith"
    k = dot + 1
    while k < len(text) and text[k] in " \t":
        k += 1
    # A sentence does not go on in lower case: "the Ala. office", "5 a.m. today".
    return not (k < len(text) and text[k].islower())


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """A cheap sentence window around [start, end): enough for the governing clause."""
    lo = max(0, start - _MAX_SENTENCE)
    s = start
    while s > lo:
        c = text[s - 1]
        if c == "\n" or (c in ".!?" and s < len(text) and text[s].isspace() and _sentence_end(text, s - 1)):
            break
        s -= 1
    hi = min(len(text), end + _MAX_SENTENCE)
    e = end
    while e < hi:
        c = text[e]
        if c == "\n":
            break
        e += 1
        if c in ".!?" and (e >= len(text) or text[e].isspace()) and _sentence_end(text, e - 1):
            break
    return s, e


# Lexical fast path: cues next to the expression that settle the tense without a parse.
# "said Tuesday", "Tuesday said", "will meet on Friday". Anything less clear goes to spaCy.
_PAST_NEIGHBOURS = frozenset({"said", "told", "announced", "reported", "added", "stated", "wrote",
                              "confirmed", "denied", "claimed", "declared", "was", "were", "had",
                              "did", "met", "began", "killed", "died", "arrested", "launched",
                              "attacked", "struck", "hit", "occurred", "happened", "took", "came",
                              "went", "held", "made", "released", "signed", "voted", "won", "lost"})
_FUTURE_CUES = frozenset({"will", "shall", "'ll", "’ll", "scheduled", "planned", "planning", "slated",
                          "due", "postponed", "delayed", "adjourned"})
_UNTIL = frozenset({"until", "till", "through"})
_EXTENDING = frozenset({"extend", "extends", "extended", "extending", "gave", "given", "gives",
                        "granted", "grants", "renewed"})
_CLAUSE_BREAKS = frozenset(",;:\"“”()—–")


def _words(fragment: str) -> list[str]:
    return [w.strip(".!?'\"“”’").lower() for w in fragment.split()]


def lexical_tense(text: str, start: int, end: int) -> Tense | None:
    """A confident tense from neighbouring words, or None when only a parse can tell."""
    lo = start
    while lo > 0 and start - lo < 120 and text[lo - 1] not in _CLAUSE_BREAKS and text[lo - 1] not in ".!?\n":
        lo -= 1
    before = _words(text[lo:start])
    after = _words(text[end:end + 40])[:2]
    if "effective" in before[-3:]:
        return "future"  # "effective Feb. 1", "effective as of June 1": when a change takes hold
    if "since" in before[-4:] and not any(w in _FUTURE_CUES for w in before[-4:]):
        return "past"  # "since Monday", "since shortly after the Oct. 23 slaying": before now
    if any(w in _FUTURE_CUES for w in before[-6:]):
        if any(w == "had" or w in _EARLIER_PLAN for w in before[-6:]):
            return "past"  # "had been scheduled to expire Friday": a plan told after its date
        return "future"
    if before[-1:] and before[-1] in _UNTIL:
        # "open until Thursday" runs ahead; "until Thursday, they had not..." looks back.
        lo_s, hi_s = sentence_bounds(text, start, end)
        words = _words(text[lo_s:start]) + _words(text[end:hi_s])
        if not any(w in _PAST_NEIGHBOURS or (len(w) > 4 and w.endswith("ed")) for w in words):
            return "future"
        if any(w in _EXTENDING for w in before):
            # A time granted up to a limit ("extended its deadline until Tuesday", "gave
            # them until Friday") runs from the recent act into the future.
            return "future"
    near = before[-2:] + after[:1]
    if any(w in _PAST_NEIGHBOURS for w in near):
        return "past"
    return None


def sentence_tense_guess(text: str, start: int, end: int) -> Tense:
    """The fast path without a parser: the sentence's own future or past verb forms."""
    lo, hi = sentence_bounds(text, start, end)
    words = _words(text[lo:start]) + _words(text[end:hi])
    if any(w in _FUTURE_CUES for w in words):
        return "future"
    if any(w in _PAST_NEIGHBOURS or (len(w) > 4 and w.endswith("ed")) for w in words):
        return "past"
    return "none"


class TenseOracle:
    """Answers tense questions by span, parsing each needed sentence at most once."""

    def __init__(self, text: str, doc: Any | None, pipeline: Callable[[], Any] | None) -> None:
        """`pipeline` None selects the fast path: lexical cues only, no parse."""
        self.text = text
        self.doc = doc
        self.pipeline = pipeline
        self.parsed: dict[tuple[int, int], Any] = {}
        self.budget = MAX_PARSED_CHARS

    @property
    def needs_parse(self) -> bool:
        """Whether an answer may cost a parse (no caller's Doc, the parser is on)."""
        return self.doc is None and self.pipeline is not None

    def cue(self, start: int, end: int) -> Tense | None:
        """The tense the words next to the span settle without a parse, if any."""
        return lexical_tense(self.text, start, end)

    def prepare(self, spans: list[tuple[int, int]]) -> None:
        """Parse, in one batch, the sentences of all spans that will ask."""
        if self.doc is not None or self.pipeline is None or not spans:
            return
        spans = [(s, e) for s, e in spans if lexical_tense(self.text, s, e) is None]
        windows = []
        for w in sorted({sentence_bounds(self.text, s, e) for s, e in spans} - set(self.parsed)):
            if w[1] - w[0] > self.budget:
                break
            self.budget -= w[1] - w[0]
            windows.append(w)
        if not windows:
            return
        nlp = self.pipeline()
        for w, doc in zip(windows, nlp.pipe(self.text[a:b] for a, b in windows)):
            self.parsed[w] = doc

    def __call__(self, start: int, end: int) -> Tense:
        cue = lexical_tense(self.text, start, end) if self.doc is None else None
        if cue is not None:
            return cue
        if self.doc is None and self.pipeline is None:
            return sentence_tense_guess(self.text, start, end)
        try:
            if self.doc is not None:
                span = self.doc.char_span(start, end, alignment_mode="expand")
                if span is None:
                    return "none"
                if not any(t.dep_ for t in span):
                    # text the caller's parse left unread (a run-on "sentence", a caption):
                    # the words around it, as on the fast path
                    return lexical_tense(self.text, start, end) or sentence_tense_guess(self.text, start, end)
                return verb_tense(span.root)
            w = sentence_bounds(self.text, start, end)
            if w not in self.parsed:
                self.prepare([(start, end)])
            if w not in self.parsed:  # over the parse budget
                return sentence_tense_guess(self.text, start, end)
            doc = self.parsed[w]
            span = doc.char_span(start - w[0], end - w[0], alignment_mode="expand")
            return verb_tense(span.root) if span is not None else "none"
        except Exception:  # a parser surprise must never cost the expression
            return "none"
