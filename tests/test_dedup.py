"""Cross-article deduplication (service/dedup.py) on the seed articles and gold timeline."""

from __future__ import annotations

import importlib.util
import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from service.dedup import (
    MentionRecord,
    blocking_keys,
    candidate_pairs,
    cluster,
    continuations,
    extract_claims,
    fold_name,
    names_match,
    same_event_score,
    scoring_views,
    statement_parts,
)

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "data" / "seeds"
GOLD = SEEDS / "gold-timeline.json"

pytestmark = pytest.mark.skipif(not GOLD.exists(), reason="shared seed data not present")


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_dedup", REPO / "scripts" / "eval_dedup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seed():
    """Mentions built from the gold quotes (as scripts/eval_dedup.py does), by gold id."""
    mentions, gold_of, gold = _eval_module().gold_mentions(GOLD)
    by_id = {gold_of[m.key][0]: m for m in mentions}
    return mentions, gold_of, gold, by_id


def _groups(events, gold_of):
    return [sorted(gold_of[k][0] for k in e.mention_keys) for e in events]


def _event_of(events, key):
    return next(e for e in events if key in e.mention_keys)


MSK = timezone(timedelta(hours=3))


def _mention(sentence: str, trigger: str, day: int, *, kind="occurrence", key=(1, 0),
             article="a", source="AFP", places=("Belgorod",), attributed_to=None, days=1) -> MentionRecord:
    start = datetime(2023, 5, day, tzinfo=MSK).astimezone(UTC)
    return MentionRecord(
        key=key, article_id=article, source=source,
        published_at=datetime(2023, 5, 23, 12, tzinfo=MSK), sentence=sentence, trigger=trigger,
        kind=kind, attributed_to=attributed_to, participants=(), places=places,
        valid_from=start, valid_until=start + timedelta(days=days), grain="day",
    )


# ---------------------------------------------------------------- names ----------

@pytest.mark.parametrize("a,b", [
    ("Grayvoron", "Graivoron"),
    ("Kiev", "Kyiv"),
    ("Freedom of Russia Legion", "Legion Freedom for Russia"),
    ("anti-terror regime", "anti-terrorist regime"),
    ("Zelensky", "Zelenskyy"),
    ("Bakhmut", "Bachmout"),
    ("Mikhaylo Podolyak", "Mykhailo Podolyak"),
    ("Russia", "Russian"),
    ("Ukraine", "Ukrainians"),
])
def test_spelling_variants_and_transliterations_fold_together(a, b):
    assert names_match(a, b) == 1.0, (fold_name(a), fold_name(b))


def test_every_gold_alias_pair_matches_without_being_listed():
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    for group in gold["aliases"]:
        for other in group[1:]:
            assert names_match(group[0], other) == 1.0, (group[0], other)


@pytest.mark.parametrize("a,b", [("Kyiv", "Moscow"), ("Belgorod", "Kharkiv"), ("Gladkov", "Peskov"),
                                 ("Russia", "Prussia")])
def test_different_names_do_not_fold_together(a, b):
    assert names_match(a, b) < 0.8


def test_contained_name_is_a_partial_match():
    assert names_match("Gladkov", "Vyacheslav Gladkov") == 0.8


# ---------------------------------------------------------------- gates ----------

def test_incompatible_intervals_never_merge(seed):
    _, _, _, by_id = seed
    a1 = by_id["a1"]
    later = replace(a1, key=(2, 0), article_id="other",
                    valid_from=a1.valid_from + timedelta(days=5), valid_until=a1.valid_until + timedelta(days=5))
    assert same_event_score(a1, later) == 0.0
    events = cluster([a1, later])
    assert len(events) == 2
    # a month of 2022 never meets a day of 2023, whatever the wording
    assert same_event_score(by_id["a4"], replace(by_id["a4"], key=(2, 1), valid_from=a1.valid_from,
                                                 valid_until=a1.valid_until, grain="day")) == 0.0


