"""The deduplicated timeline of the seed articles against the hand-made reference.

Ingests ../shared/data/seeds into a fresh database through the real pipeline (segment, tag,
events, dedup), then scores what the store serves:
- mentions found: a gold quote is found when a stored mention's trigger lies inside it;
- same-event pairs over the found gold mentions: pairwise P/R/F1 and B-cubed F1;
- events the timeline shows by default (gold: 18), and whether the injuries conflict is flagged with both sources;
- order: for gold events with disjoint day bounds, whether the served intervals agree;
- last, every shown event that holds no gold mention, with its mentions and their sentences.

Run: python3 -m uv run --frozen python scripts/eval_timeline.py --seeds

--trial: the SemEval-2015 Task 4 trial data (../shared/data/timeline-trial: 30 Wikinews articles
about Apple, 6 gold timelines). The 30 TimeML documents go through the real pipeline into a
fresh database (ingest: segment, tag, events, dedup); for each gold timeline the script writes
our timeline of its target entity with the code of `timeline export --format semeval2015`
(to out/trial-timelines/) and scores it against gold-timelines/:
- date accuracy per gold mention: the date of the line holding it in our file equals the gold
  date (`2010-06-XX` and `2010-06` are one month); over all gold mentions (one we do not list
  is wrong) and over those we list;
- order pairs: every two mentions at ORDER >= 1 are in relation "before" (smaller ORDER) or
  "same time" (equal ORDER); precision and recall of our relations against the gold ones
  (undated ORDER-0 lines are not ordered);
- same-event pairs: two mentions on one line; precision and recall against the gold lines.
Both sides' mention names are resolved to the token they name, so `16844-2-unveiled` and
`16844-2-1` are the same mention. Beside ours, the baseline the task defines: every mention at
its article's creation date (DCT), one mention per line, ordered by DCT, on our mentions and
on the gold mentions (an oracle that knows which mentions belong to the entity).

Which events belong to an entity's timeline: exactly those `GET /timeline?entity=NAME` returns
for NAME = the gold file's first line ("Steve Jobs", "iPhone 4", "Beatles Apple Corps"...),
dated and undated, minor events included: an event belongs when the folded name keys of its
participants, places or speakers include every token of the name (any spelling or word order:
"Kiev" finds "Kyiv"), or when one of its mentions' sentences contains the name as written
(case-insensitive). No per-entity aliases, no tuning: a name the articles never write out
("Beatles Apple Corps") finds little, and that is part of the score. All mentions of a chosen
event are listed on its line.

Last, the key dates (`GET /timeline/key-dates`) against the days of the six gold timelines
(their day-grain dates): date-selection precision, recall and F1 at as many days as the gold
has, next to the same ranking with every mention weighted 1 and to the days with the most
articles published (PubCount); the trial is small and its gold timelines follow entities, not
the story, so this is a sanity check, not a benchmark.

Run: python3 -m uv run --frozen python scripts/eval_timeline.py --trial
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.articles import Limits, validate_batch  # noqa: E402
from service.ingest import ingest_articles  # noqa: E402
from service.sources.files import read_path  # noqa: E402
from service.store import Database  # noqa: E402

SEEDS = REPO.parent / "shared" / "data" / "seeds"


def load_store(folder: Path) -> Database:
    db = Database(folder / "eval.duckdb")
    db.migrate()
    pairs = list(read_path(SEEDS))
    ingest_articles(db, validate_batch([a for _, a in pairs], Limits(), where=[w for w, _ in pairs]), origin="eval")
    return db


def served(db: Database) -> tuple[list[dict], dict[str, dict]]:
    with db.reading() as cur:
        rows = cur.execute("""
            SELECT l.event_id, m.article_id, m.trigger_start, m.trigger_end, m.trigger, m.kind, a.body, m.salient,
                   m.sentence_start, m.sentence_end
            FROM current_events e
            JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
            JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
            JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
        """).fetchall()
        events = cur.execute("SELECT event_id, kind, label, valid_from, valid_until, grain, has_conflict, conflicts, "
                             "salient FROM current_events").fetchall()
    mentions = [dict(zip(("event_id", "article_id", "start", "end", "trigger", "kind", "body", "salient",
                          "sentence_start", "sentence_end"), r))
                for r in rows]
    by_id = {e[0]: dict(zip(("event_id", "kind", "label", "valid_from", "valid_until", "grain", "has_conflict",
                             "conflicts", "salient"), e)) for e in events}
    return mentions, by_id


def match(gold: list[dict], mentions: list[dict]) -> dict[str, str | None]:
    """Gold mention id -> predicted event id (the first stored mention whose trigger is in the quote)."""
    found: dict[str, str | None] = {}
    for g in gold:
        body = next((m["body"] for m in mentions if m["article_id"] == g["article"]), None)
        at = body.find(g["quote"]) if body else -1
        hits = [m for m in mentions if m["article_id"] == g["article"] and at >= 0
                and at <= m["start"] and m["end"] <= at + len(g["quote"])]
        # the quote's main mention: of the gold kind, then the one the timeline shows
        same_kind = [m for m in hits if m["kind"] == g["kind"]] or hits
        pick = (sorted(same_kind, key=lambda m: not m["salient"]) or [None])[0]
        found[g["id"]] = pick["event_id"] if pick else None
    return found


def pairwise(gold: list[dict], predicted: dict[str, str | None]) -> tuple[float, float, float]:
    ids = [g["id"] for g in gold if predicted[g["id"]] is not None]
    cluster = {g["id"]: g["cluster"] for g in gold}
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_gold, same_pred = cluster[a] == cluster[b], predicted[a] == predicted[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def bcubed(gold: list[dict], predicted: dict[str, str | None]) -> float:
    ids = [g["id"] for g in gold if predicted[g["id"]] is not None]
    cluster = {g["id"]: g["cluster"] for g in gold}
    precision = recall = 0.0
    for i in ids:
        pred_group = {j for j in ids if predicted[j] == predicted[i]}
        gold_group = {j for j in ids if cluster[j] == cluster[i]}
        both = len(pred_group & gold_group)
        precision += both / len(pred_group)
        recall += both / len(gold_group)
    if not ids:
        return 0.0
    p, r = precision / len(ids), recall / len(ids)
    return 2 * p * r / (p + r) if p + r else 0.0


def order_agreement(gold: list[dict], predicted: dict[str, str | None], events: dict[str, dict],
                    zones: dict[str, str]) -> tuple[int, int]:
    """Pairs of gold clusters with disjoint day bounds whose served intervals are in the same order."""

    bounds: dict[str, tuple[str, str]] = {}
    for g in gold:
        lo, hi = bounds.get(g["cluster"], (g["from"], g["until"]))
        bounds[g["cluster"]] = (max(lo, g["from"]), min(hi, g["until"]))
    served_of: dict[str, dict] = {}
    for g in gold:
        event = events.get(predicted[g["id"]] or "")
        if event and g["cluster"] not in served_of:
            served_of[g["cluster"]] = event | {"zone": zones[g["article"]]}
    agree = total = 0
    for a, b in combinations(sorted(served_of), 2):
        (a_lo, a_hi), (b_lo, b_hi) = bounds[a], bounds[b]
        if a_hi <= b_lo or b_hi <= a_lo:
            first, second = (a, b) if a_hi <= b_lo else (b, a)
            ea, eb = served_of[first], served_of[second]
            total += 1
            agree += _before(ea, eb)
    return agree, total


def _before(a: dict, b: dict) -> bool:
    if a["valid_until"] is not None and b["valid_from"] is not None:
        return a["valid_until"] <= b["valid_from"] or a["valid_from"] is not None and a["valid_from"] < b["valid_from"]
    return False


def seeds() -> None:
    gold_file = json.loads((SEEDS / "gold-timeline.json").read_text())
    gold = gold_file["events"]
    zones = {a["id"]: a["timezone"] for a in json.loads((SEEDS / "articles.json").read_text())}
    with tempfile.TemporaryDirectory() as tmp:
        db = load_store(Path(tmp))
        mentions, events = served(db)
        db.close()
    predicted = match(gold, mentions)
    found = sum(1 for v in predicted.values() if v)
    p, r, f = pairwise(gold, predicted)
    shown_for_gold = len({v for v in predicted.values() if v})
    injury_events = {predicted[g["id"]] for g in gold if g["cluster"] == "injuries-reported"} - {None}
    flagged = any(events[e]["has_conflict"] for e in injury_events) and len(injury_events) == 1
    agree, total = order_agreement(gold, predicted, events, zones)
    print(f"gold mentions found           {found}/{len(gold)}")
    print(f"same-event pairs              P={p:.3f} R={r:.3f} F1={f:.3f}   (target F1 = 1.0)")
    print(f"B-cubed F1                    {bcubed(gold, predicted):.3f}")
    shown = sum(1 for e in events.values() if e["salient"])
    print(f"events shown in all           {shown}   (gold 18; {len(events)} with minor ones, minor=true)")
    print(f"events holding gold mentions  {shown_for_gold}")
    print(f"injuries conflict flagged     {flagged}   (one event, both claims)")
    print(f"order vs gold day bounds      {agree}/{total} pairs of disjoint gold events in the right order")
    groups = defaultdict(list)
    for g in gold:
        groups[predicted[g["id"]]].append(f"{g['id']}({g['cluster']})")
    print("\npredicted groups of gold mentions:")
    for event_id, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        label = events[event_id]["label"] if event_id in events else "NOT FOUND"
        print(f"  {str(event_id)[:22]:22} {label[:40]:40} {' '.join(members)}")
    # what to look at when the shown count is above the gold's: each shown event that holds no
    # gold mention, with its mentions (S = salient) and their sentences
    extra = sorted(e for e, ev in events.items() if ev["salient"] and e not in groups)
    print(f"\nshown events holding no gold mention: {len(extra)}")
    for event_id in extra:
        print(f"  {event_id[:22]:22} {events[event_id]['label'][:60]}")
        for m in sorted((m for m in mentions if m["event_id"] == event_id), key=lambda m: (m["article_id"], m["start"])):
            sentence = m["body"][m["sentence_start"]:m["sentence_end"]]
            print(f"    {'S' if m['salient'] else '-'} {m['article_id'][:12]:12} {m['trigger']!r:14} {m['kind']:10} {sentence[:90]!r}")


# ------------------------------------------------------------------ trial --------------------

TRIAL = REPO.parent / "shared" / "data" / "timeline-trial"
OUT = REPO / "out" / "trial-timelines"


class Line(NamedTuple):
    order: int
    date: str
    mentions: tuple[str, ...]


def read_semeval(text: str) -> tuple[str, list[Line]]:
    """Target entity and lines of a SemEval-2015 timeline file."""
    rows = text.splitlines()
    lines = []
    for row in rows[1:]:
        cols = [c for c in row.split("\t") if c.strip()]
        if len(cols) >= 3:
            lines.append(Line(int(cols[0]), cols[1].strip(), tuple(c.strip() for c in cols[2:])))
    return (rows[0].strip() if rows else ""), lines


def norm_date(value: str) -> str:
    """`2010-06-XX` and `2010-06` are one month; anything without a year is undated."""
    parts = value.split("-")
    while parts and parts[-1].upper().startswith("XX"):
        parts.pop()
    return "-".join(parts) if parts and parts[0].isdigit() else "XXXX-XX-XX"


def mention_key(name: str, docs: dict) -> str:
    """The token a mention name points at (`16844-2-unveiled` and `16844-2-1` alike)."""
    doc = docs.get(name.split("-", 1)[0])
    found = doc.resolve_mention(name) if doc is not None else None
    return f"{doc.doc_id}@{found.start}" if found is not None else name


def keyed(lines: list[Line], docs: dict) -> list[Line]:
    return [Line(line.order, norm_date(line.date), tuple(mention_key(m, docs) for m in line.mentions))
            for line in lines]


def order_relations(lines: list[Line]) -> set[tuple[str, str, str]]:
    """(a, b, '<') when a's ORDER is smaller, (a, b, '=') with a < b by name when equal; ORDER 0 is unordered."""
    placed = [(line.order, m) for line in lines if line.order > 0 for m in line.mentions]
    out = set()
    for (oa, a), (ob, b) in combinations(placed, 2):
        if a == b:
            continue
        if oa == ob:
            out.add((min(a, b), max(a, b), "="))
        else:
            out.add((a, b, "<") if oa < ob else (b, a, "<"))
    return out


