"""Errors as RFC 9457 problem details: every failure says what is wrong and how to fix it.

Unhandled errors become a 500 problem too, never a stack trace; the trace goes to the log.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from service.articles import InvalidArticles
from service.sources.files import SourceError
from service.store import DatabaseLocked, StoreBusy, StoreError, StoreUnavailable

log = logging.getLogger("service.api")
PROBLEM_JSON = "application/problem+json"


class Problem(msgspec.Struct, frozen=True):
    """RFC 9457 problem details, as every error response carries them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = None


_MEANINGS = {
    400: "The request is malformed: the detail says which part and how to fix it.",
    404: "No such resource.",
    406: "The Accept header names no format this endpoint writes (see `format`).",
    413: "The request or the text is larger than the configured bound.",
    422: "The content is well-formed but invalid (e.g. an article without a time zone); nothing was stored.",
    429: "Rate limit exceeded (TIMELINE_RATE_LIMIT_PER_MINUTE).",
    500: "The service failed; nothing was changed.",
    503: "The database is busy, or a query ran longer than TIMELINE_QUERY_TIMEOUT_SECONDS and was stopped.",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses an endpoint can give (plus the common ones)."""
    wanted = sorted(set(statuses) | {400, 429, 500, 503})
    return {code: ResponseSpec(data_container=Problem, description=_MEANINGS[code],
                               media_type=PROBLEM_JSON) for code in wanted}


class BadRequest(ValueError):
    """A request the handler refuses: `detail` says what is wrong and how to fix it."""

    def __init__(self, detail: str, *, status: int = 400, title: str = "Bad request", **extra: Any):
        self.detail, self.status, self.title, self.extra = detail, status, title, extra
        super().__init__(detail)


def problem(request: Request, status: int, title: str, detail: str, kind: str, **extra: Any) -> Response:
    body = {"type": f"/problems/{kind}", "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **extra}
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _bad_request(request: Request, exc: BadRequest) -> Response:
    kind = exc.title.lower().replace(" ", "-")
    return problem(request, exc.status, exc.title, exc.detail, kind, **exc.extra)


def _invalid_articles(request: Request, exc: InvalidArticles) -> Response:
    errors = [{"where": p.where, "field": p.field, "problem": p.problem, "fix": p.fix} for p in exc.problems]
    return problem(request, 422, "Invalid articles", f"{exc} Nothing was stored.", "invalid-articles", errors=errors)


def _source_error(request: Request, exc: SourceError) -> Response:
    return problem(request, 422, "Unreadable input", f"{exc} Nothing was stored.", "unreadable-input")


def _validation(request: Request, exc: ValidationException) -> Response:
    errors = exc.extra if isinstance(exc.extra, list) else []
    for error in errors:
        if isinstance(error, dict) and error.get("source") is not None:
            error["source"] = str(getattr(error["source"], "value", error["source"])).lower()
    details = "; ".join(
        f"{e.get('message')}" + (f" (in {e.get('source')} '{e.get('key')}')" if e.get("key") else "")
        for e in errors if isinstance(e, dict)
    ) or exc.detail
    fix = " See the schema at /schema for the expected shape."
    if "datetime" in details:
        fix = " Write times in ISO 8601 with an offset, e.g. 2026-11-24T10:00:00Z." + fix
    return problem(request, 400, "Invalid request", f"{details}.{fix}{_nothing_stored(request)}",
                   "invalid-request", errors=errors)


def _nothing_stored(request: Request) -> str:
    return " Nothing was stored." if request.method in {"POST", "PUT", "PATCH", "DELETE"} else ""


def _http(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    hints = {
        400: "Check the request body and parameters against the schema at /schema.",
        404: "Check the path and the id; GET /schema lists the endpoints.",
        405: "This path does not take that method; GET /schema lists what it takes.",
        413: "Send a smaller request (TIMELINE_MAX_REQUEST_BYTES sets the limit) or split the batch.",
        429: "Slow down and retry later.",
    }
    detail = f"{exc.detail}. {hints.get(status, '')}".strip()
    title = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 413: "Request too large",
             429: "Too many requests"}.get(status, "Request failed")
    return problem(request, status, title, detail, f"http-{status}")


def _locked(request: Request, exc: DatabaseLocked) -> Response:
    return problem(request, 503, "Database busy", str(exc), "database-busy")


def _busy(request: Request, exc: StoreBusy | StoreUnavailable) -> Response:
    # On the lake: other writers kept winning, or the catalog is down. Nothing was stored.
    log.warning("store unavailable on %s: %s", request.url.path, exc)
    return problem(request, 503, "Store busy or unavailable", str(exc), "store-busy")


def _timed_out(request: Request, exc: duckdb.InterruptException) -> Response:
    # Only the query-time watchdog (service/timeouts.py) interrupts the server's queries.
    log.warning("query stopped after TIMELINE_QUERY_TIMEOUT_SECONDS on %s", request.url.path)
    return problem(request, 503, "Query timed out",
                   "The query ran longer than TIMELINE_QUERY_TIMEOUT_SECONDS allows and was stopped; nothing was "
                   "changed. Narrow it (a time range, a source, a smaller page) and retry.", "query-timeout")


def _store(request: Request, exc: StoreError) -> Response:
    log.error("store error on %s: %s", request.url.path, exc)
    return problem(request, 500, "Store error", f"{exc}. The request changed nothing.", "store-error")


def _fatal(request: Request, exc: duckdb.FatalException) -> Response:
    """DuckDB invalidates the whole database after a fatal (internal) error: every later query
    of this process fails until it reopens the file. What was committed is safe on disk, so the
    server stops itself after answering, and its supervisor (compose: `restart: unless-stopped`)
    starts a fresh one that reopens the file."""
    import os
    import signal
    import threading

    log.critical("fatal database error on %s; stopping the server so that it is restarted: %s",
                 request.url.path, exc)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    return problem(request, 503, "Database restarting",
                   "The database hit an internal error and is being reopened. The request changed nothing; "
                   "retry in a few seconds.", "database-restarting")


def _duckdb(request: Request, exc: duckdb.Error) -> Response:
    log.exception("database error on %s", request.url.path)
    detail = (f"The database refused the operation ({type(exc).__name__}). The request changed nothing; "
              "retry, and report it if it persists.")
    return problem(request, 500, "Database error", detail, "database-error")


def _unhandled(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path)
    return problem(request, 500, "Internal error",
                   "The service failed on this request; nothing was changed. Retry, and report it if it persists.",
                   "internal-error")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    BadRequest: _bad_request,
    InvalidArticles: _invalid_articles,
    SourceError: _source_error,
    ValidationException: _validation,
    HTTPException: _http,
    DatabaseLocked: _locked,
    StoreBusy: _busy,
    StoreUnavailable: _busy,
    StoreError: _store,
    duckdb.InterruptException: _timed_out,
    duckdb.FatalException: _fatal,
    duckdb.Error: _duckdb,
    Exception: _unhandled,
}
