"""Article validation: what users send, what is accepted, and what each refusal says."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from service.articles import ArticleIn, InvalidArticles, Limits, validate, validate_batch

LIMITS = Limits(max_body_chars=1_000, max_batch_articles=3)


def make(**fields: object) -> ArticleIn:
    base: dict = {"id": "a1", "body": "Text.", "published_at": "2023-05-23T12:00:00+03:00"}
    base.update(fields)
    return ArticleIn(**base)


@pytest.mark.parametrize(
    ("fields", "local", "zone"),
    [
        ({}, "2023-05-23T12:00:00+03:00", "+03:00"),
        ({"timezone": "Europe/Moscow"}, "2023-05-23T12:00:00+03:00", "Europe/Moscow"),
        ({"published_at": "2023-05-23T18:00:00", "timezone": "America/Toronto"}, "2023-05-23T18:00:00-04:00",
         "America/Toronto"),
        ({"published_at": "2023-05-23T22:00:00Z"}, "2023-05-23T22:00:00+00:00", "UTC"),
        # feed dates (RFC 2822) are parsed by dateparser
        ({"published_at": "Tue, 23 May 2023 18:00:00 -0400"}, "2023-05-23T18:00:00-04:00", "-04:00"),
        ({"published_at": "2023-05-23T12:00", "timezone": "+05:30"}, "2023-05-23T12:00:00+05:30", "+05:30"),
    ],
)
def test_anchor_keeps_the_articles_own_clock(fields: dict, local: str, zone: str) -> None:
    result = validate(make(**fields), LIMITS)
    assert result.published_at == datetime.fromisoformat(local)
    assert result.published_at.utcoffset() == datetime.fromisoformat(local).utcoffset()
    assert result.timezone == zone


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"published_at": "2023-05-23T12:00:00"}, "published_at", "no UTC offset"),
        ({"published_at": "yesterday-ish"}, "published_at", "not a date"),
        ({"published_at": "0099-05-23T12:00:00+00:00"}, "published_at", "year 99"),
        ({"published_at": ""}, "published_at", "empty"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not a known time zone"),
        ({"timezone": "+25:00"}, "timezone", "not a UTC offset"),
        ({"timezone": "America/Toronto"}, "timezone", "offset +03:00"),
        ({"id": None}, "id", "missing"),
        ({"id": "x" * 600}, "id", "at most 512"),
        ({"language": "english!"}, "language", "not a language code"),
        ({"body": "x" * 1_001}, "body", "more than the limit"),
        ({"body": "a\x00b"}, "body", "NUL"),
    ],
)
def test_bad_fields_are_named_with_a_fix(fields: dict, field: str, words: str) -> None:
    with pytest.raises(InvalidArticles) as caught:
        validate(make(**fields), LIMITS)
    problem = caught.value.problems[0]
    assert problem.field == field
    assert words in problem.problem
    assert problem.fix


def test_url_stands_in_for_a_missing_id_and_names_the_source() -> None:
    result = validate(make(id=None, url="https://www.example.org/news/1"), LIMITS)
    assert result.id == "https://www.example.org/news/1"
    assert result.source == "example.org"


def test_content_hash_ignores_the_id_but_not_the_text() -> None:
    first = validate(make(), LIMITS)
    assert validate(make(id="other"), LIMITS).content_hash == first.content_hash
    assert validate(make(body="Other text."), LIMITS).content_hash != first.content_hash
    # the same instant written in another offset is the same anchor only with the same zone
    same_instant = (first.published_at.astimezone(timezone(timedelta(hours=-4)))).isoformat()
    assert validate(make(published_at=same_instant), LIMITS).content_hash != first.content_hash


def test_a_batch_reports_every_problem_at_once() -> None:
    items = [make(), make(published_at="nope"), make(timezone="Nowhere/Land")]
    with pytest.raises(InvalidArticles) as caught:
        validate_batch(items, LIMITS, where=["first", "second", "third"])
    assert [p.where for p in caught.value.problems] == ["second", "third"]


def test_a_batch_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidArticles, match="more than the limit of 3"):
        validate_batch([make(id=str(i)) for i in range(4)], LIMITS)
