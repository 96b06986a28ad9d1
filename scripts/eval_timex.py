"""Score time-expression taggers on TimeBank + AQUAINT (tbaq) the TempEval-3 way.

What it measures, per system, against the gold TIMEX3 tags (the DCT excluded):
  - strict span P/R/F1: system and gold spans identical;
  - relaxed span P/R/F1: spans overlap; both with one-to-one matching;
  - value F1 and type F1 over the relaxed matches: P = matches with the right attribute /
    system expressions, R = the same / gold expressions, F1 their harmonic mean;
  - a table per gold TIMEX3 type: count, relaxed recall, value accuracy on the matches;
  - an error dump (missed, spurious, wrong value, wrong type, each in its sentence).

Systems:
  ours        service.temporal.tag(text, anchor=DCT)
  dateparser  dateparser.search.search_dates(text, languages=["en"],
              settings={"RELATIVE_BASE": DCT as a naive datetime}); every other setting is
              dateparser's default (PREFER_DATES_FROM="current_period",
              PREFER_DAY_OF_MONTH="current", STRICT_PARSING=False). Each hit becomes
              type DATE with value = the parsed date's ISO day (YYYY-MM-DD); spans are found
              by searching each returned substring in the text after the previous hit.

Run (from the repository root):
  uv run python scripts/eval_timex.py                      # both systems, side by side
  uv run python scripts/eval_timex.py --system ours --limit 20
  uv run python scripts/eval_timex.py --corpus ../shared/data/tbaq --errors out/errs.txt

Relative paths are resolved against the repository root, so the script runs from anywhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from service.sources.timeml import GoldTimex, TimeMLDocument, iter_corpus  # noqa: E402

DEFAULT_CORPUS = Path("..") / "shared" / "data" / "tbaq"
DEFAULT_ERRORS = Path("out") / "eval_timex_errors.txt"
TYPES = ("DATE", "TIME", "DURATION", "SET")


# ----------------------------------------------------------------------------- systems


@dataclass(frozen=True, slots=True)
class SysTimex:
    """What a system returned for one expression, reduced to what TempEval scores."""

    start: int
    end: int
    type: str
    value: str
    text: str
    note: str = ""  # rule name / reason, shown in the error dump


Tagger = Callable[[str, datetime], list[SysTimex]]


def tag_ours(text: str, dct: datetime) -> list[SysTimex]:
    from service.temporal import tag

    return [
        SysTimex(e.start, e.end, e.type, e.value, e.text, e.rule or e.reason)
        for e in tag(text, dct, "en")
    ]


def tag_dateparser(text: str, dct: datetime) -> list[SysTimex]:
    from dateparser.search import search_dates

    found = search_dates(
        text, languages=["en"], settings={"RELATIVE_BASE": dct.replace(tzinfo=None)}
    )
    out: list[SysTimex] = []
    cursor = 0
    for substring, parsed in found or ():
        at = text.find(substring, cursor)
        if at < 0:  # dateparser normalised the substring somehow: look from the start
            at = text.find(substring)
            if at < 0:
                continue
        else:
            cursor = at + len(substring)
        out.append(SysTimex(at, at + len(substring), "DATE", parsed.date().isoformat(), substring))
    return out


SYSTEMS: dict[str, Tagger] = {"ours": tag_ours, "dateparser": tag_dateparser}


def system_unavailable(name: str) -> str | None:
    """Why a system cannot run here (its module is missing), or None."""
    try:
        if name == "ours":
            from service.temporal import tag  # noqa: F401
        else:
            from dateparser.search import search_dates  # noqa: F401
    except ImportError as exc:
        return str(exc)
    return None


# ----------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class Match:
    gold: GoldTimex
    sys: SysTimex
    strict: bool


def match_one_to_one(gold: Sequence[GoldTimex], system: Sequence[SysTimex]) -> list[Match]:
    """Pair overlapping gold/system spans, each used at most once.

    Exact spans are paired first, then the remaining overlaps by largest overlap (ties by
    position), which is what the TempEval-3 scorer's greedy pass amounts to on real data.
    """
    candidates: list[tuple[int, int, int, int, int]] = []
    j0 = 0
    sys_sorted = sorted(range(len(system)), key=lambda k: (system[k].start, system[k].end))
    for gi, g in enumerate(gold):
        for sj in sys_sorted[j0:]:
            s = system[sj]
            if s.start >= g.end:
                break
            overlap = min(g.end, s.end) - max(g.start, s.start)
            if overlap > 0:
                exact = int(s.start == g.start and s.end == g.end)
                candidates.append((-exact, -overlap, g.start, gi, sj))
    candidates.sort()
    used_g: set[int] = set()
    used_s: set[int] = set()
    matches: list[Match] = []
    for neg_exact, _neg_overlap, _pos, gi, sj in candidates:
        if gi in used_g or sj in used_s:
            continue
        used_g.add(gi)
        used_s.add(sj)
        matches.append(Match(gold[gi], system[sj], strict=neg_exact == -1))
    return matches


# ----------------------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class PRF:
    correct: int
    n_sys: int
    n_gold: int

    @property
    def p(self) -> float:
        return self.correct / self.n_sys if self.n_sys else 0.0

    @property
    def r(self) -> float:
        return self.correct / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class TypeRow:
    count: int = 0
    matched: int = 0
    value_ok: int = 0


@dataclass(slots=True)
class Score:
    n_gold: int = 0
    n_sys: int = 0
    strict: int = 0
    relaxed: int = 0
    value: int = 0
    type: int = 0
    by_type: dict[str, TypeRow] = field(default_factory=lambda: {t: TypeRow() for t in TYPES})
    seconds: float = 0.0
    docs: int = 0
    failures: int = 0

    def prf(self, what: str) -> PRF:
        return PRF(getattr(self, what), self.n_sys, self.n_gold)


@dataclass(frozen=True, slots=True)
class DocResult:
    doc: TimeMLDocument
    system: list[SysTimex]
    matches: list[Match]
    error: str | None = None


def score_doc(doc: TimeMLDocument, system: list[SysTimex], score: Score) -> DocResult:
    matches = match_one_to_one(doc.timexes, system)
    score.n_gold += len(doc.timexes)
    score.n_sys += len(system)
    for g in doc.timexes:
        score.by_type.setdefault(g.type, TypeRow()).count += 1
    for m in matches:
        score.relaxed += 1
        score.strict += m.strict
        value_ok = m.sys.value.strip() == m.gold.value.strip()
        score.value += value_ok
        score.type += m.sys.type == m.gold.type
        row = score.by_type.setdefault(m.gold.type, TypeRow())
        row.matched += 1
        row.value_ok += value_ok
    return DocResult(doc, system, matches)


def evaluate(docs: Sequence[TimeMLDocument], tagger: Tagger) -> tuple[Score, list[DocResult]]:
    score = Score()
    results: list[DocResult] = []
    t0 = time.perf_counter()
    for doc in docs:
        assert doc.dct is not None, doc.doc_id
        try:
            system = tagger(doc.text, doc.dct)
        except Exception as exc:  # a crash on one document is a finding, not the end
            score.failures += 1
            result = score_doc(doc, [], score)
            results.append(DocResult(doc, [], result.matches, f"{type(exc).__name__}: {exc}"))
            continue
        results.append(score_doc(doc, system, score))
    score.seconds = time.perf_counter() - t0
    score.docs = len(docs)
    return score, results


# ----------------------------------------------------------------------------- reporting


def context(text: str, start: int, end: int, width: int = 160) -> str:
    """The sentence-ish window around [start, end), the span in [[ ]], on one line."""
    lo = max(0, start - width)
    for stop in ("\n\n", ". ", "\n"):
        k = text.rfind(stop, lo, start)
        if k >= 0:
            lo = k + len(stop)
            break
    hi = min(len(text), end + width)
    for stop in (". ", "\n\n"):
        k = text.find(stop, end, hi)
        if k >= 0:
            hi = k + 1
            break
    s = text[lo:start] + "[[" + text[start:end] + "]]" + text[end:hi]
    return " ".join(s.split())


def error_lines(name: str, results: Iterable[DocResult]) -> list[str]:
    lines: list[str] = [f"######## system: {name}"]
    for r in results:
        text = r.doc.text
        matched_g = {id(m.gold) for m in r.matches}
        matched_s = {id(m.sys) for m in r.matches}
        block: list[str] = []
        if r.error:
            block.append(f"  CRASH     {r.error}")
        for g in r.doc.timexes:
            if id(g) not in matched_g:
                block.append(
                    f"  MISSED    {g.text!r} {g.type} {g.value}\n            {context(text, g.start, g.end)}"
                )
        for s in r.system:
            if id(s) not in matched_s:
                block.append(
                    f"  SPURIOUS  {s.text!r} {s.type} {s.value} {s.note}\n"
                    f"            {context(text, s.start, s.end)}"
                )
        for m in r.matches:
            g, s = m.gold, m.sys
            problems = []
            if not m.strict:
                problems.append(f"span {s.text!r}")
            if s.value.strip() != g.value.strip():
                problems.append(f"value {s.value} (gold {g.value})")
            if s.type != g.type:
                problems.append(f"type {s.type} (gold {g.type})")
            if problems:
                kind = "WRONG" if any(p[:5] in ("value", "type ") for p in problems) else "SPAN"
                block.append(
                    f"  {kind:<9} {g.text!r}: " + "; ".join(problems) + f" {s.note}\n"
                    f"            {context(text, g.start, g.end)}"
                )
        if block:
            dct = r.doc.dct_value or "?"
            lines.append(f"=== {r.doc.doc_id} (DCT {dct})")
            lines.extend(block)
    return lines


def print_report(scores: dict[str, Score]) -> None:
    names = list(scores)
    w = 24
    header = f"{'':<{w}}" + "".join(f"{n:>12}" for n in names)
    print(header)
    print("-" * len(header))
    first = scores[names[0]]
    print(f"{'documents':<{w}}" + "".join(f"{scores[n].docs:>12}" for n in names))
    print(f"{'gold TIMEX3':<{w}}" + "".join(f"{scores[n].n_gold:>12}" for n in names))
    print(f"{'system TIMEX3':<{w}}" + "".join(f"{scores[n].n_sys:>12}" for n in names))
    for what in ("strict", "relaxed", "value", "type"):
        for part in ("p", "r", "f1"):
            label = f"{what} {part.upper()}"
            print(
                f"{label:<{w}}"
                + "".join(f"{getattr(scores[n].prf(what), part):>12.3f}" for n in names)
            )
    print(f"{'docs/s':<{w}}" + "".join(f"{scores[n].docs / scores[n].seconds:>12.1f}" for n in names))
    print(f"{'crashed docs':<{w}}" + "".join(f"{scores[n].failures:>12}" for n in names))
    print()
    print("per gold TIMEX3 type: count | relaxed R | value accuracy on matches | value R")
    types = list(first.by_type)
    for n in names:
        for t in scores[n].by_type:
            if t not in types:
                types.append(t)
    print(f"{'type':<10}{'count':>7}" + "".join(f"{n + ' relR':>17}{'valAcc':>8}{'valR':>7}" for n in names))
    for t in types:
        row0 = first.by_type.get(t, TypeRow())
        cells = []
        for n in names:
            row = scores[n].by_type.get(t, TypeRow())
            rel = row.matched / row.count if row.count else 0.0
            acc = row.value_ok / row.matched if row.matched else 0.0
            vr = row.value_ok / row.count if row.count else 0.0
            cells.append(f"{rel:>17.3f}{acc:>8.3f}{vr:>7.3f}")
        print(f"{t:<10}{row0.count:>7}" + "".join(cells))


def resolve(path: Path) -> Path:
    return path if path.is_absolute() else (REPO / path).resolve()


def load_corpus(corpus: Path, limit: int | None) -> list[TimeMLDocument]:
    docs = list(iter_corpus([corpus]))
    if not docs:
        raise SystemExit(f"no .tml files under {corpus}")
    return docs[:limit] if limit else docs


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--system", choices=("ours", "dateparser", "both"), default="both")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="relative to the repo root")
    ap.add_argument("--errors", type=Path, default=DEFAULT_ERRORS, help="error dump file")
    ap.add_argument("--tense", choices=("parser", "cues"), default="parser",
                    help="how ours gets tense: spaCy parse (default) or cue words (TIMELINE_TENSE=cues)")
    args = ap.parse_args(argv)
    if args.tense == "cues":
        from service import temporal

        temporal.configure(tense_parser=False)

    docs = load_corpus(resolve(args.corpus), args.limit)
    names = ["ours", "dateparser"] if args.system == "both" else [args.system]
    scores: dict[str, Score] = {}
    dump: list[str] = []
    for name in names:
        unavailable = system_unavailable(name)
        if unavailable:
            print(f"{name}: not available ({unavailable}); skipped", file=sys.stderr)
            continue
        score, results = evaluate(docs, SYSTEMS[name])
        scores[name] = score
        dump.extend(error_lines(name, results))
        dump.append("")
    if not scores:
        return 1
    errors = resolve(args.errors)
    errors.parent.mkdir(parents=True, exist_ok=True)
    errors.write_text("\n".join(dump) + "\n", encoding="utf-8")

    print_report(scores)
    try:
        shown = errors.relative_to(REPO)
    except ValueError:
        shown = errors
    print(f"\nerror dump: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