def same_event_pairs(lines: list[Line]) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for line in lines for a, b in combinations(line.mentions, 2) if a != b}


def dct_baseline(mentions: list[str], docs: dict) -> list[Line]:
    """Every mention alone on its line at its article's creation date, ordered by that date."""
    dcts = {m: docs[m.split("@")[0]].dct.date().isoformat() if m.split("@")[0] in docs else "XXXX-XX-XX"
            for m in mentions}
    rank = {d: i + 1 for i, d in enumerate(sorted(set(dcts.values())))}
    return [Line(rank[dcts[m]], dcts[m], (m,)) for m in mentions]


class Counts:
    def __init__(self) -> None:
        self.n = dict.fromkeys(("dates", "dates_ok", "found", "order_tp", "order_sys", "order_gold",
                                "same_tp", "same_sys", "same_gold"), 0)

    def add(self, gold: list[Line], ours: list[Line]) -> None:
        date_of = {m: line.date for line in ours for m in line.mentions}
        for line in gold:
            for m in line.mentions:
                self.n["dates"] += 1
                self.n["found"] += m in date_of
                self.n["dates_ok"] += date_of.get(m) == line.date
        g, s = order_relations(gold), order_relations(ours)
        self.n["order_tp"] += len(g & s)
        self.n["order_sys"] += len(s)
        self.n["order_gold"] += len(g)
        g, s = same_event_pairs(gold), same_event_pairs(ours)
        self.n["same_tp"] += len(g & s)
        self.n["same_sys"] += len(s)
        self.n["same_gold"] += len(g)

    def row(self) -> str:
        n = self.n
        op, orr, of = prf(n["order_tp"], n["order_sys"], n["order_gold"])
        sp, sr, sf = prf(n["same_tp"], n["same_sys"], n["same_gold"])
        return (f"{n['dates_ok'] / max(n['dates'], 1):6.3f} {n['dates_ok'] / max(n['found'], 1):6.3f}"
                f" {n['found']:4d}/{n['dates']:<4d}"
                f"  {op:5.3f} {orr:5.3f} {of:5.3f}  {sp:5.3f} {sr:5.3f} {sf:5.3f}")


