"""The per-article pipeline: an article in, everything derived from it out.

A pure function of the article and the versioned lexicons, so it can run in any process; the
pipeline version names both, and stored rows carry it so that stale rows can be found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from service import __version__
from service.articles import Article
from service.temporal.model import TimeExpression


@dataclass(frozen=True, slots=True)
class Derived:
    expressions: list[TimeExpression] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@cache
def pipeline_version() -> str:
    """Code version + lexicon content hash: a lexicon edit is a new pipeline version."""
    from service.temporal import LEXICON_VERSION

    return f"{__version__}+lex.{LEXICON_VERSION}"


def derive(article: Article) -> Derived:
    from service.temporal import tag

    warnings: list[str] = []
    if not article.body.strip():
        warnings.append("body is empty: nothing to tag")
        return Derived(warnings=warnings)
    expressions = tag(article.body, article.published_at, article.language)
    return Derived(expressions=expressions, warnings=warnings)
