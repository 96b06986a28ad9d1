"""Hostile text: seconds per MB for every pipeline stage on 1 MB adversarial inputs.

Each stage must stay linear (RE2 patterns, bounded work per article): the figure to watch is
that seconds/MB stays flat across inputs and near the figure for ordinary news text.

Run: python3 -m uv run --frozen python scripts/hostile_inputs.py [--mb 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.articles import ArticleIn, InvalidArticles, Limits, validate  # noqa: E402
from service.temporal import tag  # noqa: E402

ANCHOR = datetime(2023, 5, 23, 9, 0, tzinfo=timezone.utc)


def inputs(size: int) -> dict[str, str]:
    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    news = (REPO / "service" / "demo" / "afp-belgorod-2023-05-23.txt").read_text()
    return {
        "news text (reference)": fill(news + "\n\n"),
        "digit run": fill("1234567890"),
        "'the day before' chain": fill("the day before "),
        "nested quotes": fill("“‘«\"") + fill("\"»’”")[: size // 4],
        "no punctuation, 100k clauses": fill("officials said on monday that the group attacked the town "),
        "dates without separators": fill("2023-05-22 1999 Feb 30 99999 the 45th "),
        "control and mixed scripts": fill("\x01\x02Понедельник 月曜日 الإثنين Monday\u200b\ufeff "),
        "HTML soup": fill("<div><p>On <b>Monday</b></p><script>x</script></div>"),
    }


def stages() -> dict[str, Callable[[str], object]]:
    limits = Limits(max_body_chars=10_000_000)

    def validation(text: str) -> object:
        try:
            return validate(ArticleIn(id="x", body=text, published_at="2023-05-23T12:00:00+03:00"), limits)
        except InvalidArticles as exc:
            return exc

    found: dict[str, Callable[[str], object]] = {
        "validate": validation,
        "tag times": lambda text: tag(text, ANCHOR),
    }
    try:  # later stages, once they exist
        from service.text import segment

        found["segment"] = lambda text: segment(text)
    except ImportError:
        pass
    try:
        from service.pipeline import derive

        def whole(text: str) -> object:
            article = validation(text)
            return derive(article) if not isinstance(article, InvalidArticles) else article

        found["whole pipeline"] = whole
    except ImportError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=1.0)
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    cases = inputs(size)
    table = stages()
    print(f"seconds per MB, inputs of {size:,} characters")
    print(f"{'input':32}" + "".join(f"{name:>16}" for name in table))
    for label, text in cases.items():
        cells = []
        for run in table.values():
            start = time.perf_counter()
            run(text)
            cells.append((time.perf_counter() - start) / (len(text) / 1e6))
        print(f"{label:32}" + "".join(f"{c:16.3f}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