def test_open_sides_are_compatible_with_what_they_do_not_exclude(seed):
    _, _, _, by_id = seed
    a1 = by_id["a1"]
    open_end = replace(a1, key=(2, 0), article_id="other", valid_until=None, grain=None)
    before = replace(a1, key=(2, 1), article_id="other", valid_from=None,
                     valid_until=a1.valid_from - timedelta(days=1), grain=None)
    assert same_event_score(a1, open_end) > 0.5
    assert same_event_score(a1, before) == 0.0


def test_reporting_never_merges_with_occurrence(seed):
    _, _, _, by_id = seed
    a1 = by_id["a1"]
    report = replace(a1, key=(2, 0), kind="reporting")
    assert same_event_score(a1, report) == 0.0
    assert len(cluster([a1, report])) == 2
    # and in the seeds: an event mixes stored kinds only where a mention is compared as the
    # other kind (a held attitude as its statement, an own action in progress as the action)
    mentions, *_ = seed
    kinds = {m.key: v.kind for m, v in zip(mentions, scoring_views(mentions))}
    for e in cluster(mentions):
        assert len({kinds[k] for k in e.mention_keys}) == 1


def test_reports_by_different_speakers_stay_apart():
    a = _mention("Gladkov said eight people had been injured", "said", 22, kind="reporting",
                 attributed_to="Gladkov", key=(1, 0))
    b = _mention("Peskov said eight people had been injured", "said", 22, kind="reporting",
                 attributed_to="Peskov", key=(1, 1), article="b")
    c = _mention("Vyacheslav Gladkov said eight people were injured", "said", 22, kind="reporting",
                 attributed_to="Vyacheslav Gladkov", key=(1, 2), article="c")
    assert same_event_score(a, b) == 0.0
    assert same_event_score(a, c) > 0.5
    assert sorted(len(e.mention_keys) for e in cluster([a, b, c])) == [1, 2]


def test_different_means_keep_attacks_apart(seed):
    _, _, _, by_id = seed
    assert same_event_score(by_id["a1"], by_id["t4"]) < 0.3  # drones vs fighters, same day and region


# ---------------------------------------------------------------- seeds ----------

def test_seed_clusters(seed):
    mentions, gold_of, _, _ = seed
    groups = _groups(cluster(mentions), gold_of)
    for together in (["a1", "a5"], ["a3", "t3", "t4"], ["a4", "a8"], ["a7", "t12"],
                     ["a10", "t11"], ["a12", "t9"], ["t2", "t6"]):
        assert together in groups, groups
    # no predicted event joins two gold clusters
    for g in groups:
        assert len({gold_of_id for gold_of_id in (_gold_cluster(gold_of, x) for x in g)}) == 1, g


def _gold_cluster(gold_of, gid):
    return next(c for i, c in gold_of.values() if i == gid)


def test_injury_conflict_flagged_with_both_values_and_sources(seed):
    mentions, _, _, by_id = seed
    events = cluster(mentions)
    e = _event_of(events, by_id["a10"].key)
    assert by_id["t11"].key in e.mention_keys
    assert e.has_conflict
    conflict = next(c for c in e.conflicts if c.startswith("injured"))
    assert "8" in conflict and "at least 12" in conflict
    assert "(AFP, 2023-05-23)" in conflict and "(AFP via" in conflict
    assert {c.value for c in e.claims if c.attribute == "injured"} == {"8", "at least 12"}
    assert set(e.sources) == {by_id["a10"].source, by_id["t11"].source}


