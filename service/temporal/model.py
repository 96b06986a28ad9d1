"""The typed value a time expression becomes: what the tagger finds and the resolver fills in.

Shared by the tagger, the store and the API, so it holds data only and no behaviour.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

TimexType = Literal["DATE", "TIME", "DURATION", "SET"]

# The unit an interval really has: "February 2022" is a month, "the 1990s" a decade.
Grain = Literal[
    "century", "decade", "year", "half", "quarter", "season", "month", "week",
    "day", "part_of_day", "hour", "minute", "second", "unknown",
]


class TimeExpression(msgspec.Struct, frozen=True, kw_only=True):
    """One time expression found in a text and resolved against its anchor.

    `start`/`end` are Python string offsets into the text that was tagged. `value` is the
    TIMEX3 value (`2023-05-22`, `2022-02`, `P3D`, `PAST_REF`, `XXXX-XX-XX`, ...). For DATE
    and TIME, `valid_from`/`valid_until` are the half-open interval `[from, until)` in UTC
    at `grain`, computed in the anchor's own time zone; either side is None when it is
    open ("before the anchor") or unknowable.
    """

    start: int
    end: int
    text: str
    type: TimexType
    value: str
    grain: Grain | None = None
    mod: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    # What the value was computed from: "anchor", "previous", "absolute", "none", ...
    resolved_against: str = "anchor"
    # Why, in words a user can check: "past tense clause: previous Monday before anchor".
    reason: str = ""
    # Name of the lexicon rule that matched, for debugging and error dumps.
    rule: str = ""
