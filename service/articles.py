"""Articles: the typed `Article`, validation of what users send, and the content hash.

Every way in (HTTP, CLI, files, feeds) ends in `validate_batch`, so an article means the same
thing whichever door it came through, and a bad one is refused with the field and the fix.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

# Outside these years a publication date is a typo (a two-digit year, a unix epoch zero).
_EARLIEST_YEAR = 1800
_LATEST_YEAR = 2200
MAX_ID_CHARS = 512


class ArticleIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An article as a user sends it (JSON, JSONL, Parquet row, or folder metadata + body)."""

    body: str
    published_at: str
    id: str | None = None
    source: str | None = None
    url: str | None = None
    language: str = "en"
    title: str | None = None
    timezone: str | None = None


class Article(msgspec.Struct, frozen=True, kw_only=True):
    """A validated article: its anchor is `published_at` in the article's own time zone."""

    id: str
    source: str
    url: str | None
    language: str
    title: str | None
    body: str
    published_at: datetime
    timezone: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input: where it is, which field, what is wrong, how to fix it."""

    where: str
    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: '{self.field}' {self.problem}. {self.fix}"


class InvalidArticles(ValueError):
    """Raised with every problem found in a batch; nothing of the batch is stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} invalid article(s): {shown}{more}")


@dataclass(frozen=True, slots=True)
class Limits:
    max_body_chars: int = 500_000
    max_batch_articles: int = 1_000


def validate_batch(items: list[ArticleIn], limits: Limits, *, where: list[str] | None = None) -> list[Article]:
    """Validate a whole batch, collecting every problem before refusing it."""
    if not items:
        raise InvalidArticles([Problem("batch", "articles", "is empty", "Send at least one article.")])
    if len(items) > limits.max_batch_articles:
        raise InvalidArticles(
            [
                Problem(
                    "batch",
                    "articles",
                    f"has {len(items)} articles, more than the limit of {limits.max_batch_articles}",
                    "Split it into smaller batches (TIMELINE_MAX_BATCH_ARTICLES sets the limit).",
                )
            ]
        )
    articles: list[Article] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        label = where[index] if where else f"article {index}"
        try:
            articles.append(validate(item, limits, where=label))
        except InvalidArticles as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidArticles(problems)
    return articles


def validate(item: ArticleIn, limits: Limits, *, where: str = "article") -> Article:
    problems: list[Problem] = []

    def bad(field: str, problem: str, fix: str) -> None:
        problems.append(Problem(where, field, problem, fix))

    article_id = (item.id or item.url or "").strip()
    if not article_id:
        bad("id", "is missing", "Give each article an 'id' (or a 'url', which is then used as its id).")
    elif len(article_id) > MAX_ID_CHARS or _has_control(article_id):
        bad("id", f"must be at most {MAX_ID_CHARS} printable characters", "Use a shorter id without control characters.")

    body = item.body.replace("\r\n", "\n").replace("\r", "\n")
    if len(body) > limits.max_body_chars:
        bad(
            "body",
            f"has {len(body)} characters, more than the limit of {limits.max_body_chars}",
            "Send the story text only (TIMELINE_MAX_BODY_CHARS sets the limit).",
        )
    if "\x00" in body:
        bad("body", "contains NUL characters", "Send plain text; NUL is not part of any article.")

    language = item.language.strip().lower().replace("_", "-").split("-")[0]
    if not (2 <= len(language) <= 3 and language.isascii() and language.isalpha()):
        bad("language", f"is {item.language!r}, not a language code", "Use an ISO 639-1 code such as 'en' or 'fr'.")

    zone_name, published = None, None
    try:
        zone_name, published = parse_anchor(item.published_at, item.timezone)
    except AnchorError as exc:
        bad(exc.field, exc.problem, exc.fix)

    if problems:
        raise InvalidArticles(problems)
    assert zone_name is not None and published is not None
    source = (item.source or _host(item.url) or "unknown").strip()
    title = item.title.strip() if item.title else None
    url = item.url.strip() if item.url else None
    return Article(
        id=article_id,
        source=source,
        url=url,
        language=language,
        title=title,
        body=body,
        published_at=published,
        timezone=zone_name,
        content_hash=content_hash(source, url, language, title, body, published, zone_name),
    )