def test_claims_from_the_full_seed_sentences():
    text = (SEEDS / "translated-belgorod-2023-05-23.txt").read_text(encoding="utf-8")
    sentence = next(line for line in text.splitlines() if line.startswith("Nine towns were also evacuated"))
    m = _mention(sentence, "evacuated", 22)
    claims = {(c.attribute, c.value) for c in extract_claims(m)}
    assert claims == {("evacuated", "9"), ("injured", "at least 12")}
    afp = (SEEDS / "afp-belgorod-2023-05-23.txt").read_text(encoding="utf-8")
    sentence = next(line for line in afp.splitlines() if line.startswith("He previously said"))
    assert [(c.attribute, c.value, c.text) for c in extract_claims(_mention(sentence, "said", 22))] == [
        ("injured", "8", "eight people had been injured")]


def test_compatible_figures_are_not_a_conflict():
    a = _mention("at least eight people were injured in the strike", "strike", 22, key=(1, 0))
    b = _mention("12 people were injured in the strike", "strike", 22, key=(1, 1), article="b")
    events = cluster([a, b])
    assert len(events) == 1 and not events[0].conflicts
    assert len(events[0].claims) == 2


def test_adjacent_days_merge_with_a_different_days_conflict():
    a = _mention("Drones struck houses in Belgorod overnight", "struck", 22, key=(1, 0))
    b = _mention("Drones struck houses in Belgorod", "struck", 23, key=(1, 1), article="b")
    events = cluster([a, b])
    assert len(events) == 1
    e = events[0]
    assert any(c.startswith("different days") for c in e.conflicts)
    assert (e.valid_from, e.valid_until) == (a.valid_from, b.valid_until)  # the widest agreed span


def test_event_interval_is_the_tightest_agreed(seed):
    _, _, _, by_id = seed
    e = _event_of(cluster([by_id["a3"], by_id["t3"], by_id["t4"]]), by_id["a3"].key)
    assert e.valid_from == max(by_id[x].valid_from for x in ("a3", "t3", "t4"))
    assert e.valid_until == min(by_id[x].valid_until for x in ("a3", "t3", "t4"))
    assert e.grain == "day"


# ---------------------------------------------------------------- ids ----------

def test_event_ids_are_stable_across_runs_and_input_order(seed):
    mentions, _, _, _ = seed
    first = cluster(mentions)
    rerun = [replace(m, key=(99, 1000 - m.key[1])) for m in mentions]
    random.Random(3).shuffle(rerun)
    second = cluster(rerun)
    ident = lambda ms, e: sorted((m.article_id, m.sentence) for m in ms if m.key in e.mention_keys)
    a = {e.event_id: ident(mentions, e) for e in first}
    b = {e.event_id: ident(rerun, e) for e in second}
    assert a == b
    assert len(a) == len(first)  # unique


# ---------------------------------------------------------------- blocking ----------

def test_blocking_does_not_generate_all_pairs(seed):
    mentions, _, _, _ = seed
    n = len(mentions)
    pairs = candidate_pairs(mentions)
    assert 0 < len(pairs) < n * (n - 1) // 4
    for i, j in pairs:
        assert mentions[i].kind == mentions[j].kind
        assert blocking_keys(mentions[i]) & blocking_keys(mentions[j])
    # the pairs that gold says are one event (and kinds allow) are all candidates
    _, _, _, by_id = seed
    index = {m.key: i for i, m in enumerate(mentions)}
    for x, y in (("a1", "a5"), ("a7", "t12"), ("a10", "t11"), ("a12", "t9"), ("a4", "a8")):
        i, j = sorted((index[by_id[x].key], index[by_id[y].key]))
        assert (i, j) in pairs


def test_blocking_stays_sparse_when_stories_spread_over_time(seed):
    mentions = [m for m in seed[0] if m.grain == "day"]  # months and decades legitimately meet
    spread = []
    for s in range(40):
        shift = timedelta(days=10 * s)
        for m in mentions:
            spread.append(replace(m, key=(s, m.key[1]), article_id=f"{m.article_id}-{s}",
                                  valid_from=m.valid_from + shift, valid_until=m.valid_until + shift,
                                  published_at=m.published_at + shift))
    n = len(spread)
    pairs = candidate_pairs(spread)
    assert len(pairs) < n * (n - 1) // 2 / 20
    events = cluster(spread)
    # every story is clustered like the seeds, never across stories ten days apart
    assert len(events) == 40 * len(cluster(mentions))


