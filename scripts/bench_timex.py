"""Benchmark time-expression tagging + resolution on the tbaq texts: ours vs dateparser.

What it measures, per system, over the TEXT of every tbaq document (anchor = its DCT):
  - kchars/s and docs/s of the whole tag-and-resolve call, wall clock, one core;
  - peak RSS (resource.getrusage ru_maxrss) of a fresh Python process that loads the
    corpus, imports the system, warms it up and runs it, so the figures of the two
    systems are never mixed; the RSS of a process that only loads the corpus is shown
    as the baseline.
`ours` (service.temporal.tag) runs --repeat times (default 3) and the best pass is
reported (the first pass, which pays for lexicon/pipeline loading, is shown too);
dateparser.search.search_dates (settings as in eval_timex.py) runs once, on every
document unless --dateparser-limit is given.

Run (from the repository root):
  uv run python scripts/bench_timex.py
  uv run python scripts/bench_timex.py --repeat 5 --dateparser-limit 100
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).resolve().parent
for p in (str(REPO), str(SCRIPTS)):
    if p not in sys.path:
        sys.path.insert(0, p)

import eval_timex  # noqa: E402  (the system adapters and corpus loader are shared)


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)


def worker(system: str, corpus: Path, limit: int | None, repeat: int) -> dict[str, object]:
    """Run one system in this process; returns the figures as a dict."""
    docs = eval_timex.load_corpus(corpus, limit)
    chars = sum(len(d.text) for d in docs)
    if system == "none":
        return {"system": "none (corpus only)", "docs": len(docs), "chars": chars,
                "rss_mb": peak_rss_mb(), "passes": []}
    if system == "ours-cues":  # the fast path: tense from cue words, no parse (TIMELINE_TENSE=cues)
        from service import temporal

        temporal.configure(tense_parser=False)
    tagger = eval_timex.SYSTEMS["ours" if system == "ours-cues" else system]
    t0 = time.perf_counter()
    tagger("Warm-up on Monday, 23 May 2023.", docs[0].dct)  # imports, lexicon compile
    warmup = time.perf_counter() - t0
    passes: list[float] = []
    found = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = 0
        for d in docs:
            found += len(tagger(d.text, d.dct))
        passes.append(time.perf_counter() - t0)
    return {"system": system, "docs": len(docs), "chars": chars, "found": found,
            "warmup_s": warmup, "passes": passes, "rss_mb": peak_rss_mb()}


def run_subprocess(system: str, corpus: Path, limit: int | None, repeat: int) -> dict[str, object]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", system,
           "--corpus", str(corpus), "--repeat", str(repeat)]
    if limit:
        cmd += ["--limit", str(limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
        return {"system": system, "error": tail[0]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=eval_timex.DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=3, help="passes of ours (best is reported)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    ap.add_argument("--dateparser-limit", type=int, default=None,
                    help="run dateparser on the first N documents only")
    ap.add_argument("--worker", choices=("ours", "ours-cues", "dateparser", "none"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    corpus = eval_timex.resolve(args.corpus)

    if args.worker:
        print(json.dumps(worker(args.worker, corpus, args.limit, args.repeat)))
        return 0

    dp_limit = args.dateparser_limit or args.limit
    rows = [
        run_subprocess("none", corpus, args.limit, 0),
        run_subprocess("ours", corpus, args.limit, args.repeat),
        run_subprocess("ours-cues", corpus, args.limit, args.repeat),
        run_subprocess("dateparser", corpus, dp_limit, 1),
    ]
    print(f"{'system':<20}{'docs':>6}{'kchars':>8}{'passes':>8}{'best s':>9}"
          f"{'kchars/s':>10}{'docs/s':>9}{'1st pass s':>11}{'warm-up s':>10}{'peak RSS MB':>12}")
    speeds: dict[str, float] = {}
    for r in rows:
        if "error" in r:
            print(f"{r['system']:<20} failed: {r['error']}")
            continue
        passes = r["passes"]
        assert isinstance(passes, list)
        kchars = int(r["chars"]) / 1000
        if passes:
            best = min(passes)
            speeds[str(r["system"])] = kchars / best
            print(f"{r['system']:<20}{r['docs']:>6}{kchars:>8.0f}{len(passes):>8}{best:>9.2f}"
                  f"{kchars / best:>10.1f}{int(r['docs']) / best:>9.1f}{passes[0]:>11.2f}"
                  f"{float(r['warmup_s']):>10.2f}{float(r['rss_mb']):>12.0f}")
        else:
            print(f"{r['system']:<20}{r['docs']:>6}{kchars:>8.0f}{'':>57}{float(r['rss_mb']):>12.0f}")
    for ours in ("ours", "ours-cues"):
        if ours in speeds and "dateparser" in speeds:
            print(f"throughput {ours} / dateparser: {speeds[ours] / speeds['dateparser']:.1f}x "
                  "(kchars/s, best pass of ours vs dateparser's single pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