def prf(tp: int, system: int, gold: int) -> tuple[float, float, float]:
    p = tp / system if system else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def trial() -> None:
    from datetime import datetime, timezone

    from service.key_dates import read_key_dates
    from service.semeval import semeval_timeline
    from service.sources.files import read_timeml_files
    from service.sources.timeml import iter_corpus

    docs = {d.doc_id: d for d in iter_corpus([TRIAL / "docs"])}
    gold_files = sorted((TRIAL / "gold-timelines").glob("*.txt"))
    OUT.mkdir(parents=True, exist_ok=True)
    systems = ("ours", "DCT baseline, our mentions", "DCT baseline, gold mentions")
    totals = {name: Counts() for name in systems}
    per_entity: list[tuple[str, dict[str, Counts], int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "trial.duckdb")
        db.migrate()
        pairs = list(read_timeml_files(TRIAL / "docs"))
        ingest_articles(db, validate_batch([a for _, a in pairs], Limits(), where=[w for w, _ in pairs]),
                        origin="eval")
        as_of = datetime.now(timezone.utc)
        with db.reading() as cur:
            for path in gold_files:
                entity, gold_lines = read_semeval(path.read_text(encoding="utf-8"))
                text = semeval_timeline(cur, entity, as_of)
                (OUT / path.name).write_text(text, encoding="utf-8")
                gold = keyed(gold_lines, docs)
                ours = keyed(read_semeval(text)[1], docs)
                our_mentions = [m for line in ours for m in line.mentions]
                gold_mentions = [m for line in gold for m in line.mentions]
                runs = {"ours": ours, "DCT baseline, our mentions": dct_baseline(our_mentions, docs),
                        "DCT baseline, gold mentions": dct_baseline(gold_mentions, docs)}
                counts = {}
                for name, lines in runs.items():
                    counts[name] = Counts()
                    counts[name].add(gold, lines)
                    totals[name].add(gold, lines)
                per_entity.append((entity, counts, len(ours), len(gold)))
            key_days = {
                "ours (later 1, same day 0.5, before 0.5)": read_key_dates(cur, as_of, top=100),
                "every mention 1 (MentionCount by article)": read_key_dates(
                    cur, as_of, top=100, later_weight=1.0, same_day_weight=1.0, earlier_weight=1.0),
            }
        db.close()

    print(f"SemEval-2015 trial: {len(docs)} documents, {len(gold_files)} gold timelines; ours in {OUT}\n")
    head = (f"{'':28} {'date acc':^13} {'found':>9}  {'order pairs':^17}  {'same-event pairs':^17}\n"
            f"{'':28} {'all':>6} {'found':>6} {'':9}  {'P':>5} {'R':>5} {'F1':>5}  {'P':>5} {'R':>5} {'F1':>5}")
    print(head)
    for name in systems:
        print(f"{name:28} {totals[name].row()}")
    print("\ndate acc: over all gold mentions (one we do not list is wrong) and over the gold mentions we list")
    print("\nper entity (ours / DCT baseline on our mentions), events listed vs gold lines:")
    for entity, counts, n_ours, n_gold in per_entity:
        print(f"  {entity:22} ours     {counts['ours'].row()}   {n_ours} lines vs {n_gold}")
        print(f"  {'':22} baseline {counts['DCT baseline, our mentions'].row()}")

    gold_days = sorted({line.date for path in gold_files
                        for line in keyed(read_semeval(path.read_text(encoding="utf-8"))[1], docs)
                        if len(line.date) == 10})
    k = len(gold_days)
    pub_counts: dict[str, int] = defaultdict(int)
    for d in docs.values():
        pub_counts[d.dct.date().isoformat()] += 1
    rankings = {name: [d.day.isoformat() for d in answer.days] for name, answer in key_days.items()}
    rankings["PubCount (most articles published)"] = [d for d, _ in sorted(pub_counts.items(),
                                                                           key=lambda kv: (-kv[1], kv[0]))]
    print(f"\nkey dates vs the {k} days of the gold timelines (top {k}):")
    for name, days in rankings.items():
        hit = len(set(days[:k]) & set(gold_days))
        p, r, f = prf(hit, len(days[:k]), k)
        print(f"  {name:42} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", action="store_true", help="score the seed articles (the default)")
    parser.add_argument("--trial", action="store_true",
                        help="write and score the SemEval-2015 trial timelines (and key dates) against their gold")
    args = parser.parse_args()
    if args.seeds or not args.trial:
        seeds()
    if args.trial:
        if args.seeds:
            print()
        trial()


if __name__ == "__main__":
    main()
