"""The deduplicated timeline of the seed articles against the hand-made reference.

Ingests ../shared/data/seeds into a fresh database through the real pipeline (segment, tag,
events, dedup), then scores what the store serves:
- mentions found: a gold quote is found when a stored mention's trigger lies inside it;
- same-event pairs over the found gold mentions: pairwise P/R/F1 and B-cubed F1;
- events shown (gold: 18), and whether the injuries conflict is flagged with both sources;
- order: for gold events with disjoint day bounds, whether the served intervals agree.

Run: python3 -m uv run --frozen python scripts/eval_timeline.py --seeds
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

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
            SELECT l.event_id, m.article_id, m.trigger_start, m.trigger_end, m.trigger, m.kind, a.body
            FROM current_events e
            JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
            JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
            JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
        """).fetchall()
        events = cur.execute("SELECT event_id, kind, label, valid_from, valid_until, grain, has_conflict, conflicts "
                             "FROM current_events").fetchall()
    mentions = [dict(zip(("event_id", "article_id", "start", "end", "trigger", "kind", "body"), r)) for r in rows]
    by_id = {e[0]: dict(zip(("event_id", "kind", "label", "valid_from", "valid_until", "grain", "has_conflict",
                             "conflicts"), e)) for e in events}
    return mentions, by_id


def match(gold: list[dict], mentions: list[dict]) -> dict[str, str | None]:
    """Gold mention id -> predicted event id (the first stored mention whose trigger is in the quote)."""
    found: dict[str, str | None] = {}
    for g in gold:
        body = next((m["body"] for m in mentions if m["article_id"] == g["article"]), None)
        at = body.find(g["quote"]) if body else -1
        hits = [m for m in mentions if m["article_id"] == g["article"] and at >= 0
                and at <= m["start"] and m["end"] <= at + len(g["quote"])]
        same_kind = [m for m in hits if m["kind"] == g["kind"]]
        pick = (same_kind or hits or [None])[0]
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
    print(f"events shown in all           {len(events)}   (gold 18)")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", action="store_true", help="score the seed articles (the default)")
    parser.parse_args()
    seeds()


if __name__ == "__main__":
    main()