def _sweep_one_key_at_a_time(by_key, spans, n, max_block):
    """The blocking sweep as it was written first, a heap per key: the reference for `_key_sweep`."""
    import heapq

    codes = []
    for members in by_key.values():
        members = sorted(members, key=lambda i: spans[i][0])
        active = []
        for i in members:
            lo, hi = spans[i]
            while active and active[0][0] <= lo:
                heapq.heappop(active)
            if len(active) < max_block:
                codes.extend(j * n + i if j < i else i * n + j for _, j in active)
            heapq.heappush(active, (hi, i))
    return sorted(codes)


@pytest.mark.parametrize("trial", range(30))
def test_the_array_sweep_pairs_as_the_heap_sweep(trial):
    from service.dedup import _key_sweep

    rng = random.Random(trial)
    n = rng.randint(2, 120)
    inf = float("inf")
    starts = [rng.choice([-inf, *range(0, 40, 4)]) if rng.random() < 0.2 else float(rng.randint(0, 40))
              for _ in range(n)]
    spans = []
    for lo in starts:  # open ends, ties, empty and reversed windows (end <= start) included
        width = rng.choice([0, 0, -3, 1, 2, 5, 12, 40, inf])
        spans.append((lo, inf if width == inf or lo == -inf and rng.random() < 0.5 else
                      (rng.randint(-5, 50) if lo == -inf else lo + width)))
    by_key = {}
    for i in range(n):
        for k in rng.sample(range(6), rng.randint(1, 3)):
            by_key.setdefault(f"k{k}", []).append(i)
    for max_block in (1, 3, 200):
        got = sorted(_key_sweep({k: list(v) for k, v in by_key.items()}, spans, n, max_block).tolist())
        assert got == _sweep_one_key_at_a_time(by_key, spans, n, max_block)


def test_scores_side_partners_merges_and_events_shared_with_a_forked_process_group_as_in_one(seed, monkeypatch):
    import service.dedup as dedup

    mentions = seed[0]
    spread = [replace(m, key=(s, m.key[1]), article_id=f"{m.article_id}-{s}",
                      published_at=m.published_at + timedelta(hours=s), salient=m.salient and s % 3 != 2)
              for s in range(6) for m in mentions]  # wire copies: the same questions again
    fanned = ("PARALLEL_SCORES", "PARALLEL_EVENTS", "PARALLEL_SIDE", "PARALLEL_MERGE")
    for name in fanned:
        monkeypatch.setattr(dedup, name, 10 ** 9)
    alone = cluster(spread)
    pairs = dedup.candidate_pairs(spread, side_limit=dedup.SIDE_LIMIT)
    assert any(not m.salient for m in spread)  # side mentions: their partners are fanned too
    for name in fanned:
        monkeypatch.setattr(dedup, name, 1)
    monkeypatch.setattr(dedup, "_cores", lambda: 2)
    assert dedup.candidate_pairs(spread, side_limit=dedup.SIDE_LIMIT) == pairs
    assert cluster(spread) == alone


