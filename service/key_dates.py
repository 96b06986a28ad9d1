"""Key dates of a story: the few days that matter among all the days its articles talk about.

Ranks calendar days by the evidence the store holds for them (`sql/queries/key_dates.sql` does
the aggregation), for `GET /timeline/key-dates` and `timeline key-dates`.

## The score

An article *a* **mentions** day *d* when at least one of these is dated to *d* at day grain or
finer (a month or a year names no day):
- one of its time expressions (DATE or TIME: "on Monday", "May 22", "Monday evening");
- one of its event mentions (its own resolved interval);
- an event that one of its mentions belongs to (deduplication carries a day found by one
  article to every article that reports the same happening, even one that did not say when).

Each article counts once per day, however often it repeats the date, and weighs

    w(a, d) = 1.0  when a was published after d      (hindsight: the day is still told)
              0.5  when a was published on d         (the news of the day)
              0.5  when a was published before d     (anticipation: "will go on sale June 24")

on the article's own clock. The score of a day sums, over sources *s*, the square root of the
weight its articles give it:

    score(d) = Σ_s sqrt( Σ_{a from s mentioning d} w(a, d) )

and the days are ranked by score, then by the number of articles, then by the number of
mentions, then earliest first. Each day comes with its day-grain events (best supported
first) and one representative sentence: the sentence of the mention, among those dated to the
day or in a sentence that names it, whose event is reported by the most sources, then the
most articles, preferring later articles and occurrences over reports and states.

## Why this formula

- **Mentions, not publication volume.** Date rankers for news timeline summarization count
  the texts that *refer* to a date (the MentionCount ranker of Gholipour Ghalandari and Ifrim,
  ACL 2020; their supervised ranker, at date-selection F1 0.54 on Timeline17, splits those
  counts by whether the article was published before, on or after the date). A busy
  publishing day with no later echo is usually routine news;
  a day that articles keep naming days and weeks afterwards is one the story turned on. So a
  mention from a later article counts fully, and one from the day's own news counts half:
  publication-day articles name "today" and "Tuesday" as a matter of course.
- **Articles, not sentences.** One long article repeating a date is one witness; counting it
  once per article keeps a single retrospective from outvoting the coverage.
- **Sources with diminishing returns.** Ten articles of one outlet are less independent than
  ten outlets. The square root per source is the diversity reward of Lin and Bilmes (ACL 2011,
  a monotone submodular function over a partition): the first articles of a source count most,
  its repetitions less, and a corpus of a single source keeps the plain ranking by weighted
  article count (the square root is monotone).
- **Day grain only.** A key date is a day; "May 2023" or "last year" is no evidence for any
  particular day, and spreading it would favour the first of the month.
- **No tuned constants beyond the half weight**, and that one is a stated policy, not fitted
  to the seed articles: the ranking is meant to carry to corpora it has not seen.

## How it is read

The day each time expression, mention and mention link names is worked out when it is stored
(`day_evidence`, sql/schema/013_day_evidence.sql: written by ingest for expressions and
mentions, by each dedup run for its links), one row per dated thing with the record times its
`as_of` test needs. Each dedup run then groups those rows by what that test and the ranking look
at (`day_article_evidence`, 014_day_article_evidence.sql: one row per pipeline run, dedup run
or none, day, article and record time, with the mentions a quote may come from and the day's
events). The
evidence as of t is then a filter of those groups by the same rules as the `*_as_of` views (the
group recorded by t, its pipeline run and, for the event route, its dedup run current at t),
not the state of the last dedup run: an ingest that dates new days without changing the
grouping records no dedup run, and its days count from then on, as before (the query groups the
rows of runs stored since as it reads them). At 296,749 mentions the ranking reads 35,184 groups
instead of 151,514 rows, and a day's events and quote candidates come with its groups.

Each dedup run also stores what the quote needs from its links (`key_date_quote_events`,
015_key_date_quotes.sql: for each mention it links that is a quote candidate, its event and that
event's articles and sources) and the answer itself: every day as known at the run's recorded_at
(`key_date_days`, 016_key_date_days.sql). A dedup run links the mentions current when it grouped
them, so the support of its events holds as long as it is current, until an ingest re-runs an
article it links (the regroup that follows makes a new run). A read takes, in one transaction
(`key_dates_state.sql` decides):
- the stored days, when nothing the key dates read was recorded between the dedup run current at
  `as_of` and `as_of` (`key_dates_fresh.sql`): they are the answer then, ranked within the window
  (`key_dates_days.sql`; 900 rows at 10,000 articles);
- else the ranking as above with the stored support (`key_dates.sql`), when no run recorded by
  `as_of` re-ran an article the run links (`key_dates_reruns.sql`);
- else the links as they were at `as_of` (`key_dates_exact.sql`): the instants between such an
  ingest and its regroup, and stores written without the stored support.
All three give the same answer (tests/test_key_dates.py compares them at every record time). On
the 10,000-article bench store (3 Dec, a machine loaded by other work, load 4-5): 9 ms at the
median from the stored days (bench_dedup: p95 15.6 ms), 70 ms with the stored support, 127 ms
reading the links (the read of before, p95 80-135 ms by the load).

A day's score sums the square roots in a fixed order (ascending), so that two days with the
same weights per source get the very same float and their tie goes to the stated tie-breakers;
summed in whatever order a parallel aggregation met them, a last-bit difference used to decide
such ties (on the 10,000-article bench store, 10 of the top 100 days swapped places with their
equals). The formula and its figures are unchanged.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import duckdb
import msgspec

from service.store import fetch, query

LATER_WEIGHT = 1.0
SAME_DAY_WEIGHT = 0.5
EARLIER_WEIGHT = 0.5
DEFAULT_TOP = 10
MAX_TOP = 100
MAX_EVENTS_PER_DAY = 10


class KeyDatesError(ValueError):
    """A key-dates request that cannot be answered as asked; the message says how to fix it."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


