"""The per-article pipeline: an article in, everything derived from it out.

A pure function of the article and the versioned lexicons, so it can run in any process; the
pipeline version names both, and stored rows carry it so that stale rows can be found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from service import __version__
from service.articles import Article
from service.settings import Settings, SettingsError
from service.temporal.model import TimeExpression


@dataclass(frozen=True, slots=True)
class Derived:
    expressions: list[TimeExpression] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mentions: list[Any] = field(default_factory=list)  # service.events.EventMention


_options = {"tense": "parser"}


def configure(settings: Settings) -> None:
    """Apply the settings that change what the pipeline derives, and check the lexicons now
    so that a broken rule file stops the start with its message, not the first ingest."""
    from service import temporal

    if settings.tense not in ("parser", "cues"):
        raise SettingsError(f"TIMELINE_TENSE={settings.tense!r}: use 'parser' or 'cues'")
    temporal.configure(spacy_model=settings.spacy_model, tense_parser=settings.tense == "parser")
    _options["tense"] = settings.tense
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
    from service.temporal import tag

    warnings: list[str] = []
    if not article.body.strip():
        warnings.append("body is empty: nothing to tag")
        return Derived(warnings=warnings)
    expressions = tag(article.body, article.published_at, article.language)
    return Derived(expressions=expressions, warnings=warnings)
