"""Which expressions pay for a parse: only those whose value depends on the clause's tense."""

from __future__ import annotations

from datetime import datetime, timezone

from service.nlp import get_pipeline
from service.temporal import tag

ANCHOR = datetime(2023, 5, 23, 12, tzinfo=timezone.utc)  # a Tuesday


def _only(text: str, doc: object = None):
    found = tag(text, ANCHOR, "en", doc=doc)
    assert len(found) == 1, found
    return found[0]


def test_a_date_that_resolves_alike_in_any_tense_is_not_parsed() -> None:
    # a dated day near the anchor is that day whatever the verb (DESIGN: news speaks of near dates)
    text = "The board of the company approved the dividend, payable June 1 to all holders."
    quick = _only(text)
    parsed = _only(text, doc=get_pipeline()(text))
    assert quick.value == parsed.value == "2023-06-01"
    assert "not parsed" in quick.reason and "not parsed" not in parsed.reason


def test_a_weekday_is_still_parsed_because_its_tense_decides() -> None:
    # no cue word next to it: only the parse tells a timetable present from a past
    e = _only("The talks between the two delegations resume on Friday in Geneva.")
    assert e.value == "2023-05-26", e.reason
    assert "not parsed" not in e.reason


def test_a_month_a_future_clause_moves_is_parsed() -> None:
    # written in May, a bare 'April' is this April in the past, next April ahead
    past = _only("The factory in the north of the country stopped its line in April.")
    ahead = _only("The new factory in the north of the country opens its line in April.")
    assert past.value == "2023-04", past.reason
    assert "not parsed" not in past.reason and "not parsed" not in ahead.reason
