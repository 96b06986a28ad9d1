"""Resolvers: short typed functions that turn one rule match into a value and interval.

Rules name a resolver; between them passes a `Match` (the rule, its named groups and the
rule's static params). A resolver returns a `Resolution` or None (impossible date: no
expression). News policy for direction and reference time lives here, in words a user can
read back from `reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Literal

from . import calendar as cal
from .calendar import Period
from .lexicon import Rule, Vocab

Tense = Literal["past", "future", "present", "none"]
Direction = Literal["past", "future", "nearest"]


@dataclass(frozen=True, slots=True)
class Match:
    """What a rule found: its named groups (only those that took part) and static params."""

    rule: Rule
    start: int
    end: int
    text: str
    groups: dict[str, str]
    # Length of the whole regex match, context included: what wins between overlaps.
    extent: int = 0

    @property
    def params(self) -> dict[str, Any]:
        return self.rule.params

    def g(self, name: str) -> str | None:
        return self.groups.get(name)


@dataclass(frozen=True, slots=True)
class Resolution:
    type: str
    value: str
    grain: str | None = None
    mod: str | None = None
    start: datetime | None = None  # local wall clock
    end: datetime | None = None
    resolved_against: str = "anchor"
    reason: str = ""
    # Comparisons ("the year-earlier quarter") name a time without moving the story there.
    moves_reference: bool = True
    # A time the story moves to although the expression itself is no DATE: "the first nine
    # months" of a results story is the year to date, so what follows compares years.
    frame: Period | None = None


@dataclass(slots=True)
class Context:
    """What a resolver may look at: the anchor, the vocabulary, the reference time so far."""

    anchor: datetime  # naive local wall clock of the anchor
    vocab: dict[str, Vocab]
    tense_of: Callable[[int, int], Tense]
    last: Period | None = None  # last resolved DATE/TIME: what the text is talking about
    last_day: Period | None = None  # last one at day grain or finer
    # The last quarter named as a fiscal one ("the fiscal first quarter"): its calendar
    # months are the company's, so a later "quarter ended Sept. 29" restates it.
    fiscal_quarter: Period | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.anchor.date()

    def lookup(self, table: str, surface: str | None) -> Any:
        if surface is None or table not in self.vocab:
            return None
        return self.vocab[table].get(surface)


Resolver = Callable[[Match, Context], Resolution | None]
RESOLVERS: dict[str, Resolver] = {}


def resolver(fn: Resolver) -> Resolver:
    RESOLVERS[fn.__name__] = fn
    return fn


# --- small helpers ---------------------------------------------------------------------

def number(ctx: Context, text: str | None) -> int | None:
    """'12', 'twelve', 'twenty-four', 'a', 'an' -> int; None when vague ('several')."""
    if text is None:
        return None
    t = text.strip().replace(",", "")
    if t.isdigit():
        return int(t) if len(t) <= 6 else None
    parts = [p for p in t.replace("-", " ").split() if p != "of"]  # "a couple of"
    if len(parts) > 1 and parts[0] in ("a", "an") and parts[1] not in ("hundred", "thousand", "dozen"):
        parts = parts[1:]  # "a two-year (plan)": the article, not a count
    total = 0
    for part in parts:
        v = ctx.lookup("number", part)
        if not isinstance(v, int):
            return None
        total = total * v if v in (100, 1000) and total else total + v
    return total


def _year(ctx: Context, text: str | None) -> int | None:
    if text is None:
        return None
    t = text.strip().lstrip("'’")
    if not t.isdigit():
        return _spelled_year(ctx, t)
    y = int(t)
    if len(t) == 2:  # '98 -> the year nearest the anchor
        century = ctx.anchor.year - ctx.anchor.year % 100
        y = century + y if century + y <= ctx.anchor.year + 20 else century - 100 + y
    return y if cal.valid_year(y) else None


def _relative_year(ctx: Context, m: Match) -> int | None:
    """'(March) last year', '(May 5) this year': the anchor's year shifted, or None."""
    step = {"last": -1, "this": 0, "next": 1}.get((m.g("yqual") or "").lower())
    return None if step is None else ctx.anchor.year + step


def _spelled_year(ctx: Context, text: str) -> int | None:
    """'nineteen ninety-six' -> 1996, 'nineteen oh five' -> 1905, 'two thousand one' -> 2001."""
    words = [w for w in text.lower().replace("-", " ").split() if w not in ("and", "oh")]
    if len(words) < 2:
        return None
    if words[:2] == ["two", "thousand"]:
        base, rest = 2000, words[2:]
    else:
        century = ctx.lookup("number", words[0])
        if not isinstance(century, int) or not 10 <= century <= 29:
            return None
        base, rest = century * 100, words[1:]
    if rest == ["hundred"]:
        rest = []
    low = 0
    for w in rest:
        v = ctx.lookup("number", w)
        if not isinstance(v, int) or v >= 100:
            return None
        low += v
    y = base + low
    return y if low < 100 and cal.valid_year(y) else None


def res(m: Match, p: Period, against: str, reason: str, mod: str | None = None) -> Resolution:
    if mod:
        p = p.with_mod(mod)
    return Resolution(m.rule.type, p.value, p.grain, p.mod, p.start, p.end, against, reason)


def _mod(ctx: Context, m: Match) -> str | None:
    return ctx.lookup("mod", m.g("mod"))


def direction(ctx: Context, m: Match) -> tuple[Direction, str]:
    tense = ctx.tense_of(m.start, m.end)
    if tense == "past":
        return "past", "past-tense or reporting clause"
    if tense == "future":
        return "future", "future clause"
    return "nearest", "no tense cue" if tense == "none" else "present-tense clause"


