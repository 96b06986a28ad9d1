"""Hostile input: tag() never raises, and what it returns is sane."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.temporal import tag
from service.temporal.model import TimeExpression

GRAIN_MIN = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=28),
             "quarter": timedelta(days=89), "year": timedelta(days=365), "decade": timedelta(days=3652),
             "hour": timedelta(hours=1), "minute": timedelta(minutes=1)}
GRAIN_MAX = {"day": timedelta(days=1, hours=1), "week": timedelta(days=7, hours=1),
             "month": timedelta(days=31, hours=1), "quarter": timedelta(days=92, hours=1),
             "year": timedelta(days=366, hours=1), "decade": timedelta(days=3653, hours=1),
             "hour": timedelta(hours=1), "minute": timedelta(minutes=1)}

NEWSY = st.sampled_from([
    "on Monday", "last week", "the day before", "February 30", "year 99999", "the 45th", "2023-13-45",
    "Sept. 31, 1999", "99/99/9999", "\x00\x07\u202e", "日本 Tuesday", "Пн", "overnight", "3:99 p.m.",
    "the 1990s", "a year ago", "fiscal 99", "25:00 GMT", "in March", "9999999999 years ago", " ",
    "the day before the day before", "Q9 2023", "the 99th century", "\u00e9t\u00e9 2022",
])
TEXT = st.lists(st.one_of(NEWSY, st.text(max_size=40)), max_size=12).map(" ".join)
ZONES = st.sampled_from(["UTC", "Europe/Moscow", "America/Toronto", "Pacific/Kiritimati", "Asia/Kathmandu"])
ANCHOR = st.builds(lambda dt, z: dt.replace(tzinfo=ZoneInfo(z)),
                   st.datetimes(min_value=datetime(1001, 1, 1), max_value=datetime(2998, 12, 31)), ZONES)


def _sane(text: str, found: list[TimeExpression]) -> None:
    last_end = -1
    for e in found:
        assert 0 <= e.start < e.end <= len(text) and text[e.start:e.end] == e.text
        assert e.start >= last_end, "sorted and non-overlapping"
        last_end = e.end
        if e.valid_from is not None and e.valid_until is not None:
            assert e.valid_from < e.valid_until
            assert e.valid_from.utcoffset() == timedelta(0)
            if e.grain in GRAIN_MIN and e.mod is None:
                # Local intervals meet civil-time changes: DST (an hour or two) and, rarely, a
                # zone jumping the date line (Kiritimati skipped 31 Dec 1994): allow a day.
                slack = timedelta(days=1, hours=2) if e.grain not in ("hour", "minute") else timedelta(hours=2)
                length = e.valid_until - e.valid_from
                assert GRAIN_MIN[e.grain] - slack <= length <= GRAIN_MAX[e.grain] + slack


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, ANCHOR, st.sampled_from(["en", "fr", "de"]))
def test_tag_never_raises(text: str, anchor: datetime, language: str) -> None:
    _sane(text, tag(text, anchor, language))


@pytest.mark.parametrize("phrase", ["February 30", "Feb. 30, 2023", "year 99999", "the 45th", "2023-02-30",
                                     "13/45/2023", "\x00\x01\x02", "the 99th century"])
def test_impossible_dates_yield_nothing(phrase: str) -> None:
    assert tag(phrase, datetime(2023, 5, 23, 12, tzinfo=timezone.utc)) == []


def test_naive_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        tag("on Monday", datetime(2023, 5, 23, 12))


@pytest.mark.parametrize("chunk", ["9" * 1000, "the day before " * 50, "Monday " * 100, "(" * 500])
def test_long_adversarial_input_is_bounded(chunk: str) -> None:
    text = chunk * 20
    found = tag(text, datetime(2023, 5, 23, 12, tzinfo=timezone.utc))
    _sane(text, found)
