"""The HTTP service: `create_app(settings)` builds the Litestar app around one open database.

The lifespan opens and migrates the database (and loads the demo articles when asked), keeps
it on `app.state.db`, and closes it on shutdown; handlers get a cursor per request.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Iterator

import duckdb
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from service import __version__
from service.api.admin import AdminController, ReingestController
from service.api.articles import ArticleController
from service.api.health import HealthController
from service.api.problems import EXCEPTION_HANDLERS
from service.api.resolve import ResolveController
from service.api.timeline import EventController, TimelineController
from service.api.ui import UIController
from service.demo import load_demo_if_empty
from service.pipeline import configure as configure_pipeline
from service.regroup import refresh_text_index
from service.settings import Settings
from service.store import Database, open_store

WEB_DIR = Path(__file__).parent.parent / "web"
SWAGGER = "/static/vendor/swagger-ui"
log = logging.getLogger("service.api")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    configure_pipeline(settings)

    @asynccontextmanager
    async def open_database(app: Litestar) -> AsyncIterator[None]:
        db = open_store(settings)
        try:
            applied = db.migrate()
            if applied:
                log.info("applied migrations %s to %s", applied, db.path)
            if settings.load_demo:
                report = load_demo_if_empty(db)
                if report is not None:
                    log.info("loaded %d demo articles", report.created)
            refresh_text_index(db)
            app.state.db = db
            yield
        finally:
            db.close()

    def provide_settings() -> Settings:
        return settings

    def provide_db(state: State) -> Database:
        return state.db

    def provide_cursor(state: State) -> Iterator[duckdb.DuckDBPyConnection]:
        # A read that runs past the bound is interrupted: 503 problem (see problems.py).
        with state.db.leased_cursor(settings.query_timeout_seconds) as cur:
            yield cur

    middleware = []
    if settings.rate_limit_per_minute:
        middleware.append(RateLimitConfig(rate_limit=("minute", settings.rate_limit_per_minute),
                                          exclude=["/health", "/schema", "/static"]).middleware)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]

    return Litestar(
        route_handlers=[
            HealthController,
            ArticleController,
            TimelineController,
            EventController,
            ResolveController,
            AdminController,
            ReingestController,
            UIController,
            create_static_files_router(path="/static", directories=[WEB_DIR], include_in_schema=False),
        ],
        lifespan=[open_database],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "db": Provide(provide_db, sync_to_thread=False),
            "cursor": Provide(provide_cursor),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=middleware,
        cors_config=CORSConfig(allow_origins=origins, allow_methods=["GET", "POST"]) if origins else None,
        request_max_body_size=settings.max_request_bytes,
        openapi_config=OpenAPIConfig(
            title="Timeline service",
            version=__version__,
            description=(
                "Reconstructs timelines from news articles: time expressions resolved against each "
                "article's publication time, stored bitemporally in DuckDB. Errors are RFC 9457 "
                "problem details."
            ),
            path="/schema",
            render_plugins=[
                # Swagger UI is vendored (see service/web/vendor/swagger-ui/VENDORED.md) so that the
                # schema page renders with no internet access.
                SwaggerRenderPlugin(
                    path=["/", "/swagger"],
                    js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                    css_url=f"{SWAGGER}/swagger-ui.css",
                    standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
                    favicon=f'<link rel="icon" type="image/png" href="{SWAGGER}/favicon-32x32.png">',
                ),
                JsonRenderPlugin(path="/openapi.json"),
            ],
        ),
        # Logging is configured once by `timeline serve` (TIMELINE_LOG_LEVEL), not by Litestar's
        # default config, which would force INFO on the root logger.
        logging_config=None,
        debug=False,
    )