class KeyDateEvent(msgspec.Struct, frozen=True):
    id: str
    kind: str
    label: str
    articles: Annotated[int, msgspec.Meta(description="Articles reporting this event.")]
    sources: Annotated[int, msgspec.Meta(description="Distinct sources reporting this event.")]
    has_conflict: bool


class KeyDateQuote(msgspec.Struct, frozen=True):
    text: Annotated[str, msgspec.Meta(description="The sentence, as the article wrote it.")]
    trigger: str
    article_id: str
    source: str
    url: str | None
    published_at: datetime
    event_id: str | None


class KeyDate(msgspec.Struct, frozen=True):
    rank: int
    day: Annotated[date, msgspec.Meta(description="Calendar day on the clocks of the articles that name it.")]
    score: Annotated[float, msgspec.Meta(
        description="Σ over sources of sqrt(Σ article weights): 1 for articles published after the day, "
                    "0.5 on the day or before it.")]
    articles: Annotated[int, msgspec.Meta(description="Articles that mention the day.")]
    sources: Annotated[int, msgspec.Meta(description="Distinct sources of those articles.")]
    later_articles: Annotated[int, msgspec.Meta(description="Of them, published after the day.")]
    same_day_articles: Annotated[int, msgspec.Meta(description="Of them, published on the day.")]
    earlier_articles: Annotated[int, msgspec.Meta(description="Of them, published before the day.")]
    mentions: Annotated[int, msgspec.Meta(description="Time expressions and event mentions dated to the day.")]
    event_count: Annotated[int, msgspec.Meta(description="Events dated to the day at day grain.")]
    events: Annotated[list[KeyDateEvent], msgspec.Meta(
        description=f"Those events, best supported first (at most {MAX_EVENTS_PER_DAY}).")]
    quote: Annotated[KeyDateQuote | None, msgspec.Meta(
        description="The sentence of the day's best-supported mention, with its source.")]


class KeyDates(msgspec.Struct, frozen=True):
    as_of: datetime
    from_: date | None = msgspec.field(name="from")
    to: date | None = None
    top: int = DEFAULT_TOP
    days: list[KeyDate] = msgspec.field(default_factory=list)


def check(top: int, start: date | None, end: date | None) -> None:
    """Refuse what cannot be answered, saying how to ask instead."""
    if not 1 <= top <= MAX_TOP:
        raise KeyDatesError("top", f"top={top} must be between 1 and {MAX_TOP}: it is the number of days returned.")
    if start is not None and end is not None and start > end:
        raise KeyDatesError("range", f"from={start.isoformat()} is after to={end.isoformat()}; both days are included, "
                            "so give from <= to.")