def _unit_period(d: datetime, unit: str) -> Period | None:
    """The calendar unit holding local time d."""
    day_ = d.date()
    if unit == "D":
        return cal.day(day_)
    if unit == "W":
        return cal.week_of(day_)
    if unit == "WE":
        return cal.weekend_of(day_)
    if unit == "M":
        return cal.month(d.year, d.month)
    if unit == "Q":
        return cal.quarter(d.year, (d.month - 1) // 3 + 1)
    if unit == "H1":
        return cal.half(d.year, 1 if d.month <= 6 else 2)
    if unit == "Y":
        return cal.year(d.year)
    if unit == "DE":
        return cal.decade(d.year)
    if unit == "CE":
        return cal.century(d.year)
    if unit == "H":
        return cal.clock(day_, d.hour, None)
    return None


def shift(d: datetime, unit: str, n: int) -> datetime | None:
    try:
        if unit in ("D",):
            return d + timedelta(days=n)
        if unit in ("W", "WE"):
            return d + timedelta(weeks=n)
        if unit == "H":
            return d + timedelta(hours=n)
        if unit == "MIN":
            return d + timedelta(minutes=n)
        months = {"M": 1, "Q": 3, "H1": 6, "Y": 12, "DE": 120, "CE": 1200}.get(unit)
        if months is None:
            return None
        y, mo = cal.shift_months(d.year, d.month, n * months)
        if not cal.valid_year(y):
            return None
        last = cal.month(y, mo).end - timedelta(days=1)  # type: ignore[operator]
        return d.replace(year=y, month=mo, day=min(d.day, last.day))
    except (OverflowError, ValueError):
        return None


def _ref_point(ctx: Context, prefer_day: bool = True) -> tuple[datetime, str, Period | None]:
    ref = ctx.last_day if prefer_day else ctx.last
    if ref is not None and ref.start is not None:
        return ref.start, f"previous time {ref.value}", ref
    return ctx.anchor, "anchor", None


@resolver
def block(m: Match, ctx: Context) -> Resolution | None:
    """Claims words that look temporal but are not ("too soon"), so no shorter rule fires."""
    return None


# --- DATE resolvers --------------------------------------------------------------------

@resolver
def fixed(m: Match, ctx: Context) -> Resolution | None:
    """A fixed value: PRESENT_REF, PAST_REF, FUTURE_REF, or a SET/DURATION constant."""
    value = str(m.params["value"])
    a = ctx.anchor
    if m.params.get("not_in_past") and ctx.tense_of(m.start, m.end) == "past":
        return None  # "he was soon released": shortly after the narrated time, not ahead of now
    if value == "PAST_REF":
        return Resolution(m.rule.type, value, "unknown", _mod(ctx, m), None, a, "anchor",
                          "vague past: open start, ends at the anchor")
    if value == "FUTURE_REF":
        return Resolution(m.rule.type, value, "unknown", _mod(ctx, m), a, None, "anchor",
                          "vague future: starts at the anchor, open end")
    if value == "PRESENT_REF":
        p = cal.day(ctx.today)
        # "now", "currently" name the time of writing, not a new time for the story: the
        # quarter or day under discussion stays the reference ("Valley Federal is currently
        # being examined ... New loans were $6.6 million in the quarter").
        return Resolution(m.rule.type, value, "day", _mod(ctx, m), p.start, p.end, "anchor",
                          "the present: the anchor's day", moves_reference=False)
    return Resolution(m.rule.type, value, m.params.get("grain"), _mod(ctx, m) or m.params.get("mod"),
                      None, None, "none", "fixed value")


@resolver
def relative_day(m: Match, ctx: Context) -> Resolution | None:
    """today / yesterday / tomorrow / tonight, optionally with a part of day."""
    offset = ctx.lookup("relative_day", m.g("relday"))
    if offset is None:
        offset = int(m.params.get("offset", 0))
    d = ctx.today + timedelta(days=int(offset))
    part = ctx.lookup("part_of_day", m.g("part")) or m.params.get("part")
    why = f"{offset:+d} day(s) from the anchor {ctx.today}"
    if part:
        return res(m, cal.part_of_day(d, part), "anchor", why)
    return res(m, cal.day(d), "anchor", why, _mod(ctx, m))


def _weekday_date(ctx: Context, m: Match, wd: int, qualifier: str | None) -> tuple[date, str]:
    today = ctx.today
    back = (today.weekday() - wd) % 7
    ahead = (wd - today.weekday()) % 7
    if qualifier == "last":
        back = back or 7
        return today - timedelta(days=back), f"'last': most recent one before {today}"
    if qualifier == "next":
        ahead = ahead or 7
        return today + timedelta(days=ahead), f"'next': first one after {today}"
    if qualifier == "this":
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=wd), f"'this': in the anchor's week"
    if back == 0:
        return today, f"the anchor's own weekday: the anchor's day {today}"
    how, why = direction(ctx, m)
    # "Nearest" leans to the past by a day: news mostly reports what has happened.
    if how == "past" or (how == "nearest" and back <= ahead + 1):
        d = today - timedelta(days=back)
        label = "most recent" if how == "past" else "nearest (the past one)"
        return d, f"{why}: {label} one before anchor {today}"
    d = today + timedelta(days=ahead)
    label = "next" if how == "future" else "nearest (the coming one)"
    return d, f"{why}: {label} one after anchor {today}"


@resolver
def weekday(m: Match, ctx: Context) -> Resolution | None:
    wd = ctx.lookup("weekday", m.g("weekday"))
    if wd is None:
        return None
    qualifier = ctx.lookup("qualifier", m.g("qual"))
    if m.g("rqual"):  # "the previous Friday": the one before the day under discussion
        base, against, _ = _ref_point(ctx)
        b = base.date()
        step = -1 if ctx.lookup("qualifier", m.g("rqual")) == "previous" else 1
        gap = ((b.weekday() - (int(wd) - 1)) % 7 or 7) if step < 0 else (((int(wd) - 1) - b.weekday()) % 7 or 7)
        d = b + timedelta(days=step * gap)
        return res(m, cal.day(d), "previous" if against != "anchor" else "anchor",
                   f"{'before' if step < 0 else 'after'} {against} {b}")
    d, why = _weekday_date(ctx, m, int(wd) - 1, qualifier)
    rel = (m.g("rel") or "").lower()
    if rel in ("before", "after"):  # "the day before last Tuesday": that day, one day off
        d += timedelta(days=-1 if rel == "before" else 1)
        why = f"the day {rel} {why}"
    part = ctx.lookup("part_of_day", m.g("part"))
    hour = m.g("hour")
    if hour is not None:
        t = _clock(ctx, m, d)
        if t is None:
            return None
        return res(m, t, "anchor", why)
    if part:
        p = cal.part_of_day(d, part)
        return Resolution("TIME" if m.params.get("part_type") == "TIME" else m.rule.type,
                          p.value, p.grain, None, p.start, p.end, "anchor", why)
    return res(m, cal.day(d), "anchor", why, _mod(ctx, m))


