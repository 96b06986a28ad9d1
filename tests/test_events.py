"""Event mentions on a real spaCy parse: reporting vs reported, attribution, time links."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest

from service.events import EventMention, extract_events, parse
from service.temporal import tag
from service.text import segment

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "seeds"
MOSCOW = ZoneInfo("Europe/Moscow")
# Tuesday 23 May 2023, noon in Moscow
ANCHOR = datetime(2023, 5, 23, 12, 0, tzinfo=MOSCOW)


def run(body: str, anchor: datetime = ANCHOR, title: str | None = None) -> list[EventMention]:
    seg = segment(body, title)
    doc = parse(body, seg)
    assert doc.text == body  # the Doc lines up with the body, so the tagger can reuse it
    expressions = tag(body, anchor, doc=doc)
    return extract_events(body, anchor, seg, expressions, doc)


def days(m: EventMention, tz: ZoneInfo = MOSCOW) -> tuple[date | None, date | None]:
    f = m.valid_from.astimezone(tz).date() if m.valid_from else None
    u = (m.valid_until - timedelta(microseconds=1)).astimezone(tz).date() + timedelta(days=1) if m.valid_until else None
    return f, u


def one(mentions: list[EventMention], trigger: str) -> EventMention:
    found = [m for m in mentions if m.trigger == trigger]
    assert len(found) == 1, [(m.trigger, m.kind) for m in mentions]
    return found[0]


MON = (date(2023, 5, 22), date(2023, 5, 23))
TUE = (date(2023, 5, 23), date(2023, 5, 24))


def test_reporting_and_reported_are_separate_mentions() -> None:
    body = "Gladkov said on Tuesday that eight people were injured on Monday."
    ms = run(body)
    said, injured = one(ms, "said"), one(ms, "injured")
    assert said.kind == "reporting" and said.attributed_to == "Gladkov"
    assert days(said) == TUE and said.time_link == "at"
    assert injured.kind == "occurrence" and injured.attributed_to == "Gladkov"
    assert days(injured) == MON and injured.time_link == "at"
    assert said.time_index != injured.time_index
    # spans are offsets into the body
    assert body[said.trigger_start:said.trigger_end] == "said"
    assert (said.sentence_start, said.sentence_end) == (0, len(body))


def test_time_after_reporting_verb_without_that_belongs_to_the_report() -> None:
    body = "Russia said on Tuesday it had used its air force and artillery to smash the group."
    ms = run(body)
    said, used = one(ms, "said"), one(ms, "used")
    assert days(said) == TUE
    assert used.attributed_to == "Russia"
    assert days(used) != TUE  # the parser hangs "on Tuesday" on "used"; we move it back


def test_trailing_attribution_marks_the_clause_before_it_as_reported() -> None:
    ms = run("Nine towns were also evacuated, the governor said.")
    evacuated, said = one(ms, "evacuated"), one(ms, "said")
    assert said.kind == "reporting" and said.attributed_to == "the governor"
    assert evacuated.kind == "occurrence" and evacuated.attributed_to == "the governor"
    assert evacuated.participants == ["Nine towns"]


def test_trailing_attribution_after_an_apposition() -> None:
    ms = run("Several drones struck houses overnight, Vyacheslav Gladkov, Belgorod governor, wrote on Telegram.")
    struck = one(ms, "struck")
    assert struck.attributed_to == "Vyacheslav Gladkov"
    assert struck.time_link == "at" and days(struck) == (date(2023, 5, 22), date(2023, 5, 24))  # the night


def test_untimed_reported_event_is_not_dated_on_the_report_day() -> None:
    ms = run("Gladkov said on Tuesday that eight people had been injured.")
    said, injured = one(ms, "said"), one(ms, "injured")
    assert days(said) == TUE
    assert injured.attributed_to == "Gladkov"
    assert injured.time_link == "before"
    assert injured.valid_from is None  # open start: it may have happened any time before
    assert injured.valid_until == said.valid_until  # ...but not after the report
    assert days(injured) != TUE


def test_untimed_reported_event_starts_at_the_story_first_day() -> None:
    body = ("On Monday, fighters attacked several towns in the region. "
            "Nine towns were also evacuated, the governor said.")
    ms = run(body)
    assert days(one(ms, "attacked")) == MON
    evacuated = one(ms, "evacuated")
    assert days(evacuated) == (date(2023, 5, 22), date(2023, 5, 24))
    assert "before the report" in evacuated.reason


def test_untimed_past_event_without_a_story_day_is_open_before_the_anchor() -> None:
    ms = run("Kyiv has denied any involvement.")
    denied = one(ms, "denied")
    assert denied.kind == "reporting" and denied.attributed_to == "Kyiv"
    assert denied.valid_from is None and denied.valid_until == ANCHOR.astimezone(denied.valid_until.tzinfo)


def test_between_two_years_spans_both() -> None:
    ms = run("A similar regime was in place in Chechnya between 1999 and 2009.")
    was = one(ms, "was")
    assert was.kind == "state" and days(was) == (date(1999, 1, 1), date(2010, 1, 1))
    assert was.places == ["Chechnya"]


def test_future_is_after_the_anchor_and_negated_is_no_event() -> None:
    ms = run("The drones did not result in casualties. The minister will visit the region.")
    assert not [m for m in ms if m.trigger == "result"]
    visit = one(ms, "visit")
    assert visit.time_link == "after" and visit.valid_until is None


def test_mentions_are_frozen_msgspec_structs_with_the_agreed_fields() -> None:
    m = one(run("Gladkov said on Tuesday that eight people were injured on Monday."), "said")
    assert set(EventMention.__struct_fields__) == {
        "sentence_start", "sentence_end", "trigger_start", "trigger_end", "trigger", "kind",
        "attributed_to", "participants", "places", "time_link", "time_index", "valid_from",
        "valid_until", "grain", "reason", "context", "salient"}
    with pytest.raises(AttributeError):
        m.kind = "state"  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(m), type=EventMention) == m


def test_no_mentions_from_non_story_text() -> None:
    body = ("Map of the border between Russia and Ukraine where troops fought off an attack\n\n"
            "• Also read: Ukraine says it has repelled an unprecedented Russian attack\n\n"
            "- ‘Guerrilla groups’ -\n\n"
            "Moscow (AFP) - The governor said the raid ended.")
    ms = run(body)
    start = body.index("The governor")
    assert ms and all(m.trigger_start >= start for m in ms)


@pytest.mark.parametrize("body", ["", "   \n\n  ", "<html><body><p>¿Qué pasó ayer?</p></body></html>"])
def test_bad_input_does_not_crash(body: str) -> None:
    assert isinstance(run(body), list)


@pytest.mark.skipif(not (SEEDS / "gold-timeline.json").exists(), reason="seed data not present")
def test_not_events_lines_of_the_seed_give_no_mention() -> None:
    meta = {a["id"]: a for a in json.loads((SEEDS / "articles.json").read_text(encoding="utf-8"))}
    gold = json.loads((SEEDS / "gold-timeline.json").read_text(encoding="utf-8"))
    a = meta["translated-belgorod-2023-05-23"]
    body = (SEEDS / a["body_file"]).read_text(encoding="utf-8")
    anchor = datetime.fromisoformat(a["published_at"]).astimezone(ZoneInfo(a["timezone"]))
    ms = run(body, anchor, a["title"])
    assert len(ms) > 20
    for line in gold["not_events"]:
        k = body.index(line)
        assert not [m for m in ms if k <= m.trigger_start < k + len(line)], line


def test_pronoun_source_is_the_last_named_person_not_a_country() -> None:
    body = ("Russian President Vladimir Putin did not comment on Monday. "
            "Russia said its troops were fighting. “We are calm,” he said.")
    ms = run(body)
    said = [m for m in ms if m.trigger == "said"]
    assert [m.attributed_to for m in said] == ["Russia", "Vladimir Putin"]


def test_a_narrative_goes_on_with_the_same_actor_but_not_across_actors() -> None:
    body = ("Jobs said on Monday that Apple will offer a free case. "
            "Jobs also acknowledged that some users had problems. "
            "Analysts praised the move.")
    ms = run(body)
    assert days(one(ms, "acknowledged")) == MON
    assert "continues the narrative" in one(ms, "acknowledged").reason
    praised = one(ms, "praised")
    assert days(praised) != MON and praised.valid_from is None


def test_perfect_tense_does_not_continue_a_narrative() -> None:
    ms = run("Kyiv said on Monday it was not involved. Kyiv has denied any involvement.")
    assert days(one(ms, "said")) == MON
    denied = one(ms, "denied")
    assert denied.time_link == "before" and days(denied) != MON


def test_the_timeline_shows_main_assertions_not_every_verb() -> None:
    """Salience: what a sentence asserts happened is shown; its side clauses, vague nouns,
    the words of direct quotes and habitual or modal verbs are kept but not shown."""
    ms = run("Drones struck the region on Monday, the governor said. The region has been repeatedly "
             "shelled in attacks. “We fought them all night,” the mayor said on Tuesday. “We hold,” an officer said. "
             "Success could undermine support.")
    assert one(ms, "struck").salient
    assert not one(ms, "shelled").salient  # "repeatedly": a pattern, not one happening
    assert not one(ms, "attacks").salient  # a noun without its own time
    assert not one(ms, "undermine").salient  # modal
    said = [m for m in ms if m.trigger == "said"]
    assert not said[0].salient  # a trailing attribution of news that is shown: its source
    assert said[1].salient  # a dated statement of a direct quote is the event
    assert not one(ms, "fought").salient  # the quote's words are not
    assert not said[2].salient  # an undated attribution of a quote illustrates, it is no event


def test_report_first_then_content_shows_the_statement() -> None:
    ms = run("Russia said its troops were battling a group that entered from Ukraine.")
    assert one(ms, "said").salient and not one(ms, "battling").salient and not one(ms, "entered").salient


def test_a_role_noun_speaker_is_the_person_named_with_that_role() -> None:
    ms = run("Belgorod governor Vyacheslav Gladkov said the towns were shelled. "
             "Nine towns were also evacuated, the governor said.")
    reports = [m for m in ms if m.kind == "reporting"]
    assert [m.attributed_to for m in reports] == ["Belgorod governor Vyacheslav Gladkov", "Vyacheslav Gladkov"]


def test_context_is_the_trigger_s_own_clause() -> None:
    ms = run("Drones struck the region where security operations pressed into a second day.")
    assert "pressed" not in one(ms, "struck").context
    assert "security operations pressed into a second day" in one(ms, "pressed").context


def test_an_activity_going_on_up_to_now_is_not_a_dated_happening() -> None:
    ms = run("At the same time, the army has been digging trenches along the border. "
             "The army has been digging trenches since Monday. The army dug trenches on Monday.")
    digging = [m for m in ms if m.trigger == "digging"]
    assert not digging[0].salient  # "has been digging": a trend up to the time of writing
    assert digging[1].salient  # its own sentence dates it
    assert one(ms, "dug").salient


def test_a_second_reporting_verb_of_one_statement_is_shown_through_the_first() -> None:
    ms = run("The ministry expressed regret on Tuesday and called for calm. "
             "The ministry expressed regret, and its spokesman called for calm on Tuesday.")
    expressed = [m for m in ms if m.trigger == "expressed"]
    called = [m for m in ms if m.trigger == "called"]
    assert expressed[0].salient and not called[0].salient  # one subject, one statement
    assert called[1].salient  # a speaker of its own: a statement of its own


def test_a_perfect_statement_beside_a_dated_one_of_its_source_is_its_standing_position() -> None:
    ms = run("Greece said on Monday that its coast guard had rescued 40 migrants. "
             "Greece has accused Turkey of pushing boats into its waters. Turkey has denied the accusation.")
    assert one(ms, "said").salient
    assert not one(ms, "accused").salient  # where Greece stands: what its dated statement shows
    assert one(ms, "denied").salient  # Turkey's only word in the article: shown
    assert one(run("Greece has accused Turkey of pushing boats into its waters."), "accused").salient


def test_a_statement_of_a_happening_the_article_dates_is_its_source_not_news() -> None:
    dated = "Rebels attacked three villages near the border on Sunday. "
    said = [one(run(body), "said") for body in (
        dated + "Governor Maria Lopez said two of the villages had been shelled.",
        dated + "Governor Maria Lopez said no village had been shelled.",
        dated + "Governor Maria Lopez said two bridges had been closed.",
        "Governor Maria Lopez said two villages had been shelled.",
    )]
    assert not said[0].salient  # the shelling is the attack the article dates: she is its source
    assert said[1].salient  # a denied happening is news of its own
    assert said[2].salient  # another happening
    assert said[3].salient  # nothing else tells it


def test_previously_puts_a_statement_earlier_in_the_story_not_at_the_last_one() -> None:
    ms = run("Floods hit the town on Monday. The mayor, Anna Berg, said on Tuesday that the bridge was closed. "
             "Berg previously said two cars had been swept away.")
    earlier = [m for m in ms if m.trigger == "said"][1]
    assert days(earlier) == (date(2023, 5, 22), date(2023, 5, 24)), earlier.reason  # Monday .. the anchor
    assert "previously" in earlier.reason and earlier.salient