def read_key_dates(cur: duckdb.DuckDBPyConnection, as_of: datetime, *, top: int = DEFAULT_TOP,
                   start: date | None = None, end: date | None = None,
                   later_weight: float = LATER_WEIGHT, same_day_weight: float = SAME_DAY_WEIGHT,
                   earlier_weight: float = EARLIER_WEIGHT) -> KeyDates:
    """The `top` key dates from `start` to `end` (inclusive) as known at `as_of`.

    The weights are parameters only so that evaluations can ablate them; the service uses the
    module's constants.
    """
    check(top, start, end)
    params = {
        "as_of": as_of, "from": start, "to": end, "top": top, "max_events": MAX_EVENTS_PER_DAY,
        "later_weight": later_weight, "same_day_weight": same_day_weight, "earlier_weight": earlier_weight,
    }
    cur.execute("BEGIN TRANSACTION")  # the state and the answer of one snapshot
    try:
        state = fetch(cur, "key_dates_state", {"as_of": as_of})[0]
        if _days_hold(cur, state, as_of, (later_weight, same_day_weight, earlier_weight)):
            sql = query("key_dates_days")  # the answer stored with the dedup run current at as_of
            params = {"dedup_run_id": state["days_of"], "from": start, "to": end, "top": top,
                      "max_events": MAX_EVENTS_PER_DAY}
        elif _support_holds(cur, state, as_of):  # ranked as read, with the support stored with the run
            sql = _sql("key_dates", state["ungrouped"])
            params["dedup_run_id"] = state["dedup_run_id"]
        else:  # the instants the stored support does not hold at: read the links
            sql = _sql("key_dates_exact", state["ungrouped"])
        result = cur.execute(sql, params)
        columns = [d[0] for d in result.description or []]
        rows = [dict(zip(columns, row)) for row in result.fetchall()]
        if "rank" not in columns:  # key_dates_days.sql: its rows in rank order
            rows = [{**row, "rank": i} for i, row in enumerate(rows, 1)]
        cur.execute("COMMIT")
    except BaseException:
        try:
            cur.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise
    return KeyDates(as_of=as_of, from_=start, to=end, top=top, days=[_day(r) for r in rows])


def _stored(state: dict) -> bool:
    """Whether the quote support stored with a dedup run can answer at the state's `as_of`, as far
    as the state tells (key_dates_state.sql): at most one dedup run has events known then, all of
    them and of their linked mentions are, and every dedup run that could count has it stored."""
    return state["all_known"] and (state["started"] == 0 or (state["started"] == 1 and state["holds"]))


def _support_holds(cur: duckdb.DuckDBPyConnection, state: dict, as_of: datetime) -> bool:
    """Whether the stored quote support is the one the `as_of` rules give: also, no run recorded by
    `as_of` superseded a run the dedup run links (which happens between an ingest that re-runs an
    article and the regroup that follows it)."""
    if not _stored(state):
        return False
    if state["started"] == 0:
        return True
    return not fetch(cur, "key_dates_reruns", {"max_run_id": state["max_run_id"], "as_of": as_of})[0]["rerun"]


def _days_hold(cur: duckdb.DuckDBPyConnection, state: dict, as_of: datetime, weights: tuple[float, ...]) -> bool:
    """Whether the days stored with the dedup run current at `as_of` are the answer at `as_of`:
    computed with these weights, at an instant after which nothing the key dates read was recorded
    by `as_of` (so no run re-ran an article either: the stored support holds)."""
    if not _stored(state) or state["ungrouped"] or state["days_of"] is None:
        return False
    if state["started"] == 1 and state["dedup_run_id"] != state["days_of"]:
        return False
    if weights != (state["later_weight"], state["same_day_weight"], state["earlier_weight"]):
        return False
    if state["max_events"] < MAX_EVENTS_PER_DAY:
        return False
    return not fetch(cur, "key_dates_fresh", {"since": state["days_as_of"], "as_of": as_of})[0]["changed"]


UNGROUPED = "    UNION ALL\n    SELECT * FROM ungrouped_day_articles()\n"


def _sql(name: str, ungrouped: bool) -> str:
    """The query, without the grouping of ungrouped runs when there are none (planning it costs
    a tenth of the request even when it reads nothing)."""
    text = query(name)
    if UNGROUPED not in text:
        raise AssertionError(f"{name}.sql lost its ungrouped_day_articles() branch")
    return text if ungrouped else text.replace(UNGROUPED, "")


def _day(row: dict) -> KeyDate:
    quote = None
    if row["quote"] is not None:
        quote = KeyDateQuote(text=row["quote"], trigger=row["quote_trigger"], article_id=row["quote_article_id"],
                             source=row["quote_source"], url=row["quote_url"],
                             published_at=row["quote_published_at"], event_id=row["quote_event_id"])
    return KeyDate(
        rank=int(row["rank"]), day=row["day"], score=round(float(row["score"]), 6), articles=int(row["articles"]),
        sources=int(row["sources"]), later_articles=int(row["later_articles"]),
        same_day_articles=int(row["same_day_articles"]), earlier_articles=int(row["earlier_articles"]),
        mentions=int(row["mentions"]), event_count=int(row["event_count"]),
        events=[KeyDateEvent(**e) for e in row["events"]], quote=quote,
    )