def _month_year(ctx: Context, m: Match, mon: int, how: Direction, why: str) -> tuple[int, str]:
    a = ctx.anchor
    # The month right after the anchor's is announced even in a past-tense clause
    # ("said November sales would rise"), as near dates are.
    ahead = (mon - a.month) % 12
    if how == "past" and 0 < ahead <= NEAR_MONTHS:
        return a.year + (1 if mon < a.month else 0), f"{why}: the coming {mon:02d}, next to the anchor's month"
    if how == "past":
        y = a.year if mon <= a.month else a.year - 1
        return y, f"{why}: most recent {mon:02d} not after the anchor"
    if how == "future":
        y = a.year if mon >= a.month else a.year + 1
        return y, f"{why}: next {mon:02d} from the anchor"
    diff = mon - a.month
    y = a.year + (1 if diff < -6 else -1 if diff > 6 else 0)
    return y, f"{why}: nearest {mon:02d} to the anchor"


# A dated day without a year in news is close to the anchor: a past-tense clause still
# announces near dates ("said the dividend is payable Dec. 1"), so tense only decides when
# the date is more than this many days from the anchor in the other direction.
NEAR_DAYS = 60
NEAR_MONTHS = 1


def _day_year(ctx: Context, mon: int, day_: int, how: Direction, why: str) -> tuple[int, str]:
    today = ctx.today
    options = [(y, cal.safe_date(y, mon, day_)) for y in (today.year - 1, today.year, today.year + 1)]
    dated = [(y, d) for y, d in options if d is not None]
    if not dated:
        return today.year, why
    y, d = min(dated, key=lambda yd: abs((yd[1] - today).days))
    delta = (d - today).days
    if how == "past" and delta > NEAR_DAYS:
        return y - 1, f"{why}: most recent {mon:02d}-{day_:02d} before the anchor"
    if how == "future" and delta < -NEAR_DAYS:
        return y + 1, f"{why}: next {mon:02d}-{day_:02d} after the anchor"
    return y, f"{why}: nearest {mon:02d}-{day_:02d} to the anchor"


@resolver
def date_md(m: Match, ctx: Context) -> Resolution | None:
    """A calendar date with month and day, year optional: 'Sept. 30', '23 May 2023'."""
    mon = ctx.lookup("month", m.g("month"))
    day_ = number(ctx, m.g("day")) if m.g("day") else None
    if mon is None or day_ is None:
        return None
    y = _year(ctx, m.g("year"))
    if m.g("year") and y is None:
        return None
    if y is not None:
        d = cal.safe_date(y, mon, day_)
        return res(m, cal.day(d), "absolute", "explicit date") if d else None
    ry = _relative_year(ctx, m)
    if ry is not None:
        d = cal.safe_date(ry, mon, day_)
        return res(m, cal.day(d), "anchor", f"'{m.g('yqual')} year' from the anchor") if d else None
    how, why = direction(ctx, m)
    yy, why = _day_year(ctx, mon, day_, how, why)
    d = cal.safe_date(yy, mon, day_)
    if d is None:
        # 29 February of the wrong year is impossible, not a reason to guess another year.
        return None
    return res(m, cal.day(d), "anchor", why, _mod(ctx, m))


@resolver
def date_numeric(m: Match, ctx: Context) -> Resolution | None:
    """2023-05-23 (ISO) or 5/23/2023 (US order, as in US news)."""
    y = _year(ctx, m.g("year"))
    mon = number(ctx, m.g("mnum"))
    day_ = number(ctx, m.g("day"))
    if y is None or mon is None or day_ is None:
        return None
    d = cal.safe_date(y, mon, day_)
    return res(m, cal.day(d), "absolute", "explicit date") if d else None


@resolver
def month_name(m: Match, ctx: Context) -> Resolution | None:
    """A month, with a year ('February 2022'), a qualifier ('last March') or bare."""
    mon = ctx.lookup("month", m.g("month"))
    if mon is None:
        return None
    mod = _mod(ctx, m)
    if m.g("year"):
        y = _year(ctx, m.g("year"))
        if y is None:
            return None
        return res(m, cal.month(y, mon), "absolute", "explicit month and year", mod)
    ry = _relative_year(ctx, m)
    if ry is not None:
        return res(m, cal.month(ry, mon), "anchor", f"'{m.g('yqual')} year' from the anchor", mod)
    qualifier = ctx.lookup("qualifier", m.g("qual"))
    a = ctx.anchor
    if qualifier == "last":
        y = a.year if mon < a.month else a.year - 1
        if mon == a.month - 1 and (m.g("qual") or "").lower() == "last":
            # The month just before the anchor's is "last month"; naming it ("crashed last
            # February", written on March 1) means the one a year before.
            return res(m, cal.month(y - 1, mon), "anchor",
                       "'last' + the month just past: the one of the year before", mod)
        return res(m, cal.month(y, mon), "anchor", "'last': most recent one before the anchor's month", mod)
    if qualifier == "next":
        y = a.year if mon > a.month else a.year + 1
        return res(m, cal.month(y, mon), "anchor", "'next': first one after the anchor's month", mod)
    if qualifier == "this":
        return res(m, cal.month(a.year, mon), "anchor", "'this': in the anchor's year", mod)
    how, why = direction(ctx, m)
    y, why = _month_year(ctx, m, mon, how, why)
    return res(m, cal.month(y, mon), "anchor", why, mod)