def test_merging_group_by_group_makes_the_clusters_one_heap_over_all_pairs_makes(seed, monkeypatch):
    """Average link over the connected components of the pairs at or above the threshold, half of
    them in a forked process, against one heap over every salient pair, sub-threshold ones too."""
    import numpy as np

    import service.dedup as dedup

    spread = [replace(m, key=(s, m.key[1]), article_id=f"{m.article_id}-{s}",
                      published_at=m.published_at + timedelta(hours=s), salient=m.salient and s % 4 != 3)
              for s in range(8) for m in seed[0]]
    ms = sorted(spread, key=dedup._canonical)
    views = dedup.scoring_views(ms)
    feats = [dedup._features(v) for v in views]
    pairs = dedup.candidate_pairs(views, side_limit=dedup.SIDE_LIMIT, features=feats)
    first, second, score = dedup._pair_scores(views, feats, dedup.token_weights(views), pairs)
    salient = np.array([m.salient for m in ms])

    def singletons() -> dict:
        return {i: dedup._singleton(i, v) for i, v in enumerate(views)}

    one_heap, nbr = singletons(), {i: {} for i, m in enumerate(ms) if m.salient}
    for i, j, s in zip(first.tolist(), second.tolist(), score.tolist()):
        if salient[i] and salient[j]:
            nbr[i][j] = nbr[j][i] = s
    dedup._agglomerate(one_heap, nbr, dedup.DEFAULT_THRESHOLD, [])
    monkeypatch.setattr(dedup, "PARALLEL_MERGE", 1)
    monkeypatch.setattr(dedup, "_cores", lambda: 2)
    grouped = singletons()
    merges = dedup._agglomerated(grouped, first, second, score, salient, dedup.DEFAULT_THRESHOLD)
    assert len({m[0] for m in merges}) > 2  # merges made in several clusters, not one
    for merge in merges:
        dedup._join(grouped, *merge)
    assert {k: (c.members, c.lo, c.hi, c.near) for k, c in grouped.items()} \
        == {k: (c.members, c.lo, c.hi, c.near) for k, c in one_heap.items()}

    # a pair below the threshold still counts in its group's averages: 0 and 1 merge at 0.9,
    # then 2 joins them at (0.6 + 0.45) / 2; 3 and 4 are a group of their own
    few = {i: dedup._singleton(i, views[0]) for i in range(5)}
    for c in few.values():
        c.places = set()
    pairs = np.array([(0, 1), (0, 2), (1, 2), (3, 4), (2, 3)])
    merges = dedup._agglomerated(few, pairs[:, 0], pairs[:, 1], np.array([0.9, 0.6, 0.45, 0.7, 0.3]),
                                 np.ones(5, dtype=bool), 0.5)
    for merge in merges:
        dedup._join(few, *merge)
    assert sorted(c.members for c in few.values()) == [[0, 1, 2], [3, 4]]


def test_a_forked_part_that_fails_is_done_here():
    import os

    from service.dedup import _fanned

    parent = os.getpid()

    def square_or_die(xs):
        if os.getpid() != parent:
            os._exit(3)  # the child dies without a word
        return [x * x for x in xs]

    assert _fanned(square_or_die, [[1, 2], [3], [4, 5]]) == [[1, 4], [9], [16, 25]]
    assert _fanned(lambda xs: sum(xs), [[1, 2], [3, 4]]) == [3, 7]


# ---------------------------------------------------------------- one happening, two kinds ----------

def _together(events, *mentions) -> bool:
    return any(all(m.key in e.mention_keys for m in mentions) for e in events)


def test_holding_an_attitude_and_expressing_it_are_one_statement():
    held = replace(_mention("On Wednesday the foreign ministry was alarmed by the missile test", "alarmed", 24,
                            kind="state", key=(1, 0), places=()), participants=("the foreign ministry",))
    said = _mention("The Foreign Ministry expressed alarm over the missile test", "expressed", 24,
                    kind="reporting", key=(2, 0), article="b", places=(), attributed_to="The Foreign Ministry")
    public = _mention("Residents expressed alarm over the missile test", "expressed", 24, kind="reporting",
                      key=(3, 0), article="c", places=(), attributed_to="Residents")
    events = cluster([held, said, public])
    assert _together(events, held, said)
    assert not _together(events, held, public)  # the public's alarm is not the ministry's
    # a state that is no attitude stays a state
    ready = replace(held, trigger="ready", sentence="On Wednesday the foreign ministry was ready for talks")
    assert scoring_views([ready])[0].kind == "state"


