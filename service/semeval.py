"""SemEval-2015 Task 4 timeline files: the events an entity takes part in, ordered and dated.

Written by `timeline export --entity NAME --format semeval2015` and read back by
`scripts/eval_timeline.py --trial`. The format, as the task's gold files write it:

    iPhone 4                                    first line: the target entity
    0<TAB>XXXX-XX-XX<TAB>16844-16-use           undated events, all at ORDER 0
    1<TAB>2010-06-07<TAB>16844-2-unveiled<TAB>16900-2-announced
    2<TAB>2010-06-08<TAB>16844-7-reduction      ORDER grows along the timeline

- One line per event; the mentions on a line are the mentions of that event (deduplication).
- ORDER: undated events are 0; dated events are numbered from 1 in timeline order (start, then
  end), and events with the same interval share their number: they are simultaneous as far
  as the store knows.
- DATE: what the interval tells on its reporter's clock: a day `2010-06-07`, a month
  `2010-06-XX`, a year `2010-XX-XX` (the largest calendar unit that holds the whole interval),
  else `XXXX-XX-XX` (open, or longer than a year).
- A mention is `DOCID-SENTENCE-TOKEN`: the article id (a TimeML DOCID when ingested from `.tml`),
  the sentence number counted from 1, and the word of the trigger's token, as the task's gold
  timelines write it (`16844-2-unveiled`). Sentences and tokens come from the stored body: the
  TimeML reader writes one `<s>` sentence per line and keeps its tokens separated by spaces
  (`service/sources/timeml.py`), so line k is `<s id="k">` for files numbered 1, 2, 3... as the
  SemEval-2015 files are. For articles that are not TimeML, lines are paragraphs.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

import duckdb

from service.articles import parse_zone
from service.search import TextIndex
from service.store import fetch
from service.timeline import MAX_UNDATED, TimelineEntry, TimelineQuery, read_timeline

UNDATED = "XXXX-XX-XX"
_PAGE = 1_000
# The task's timelines list every event of the entity, states and reports too: ask for the
# minor events as well where the timeline tells them apart.
_EVERY = {"minor": True} if "minor" in TimelineQuery.__struct_fields__ else {}


def entity_events(cur: duckdb.DuckDBPyConnection, entity: str, as_of: datetime,
                  index: TextIndex | None = None) -> tuple[list[TimelineEntry], list[TimelineEntry]]:
    """The dated (in timeline order) and undated events of `entity`, as `GET /timeline?entity=` finds them
    (minor events included)."""
    dated: list[TimelineEntry] = []
    offset = 0
    while True:
        page = read_timeline(cur, TimelineQuery(as_of=as_of, limit=_PAGE, offset=offset, entity=entity, **_EVERY),
                             index)
        dated.extend(page.items)
        undated = page.undated
        if page.next_offset is None:
            return dated, undated[:MAX_UNDATED]
        offset = page.next_offset


def semeval_date(entry: TimelineEntry) -> str:
    """The interval as a SemEval-2015 date: day, month (`YYYY-MM-XX`), year (`YYYY-XX-XX`) or unknown."""
    if entry.valid_from is None or entry.valid_until is None:
        return UNDATED
    zone = parse_zone(entry.timezone)[1]
    first = entry.valid_from.astimezone(zone)
    last = (entry.valid_until - timedelta(microseconds=1)).astimezone(zone)
    if first.date() == last.date():
        return first.date().isoformat()
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.year:04d}-{first.month:02d}-XX"
    if first.year == last.year:
        return f"{first.year:04d}-XX-XX"
    return UNDATED


class _Lines:
    """Sentence number (1-based, blank lines skipped) and token of an offset in one body."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.starts: list[int] = []  # start offset of each non-blank line
        pos = 0
        for line in body.split("\n"):
            if line.strip():
                self.starts.append(pos)
            pos += len(line) + 1

    def name(self, doc_id: str, offset: int) -> str:
        k = bisect_right(self.starts, offset) - 1
        if k < 0:
            k = 0
        line_start = self.starts[k] if self.starts else 0
        end = self.body.find("\n", line_start)
        line = self.body[line_start:] if end < 0 else self.body[line_start:end]
        at = offset - line_start
        left = line[:at]
        # the whitespace token holding the offset (a trigger may start inside it: "pre-orders")
        head = left.rsplit(None, 1)[-1] if left and not left[-1].isspace() else ""
        rest = line[at:].split(None, 1)
        word = head + (rest[0] if rest and not line[at:at + 1].isspace() else "")
        return f"{doc_id}-{k + 1}-{word or '_'}"


def mention_names(cur: duckdb.DuckDBPyConnection, event_ids: list[str], as_of: datetime) -> dict[str, list[str]]:
    """Event id -> the `DOCID-SENTENCE-TOKEN` names of its mentions, in article then text order."""
    names: dict[str, list[str]] = {e: [] for e in event_ids}
    if not event_ids:
        return names
    for row in fetch(cur, "semeval_mentions", {"event_ids": event_ids, "as_of": as_of}):
        lines = _Lines(row["body"])
        for m in row["mentions"]:
            name = lines.name(row["article_id"], int(m["start"]))
            if name not in names[m["event_id"]]:
                names[m["event_id"]].append(name)
    return names


def semeval_timeline(cur: duckdb.DuckDBPyConnection, entity: str, as_of: datetime,
                     index: TextIndex | None = None) -> str:
    """The SemEval-2015 Task 4 timeline file of `entity` (see the module docstring)."""
    dated, undated = entity_events(cur, entity, as_of, index)
    names = mention_names(cur, [e.id for e in undated + dated], as_of)
    lines = [entity]
    for e in undated:
        if names[e.id]:
            lines.append("\t".join(["0", UNDATED, *names[e.id]]))
    order, previous = 0, None
    for e in dated:
        interval = (e.valid_from, e.valid_until)
        if interval != previous:
            order, previous = order + 1, interval
        if names[e.id]:
            lines.append("\t".join([str(order), semeval_date(e), *names[e.id]]))
    return "\n".join(lines) + "\n"
