"""The built-in sample dataset: two articles about the May 2023 Belgorod incursion.

Copied from the project's shared seed data so that `timeline serve --demo` works out of the box.
"""

from __future__ import annotations

from pathlib import Path

from service.articles import Limits, validate_batch
from service.ingest import IngestReport, ingest_articles
from service.sources.files import read_path
from service.store import Database, fetch

DEMO_DIR = Path(__file__).parent


def load_demo_if_empty(db: Database) -> IngestReport | None:
    with db.reading() as cur:
        if fetch(cur, "health_counts")[0]["article_versions"]:
            return None
    pairs = list(read_path(DEMO_DIR))
    articles = validate_batch([a for _, a in pairs], Limits(), where=[w for w, _ in pairs])
    return ingest_articles(db, articles, origin="demo")