def _own_action_sentence(speaker: str, clause: str, trigger: str, participants: tuple[str, ...],
                         article: str = "a") -> list[MentionRecord]:
    sentence = f"On Monday {speaker} said {clause} a rebel unit that crossed from the north"
    report = replace(_mention(sentence, "said", 22, kind="reporting", key=(1, 0), article=article, places=(),
                              attributed_to=speaker), context=sentence)
    action = replace(_mention(sentence, trigger, 22, key=(1, 1), article=article, places=(),
                              attributed_to=speaker), context=f"{clause} a rebel unit",
                     participants=participants, salient=False, grain=None)
    crossed = replace(_mention(sentence, "crossed", 22, key=(1, 2), article=article, places=("north",),
                               attributed_to=speaker), context="unit that crossed from the north",
                      salient=False, grain=None)
    return [report, action, crossed]


def test_an_own_action_in_progress_is_evidence_of_the_action():
    raid = replace(_mention("On Monday rebels who crossed from the north attacked two border villages", "attacked",
                            22, key=(5, 0), article="b", places=("north",)),
                   participants=("rebels", "two border villages"),
                   context="On Monday rebels attacked two border villages from the north")
    raid2 = replace(_mention("A cross-border raid by rebel fighters from the north hit two villages", "raid", 22,
                             key=(6, 0), article="c", places=("north",)), context="a cross-border raid by rebel fighters")
    own = _own_action_sentence("the army", "its soldiers were fighting", "fighting", ("its soldiers", "a rebel unit"))
    events = cluster([*own, raid, raid2])
    assert _together(events, own[0], raid, raid2)  # the army's report is filed under the raid
    assert scoring_views(own)[0].kind == "occurrence"
    # someone else's action, or a finished one, is reported, not witnessed: the report stays a statement
    other = _own_action_sentence("the army", "rebels were fighting", "fighting", ("rebels", "a rebel unit"))
    done = _own_action_sentence("the army", "its soldiers fought", "fought", ("its soldiers", "a rebel unit"))
    assert scoring_views(other)[0].kind == "reporting"
    assert scoring_views(done)[0].kind == "reporting"


def test_a_capital_and_its_minister_make_one_denial():
    capital = replace(_mention("Kyiv has denied any involvement", "denied", 22, kind="reporting", key=(1, 0),
                               places=(), attributed_to="Kyiv", days=2), participants=("Kyiv", "any involvement"),
                      grain=None, context="Kyiv has denied any involvement")
    minister = replace(_mention("“We did not attack anyone,” said Ukrainian Foreign Minister Dmytro Kuleba on Tuesday",
                                "said", 23, kind="reporting", key=(2, 0), article="b", places=(),
                                attributed_to="Ukrainian Foreign Minister Dmytro Kuleba"),
                       participants=("Ukrainian Foreign Minister Dmytro Kuleba",))
    authorities = replace(capital, key=(2, 1), article_id="b", sentence="Ukrainian authorities deny any involvement",
                          trigger="deny", attributed_to="Ukrainian authorities",
                          context="Ukrainian authorities deny any involvement")
    assert same_event_score(capital, minister) > 0.5
    assert same_event_score(authorities, minister) > 0.5
    # another state's minister, and another speech act of the same state, stay apart
    lavrov = replace(minister, key=(3, 0), article_id="c", attributed_to="Russian Foreign Minister Sergei Lavrov",
                     participants=("Russian Foreign Minister Sergei Lavrov",),
                     sentence=minister.sentence.replace("Ukrainian Foreign Minister Dmytro Kuleba", "Russian Foreign "
                                                        "Minister Sergei Lavrov"))
    accuses = replace(capital, key=(4, 0), article_id="d", trigger="accused", sentence="Kyiv accused Moscow of shelling "
                      "the plant", context="Kyiv accused Moscow of shelling the plant")
    assert same_event_score(capital, lavrov) == 0.0
    assert same_event_score(accuses, capital) < 0.3
    events = cluster([capital, minister, authorities, lavrov, accuses])
    assert _together(events, capital, minister, authorities)
    assert not _together(events, capital, lavrov) and not _together(events, capital, accuses)


