"""Read TimeML `.tml` files: the body text, its creation time and the gold annotations.

Handles the TempEval-3 TimeBank/AQUAINT files (free text with TIMEX3/EVENT/SIGNAL tags)
and the SemEval-2015 timeline files (tokenized `<s id=..>` sentences with EVENT tags).

- `text` is the TEXT element's character content with every tag stripped, entities
  decoded by the XML parser. One exception, on by default (`separate_sentences`): the
  SemEval files write `</s><s id=..>` with nothing between, which would glue the last
  word of one sentence to the first of the next ("2008The"); a newline is inserted after
  such a `</s>` (never inside a sentence). Pass `separate_sentences=False` for the bare
  character content. Every offset here is a Python `str` index into it, so
  `doc.text[t.start:t.end] == t.text` for every gold TIMEX3 and EVENT.
- `dct` is the creation-time TIMEX3 (`functionInDocument="CREATION_TIME"`) read as a
  tz-aware datetime: TimeML writes a date, maybe with a time, and no zone, so it is UTC.
  The DCT is never one of `timexes`.
- Sentences keep their `id` attribute; tokens are the whitespace-separated pieces of a
  sentence, numbered from 0 within it. A mention is named `DOCID-SENTENCE-TOKEN` as the
  SemEval-2015 timeline task does; its gold timelines write the token's *word* in the
  last place (`4596-6-sued`: sentence `id="6"`, the EVENT `sued`, which is token 5), so `resolve_mention`
  accepts either a 0-based token number or the word.

No regular expressions: XML parsing by `xml.etree`, the rest by plain string operations.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "GoldEvent",
    "GoldTimex",
    "Sentence",
    "TimeMLDocument",
    "TimeMLError",
    "Token",
    "iter_corpus",
    "parse_dct",
    "read_timeml",
    "read_timeml_string",
]


class TimeMLError(ValueError):
    """A file is not TimeML we can read (no TEXT, unreadable DCT, broken XML)."""


@dataclass(frozen=True, slots=True)
class GoldTimex:
    start: int
    end: int
    tid: str
    type: str
    value: str
    mod: str | None
    text: str


@dataclass(frozen=True, slots=True)
class GoldEvent:
    start: int
    end: int
    eid: str
    event_class: str | None
    text: str
    sentence_id: str | None = None  # the enclosing `<s id=..>`, when the file has sentences
    token_index: int | None = None  # 0-based index of the event's first token in its sentence


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    index: int  # 0-based within its sentence


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str
    start: int
    end: int
    tokens: tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class TimeMLDocument:
    doc_id: str
    dct: datetime | None
    dct_value: str | None
    title: str | None
    text: str
    timexes: tuple[GoldTimex, ...]
    events: tuple[GoldEvent, ...]
    sentences: tuple[Sentence, ...] = ()
    path: str | None = None
    _sentence_index: dict[str, Sentence] = field(default_factory=dict, repr=False, compare=False)

    def sentence(self, sentence_id: str) -> Sentence | None:
        return self._sentence_index.get(sentence_id)

    def mention_id(self, event: GoldEvent) -> str | None:
        """`DOCID-SENTENCE-TOKEN` (token 0-based) for an event of a sentence-split file."""
        if event.sentence_id is None or event.token_index is None:
            return None
        return f"{self.doc_id}-{event.sentence_id}-{event.token_index}"

    def resolve_mention(self, mention: str) -> GoldEvent | Token | None:
        """Find what `DOCID-SENTENCE-TOKEN` names in this document.

        TOKEN is either a 0-based token number or the token's word (the form of the
        SemEval-2015 trial gold timelines; several words are joined by `_`, as in
        `4954-2-court_case`, whose EVENT is `court`). Returns the gold EVENT at that token when
        there is one, else the bare token, else None. A word that occurs more than once
        in the sentence names the first occurrence that is an EVENT.
        """
        prefix = self.doc_id + "-"
        if not mention.startswith(prefix):
            return None
        sent_id, sep, key = mention[len(prefix) :].partition("-")  # the word may hold "-"
        sent = self.sentence(sent_id)
        if sent is None or not sep or not key:
            return None
        events_here = {
            ev.token_index: ev for ev in self.events if ev.sentence_id == sent.id
        }
        if key.isdigit():
            idx = int(key)
            if idx >= len(sent.tokens):
                return None
            return events_here.get(idx, sent.tokens[idx])
        # multi-word mentions: `court_case`, `step_down`; case-blind (`pre-orders`)
        words = key.casefold().split("_")
        n = len(words)
        first_token: Token | None = None
        toks = sent.tokens
        for i in range(len(toks) - n + 1):
            if all(toks[i + k].text.casefold() == words[k] for k in range(n)):
                for k in range(n):
                    if i + k in events_here:
                        return events_here[i + k]
                if first_token is None:
                    first_token = toks[i]
        if first_token is None and n > 1:
            # a split phrasal verb ("taking the iPhone out"): its first word names it
            return self.resolve_mention(f"{prefix}{sent_id}-{words[0]}")
        return first_token


def parse_dct(value: str) -> datetime:
    """A TimeML DCT value (`1998-01-08`, `1998-11-20T19:30`, `19980108`) → aware UTC datetime."""
    v = value.strip()
    if len(v) == 8 and v.isdigit():
        v = f"{v[:4]}-{v[4:6]}-{v[6:]}"
    try:
        dt = datetime.fromisoformat(v)
    except ValueError as exc:
        raise TimeMLError(f"unreadable DCT value {value!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _local(tag: str) -> str:
    """Tag name without an XML namespace."""
    return tag.rpartition("}")[2]


class _Walker:
    """Concatenate the character content of an element tree, recording every tag's span."""

    def __init__(self, separate_sentences: bool) -> None:
        self.separate_sentences = separate_sentences
        self.parts: list[str] = []
        self.pos = 0
        self.timexes: list[GoldTimex] = []
        self.events: list[tuple[int, int, str, str | None]] = []
        self.sentences: list[tuple[str, int, int]] = []

    def _emit(self, s: str | None) -> None:
        if s:
            self.parts.append(s)
            self.pos += len(s)

    def walk(self, el: ET.Element) -> None:
        start = self.pos
        self._emit(el.text)
        self.children(el)
        end = self.pos
        name = _local(el.tag)
        if name == "TIMEX3":
            if el.get("functionInDocument") != "CREATION_TIME":
                self.timexes.append(
                    GoldTimex(
                        start=start,
                        end=end,
                        tid=el.get("tid", ""),
                        type=el.get("type", ""),
                        value=el.get("value", ""),
                        mod=el.get("mod"),
                        text="",  # filled once the text is joined
                    )
                )
        elif name == "EVENT":
            self.events.append((start, end, el.get("eid", ""), el.get("class")))
        elif name == "s":
            self.sentences.append((el.get("id", str(len(self.sentences))), start, end))

    def children(self, el: ET.Element) -> None:
        for child in el:
            self.walk(child)
            tail = child.tail
            if (
                self.separate_sentences
                and _local(child.tag) == "s"
                and not (tail and tail[0].isspace())
            ):
                self._emit("\n")  # `</s><s>` glues sentences: keep a word boundary
            self._emit(tail)


