"""Results stories: which period 'a year earlier', 'the quarter', 'year-earlier' name.

Each case is a short earnings report with one frozen anchor; the marked expression must
resolve to the value given. These are the reference-time rules of results stories.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from service.temporal import tag

ANCHOR = datetime(1989, 10, 26, 12, tzinfo=timezone.utc)

CASES = [
    # 'the (first) nine months' is the year to date: a comparison after it is the year before
    ("Net rose in the third quarter. For the nine months, it earned $18.9 million, compared "
     "with a loss of $9.7 million [[a year earlier]].", "1988"),
    ("For the first nine months, the company reported a net loss, compared with "
     "[[year-earlier]] net income of $967,809.", "1988"),
    # ... but a quarter under discussion keeps its comparisons at quarter grain
    ("Third-quarter profit rose to $5 million from $4 million [[a year earlier]].", "1988-Q3"),
    ("Third-quarter profit rose to $5 million from $4 million in [[the year-earlier quarter]].", "1988-Q3"),
    # a fiscal quarter: its end date restates it, and 'the quarter' stays with it
    ("Sun said it earned $5.2 million in the fiscal first quarter. Sales were $538.5 million for "
     "[[the quarter]] ended Sept. 29.", "1989-Q1"),
    ("Sun said it earned $5.2 million in the fiscal first quarter. Sales were $538.5 million for "
     "the quarter ended Sept. 29. Earlier this month, it expected to break even for [[the quarter]].",
     "1989-Q1"),
    ("Bethlehem had a loss in the fiscal second quarter. [[The latest period]] includes gains.", "1989-Q2"),
    # the closing day of a period does not become the story's reference time
    ("Delta posted net income for the quarter ended Sept. 30. Passenger traffic jumped 14% in "
     "[[the quarter]].", "1989-Q3"),
    # without a fiscal quarter named, 'the quarter ended Sept. 30' is the calendar quarter
    ("Sales rose in [[the quarter]] ended Sept. 30.", "1989-Q3"),
]


def _split(phrase: str) -> tuple[str, int, int]:
    start = phrase.index("[[")
    end = phrase.index("]]") - 2
    return phrase.replace("[[", "").replace("]]", ""), start, end


@pytest.mark.parametrize("phrase,value", CASES)
def test_results_story(phrase: str, value: str) -> None:
    text, start, end = _split(phrase)
    found = tag(text, ANCHOR, "en")
    hits = [e for e in found if e.start == start and e.end == end]
    assert hits, f"expected an expression at [{start}:{end}], got {[(e.text, e.value) for e in found]}"
    assert hits[0].value == value, hits[0].reason


@pytest.mark.parametrize("phrase", [
    'Baker said on ABC\'s "This Week With David Brinkley" that',
    "Gonzalez said on CBS's ''60 Minutes.''",
    "This is VOA Today.",
    "according to USA Today",
])
def test_programme_titles_are_not_times(phrase: str) -> None:
    assert tag(phrase, ANCHOR, "en") == []


def test_overnight_is_the_night_before_the_day_reported() -> None:
    monday = datetime(1989, 10, 30, 12, tzinfo=timezone.utc)
    text = ("London stocks fell Friday. Shares were depressed by [[overnight]] losses in New York. "
            "The index was down 4.5% from [[the previous Friday]].")
    clean = text.replace("[[", "").replace("]]", "")
    values = {e.text: e.value for e in tag(clean, monday, "en")}
    assert values["overnight"] == "1989-10-26TNI"
    assert values["the previous Friday"] == "1989-10-20"
    # with no earlier day in the story, it is the night that ends on the anchor's morning
    assert [e.value for e in tag("Shares fell overnight.", monday, "en")] == ["1989-10-29TNI"]


def test_a_baseline_in_its_clause_does_not_move_the_story() -> None:
    # "last year" is the baseline of "lower than the 16 cents ... it reported": the story
    # is still about the third quarter, so "the 1988 quarter" is that quarter of 1988.
    text = ("The company said its third-quarter earnings will probably be lower than the 16 cents "
            "a share it reported last year. Kirschner earned $376,000 in the 1988 quarter.")
    values = {e.text: e.value for e in tag(text, ANCHOR, "en")}
    assert values["last year"] == "1988"
    assert values["the 1988 quarter"] == "1988-Q3"