def test_a_quote_told_by_he_said_goes_on_with_the_statement_just_reported():
    def report(sentence, key, written, day=22, trigger="said"):
        return replace(_mention(sentence, trigger, day, kind="reporting", key=(1, key), places=(),
                                attributed_to="Finance Minister Ana Lopez", days=2),
                       participants=(written,), context=sentence, grain=None)
    summary = report("Finance Minister Ana Lopez suggested that taxes could rise", 0, "Finance Minister Ana Lopez",
                     trigger="suggested")
    quote = report("“The budget has a hole,” she said on Monday", 2, "she")
    earlier = report("She previously said pensions were safe", 4, "She")
    further = report("“We will cut spending,” she added", 6, "she", trigger="added")
    role = report("“Pensions will also be frozen,” the minister said", 8, "the minister")
    also = report("“Rents will rise,” the minister also said", 10, "the minister")
    new = report("She said that rents would rise", 12, "She")
    mentions = [summary, quote, earlier, further, role, also, new]
    # "previously", "added" and "also said" start statements, and so does a new reported
    # clause ("She said that …"); "will also be frozen" is the quote's content
    assert continuations(mentions) == [(0, 1), (3, 4)]
    events = cluster(mentions)
    assert _together(events, summary, quote)
    assert not _together(events, summary, further)  # "added" is never the same statement


def test_the_parts_of_one_statement_go_together_wherever_each_was_matched():
    """"Nine towns were evacuated, the governor said, reporting at least 12 civilians injured":
    the participle is part of the governor's statement, whose injuries match another article's
    report of them; a new assertion of the same speaker ("… said several villages had been
    shelled") stays a statement of its own."""
    def report(sentence, trigger, key, written, article="a", speaker="Vyacheslav Gladkov", salient=True):
        return replace(_mention(sentence, trigger, 22, kind="reporting", key=key, article=article, places=(),
                                attributed_to=speaker, days=2),
                       participants=(written,), context=sentence, grain=None, salient=salient)
    shelled = report("Belgorod governor Vyacheslav Gladkov said several villages had been shelled by artillery",
                     "said", (1, 0), "Belgorod governor Vyacheslav Gladkov")
    towns = "Nine towns were evacuated, the governor said, reporting at least 12 civilians injured"
    said = report(towns, "said", (1, 1), "the governor", salient=False)
    reporting = replace(report(towns, "reporting", (1, 2), "at least 12 civilians", salient=False),
                        context="the governor reporting at least 12 civilians injured")
    other = report("Gladkov said eight people had been injured", "said", (2, 0), "Gladkov", article="b",
                   speaker="Gladkov")
    closed = report("Gladkov said the roads were closed, adding that schools would shut", "said", (3, 0),
                    "Gladkov", article="c", speaker="Gladkov")
    adding = report(closed.sentence, "adding", (3, 1), "Gladkov", article="c", speaker="Gladkov", salient=False)
    recording = report("Callers heard a recording telling them to wait", "telling", (4, 1), "a recording",
                       article="d", speaker="a recording", salient=False)
    heard = report(recording.sentence, "heard", (4, 0), "Callers", article="d", speaker="a recording")
    mentions = [shelled, said, reporting, other, closed, adding, recording, heard]
    # "adding that": a further statement; "a recording telling them": no participle of a report
    assert statement_parts(mentions) == [(1, 2)]
    events = cluster(mentions)
    assert _together(events, said, reporting, other)
    assert not _together(events, shelled, other)
    e = _event_of(events, other.key)
    assert {c.value for c in e.claims if c.attribute == "injured"} == {"8", "at least 12"} and e.has_conflict


