"""Evaluate event extraction: segmentation -> parse -> time tagging -> event mentions.

    uv run python scripts/eval_events.py --seeds   # the two seed articles vs gold-timeline.json
    uv run python scripts/eval_events.py --trial   # SemEval-2015 timeline trial + tbaq throughput

--seeds: per gold mention: found (a predicted mention whose trigger lies inside the quote; when
several do, the one highest in the parse tree, i.e. the quote's main predicate), day bounds
right (the predicted interval in the article's local dates equals gold [from, until)), kind
right; then the spurious mentions (no gold quote covers their trigger) and the `not_events`
lines that produced a mention.

--trial: event triggers against the gold EVENT tags (a predicted trigger matches a gold EVENT
whose tokens it overlaps), and for every mention of the 6 gold timelines whether our mention
at that token gets the gold date (TimeML style: `2005-01-18`, `2005-01`, `2005`, `XXXX-XX-XX`
for undated), next to a baseline that dates every mention at its article's DCT. Then the
throughput of segment + parse + tag + extract on the 256 tbaq documents.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.events import EventMention, extract_events, parse, parse_many  # noqa: E402
from service.temporal import tag  # noqa: E402
from service.text import segment  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


# ------------------------------------------------------------------ shared -------------------

def run_article(body: str, anchor: datetime, title: str | None = None) -> tuple[Any, Any, list, list[EventMention]]:
    seg = segment(body, title)
    doc = parse(body, seg)
    exps = tag(body, anchor, doc=doc)
    return seg, doc, exps, extract_events(body, anchor, seg, exps, doc)


def local_days(m: EventMention, tz: ZoneInfo) -> tuple[date | None, date | None]:
    f = m.valid_from.astimezone(tz).date() if m.valid_from else None
    u = (m.valid_until - timedelta(microseconds=1)).astimezone(tz).date() + timedelta(days=1) if m.valid_until else None
    return f, u


def depth(token: Any) -> int:
    return sum(1 for _ in token.ancestors)


# ------------------------------------------------------------------ seeds --------------------

def eval_seeds() -> int:
    seeds = DATA / "seeds"
    articles = {a["id"]: a for a in json.loads((seeds / "articles.json").read_text(encoding="utf-8"))}
    gold = json.loads((seeds / "gold-timeline.json").read_text(encoding="utf-8"))
    runs: dict[str, tuple[str, ZoneInfo, Any, list[EventMention]]] = {}
    for aid, a in articles.items():
        body = (seeds / a["body_file"]).read_text(encoding="utf-8")
        tz = ZoneInfo(a["timezone"])
        anchor = datetime.fromisoformat(a["published_at"]).astimezone(tz)
        _, doc, _, mentions = run_article(body, anchor, a.get("title"))
        runs[aid] = (body, tz, doc, mentions)

    found = bounds_ok = kind_ok = all_ok = 0
    covered: dict[str, list[tuple[int, int]]] = {aid: [] for aid in runs}
    print(f"{'id':4} {'found':5} {'days':4} {'kind':4}  {'trigger':12} {'predicted days':26} {'gold days':24} {'kind (gold)':24} quote")
    for g in gold["events"]:
        body, tz, doc, mentions = runs[g["article"]]
        q0 = body.find(g["quote"])
        if q0 < 0:
            print(f"{g['id']:4} quote not in article: {g['quote'][:60]!r}")
            continue
        q1 = q0 + len(g["quote"])
        covered[g["article"]].append((q0, q1))
        inside = [m for m in mentions if q0 <= m.trigger_start < q1]
        gf, gu = date.fromisoformat(g["from"]), date.fromisoformat(g["until"])
        if not inside:
            print(f"{g['id']:4} {'-':5} {'-':4} {'-':4}  {'':12} {'':26} {str(gf)+'..'+str(gu):24} {'(' + g['kind'] + ')':24} {g['quote'][:60]}")
            continue
        best = min(inside, key=lambda m: (depth(doc.char_span(m.trigger_start, m.trigger_end, alignment_mode="expand").root), m.trigger_start))
        f, u = local_days(best, tz)
        ok_b = (f, u) == (gf, gu)
        ok_k = best.kind == g["kind"]
        found += 1
        bounds_ok += ok_b
        kind_ok += ok_k
        all_ok += ok_b and ok_k
        print(f"{g['id']:4} {'yes':5} {'ok' if ok_b else 'NO':4} {'ok' if ok_k else 'NO':4}  {best.trigger:12} "
              f"{str(f)+'..'+str(u):26} {str(gf)+'..'+str(gu):24} {best.kind + ' (' + g['kind'] + ')':24} {g['quote'][:60]}")
        if not (ok_b and ok_k):
            print(f"{'':20}reason: {best.reason}")
    n = len(gold["events"])
    print(f"\nfound {found}/{n}   day bounds right {bounds_ok}/{n}   kind right {kind_ok}/{n}   all right {all_ok}/{n}")

    spurious = []
    for aid, (body, tz, doc, mentions) in runs.items():
        for m in mentions:
            if not any(a <= m.trigger_start < b for a, b in covered[aid]):
                spurious.append((aid, m))
    total = sum(len(r[3]) for r in runs.values())
    print(f"\nspurious mentions (no gold quote covers the trigger): {len(spurious)} of {total} predicted; "
          f"{sum(1 for _, m in spurious if m.salient)} of them shown by the timeline (salient), "
          f"of {sum(1 for r in runs.values() for m in r[3] if m.salient)} shown in all")
    for aid, m in spurious:
        body, tz, _, _ = runs[aid]
        f, u = local_days(m, tz)
        print(f"  {aid[:10]} {m.trigger:16} {m.kind:10} {str(f)}..{str(u)}  {body[m.sentence_start:m.sentence_end][:70]!r}")

    bad = 0
    for line in gold.get("not_events", []):
        for aid, (body, tz, doc, mentions) in runs.items():
            k = body.find(line)
            if k < 0:
                continue
            hits = [m for m in mentions if k <= m.trigger_start < k + len(line)]
            bad += len(hits)
            for m in hits:
                print(f"  NOT-EVENT mention: {m.trigger!r} in {line!r}")
    print(f"\nmentions from not_events lines: {bad} (of {len(gold.get('not_events', []))} lines)")
    return 0


# ------------------------------------------------------------------ trial --------------------

def timeml_value(m: EventMention | None, tz: Any) -> str:
    """Our mention's date the way TimeML writes it: day, month or year grain, else undated."""
    if m is None or m.valid_from is None or m.valid_until is None:
        return "XXXX-XX-XX"
    f = m.valid_from.astimezone(tz)
    u = (m.valid_until - timedelta(microseconds=1)).astimezone(tz)
    if f.date() == u.date():
        return f.date().isoformat()
    if (f.year, f.month) == (u.year, u.month) and f.day == 1 and (u + timedelta(days=1)).day == 1:
        return f"{f.year:04d}-{f.month:02d}"
    if f.year == u.year and (f.month, f.day) == (1, 1) and (u.month, u.day) == (12, 31):
        return f"{f.year:04d}"
    return "XXXX-XX-XX"


