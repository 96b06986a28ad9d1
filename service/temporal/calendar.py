"""Calendar arithmetic: a TimeML value and its half-open interval at one grain.

All arithmetic is on naive wall-clock datetimes of the anchor's zone; `to_utc` attaches
the zone only at the end, so "Tuesday" is the anchor's local Tuesday.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo

MIN_YEAR = 1000
MAX_YEAR = 2999

# Meteorological seasons (northern hemisphere, as the TimeML corpora assume): start month.
SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
# Parts of day as wall-clock hours [from, until); until > 24 runs into the next day.
PART_OF_DAY_HOURS = {"MO": (5, 12), "MI": (11, 14), "AF": (12, 18), "EV": (18, 24),
                     "NI": (20, 30), "DT": (6, 18)}


@dataclass(frozen=True, slots=True)
class Period:
    """A resolved DATE or TIME: TimeML value, grain and local interval (None = open)."""

    value: str
    grain: str
    start: datetime | None
    end: datetime | None
    mod: str | None = None

    def with_mod(self, mod: str | None) -> Period:
        return narrow(self, mod) if mod else self


def valid_year(y: int) -> bool:
    return MIN_YEAR <= y <= MAX_YEAR


def _dt(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def day(d: date) -> Period:
    start = _dt(d)
    return Period(d.isoformat(), "day", start, start + timedelta(days=1))


def week_of(d: date) -> Period:
    monday = d - timedelta(days=d.weekday())
    iso = monday.isocalendar()
    start = _dt(monday)
    return Period(f"{iso[0]}-W{iso[1]:02d}", "week", start, start + timedelta(days=7))


def weekend_of(d: date) -> Period:
    """The weekend of the week holding d (Saturday and Sunday)."""
    wk = week_of(d)
    assert wk.start is not None
    start = wk.start + timedelta(days=5)
    return Period(wk.value + "-WE", "day", start, start + timedelta(days=2))


def month(y: int, m: int) -> Period:
    end = datetime(y + 1, 1, 1) if m == 12 else datetime(y, m + 1, 1)
    return Period(f"{y:04d}-{m:02d}", "month", datetime(y, m, 1), end)


def quarter(y: int, q: int) -> Period:
    start = datetime(y, 3 * (q - 1) + 1, 1)
    end = datetime(y + 1, 1, 1) if q == 4 else datetime(y, 3 * q + 1, 1)
    return Period(f"{y:04d}-Q{q}", "quarter", start, end)


def half(y: int, h: int) -> Period:
    start = datetime(y, 1 if h == 1 else 7, 1)
    end = datetime(y, 7, 1) if h == 1 else datetime(y + 1, 1, 1)
    return Period(f"{y:04d}-H{h}", "half", start, end)


def year(y: int) -> Period:
    return Period(f"{y:04d}", "year", datetime(y, 1, 1), datetime(y + 1, 1, 1))


def decade(first_year: int) -> Period:
    d = first_year - first_year % 10
    # TIMEX3 writes a decade as its first three digits ("199"), as a century is its first two.
    return Period(f"{d // 10:03d}", "decade", datetime(d, 1, 1), datetime(d + 10, 1, 1))


def century(first_year: int) -> Period:
    c = first_year - first_year % 100
    return Period(f"{c // 100:02d}", "century", datetime(max(c, 1), 1, 1), datetime(c + 100, 1, 1))


def season(y: int, code: str) -> Period:
    m = SEASON_START[code]
    start = datetime(y, m, 1)
    end_m = m + 3
    end = datetime(y + 1, end_m - 12, 1) if end_m > 12 else datetime(y, end_m, 1)
    return Period(f"{y:04d}-{code}", "season", start, end)


def part_of_day(d: date, code: str) -> Period:
    lo, hi = PART_OF_DAY_HOURS[code]
    base = _dt(d)
    return Period(f"{d.isoformat()}T{code}", "part_of_day", base + timedelta(hours=lo),
                  base + timedelta(hours=hi))


def clock(d: date, hour: int, minute: int | None) -> Period:
    base = _dt(d) + timedelta(hours=hour)
    if minute is None:
        return Period(f"{d.isoformat()}T{hour:02d}:00", "hour", base, base + timedelta(hours=1))
    start = base + timedelta(minutes=minute)
    return Period(f"{d.isoformat()}T{hour:02d}:{minute:02d}", "minute", start,
                  start + timedelta(minutes=1))


def shift_months(y: int, m: int, delta: int) -> tuple[int, int]:
    total = y * 12 + (m - 1) + delta
    return total // 12, total % 12 + 1


def safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d) if valid_year(y) else None
    except ValueError:
        return None


def narrow(p: Period, mod: str) -> Period:
    """Apply a TimeML mod to the interval: START/MID/END keep a third, BEFORE/AFTER open a side."""
    if p.start is None or p.end is None:
        return replace(p, mod=mod)
    third = (p.end - p.start) / 3
    if mod == "START":
        return replace(p, mod=mod, end=p.start + third)
    if mod == "MID":
        return replace(p, mod=mod, start=p.start + third, end=p.end - third)
    if mod == "END":
        return replace(p, mod=mod, start=p.end - third)
    if mod in ("BEFORE",):
        return replace(p, mod=mod, start=None, end=p.start)
    if mod in ("ON_OR_BEFORE",):
        return replace(p, mod=mod, start=None)
    if mod in ("AFTER",):
        return replace(p, mod=mod, start=p.end, end=None)
    if mod in ("ON_OR_AFTER",):
        return replace(p, mod=mod, end=None)
    return replace(p, mod=mod)


def to_utc(local: datetime | None, tz: tzinfo) -> datetime | None:
    if local is None:
        return None
    try:
        return local.replace(tzinfo=tz).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
