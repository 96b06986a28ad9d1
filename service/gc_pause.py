"""Python's cyclic garbage collector paused for a bulk step.

A regroup builds and drops millions of small objects (mention records, features, pairs,
clusters) over a heap of hundreds of thousands of live ones; each automatic full collection
walks that whole heap, for nothing: those objects hold no reference cycles and reference
counting frees them. Measured on bench_dedup's 296,749 mentions: loading the mentions 2.3 s
→ 1.4 s, making the clusters 2.3 s → 0.3 s, features 2.5 s → 1.5 s with the collector paused.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def gc_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` with the cyclic collector off while it runs (as it was before, after)."""
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return run
