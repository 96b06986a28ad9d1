"""Command line of the temporal tagger.

    python -m service.temporal --jsonl < docs.jsonl > timexes.jsonl
        stdin lines  {"id": .., "text": "..", "dct": "1998-08-07"}
        stdout lines {"id": .., "timexes": [{"start", "end", "type", "value"}, ...]}
      `dct` is a TimeML value: a date, maybe with a time, no zone (read as UTC); a zone, if
      given, is honoured. Offsets are Python string indices into `text`. The creation time
      is only the anchor: no TIMEX3 for it is added to the output (expressions found in
      `text` are all returned, even one that happens to name the same day). A bad line gives
      {"id": .., "error": ".."} and the run goes on; the exit code is 0 unless stdin
      cannot be read.

    python -m service.temporal --anchor 2023-05-23T12:00+03:00 "Gladkov said on Monday ..."
        pretty-prints every expression with its interval and the reasoning.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

import msgspec


class _InLine(msgspec.Struct, forbid_unknown_fields=False):
    text: str
    dct: str
    id: Any = None


class _OutTimex(msgspec.Struct):
    start: int
    end: int
    type: str
    value: str


class _OutLine(msgspec.Struct):
    id: Any
    timexes: list[_OutTimex]


class _ErrLine(msgspec.Struct):
    id: Any
    error: str


def parse_anchor(value: str) -> datetime:
    """ISO date or date-time; `19980108`; a missing zone means UTC."""
    v = value.strip()
    if len(v) == 8 and v.isdigit():
        v = f"{v[:4]}-{v[4:6]}-{v[6:]}"
    if v.endswith(("Z", "z")):
        v = v[:-1] + "+00:00"
    dt = datetime.fromisoformat(v)  # raises ValueError with a readable message
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _id_of(raw: bytes) -> Any:
    """Best-effort id of a line that failed validation, for the error object."""
    try:
        obj = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    return obj.get("id") if isinstance(obj, dict) else None


def run_jsonl(lines: Iterable[bytes], out: BinaryIO) -> int:
    """Tag every JSON line of `lines`, one output line each; returns the count written."""
    from service.temporal import tag

    decoder = msgspec.json.Decoder(_InLine)
    encoder = msgspec.json.Encoder()
    buf = bytearray()
    n = 0
    for raw in lines:
        if not raw.strip():
            continue
        try:
            item = decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            record: msgspec.Struct = _ErrLine(_id_of(raw), f"bad input line: {exc}")
        else:
            try:
                anchor = parse_anchor(item.dct)
            except ValueError as exc:
                record = _ErrLine(item.id, f"bad dct {item.dct!r}: {exc}")
            else:
                try:
                    found = tag(item.text, anchor, "en")
                except Exception as exc:  # one document must not stop the stream
                    record = _ErrLine(item.id, f"{type(exc).__name__}: {exc}")
                else:
                    record = _OutLine(
                        item.id, [_OutTimex(e.start, e.end, e.type, e.value) for e in found]
                    )
        encoder.encode_into(record, buf, len(buf))
        buf.extend(b"\n")
        n += 1
        if len(buf) > 1 << 16:
            out.write(buf)
            buf.clear()
    out.write(buf)
    out.flush()
    return n


def _fmt(dt: datetime | None) -> str:
    return dt.isoformat().replace("+00:00", "Z") if dt is not None else "open"


def pretty(text: str, anchor: datetime, language: str) -> str:
    from service.temporal import tag

    found = tag(text, anchor, language)
    lines = [f"anchor {anchor.isoformat()}  ({len(found)} expression{'s' * (len(found) != 1)})"]
    for e in found:
        lines.append(f"[{e.start}:{e.end}] {e.text!r}")
        head = f"    {e.type} {e.value}"
        if e.mod:
            head += f" mod={e.mod}"
        if e.grain:
            head += f" grain={e.grain}"
        lines.append(head)
        if e.type in ("DATE", "TIME"):
            lines.append(f"    interval [{_fmt(e.valid_from)}, {_fmt(e.valid_until)})")
        why = e.resolved_against + (f": {e.reason}" if e.reason else "")
        lines.append(f"    resolved against {why}" + (f"  (rule {e.rule})" if e.rule else ""))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m service.temporal",
        description="Find and resolve time expressions.",
    )
    ap.add_argument("--jsonl", action="store_true", help="stdin JSON lines {id,text,dct} → stdout")
    ap.add_argument("--anchor", help="ISO date-time with zone, e.g. 2023-05-23T12:00+03:00")
    ap.add_argument("--language", default="en")
    ap.add_argument("text", nargs="*", help="text to tag (default: stdin)")
    args = ap.parse_args(argv)
    try:
        from service.temporal import tag  # noqa: F401
    except ImportError as exc:
        print(f"the tagger cannot be loaded: {exc}", file=sys.stderr)
        return 2

    if args.jsonl:
        try:
            run_jsonl(sys.stdin.buffer, sys.stdout.buffer)
        except OSError as exc:
            print(f"cannot read stdin: {exc}", file=sys.stderr)
            return 1
        return 0

    text = " ".join(args.text) if args.text else sys.stdin.read()
    try:
        anchor = parse_anchor(args.anchor) if args.anchor else datetime.now(UTC)
    except ValueError as exc:
        ap.error(f"bad --anchor {args.anchor!r}: {exc}")
    print(pretty(text, anchor, args.language))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
