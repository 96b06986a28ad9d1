"""Checks of an article body before the pipeline reads it: HTML left in it, and a language
other than the one declared. Each finding becomes a warning stored with the article's run.

Both are cheap, linear and need nothing beyond what the service has (RE2 patterns, `str.find`,
set look-ups).

HTML markup. Tags are not words: the parser makes tokens and junk sentences of `href`, `class`
or `div`, a `<p>` between two paragraphs glues them into one line, and `On <b>Monday</b>`
splits an expression. So the pipeline reads the body with every tag of a known HTML element,
every comment and the content of `<script>` and `<style>` replaced by spaces of the same length
(`&nbsp;` too): the stored body stays exactly what was sent (its content hash, its versions,
what /annotations shows), and every offset the pipeline stores still points into it. A tag of
a block element (`<p>`, `<br>`, `<div>`, `<li>`, ...) becomes a newline and spaces, so that its
paragraphs stay paragraphs. Other entities (`&amp;`, `&#39;`) are left as they are: replacing
them would change the length or split words. Angle brackets that are not a known element
(`<Reuters>`, `a < b`) are text.

Language. A body declared English is checked for what share of its words are English function
words (`the`, `of`, `and`, `said`, ... in `FUNCTION_WORDS`; `english_share`): 29% of the words
of the median TimeBank/AQUAINT document and at least 17% in each of the 256, 29-30% in the seed
articles, 0% in a French, Spanish, German, Italian, Portuguese or Dutch news paragraph. Below
`MIN_ENGLISH_SHARE` (8%), over at least `MIN_WORDS` words, the body does not look English; the
same count over short lists of those six languages' function words names the language when one
stands out, and a body mostly in letters of another script (Cyrillic, Arabic, Chinese, ...) is
named by its script. A long list of names and scores gets the warning too (it is not prose
either). The article is still processed as declared (the declaration is the sender's, and a
heuristic must never drop an article's events on its own); the warning says what to resend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import re2

__all__ = ["Checked", "check_body", "blank_markup", "guess_language", "english_share",
           "MIN_ENGLISH_SHARE", "MIN_WORDS", "MIN_LETTERS"]

# ------------------------------------------------------------------ markup ------------------

_BLOCK = frozenset("""address article aside blockquote body br caption dd div dl dt figcaption
figure footer form h1 h2 h3 h4 h5 h6 head header hr html li main nav ol p pre section table tbody
td tfoot th thead title tr ul""".split())
_INLINE = frozenset("""a abbr audio b bdi bdo big button cite code del dfn em font i iframe img
input ins kbd label link mark meta noscript option path picture q s samp select small source
span strike strong sub summary sup svg template textarea time track u var video wbr center
details script style""".split())
HTML_ELEMENTS = _BLOCK | _INLINE
# `<name>`, `<name ...>`, `</name>`, `<name/>`: the name, then nothing or white space or `/`
# and anything up to the next `>` that is not a `<`.
_TAG = re2.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})(?:[\s/][^<>]*)?>")
_NBSP = re2.compile(r"(?i)&nbsp;|&#160;|&#xa0;")
_RAW_TEXT = ("script", "style")


def blank_markup(body: str) -> tuple[str, list[str], int]:
    """`body` with HTML tags, comments, script/style content and `&nbsp;` replaced by white
    space of the same length; the element names found (in order of first appearance) and how
    many tags were blanked. A body without markup comes back as it is."""
    if "<" not in body and "&" not in body:
        return body, [], 0
    out = list(body)
    names: dict[str, None] = {}
    count = 0
    lowered = body.lower()

    def blank(a: int, b: int, newline: bool = False) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "
        if newline and b > a:
            out[a] = "\n"

    pos = 0
    while True:  # comments first: a tag inside a comment is the comment's
        a = body.find("<!--", pos)
        if a < 0:
            break
        b = body.find("-->", a + 4)
        b = len(body) if b < 0 else b + 3
        blank(a, b)
        count += 1
        pos = b
    for m in _TAG.finditer(body):
        name = m.group(2).lower()
        if name not in HTML_ELEMENTS or out[m.start()] != "<":
            continue  # not HTML, or inside a comment or a script already blanked
        names.setdefault(name, None)
        count += 1
        blank(m.start(), m.end(), newline=name in _BLOCK)
        if name in _RAW_TEXT and not m.group(1):
            close = lowered.find(f"</{name}", m.end())
            blank(m.end(), len(body) if close < 0 else close)
    for m in _NBSP.finditer(body):
        if out[m.start()] == "&":
            blank(m.start(), m.end())
            names.setdefault("&nbsp;", None)
    if not names:
        return body, [], 0
    return "".join(out), list(names), count


# ------------------------------------------------------------------ language ----------------

MIN_WORDS = 30
MIN_LETTERS = 100
MIN_ENGLISH_SHARE = 0.08
# Only the start of a long body is read: enough words to judge, bounded work.
_SAMPLE_CHARS = 20_000
# Words are white-space separated runs with their punctuation stripped (str.split is several
# times faster than a regex here, and this runs on every article).
_PUNCT = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()) + "“”‘’«»„‚‹›—–…¿¡·"

# Frequent function words. A word in two of these lists counts for neither (see `_LISTS`),
# so "a", "in", "de", "la", "die", "is" decide nothing.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "English": frozenset("""the of and to that for it with his be at by this had not are but from
or have they which you were her she there would their we him been has when who said its than
after what about into could also over more these those them such while did does being other""".split()),
    "French": frozenset("""le la les des du et une est dans que qui pour pas sur au aux avec il elle