def _tokens(text: str, start: int, end: int) -> tuple[Token, ...]:
    """Whitespace-separated tokens of text[start:end], with absolute offsets."""
    out: list[Token] = []
    i = start
    while i < end:
        while i < end and text[i].isspace():
            i += 1
        if i >= end:
            break
        j = i
        while j < end and not text[j].isspace():
            j += 1
        out.append(Token(start=i, end=j, text=text[i:j], index=len(out)))
        i = j
    return tuple(out)


def _find_token(sent: Sentence, offset: int) -> Token | None:
    for tok in sent.tokens:
        if tok.start <= offset < tok.end:
            return tok
        if tok.start > offset:
            return tok  # event starting on whitespace: the next token
    return None


def _clean(s: str | None) -> str | None:
    if s is None:
        return None
    s = " ".join(s.split())
    return s or None


def _build(root: ET.Element, path: str | None, separate_sentences: bool) -> TimeMLDocument:
    doc_id_el = root.find("DOCID")
    text_el = root.find("TEXT")
    if text_el is None:
        # tolerate a namespace on the root's children
        for child in root:
            if _local(child.tag) == "TEXT":
                text_el = child
            elif _local(child.tag) == "DOCID" and doc_id_el is None:
                doc_id_el = child
    if text_el is None:
        raise TimeMLError(f"{path or 'document'}: no TEXT element")
    doc_id = _clean("".join(doc_id_el.itertext())) if doc_id_el is not None else None
    if not doc_id and path:
        doc_id = Path(path).stem

    dct_value: str | None = None
    for timex in root.iter("TIMEX3"):
        if timex.get("functionInDocument") == "CREATION_TIME":
            dct_value = timex.get("value")
            break
    dct = parse_dct(dct_value) if dct_value else None

    title: str | None = None
    for name in ("TITLE", "HEADLINE", "EXTRAINFO"):
        el = root.find(name)
        if el is not None:
            title = _clean("".join(el.itertext()))
            if title:
                break

    walker = _Walker(separate_sentences)
    walker._emit(text_el.text)
    walker.children(text_el)
    text = "".join(walker.parts)

    timexes = tuple(
        sorted(
            (
                GoldTimex(t.start, t.end, t.tid, t.type, t.value, t.mod, text[t.start : t.end])
                for t in walker.timexes
            ),
            key=lambda t: (t.start, t.end),
        )
    )
    sentences = tuple(
        Sentence(id=sid, start=s, end=e, tokens=_tokens(text, s, e))
        for sid, s, e in sorted(walker.sentences, key=lambda x: x[1])
    )
    events: list[GoldEvent] = []
    si = 0
    for start, end, eid, cls in sorted(walker.events):
        sent_id: str | None = None
        tok_index: int | None = None
        while si < len(sentences) and sentences[si].end <= start:
            si += 1
        if si < len(sentences) and sentences[si].start <= start:
            sent = sentences[si]
            tok = _find_token(sent, start)
            sent_id = sent.id
            tok_index = tok.index if tok is not None else None
        events.append(GoldEvent(start, end, eid, cls, text[start:end], sent_id, tok_index))

    return TimeMLDocument(
        doc_id=doc_id or "",
        dct=dct,
        dct_value=dct_value,
        title=title,
        text=text,
        timexes=timexes,
        events=tuple(events),
        sentences=sentences,
        path=path,
        _sentence_index={s.id: s for s in sentences},
    )


def read_timeml_string(
    xml: str | bytes, path: str | None = None, *, separate_sentences: bool = True
) -> TimeMLDocument:
    """Parse TimeML from a string. See the module docstring for `separate_sentences`."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise TimeMLError(f"{path or 'document'}: not well-formed XML: {exc}") from exc
    return _build(root, path, separate_sentences)


def read_timeml(path: str | Path, *, separate_sentences: bool = True) -> TimeMLDocument:
    p = Path(path)
    return read_timeml_string(p.read_bytes(), str(p), separate_sentences=separate_sentences)


def iter_corpus(paths: Iterable[str | Path]) -> Iterator[TimeMLDocument]:
    """Every `.tml` file under the given files/folders, sorted by path within each folder."""
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for f in sorted(p.rglob("*.tml")):
                yield read_timeml(f)
        else:
            yield read_timeml(p)