def test_a_definite_role_speaks_for_the_person_named_with_it():
    def report(sentence, key, speaker, day=22, days=1, grain="day"):
        return replace(_mention(sentence, "said", day, kind="reporting", key=key, places=(), attributed_to=speaker,
                                days=days), participants=(speaker,), context=sentence, grain=grain)
    named = report("Kremlin spokesman Dmitry Peskov said the new invasion meant more efforts were needed",
                   (1, 0), "Kremlin spokesman Dmitry Peskov", days=2, grain=None)
    role = report("On Monday his spokesman said he had been briefed on the invasion", (1, 5), "his spokesman")
    stranger = report("On Monday the governor said he had been briefed on the invasion", (1, 7), "the governor")
    views = scoring_views([named, role, stranger])
    assert views[1].attributed_to == "Kremlin spokesman Dmitry Peskov"
    assert views[2].attributed_to == "the governor"  # no governor was named: the role stays as written
    assert role.attributed_to == "his spokesman"  # the stored mention is untouched


def test_a_second_verb_without_its_own_subject_goes_with_the_first_ones_statement():
    sentence = "The ministry expressed regret on Tuesday and called for calm in the capital"
    def report(trigger, key, context, article="a", sentence=sentence, salient=True):
        return replace(_mention(sentence, trigger, 23, kind="reporting", key=key, article=article, places=(),
                                attributed_to="The ministry"), participants=(), context=context, salient=salient)
    expressed = report("expressed", (1, 0), "The ministry expressed regret on Tuesday")
    called = report("called", (1, 1), "called for calm in the capital", salient=False)
    urged = report("urged", (2, 0), "The ministry urged calm in the capital", article="b",
                   sentence="The ministry urged calm in the capital on Tuesday")
    assert same_event_score(called, urged) > 0.5  # by its words the call would join this report
    mentions = [expressed, called, urged]
    assert statement_parts(mentions) == [(0, 1)]
    events = cluster(mentions)
    assert _together(events, expressed, called)
    # the side part goes to its statement: it never chains two shown statements together
    assert not _together(events, expressed, urged)


# ---------------------------------------------------------------- over the store ----------

def test_the_index_texts_made_in_memory_are_the_stored_events_texts(tmp_path):
    """The regroup builds the BM25 texts from the mentions it clustered: the same words as
    `current_event_texts` cuts from the stored bodies (in another order, which BM25 ignores)."""
    from collections import Counter

    from service import regroup
    from service.demo import load_demo_if_empty
    from service.store import Database, fetch

    db = Database(tmp_path / "t.duckdb")
    db.migrate()
    load_demo_if_empty(db)
    with db.reading() as cur:
        records = regroup._records(cur)
        stored = {r["event_id"]: r["text"] for r in fetch(cur, "current_event_texts")}
    events = regroup._cluster(records)
    made = dict(regroup._event_texts(events, records))
    db.close()
    assert len(made) == len(stored) > 10
    assert {k: Counter(v.split()) for k, v in made.items()} == {k: Counter(v.split()) for k, v in stored.items()}


def test_token_weight_sums_do_not_depend_on_iteration_order() -> None:
    # A set of strings iterates in an order set by the process's hash seed; a weighted size that
    # changed with it broke ties differently in another process, and so the grouping.
    import random

    from service.dedup import Weights

    rng = random.Random(5)
    table = {f"t{i}": rng.uniform(1.0, 12.0) for i in range(400)}
    weights = Weights(table, unseen=13.0)
    for _ in range(200):
        tokens = rng.sample(sorted(table), rng.randint(2, 40)) + ["never-seen"]
        shuffled = tokens[:]
        rng.shuffle(shuffled)
        assert weights.sum(tokens) == weights.sum(shuffled) == weights.sum(reversed(tokens))
