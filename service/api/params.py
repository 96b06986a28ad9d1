"""Query parameters shared by the endpoints: `as_of` and pagination, checked the same way everywhere."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from service.api.problems import BadRequest
from service.settings import Settings
from service.store import Database, settled_now


MAX_OFFSET = 10_000_000


def as_of_or_now(as_of: datetime | None) -> datetime:
    """Record time to read at; naive times are refused since "as of 10:00" is ambiguous."""
    if as_of is None:
        return settled_now()  # not after a write still in flight: asking again gives the same answer
    if as_of.tzinfo is None:
        raise BadRequest(
            f"as_of={as_of.isoformat()} has no UTC offset. Add one, e.g. {as_of.isoformat()}Z or +02:00.",
            title="Invalid as_of",
        )
    now = settled_now()
    if as_of > now:
        # An answer as of a time still to come would change as articles arrive before it, so
        # asking again with the same as_of could differ: record time is only known up to now.
        raise BadRequest(
            f"as_of={as_of.isoformat()} is in the future (it is now {now.isoformat()}): the store answers what "
            "it had recorded by a time, and cannot know yet what it will record. Leave as_of out for the latest.",
            title="Invalid as_of",
        )
    return as_of.astimezone(timezone.utc)


def read_as_of(as_of: datetime | None, db: Database, cursor: duckdb.DuckDBPyConnection) -> datetime:
    """`as_of_or_now` for the timeline reads: without `as_of` they answer for `db.read_moment`,
    which on a lake may be the moment of its last snapshot check (TIMELINE_LAKE_REFRESH_SECONDS)."""
    return db.read_moment(cursor) if as_of is None else as_of_or_now(as_of)


def page(limit: int | None, offset: int, settings: Settings) -> tuple[int, int]:
    """Page size and offset; a size outside 1..TIMELINE_MAX_PAGE_SIZE is refused, saying the
    bound (a silently smaller page would look like the end of the data to a careless client)."""
    size = settings.default_page_size if limit is None else limit
    if not 1 <= size <= settings.max_page_size:
        raise BadRequest(f"limit={size} must be between 1 and {settings.max_page_size} (TIMELINE_MAX_PAGE_SIZE); "
                         "ask for more with offset (each answer gives next_offset).", title="Invalid limit",
                         max_page_size=settings.max_page_size)
    if offset < 0 or offset > MAX_OFFSET:
        raise BadRequest(f"offset={offset} must be between 0 and {MAX_OFFSET:,}.", title="Invalid offset")
    return size, offset


def aware(name: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise BadRequest(f"{name}={value.isoformat()} has no UTC offset. Add one, e.g. {value.isoformat()}Z.",
                         title=f"Invalid {name}")
    return value