ce cette son sa ses par plus ont été sont mais ou nous vous leur était être fait selon après
entre aussi comme""".split()),
    "Spanish": frozenset("""el los las del y en una es que se por con para su sus al lo como más
pero fue ha han este esta entre sobre también muy sin hasta donde según desde""".split()),
    "German": frozenset("""der die das und ist nicht ein eine einen dem den des mit sich auf für
von zu im sie es wird wurde auch noch nach bei aus hat haben sind war werden dass oder aber""".split()),
    "Italian": frozenset("""il lo gli della delle dei degli di e che è non un una per con sono nel
nella alla al del ha anche come più ma si questo questa tra dopo stato""".split()),
    "Portuguese": frozenset("""o os as da das do dos e é em um uma que não com para por se na no nas
nos ao mais foi são ser seu sua mas também pelo pela ele ela""".split()),
    "Dutch": frozenset("""de het een en van is dat die niet op te met voor zijn er aan ook als bij
door naar om werd wordt heeft hebben maar nog worden""".split()),
}


def _distinct(lists: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    seen: dict[str, int] = {}
    for words in lists.values():
        for w in words:
            seen[w] = seen.get(w, 0) + 1
    return {lang: frozenset(w for w in words if seen[w] == 1) for lang, words in lists.items()}


_LISTS = _distinct(FUNCTION_WORDS)

# Letters outside the Latin script, by block: the script a body is mostly written in.
_SCRIPTS = ((0x0370, 0x0400, "Greek script"), (0x0400, 0x0530, "Cyrillic script"),
            (0x0590, 0x0600, "Hebrew script"), (0x0600, 0x0780, "Arabic script"),
            (0x0900, 0x0980, "Devanagari script"), (0x0E00, 0x0E80, "Thai script"),
            (0x3040, 0x3100, "Japanese kana"), (0x3400, 0xA000, "Chinese characters"),
            (0xAC00, 0xD7B0, "Korean Hangul"))


def _script(ch: str) -> str | None:
    o = ord(ch)
    if o < 0x0250:
        return "Latin"
    for lo, hi, name in _SCRIPTS:
        if lo <= o < hi:
            return name
    return None


def english_share(words: list[str]) -> float:
    english = _LISTS["English"]
    return sum(1 for w in words if w in english) / len(words) if words else 0.0


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    words: int
    english_share: float
    looks_like: str | None  # "looks like French", "is mostly written in Cyrillic script", or None


def guess_language(text: str) -> LanguageGuess | None:
    """What the body looks like, when it clearly does not look English; None when it does
    (or when it is too short to tell)."""
    words = [w for w in (t.strip(_PUNCT).lower() for t in text[:_SAMPLE_CHARS].split()) if w and w[0].isalpha()]
    letters: dict[str | None, int] = {}
    for w in words:
        name = _script(w[0])
        letters[name] = letters.get(name, 0) + len(w)
    total = sum(letters.values())
    if total >= MIN_LETTERS:
        script, most = max(letters.items(), key=lambda kv: kv[1])
        if script not in ("Latin", None) and most > total / 2:
            # scripts without spaces (Chinese) make few "words": judge by letters
            return LanguageGuess(len(words), english_share(words), f"is mostly written in {script}")
    if len(words) < MIN_WORDS:
        return None
    share = english_share(words)
    if share >= MIN_ENGLISH_SHARE:
        return None
    shares = sorted(((sum(1 for w in words if w in lst) / len(words), lang)
                     for lang, lst in _LISTS.items() if lang != "English"), reverse=True)
    (best, lang), (second, _) = shares[0], shares[1]
    named = f"looks like {lang}" if best >= 0.12 and best >= 1.5 * second else None
    return LanguageGuess(len(words), share, named)


# ------------------------------------------------------------------ entry point -------------

@dataclass(frozen=True, slots=True)
class Checked:
    text: str  # what the pipeline reads: the body, or the body with its markup blanked out
    warnings: list[str] = field(default_factory=list)


def check_body(body: str, language: str) -> Checked:
    """The text the pipeline should read (same length as `body`) and the warnings to store."""
    warnings: list[str] = []
    text, names, count = blank_markup(body)
    if names:
        shown = ", ".join(n if n.startswith("&") else f"<{n}>" for n in names[:4])
        more = ", …" if len(names) > 4 else ""
        warnings.append(f"HTML markup found in the body ({shown}{more}): {count:,} tags, comments or entities "
                        "were blanked out (replaced by spaces of the same length, so offsets into the stored "
                        "body still hold) before tagging; send plain text to avoid this")
    if language == "en" and text.strip():
        guess = guess_language(text)
        if guess is not None:
            what = guess.looks_like or "does not look like English"
            warnings.append(
                f"the body {what}, not English as declared (only {guess.english_share:.0%} of its first "
                f"{guess.words:,} words are English function words; English news has 17% or more): English "
                "rules may miss or misread its time expressions and events; if it is not English, "
                "send it again with its \"language\" code")
    return Checked(text, warnings)
