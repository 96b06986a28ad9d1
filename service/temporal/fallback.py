"""Languages without a lexicon: explicit absolute dates only, found and parsed by dateparser.

dateparser is strong at absolute dates in many languages and formats and weak at news
semantics (relative days, tense, narrative reference), so it gets only what it is good at.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .model import TimeExpression

_MAX_CHARS = 50_000  # dateparser's search is the slow path; bound it per article
_RELATIVE_SETTINGS = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                      "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}


def tag_absolute(text: str, anchor: datetime, language: str) -> list[TimeExpression]:
    try:
        from dateparser.search import search_dates

        found = search_dates(text[:_MAX_CHARS], languages=[language] if language else None,
                             settings={**_RELATIVE_SETTINGS, "RELATIVE_BASE": anchor.replace(tzinfo=None)})
    except Exception:  # dateparser raises assorted errors on odd input; no date is the answer
        return []
    out: list[TimeExpression] = []
    pos = 0
    tz = anchor.tzinfo
    for surface, value in found or []:
        start = text.find(surface, pos)
        if start < 0 or not any(ch.isdigit() for ch in surface):
            continue  # relative words ("hier") need a lexicon, not a guess
        pos = start + len(surface)
        day = datetime(value.year, value.month, value.day)
        out.append(TimeExpression(
            start=start, end=pos, text=surface, type="DATE", value=day.date().isoformat(),
            grain="day", valid_from=day.replace(tzinfo=tz).astimezone(timezone.utc),
            valid_until=(day + timedelta(days=1)).replace(tzinfo=tz).astimezone(timezone.utc),
            resolved_against="absolute", reason=f"explicit date parsed by dateparser ({language})",
            rule="dateparser"))
    return out