@resolver
def year_number(m: Match, ctx: Context) -> Resolution | None:
    y = _year(ctx, m.g("year"))
    if y is None:
        return None
    return res(m, cal.year(y), "absolute", "explicit year", _mod(ctx, m))


@resolver
def decade_number(m: Match, ctx: Context) -> Resolution | None:
    text = (m.g("decade") or "").lstrip("'’")
    if not text.isdigit():
        return None
    y = int(text)
    if len(text) == 2:
        y = (ctx.anchor.year // 100 - (1 if y > ctx.anchor.year % 100 else 0)) * 100 + y
    if not cal.valid_year(y) or y % 10:
        return None
    return res(m, cal.decade(y), "absolute", "explicit decade", _mod(ctx, m))


@resolver
def decade_word(m: Match, ctx: Context) -> Resolution | None:
    """'the nineties': a decade of the twentieth century."""
    n = ctx.lookup("decade_word", m.g("dword"))
    if not isinstance(n, int):
        return None
    return res(m, cal.decade(1900 + 10 * n), "absolute", "decade named by its word", _mod(ctx, m))


@resolver
def century_ordinal(m: Match, ctx: Context) -> Resolution | None:
    n = ctx.lookup("ordinal", m.g("ord"))
    if n is None and m.g("ordnum"):
        n = number(ctx, m.g("ordnum"))
    if not n or not 11 <= n <= 30:
        return None
    return res(m, cal.century((n - 1) * 100), "absolute", "explicit century", _mod(ctx, m))


@resolver
def this_unit(m: Match, ctx: Context) -> Resolution | None:
    """last/this/next/previous/following + week, month, year, quarter, weekend, season."""
    unit = ctx.lookup("unit", m.g("unit")) or m.params.get("unit")
    qualifier = ctx.lookup("qualifier", m.g("qual")) or m.params.get("qual", "this")
    season_code = ctx.lookup("season", m.g("season"))
    narrative = qualifier in ("previous", "following", "same")
    base, against, _ = _ref_point(ctx, prefer_day=False) if narrative else (ctx.anchor, "anchor", None)
    step = {"last": -1, "previous": -1, "this": 0, "same": 0, "next": 1, "following": 1}.get(qualifier, 0)
    if season_code:
        return _season(m, ctx, season_code, step, base, against)
    if unit is None:
        return None
    shifted = shift(base, unit, step)
    if shifted is None:
        return None
    p = _unit_period(shifted, unit)
    if p is None:
        return None
    return res(m, p, "anchor" if against == "anchor" else "previous",
               f"'{m.g('qual') or 'this'}' {unit}: {step:+d} from {against}", _mod(ctx, m))


def _season(m: Match, ctx: Context, code: str, step: int, base: datetime, against: str) -> Resolution | None:
    # The season holding the base; winter belongs to the year it starts in.
    y = base.year if not (code == "WI" and base.month <= 2) else base.year - 1
    cur = cal.season(y, code)
    assert cur.start is not None
    if step == -1:
        y = y if cur.start <= base and code != _season_of(base) else y - 1
        if cal.season(y, code).start > base:  # type: ignore[operator]
            y -= 1
    elif step == 1:
        if cur.start <= base:
            y += 1
    if not cal.valid_year(y):
        return None
    return res(m, cal.season(y, code), "anchor" if against == "anchor" else "previous",
               f"season {code}, {step:+d} from {against}", _mod(ctx, m))


def _season_of(d: datetime) -> str:
    return {12: "WI", 1: "WI", 2: "WI", 3: "SP", 4: "SP", 5: "SP", 6: "SU", 7: "SU", 8: "SU"}.get(d.month, "FA")


@resolver
def weekend(m: Match, ctx: Context) -> Resolution | None:
    """'the weekend': the one holding the anchor, else the last one (past or early week) or the coming one."""
    today = ctx.today
    wd = today.weekday()
    if wd >= 5:
        return res(m, cal.weekend_of(today), "anchor", "the anchor falls on this weekend")
    how, why = direction(ctx, m)
    if how == "past" or (how == "nearest" and wd <= 2):
        return res(m, cal.weekend_of(today - timedelta(days=7)), "anchor", f"{why}: the last weekend")
    return res(m, cal.weekend_of(today), "anchor", f"{why}: the coming weekend")


@resolver
def season_name(m: Match, ctx: Context) -> Resolution | None:
    code = ctx.lookup("season", m.g("season"))
    if code is None:
        return None
    if m.g("year"):
        y = _year(ctx, m.g("year"))
        if y is None:
            return None
        return res(m, cal.season(y, code), "absolute", "explicit season and year", _mod(ctx, m))
    how, why = direction(ctx, m)
    step = {"past": -1, "future": 1, "nearest": 0}[how]
    if code == _season_of(ctx.anchor):
        step = 0
    return _season(m, ctx, code, step, ctx.anchor, "anchor")


_OFFSET_GRAIN = {"H": "D", "MIN": "D", "DE": "Y", "CE": "Y"}


@resolver
def unit_offset(m: Match, ctx: Context) -> Resolution | None:
    """'three years ago', 'a year earlier', 'two days later': a shift at the unit's grain.

    'ago' counts from the anchor; 'earlier'/'later'/'before'/'after' from the time the
    text is talking about (the last resolved date), as narrative does.
    """
    unit = ctx.lookup("unit", m.g("unit"))
    n = number(ctx, m.g("num")) if m.g("num") else (None if m.params.get("vague") else 1)
    sign = -1 if m.params.get("sign", -1) < 0 else 1
    if unit is None:
        return None
    if n is None:  # 'several years ago'
        return Resolution(m.rule.type, "PAST_REF" if sign < 0 else "FUTURE_REF", "unknown", None,
                          None if sign < 0 else ctx.anchor, ctx.anchor if sign < 0 else None,
                          "anchor", "vague count of units from the anchor")
    narrative = m.params.get("from") == "reference"
    # "three days later" counts from the day under discussion, not from a year or quarter.
    ref = (ctx.last_day if unit in ("D", "H", "MIN", "S") else ctx.last) if narrative else None
    # "a year ago" in a results story compares with the period under discussion
    # (the year-ago quarter), so a year's shift keeps that period's grain.
    # Only "a year ago/earlier" makes that comparison; "ten years ago" counts from the anchor.
    period = ctx.last if unit == "Y" and n == 1 and ctx.last is not None and ctx.last.grain in ("quarter", "half", "month") else None
    if period is not None and period.start is not None:
        ref = period
    base, against = (ref.start, f"previous time {ref.value}") if ref and ref.start else (ctx.anchor, "anchor")
    shifted = shift(base, unit, sign * n)
    if shifted is None:
        return None
    grain_unit = unit
    if ref is not None and unit == "Y" and ref.grain in ("quarter", "half", "month"):
        grain_unit = {"quarter": "Q", "half": "H1", "month": "M"}[ref.grain]
    # Hours back land on a day; decades and centuries back on a year: "a decade ago" is about
    # 1989 (as "ten years ago" is), not the whole 1980s.
    p = _unit_period(shifted, _OFFSET_GRAIN.get(unit, grain_unit))
    if p is None:
        return None
    # "compared with $5 million a year earlier" after a year (or the year to date) under
    # discussion is a baseline as well: the story stays in its own year.
    year_baseline = unit == "Y" and n == 1 and ctx.last is not None and ctx.last.grain == "year"
    return Resolution(m.rule.type, p.value, p.grain, None, p.start, p.end,
                      "previous" if against != "anchor" else "anchor",
                      f"{sign * n:+d} {unit} from {against}",
                      moves_reference=period is None and not year_baseline)


@resolver
def narrative_day(m: Match, ctx: Context) -> Resolution | None:
    """'the day before', 'the next day', 'that day', 'that evening': from the reference time."""
    offset = int(m.params.get("offset", 0))
    base, against, ref = _ref_point(ctx)
    d = base.date() + timedelta(days=offset)
    part = ctx.lookup("part_of_day", m.g("part")) or m.params.get("part")
    why = f"{offset:+d} day(s) from {against}"
    if not cal.valid_year(d.year):
        return None
    p = cal.part_of_day(d, part) if part else cal.day(d)
    return Resolution(m.rule.type if not part else "TIME", p.value, p.grain, None, p.start, p.end,
                      "previous" if ref else "anchor", why)


@resolver
def ordinal_day(m: Match, ctx: Context) -> Resolution | None:
    """'a second day', 'the third day' of an operation reported at the anchor: that day."""
    n = ctx.lookup("ordinal", m.g("ord"))
    if n is None or n < 2 or n > 31:
        return None
    return res(m, cal.day(ctx.today), "anchor",
               f"day {n} of an ongoing event as reported: the anchor's day {ctx.today}")


@resolver
def overnight(m: Match, ctx: Context) -> Resolution | None:
    """The night that ends on the anchor's morning: 18:00 the day before to 09:00.

    News reports 'overnight' on the morning (or day) after; 18:00 opens the evening, and
    09:00 covers an early-morning report's cut-off. When the text is talking about a
    recent earlier day ("Friday ... shares were depressed by overnight losses in New York",
    reported on Monday), it is the night that ends on that day's morning, as other
    narrative times are; a day further back (params.report_days) is background, not the
    story's night.
    """
    day_ = ctx.today
    against, why = "anchor", f"the night ending on the anchor's morning {ctx.today}"
    ref = ctx.last_day
    back = (ctx.today - ref.start.date()).days if ref is not None and ref.start is not None else 0
    if ref is not None and ref.grain == "day" and 0 < back <= int(m.params.get("report_days", 0)):
        day_ = ref.start.date()  # type: ignore[union-attr]
        against, why = "previous", f"the night ending on the morning of the day under discussion {day_}"
    d = day_ - timedelta(days=1)
    start = datetime(d.year, d.month, d.day, 18)
    end = datetime(day_.year, day_.month, day_.day, 9)
    return Resolution(m.rule.type, f"{d.isoformat()}TNI", "part_of_day", None, start, end, against, why)


@resolver
def part_of_today(m: Match, ctx: Context) -> Resolution | None:
    """'this morning', 'tonight', 'last night' relative to the anchor's day."""
    part = ctx.lookup("part_of_day", m.g("part")) or m.params.get("part")
    offset = int(m.params.get("offset", 0))
    if part is None:
        return None
    d = ctx.today + timedelta(days=offset)
    return res(m, cal.part_of_day(d, part), "anchor", f"{part} of {d} ({offset:+d} from the anchor)")


def _quarter_year(ctx: Context, m: Match, q: int) -> tuple[int, str]:
    y = _year(ctx, m.g("year"))
    if y is not None:
        return y, "explicit quarter and year"
    a = ctx.anchor
    current_q = (a.month - 1) // 3 + 1
    qual = ctx.lookup("qualifier", m.g("qual"))
    if qual == "last":
        return a.year - 1, "'last year's' quarter"
    if qual == "next":
        return a.year + 1, "next year's quarter"
    if q > current_q and ctx.tense_of(m.start, m.end) != "future":
        return a.year - 1, "quarter not yet begun: the one of the previous year"
    return a.year, "quarter of the anchor's year"


@resolver
def quarter_ordinal(m: Match, ctx: Context) -> Resolution | None:
    q = ctx.lookup("ordinal", m.g("ord")) or number(ctx, m.g("ord"))
    if q is None or not 1 <= q <= 4:
        return None
    y, why = _quarter_year(ctx, m, q)
    if not cal.valid_year(y):
        return None
    r = res(m, cal.quarter(y, q), "anchor" if "explicit" not in why else "absolute", why, _mod(ctx, m))
    if "fiscal" in m.text.lower():
        ctx.fiscal_quarter = Period(r.value, "quarter", r.start, r.end)
    elif "explicit" not in why:
        ctx.fiscal_quarter = None  # a calendar quarter of this year: the story left the fiscal one
    return r


@resolver
def half_ordinal(m: Match, ctx: Context) -> Resolution | None:
    h = 2 if m.g("hlast") else ctx.lookup("ordinal", m.g("ord"))
    if h is None or not 1 <= h <= 2:
        return None
    y = _year(ctx, m.g("year"))
    why = "explicit half and year"
    if y is None:
        a = ctx.anchor
        y = a.year if h == 1 or a.month > 6 else a.year - 1
        why = "half of the anchor's year (the last one begun)"
    return res(m, cal.half(y, h), "anchor", why, _mod(ctx, m))


@resolver
def current_quarter(m: Match, ctx: Context) -> Resolution | None:
    """'the quarter', 'the latest quarter': the quarter under discussion, else the last one reported.

    Company results are reported after the quarter ends, so without a quarter in the text
    the latest quarter is the last completed one.
    """
    if ctx.last is not None and ctx.last.grain == "quarter" and not m.params.get("latest"):
        return res(m, ctx.last, "previous", f"the quarter under discussion {ctx.last.value}")
    if ctx.fiscal_quarter is not None:
        # A company on a fiscal calendar numbers its own quarters: its latest one is the
        # fiscal quarter the story named, not the last calendar quarter.
        fq = ctx.fiscal_quarter
        return res(m, fq, "previous", f"the fiscal quarter the story is about {fq.value}")
    shifted = shift(ctx.anchor, "Q", -1)
    if shifted is None:
        return None
    p = _unit_period(shifted, "Q")
    return res(m, p, "anchor", "latest completed quarter before the anchor") if p else None


# Which earlier grains an anaphoric 'the year' / 'the month' / 'the week' can sit inside.
_FRAMES = {"Y": ("year", "half", "quarter", "season", "month"), "M": ("month", "day", "part_of_day", "hour", "minute"),
           "W": ("week", "day", "part_of_day", "hour", "minute")}


@resolver
def current_unit(m: Match, ctx: Context) -> Resolution | None:
    """'the year', 'the month', 'the week': the one under discussion, else the anchor's.

    It names the frame of the story without moving it, so 'the quarter' after it still
    means the quarter under discussion.
    """
    unit = ctx.lookup("unit", m.g("unit"))
    if unit not in _FRAMES:
        return None
    last = ctx.last
    if last is not None and last.start is not None and last.grain in _FRAMES[unit]:
        base, against, why = last.start, "previous", f"the {m.g('unit')} under discussion ({last.value})"
    else:
        base, against, why = ctx.anchor, "anchor", f"the anchor's {m.g('unit')}"
    p = _unit_period(base, unit)
    if p is None:
        return None
    r = res(m, p, against, why, _mod(ctx, m))
    return Resolution(r.type, r.value, r.grain, r.mod, r.start, r.end, r.resolved_against, r.reason,
                      moves_reference=False)


@resolver
def quarter_ending(m: Match, ctx: Context) -> Resolution | None:
    """'the quarter ended July 31': the quarter whose last month is named, at or before the anchor."""
    if m.g("ord"):  # "the third quarter ended Sept. 30": the ordinal names it
        return quarter_ordinal(m, ctx)
    mon = ctx.lookup("month", m.g("month"))
    if mon is None:
        return None
    last = ctx.last
    if last is not None and last.grain == "quarter" and ctx.fiscal_quarter == last:
        # "earned $5.2 million in the fiscal first quarter ... sales of $538.5 million for
        # the quarter ended Sept. 29": the end date restates the fiscal quarter just named.
        return Resolution(m.rule.type, last.value, last.grain, None, last.start, last.end, "previous",
                          f"the fiscal quarter under discussion {last.value}, which ended in month {mon}",
                          moves_reference=False)
    a = ctx.anchor
    y = a.year if mon <= a.month else a.year - 1
    mid_y, mid = cal.shift_months(y, mon, -1)
    p = cal.quarter(mid_y, (mid - 1) // 3 + 1)
    return res(m, p, "anchor", f"the three months ending in {y}-{mon:02d}")


@resolver
def year_ago_period(m: Match, ctx: Context) -> Resolution | None:
    """'the year-earlier quarter': the period under discussion, one year back.

    When the story is about a year (or the year to date: 'for the nine months, ... compared
    with year-earlier net income'), the year-earlier figures are the year before's; a
    'year-ago quarter' stays a quarter.
    """
    grains = ("quarter", "month", "half") if "quarter" in m.text.lower() else ("quarter", "month", "half", "year")
    ref = ctx.last if ctx.last is not None and ctx.last.grain in grains else None
    if ref is not None and ref.start is not None and ref.start > ctx.anchor:
        # A period still ahead ("a loss in the third quarter of 1990") has no results yet to
        # compare: the year-ago figures are those of the period the story reports.
        ref = None
    if ref is None or ref.start is None:
        shifted = shift(ctx.anchor, "Q", -1)
        if shifted is None:
            return None
        ref = _unit_period(shifted, "Q")
        if ref is None or ref.start is None:
            return None
    unit = {"quarter": "Q", "month": "M", "half": "H1", "year": "Y"}[ref.grain]
    if "quarter" in m.text.lower():  # "the year-ago quarter" is a quarter, whatever came before
        unit = "Q"
    back = shift(ref.start, "Y", -1)
    p = _unit_period(back, unit) if back else None
    if p is None:
        return None
    return Resolution(m.rule.type, p.value, p.grain, None, p.start, p.end, "previous",
                      f"one year before the period under discussion {ref.value}", moves_reference=False)


@resolver
def week_of_date(m: Match, ctx: Context) -> Resolution | None:
    """'the week of March 6': the ISO week holding the day named."""
    r = date_md(m, ctx)
    if r is None or r.start is None:
        return None
    p = cal.week_of(r.start.date())
    return Resolution(m.rule.type, p.value, p.grain, None, p.start, p.end, r.resolved_against,
                      f"the week holding {r.value}")


@resolver
def period_of_year(m: Match, ctx: Context) -> Resolution | None:
    """'the 1988 second quarter', 'the 1988 period': a period of the year named.

    Without an ordinal it is the period under discussion (a quarter, month or half) moved
    to that year, or the year itself when the text names no such period.
    """
    y = _year(ctx, m.g("year"))
    if y is None:
        return None
    q = ctx.lookup("ordinal", m.g("ord"))
    if q is not None:
        if "half" in m.text.lower():
            return res(m, cal.half(y, q), "absolute", "explicit half and year") if 1 <= q <= 2 else None
        return res(m, cal.quarter(y, q), "absolute", "explicit quarter and year") if 1 <= q <= 4 else None
    ref = ctx.last
    if ref is not None and ref.start is not None and ref.grain in ("quarter", "month", "half"):
        unit = {"quarter": "Q", "month": "M", "half": "H1"}[ref.grain]
        moved = shift(ref.start, "Y", y - ref.start.year)
        p = _unit_period(moved, unit) if moved else None
        if p is not None:
            return Resolution(m.rule.type, p.value, p.grain, None, p.start, p.end, "previous",
                              f"the period under discussion {ref.value} in {y}", moves_reference=False)
    p = cal.year(y)
    # "the 1988 period" names the period of another year to compare with: a baseline.
    return Resolution(m.rule.type, p.value, p.grain, None, p.start, p.end, "absolute",
                      "explicit year", moves_reference=False)


@resolver
def fiscal_year(m: Match, ctx: Context) -> Resolution | None:
    y = _year(ctx, m.g("year"))
    if y is None:
        return None
    return res(m, cal.year(y), "absolute", "fiscal year named by its calendar year", _mod(ctx, m))


def _holiday_on(spec: dict[str, Any], y: int) -> date | None:
    if "easter" in spec:
        return _easter(y) + timedelta(days=int(spec["easter"]))
    if "nth" in spec:  # nth weekday of a month (Thanksgiving: 4th Thursday of November), from a day
        first = date(y, spec["month"], int(spec.get("from_day", 1)))
        delta = (spec["weekday"] - 1 - first.weekday()) % 7
        return first + timedelta(days=delta + 7 * (spec["nth"] - 1))
    return cal.safe_date(y, spec["month"], spec["day"])


@resolver
def holiday(m: Match, ctx: Context) -> Resolution | None:
    """'Christmas', 'Thanksgiving 1998'; with params.week, the week holding it ('Easter week').

    Without a year, the tense picks the occurrence: a past clause the last one begun, a
    future clause the next one not over, otherwise the nearest.
    """
    spec = ctx.lookup("holiday", m.g("holiday"))
    if not isinstance(spec, dict):
        return None
    week = bool(m.params.get("week"))

    def period(d: date) -> Period:
        return cal.week_of(d) if week else cal.day(d)

    explicit = _year(ctx, m.g("year"))
    if explicit is not None:
        d = _holiday_on(spec, explicit)
        return res(m, period(d), "absolute", "holiday in an explicit year") if d else None
    how, why = direction(ctx, m)
    days = [d for d in (_holiday_on(spec, y) for y in (ctx.anchor.year - 1, ctx.anchor.year, ctx.anchor.year + 1)) if d]
    candidates = [period(d) for d in days]
    now = ctx.anchor
    if how == "past":  # the last one begun ("as Easter week began" on its Monday)
        pick = max((p for p in candidates if p.start is not None and p.start <= now),
                   key=lambda p: p.start, default=None)  # type: ignore[arg-type, return-value]
    elif how == "future":  # the next one not over yet
        pick = min((p for p in candidates if p.end is not None and p.end > now),
                   key=lambda p: p.start, default=None)  # type: ignore[arg-type, return-value]
    else:
        pick = min(candidates, key=lambda p: abs((p.start - now).total_seconds()), default=None)  # type: ignore[operator]
    return res(m, pick, "anchor", f"{why}: {how} occurrence") if pick else None


def _easter(y: int) -> date:
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month_ = (h + l_ - 7 * m + 114) // 31
    return date(y, month_, (h + l_ - 7 * m + 114) % 31 + 1)


# --- TIME ------------------------------------------------------------------------------

def _clock(ctx: Context, m: Match, d: date) -> Period | None:
    hour = number(ctx, m.g("hour"))
    minute = number(ctx, m.g("minute")) if m.g("minute") else None
    ampm = (m.g("ampm") or str(m.params.get("ampm", ""))).lower().replace(".", "").strip()
    if hour is None or hour > 24 or (minute is not None and minute > 59):
        return None
    if ampm:
        if not 1 <= hour <= 12:
            return None
        if ampm.startswith("p") and hour != 12:
            hour += 12
        if ampm.startswith("a") and hour == 12:
            hour = 0
    if hour == 24:
        hour = 0
        d = d + timedelta(days=1)
    return cal.clock(d, hour, minute)


@resolver
def clock_time(m: Match, ctx: Context) -> Resolution | None:
    """'3:30 p.m.', '10 a.m. EDT Thursday', 'noon': on the day named, else the day under discussion.

    A bare clock time belongs to the day the text is talking about ("shot Friday night ...
    at 10 p.m."), the anchor's day when the text has named none.
    """
    d = ctx.today
    why = "clock time on the anchor's day"
    if ctx.last_day is not None and ctx.last_day.start is not None and ctx.last_day.grain != "part_of_day":
        d, why = ctx.last_day.start.date(), f"clock time on the day under discussion {ctx.last_day.value}"
    elif ctx.last_day is not None and ctx.last_day.start is not None:
        d, why = date.fromisoformat(ctx.last_day.value[:10]), f"clock time on the day under discussion {ctx.last_day.value}"

    if m.g("weekday"):
        wd = ctx.lookup("weekday", m.g("weekday"))
        if wd is None:
            return None
        d, why = _weekday_date(ctx, m, int(wd) - 1, None)
    elif m.g("month"):
        mon = ctx.lookup("month", m.g("month"))
        day_ = number(ctx, m.g("day"))
        dd = cal.safe_date(ctx.anchor.year, mon, day_) if mon and day_ else None
        if dd is None:
            return None
        d, why = dd, "clock time on the date named"
    elif m.g("relday"):
        d = ctx.today + timedelta(days=int(ctx.lookup("relative_day", m.g("relday")) or 0))
    named = m.params.get("hour")
    if named is not None:
        hour = int(named)
        dd = d + timedelta(days=1) if hour == 24 else d
        p = cal.clock(dd, hour % 24, None)
        label = str(m.params.get("label", f"{hour:02d}"))
        p = Period(f"{d.isoformat()}T{label}", "hour", p.start, p.end)
    else:
        p = _clock(ctx, m, d)
        if p is None:
            return None
    return res(m, p, "anchor", why, _mod(ctx, m))


# --- DURATION and SET ------------------------------------------------------------------

_TIME_UNITS = {"H", "MIN", "S"}


_HALVES = {"Y": (6, "M"), "M": (15, "D"), "D": (12, "H"), "H": (30, "MIN"), "MIN": (30, "S")}


def duration_value(n: float | None, unit: str) -> str:
    if unit == "DE":
        unit, n = "Y", None if n is None else n * 10
    elif unit == "CE":
        unit, n = "Y", None if n is None else n * 100
    elif unit == "WE":
        unit, n = "D", None if n is None else n * 2
    # TimeML writes whole numbers: half a unit goes to the next smaller one ("PT5H30M").
    if n is not None and n != int(n) and unit in _HALVES and (n * 2) == int(n * 2):
        whole, (half_n, half_unit) = int(n), _HALVES[unit]
        head = duration_value(whole, unit) if whole else ("PT" if unit in _TIME_UNITS else "P")
        tail = duration_value(half_n, half_unit)
        tail = tail[2:] if tail.startswith("PT") and "T" in head else tail[1:]
        return head + tail
    code = {"MIN": "M"}.get(unit, unit)
    if n is None:
        amount = "X"
    elif n == int(n):
        amount = str(int(n))
    else:
        amount = f"{n:g}"
    return f"PT{amount}{code}" if unit in _TIME_UNITS else f"P{amount}{code}"


@resolver
def duration(m: Match, ctx: Context) -> Resolution | None:
    """'three days', 'a two-year', 'the past 20 years', 'several months', 'years'."""
    unit = ctx.lookup("unit", m.g("unit") or m.g("unit2"))
    if unit is None or m.g("old"):  # "a 42-year-old" is an age, not a time expression
        return None
    if m.g("num"):
        n: float | None = number(ctx, m.g("num"))
        if n is None and ctx.lookup("vague", m.g("num")) is None:
            return None
    else:
        n = None if m.params.get("vague") else 1
    if n is not None and (m.g("frac") or m.g("frac2")):
        n += 0.5
    if n is not None and (n <= 0 or n > 10000):
        return None
    if unit == "H" and n == 24 and m.g("dir"):
        unit, n = "D", 1  # 'the last twenty-four hours' is read (and annotated) as a day
    value = duration_value(n, unit)
    mod = _mod(ctx, m) or ("APPROX" if m.g("orso") else None)  # "two years or so"
    start = end = None
    dir_ = ctx.lookup("qualifier", m.g("dir")) or m.params.get("dir")
    if n is not None and dir_ in ("last", "next") and unit != "WE":
        whole = int(n) if n == int(n) else None
        if whole is not None:
            other = shift(ctx.anchor, unit, whole if dir_ == "next" else -whole)
            if other is not None:
                start, end = (other, ctx.anchor) if dir_ == "last" else (ctx.anchor, other)
    elif n is None and dir_ in ("last", "next"):
        # "the past few weeks", "in recent months": an honest bound on the near side only
        start, end = (None, ctx.anchor) if dir_ == "last" else (ctx.anchor, None)
    frame = _to_date_frame(m, ctx, unit, n)
    bounded = start is not None or end is not None
    return Resolution(m.rule.type, value, None, mod, start, end, "anchor" if bounded else "none",
                      f"length {value}" + (f", {dir_} from the anchor" if bounded else "")
                      + (f"; the story's frame is now {frame.value} to date" if frame else ""),
                      frame=frame)


def _to_date_frame(m: Match, ctx: Context, unit: str, n: float | None) -> Period | None:
    """'the (first) nine months' of a results story: the part of the year reported so far.

    The stretch opens the year ('first', or the definite article of a running total), so a
    comparison after it ('compared with $5 million a year earlier') is with the same months
    of the year before, which TimeML can only write as that year. A rule opts in with
    params.frame = "year_to_date"; the year is that of the period under discussion, else the
    anchor's.
    """
    if m.params.get("frame") != "year_to_date" or unit != "M" or n is None or not 2 <= n <= 11:
        return None
    ref = ctx.last if ctx.last is not None and ctx.last.start is not None else None
    base = ref.start if ref is not None and ref.grain in ("quarter", "half", "month") else ctx.anchor
    return cal.year(base.year) if cal.valid_year(base.year) else None


@resolver
def set_every(m: Match, ctx: Context) -> Resolution | None:
    """'every day', 'each month', 'every Thursday', 'daily' (params.value)."""
    if "value" in m.params:
        return Resolution(m.rule.type, str(m.params["value"]), None, None, None, None, "none",
                          "recurring")
    wd = ctx.lookup("weekday", m.g("weekday"))
    if wd is not None:
        part = ctx.lookup("part_of_day", m.g("part"))
        return Resolution(m.rule.type, f"XXXX-WXX-{wd}" + (f"T{part}" if part else ""), None, None,
                          None, None, "none", "every such weekday")
    mon = ctx.lookup("month", m.g("month"))
    if mon is not None:
        return Resolution(m.rule.type, f"XXXX-{mon:02d}", None, None, None, None, "none", "every such month")
    season = ctx.lookup("season", m.g("season")) or ctx.lookup("season_plural", m.g("seasons"))
    if season is not None:
        return Resolution(m.rule.type, f"XXXX-{season}", None, None, None, None, "none", "every such season")
    unit = ctx.lookup("unit", m.g("unit"))
    if unit is None:
        return None
    n = number(ctx, m.g("num")) if m.g("num") else 1
    return Resolution(m.rule.type, duration_value(n, unit), None, None, None, None, "none", "recurring")