def _norm_gold_date(v: str) -> str:
    v = v.strip()
    if v.startswith("XXX"):
        return "XXXX-XX-XX"
    parts = v.split("-")
    while parts and parts[-1].startswith("XX"):
        parts.pop()
    return "-".join(parts) if parts else "XXXX-XX-XX"


def eval_trial() -> int:
    from service.sources.timeml import iter_corpus

    trial = DATA / "timeline-trial"
    docs = {d.doc_id: d for d in iter_corpus([trial / "docs"])}
    tp = fp = fn = 0
    by_doc: dict[str, list[EventMention]] = {}
    for d in docs.values():
        if d.dct is None:
            continue
        _, _, _, mentions = run_article(d.text, d.dct, None)
        by_doc[d.doc_id] = mentions
        gold_spans = [(e.start, e.end) for e in d.events]
        matched_gold: set[int] = set()
        for m in mentions:
            hit = [i for i, (a, b) in enumerate(gold_spans) if m.trigger_start < b and a < m.trigger_end]
            if hit:
                tp += 1
                matched_gold.update(hit)
            else:
                fp += 1
        fn += len(gold_spans) - len(matched_gold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = (tp + 0.0) / (tp + fn) if tp + fn else 0.0
    # recall over gold events (a gold event is found when some prediction overlaps it)
    print(f"event triggers vs gold EVENT tags: predicted {tp + fp}, matched {tp}; P {p:.3f}  R {r:.3f}  F1 {2 * p * r / (p + r) if p + r else 0:.3f}")

    total = ours = base = found = 0
    rows = []
    for path in sorted((trial / "gold-timelines").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines[1:]:
            cols = line.split("\t")
            if len(cols) < 3:
                continue
            gold_date = _norm_gold_date(cols[1])
            for ref in cols[2:]:
                doc_id = ref.split("-", 1)[0]
                d = docs.get(doc_id)
                if d is None:
                    continue
                target = d.resolve_mention(ref)
                if target is None:
                    continue
                start = target.start
                end = target.end
                mention = next((m for m in by_doc.get(doc_id, []) if m.trigger_start < end and start < m.trigger_end), None)
                total += 1
                found += mention is not None
                ours_v = timeml_value(mention, d.dct.tzinfo) if mention is not None else "XXXX-XX-XX"
                base_v = d.dct.date().isoformat() if d.dct else "XXXX-XX-XX"
                ours += ours_v == gold_date
                base += base_v == gold_date
                rows.append((path.stem, ref, gold_date, ours_v, base_v, mention.reason[:70] if mention else "(no mention)"))
    print(f"\ngold timeline mentions: {total}; with a predicted mention at that token: {found}")
    print(f"date right: ours {ours}/{total} ({ours / max(total, 1):.1%})   baseline DCT {base}/{total} ({base / max(total, 1):.1%})")
    print("\nper mention (timeline, mention, gold, ours, DCT baseline, why):")
    for row in rows:
        mark = "ok" if row[2] == row[3] else "--"
        print(f"  {mark} {row[0][:14]:14} {row[1][:28]:28} {row[2]:10} {row[3]:10} {row[4]:10} {row[5]}")
    return 0


def throughput(n_process: int = 1) -> int:
    from service.sources.timeml import iter_corpus

    docs = [d for d in iter_corpus([DATA / "tbaq"]) if d.dct is not None]
    import gc

    from service.nlp import get_pipeline

    get_pipeline()  # loading the model is not per-article work
    gc.collect()
    t_seg = t_parse = t_tag = t_ext = 0.0
    n_chars = sum(len(d.text) for d in docs)
    n_mentions = 0
    t0 = time.perf_counter()
    segs = []
    a = time.perf_counter()
    for d in docs:
        segs.append(segment(d.text, d.title))
    t_seg = time.perf_counter() - a
    a = time.perf_counter()
    parsed = list(parse_many(((d.text, s) for d, s in zip(docs, segs)), n_process=n_process))
    t_parse = time.perf_counter() - a
    for d, s, doc in zip(docs, segs, parsed):
        a = time.perf_counter()
        exps = tag(d.text, d.dct, doc=doc)
        b = time.perf_counter()
        n_mentions += len(extract_events(d.text, d.dct, s, exps, doc))
        c = time.perf_counter()
        t_tag += b - a
        t_ext += c - b
    total = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if n_process > 1:
        rss += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nthroughput on {len(docs)} tbaq documents ({n_chars / len(docs):.0f} chars on average), "
          f"{'one process' if n_process == 1 else f'spaCy in {n_process} processes'}:")
    print(f"  {len(docs) / total:.1f} articles/s, {n_chars / total / 1000:.1f} kchars/s, {n_mentions} mentions, peak RSS {rss:.0f} MB")
    for name, t in (("segment", t_seg), ("parse (spaCy)", t_parse), ("tag times", t_tag), ("extract events", t_ext)):
        print(f"  {name:15} {t:6.2f} s  {t / total:6.1%}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", action="store_true", help="score the seed articles against gold-timeline.json")
    ap.add_argument("--trial", action="store_true", help="SemEval-2015 trial triggers and dates, tbaq throughput")
    ap.add_argument("--no-throughput", action="store_true", help="with --trial: skip the tbaq timing")
    ap.add_argument("--processes", type=int, default=1, help="spaCy worker processes for the timing (default 1)")
    args = ap.parse_args(argv)
    if not (args.seeds or args.trial):
        ap.error("say --seeds and/or --trial")
    if args.seeds:
        eval_seeds()
    if args.trial:
        eval_trial()
        if not args.no_throughput:
            throughput(args.processes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