def content_hash(
    source: str, url: str | None, language: str, title: str | None, body: str, published: datetime, zone: str
) -> str:
    """sha256 of what makes an article version; the id is not part of it (same id + new hash = new version)."""
    canonical = msgspec.json.encode(
        [source, url, language, title, body, published.astimezone(timezone.utc).isoformat(), zone]
    )
    return hashlib.sha256(canonical).hexdigest()


class AnchorError(ValueError):
    def __init__(self, field: str, problem: str, fix: str):
        self.field, self.problem, self.fix = field, problem, fix
        super().__init__(f"'{field}' {problem}. {fix}")


def parse_zone(name: str) -> tuple[str, timezone | ZoneInfo]:
    """An IANA zone name ("Europe/Moscow"), "UTC", or a fixed offset ("+03:00", "-0400")."""
    text = name.strip()
    if text.upper() in {"UTC", "Z", "GMT"}:
        return "UTC", timezone.utc
    if text[:1] in {"+", "-"}:
        offset = _parse_offset(text)
        if offset is None:
            raise AnchorError("timezone", f"is {name!r}, not a UTC offset", "Write offsets as +03:00 or -04:00.")
        return _format_offset(offset), timezone(offset)
    try:
        return text, ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise AnchorError(
            "timezone",
            f"is {name!r}, which is not a known time zone",
            "Use an IANA name such as 'Europe/Moscow' or 'America/Toronto', or an offset such as '+03:00'.",
        ) from None


def parse_anchor(published_at: str, zone: str | None) -> tuple[str, datetime]:
    """The article's anchor: an aware datetime in its own zone, and the zone's name.

    An anchor with neither an offset nor a stated zone is refused: guessing the zone puts
    every "on Monday" on the wrong day for readers on the other side of midnight.
    """
    text = published_at.strip()
    if not text:
        raise AnchorError("published_at", "is empty", "Give the publication time, e.g. 2023-05-23T12:00:00+03:00.")
    moment = _parse_datetime(text)
    if moment is None:
        raise AnchorError(
            "published_at",
            f"is {published_at!r}, which is not a date and time",
            "Use ISO 8601 with an offset, e.g. 2023-05-23T12:00:00+03:00.",
        )
    if not (_EARLIEST_YEAR <= moment.year <= _LATEST_YEAR):
        raise AnchorError(
            "published_at",
            f"is in the year {moment.year}",
            f"Publication dates must fall between {_EARLIEST_YEAR} and {_LATEST_YEAR}; check the year.",
        )
    if zone is None:
        if moment.tzinfo is None:
            raise AnchorError(
                "published_at",
                f"is {published_at!r}, with no UTC offset and no 'timezone'",
                "Add an offset (2023-05-23T12:00:00+03:00) or a 'timezone' field (e.g. 'Europe/Moscow').",
            )
        offset = moment.utcoffset() or timedelta(0)
        return ("UTC" if offset == timedelta(0) else _format_offset(offset)), moment
    zone_name, tz = parse_zone(zone)
    if moment.tzinfo is None:
        return zone_name, moment.replace(tzinfo=tz)
    local = moment.astimezone(tz)
    if local.utcoffset() != moment.utcoffset():
        raise AnchorError(
            "timezone",
            f"is {zone_name} (UTC{_format_offset(local.utcoffset() or timedelta(0))} at that time), "
            f"but published_at has the offset {_format_offset(moment.utcoffset() or timedelta(0))}",
            "Make them agree, or drop one of them.",
        )
    return zone_name, local


def _parse_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    # Feed and metadata dates come in every format and language ("Tue, 23 May 2023 18:00:00 -0400",
    # "23 mai 2023 14h"): dateparser is the right tool for explicit absolute dates like these.
    import dateparser

    try:
        return dateparser.parse(text, settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"})
    except (ValueError, OverflowError, TypeError):
        return None


def _parse_offset(text: str) -> timedelta | None:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    if not digits.isdigit() or len(digits) not in (2, 4):
        return None
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def _format_offset(offset: timedelta) -> str:
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _host(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def zone_of(article: Article) -> timezone | ZoneInfo:
    return parse_zone(article.timezone)[1]
