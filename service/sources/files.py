"""Article files: JSON, JSONL, Parquet, and folders of `.txt` bodies with an `articles.json`.

Each reader yields `(label, ArticleIn)` pairs, the label saying where the article came from
("feed.jsonl line 12") so that a validation error points at the line to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import msgspec

from service.articles import ArticleIn

Labelled = tuple[str, ArticleIn]


class SourceError(ValueError):
    """A file or folder that cannot be read as articles; the message says what to fix."""


class FolderEntry(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One entry of a folder's `articles.json`: article metadata and the file holding its body."""

    body_file: str
    published_at: str
    id: str | None = None
    source: str | None = None
    url: str | None = None
    language: str = "en"
    title: str | None = None
    timezone: str | None = None
    note: str | None = None  # an editor's remark about the article; not part of it


SUFFIXES = (".json", ".jsonl", ".ndjson", ".parquet", ".tml")
FORMATS = ("auto", "timeml")
_ONE_OR_MANY = ArticleIn | list[ArticleIn]


def decode_json(data: bytes, *, label: str = "request") -> list[Labelled]:
    """A JSON object (one article) or array (a batch)."""
    try:
        decoded = msgspec.json.decode(data, type=_ONE_OR_MANY)
    except msgspec.ValidationError as exc:
        raise SourceError(f"{label}: {_explain(exc)}") from None
    except msgspec.DecodeError as exc:
        raise SourceError(f"{label}: not valid JSON ({exc}). Send a JSON object or an array of objects.") from None
    items = decoded if isinstance(decoded, list) else [decoded]
    if isinstance(decoded, list):
        return [(f"{label} [{i}]", item) for i, item in enumerate(items)]
    return [(label, items[0])]


def read_path(path: Path, fmt: str = "auto") -> Iterator[Labelled]:
    """Articles from a file or a folder, in file order.

    `fmt="timeml"` reads `.tml` files (a folder: every `.tml` below it); `.tml` files are
    recognised by their suffix anyway.
    """
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder. Check the path.")
    if fmt == "timeml" or path.suffix.lower() == ".tml":
        yield from read_timeml_files(path)
        return
    if path.is_dir():
        yield from read_folder(path)
        return
    suffix = path.suffix.lower()
    if suffix == ".json":
        yield from decode_json(_read_bytes(path), label=path.name)
    elif suffix in (".jsonl", ".ndjson"):
        yield from read_jsonl(path)
    elif suffix == ".parquet":
        yield from read_parquet(path)
    else:
        raise SourceError(
            f"{path}: unknown file type {suffix or '(none)'!r}. "
            f"Give a {', '.join(SUFFIXES)} file, or a folder with an articles.json."
        )


def read_timeml_files(path: Path) -> Iterator[Labelled]:
    """TimeML documents as articles: the DCT is the anchor (UTC when it has no zone), TEXT the body.

    Research corpora thus run through the same pipeline as news; their gold tags are read by
    `service.sources.timeml` for evaluation, not stored.
    """
    from service.sources.timeml import TimeMLError, read_timeml

    files = sorted(path.rglob("*.tml")) if path.is_dir() else [path]
    if not files:
        raise SourceError(f"{path}: no .tml files in this folder.")
    for file in files:
        try:
            doc = read_timeml(file)
        except (TimeMLError, OSError) as exc:
            raise SourceError(f"{file.name}: not readable as TimeML ({exc}).") from None
        if doc.dct is None:
            raise SourceError(f"{file.name}: has no creation time (DCT), so nothing can be resolved against it.")
        yield file.name, ArticleIn(
            id=doc.doc_id, source="TimeML", title=doc.title, body=doc.text,
            published_at=doc.dct.isoformat(), timezone="UTC",
        )


def read_jsonl(path: Path) -> Iterator[Labelled]:
    decoder = msgspec.json.Decoder(ArticleIn)
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            label = f"{path.name} line {number}"
            try:
                yield label, decoder.decode(line)
            except msgspec.ValidationError as exc:
                raise SourceError(f"{label}: {_explain(exc)}") from None
            except msgspec.DecodeError as exc:
                raise SourceError(f"{label}: not valid JSON ({exc}). Each line must be one JSON object.") from None


def read_parquet(path: Path) -> Iterator[Labelled]:
    """Large exports arrive as Parquet; Polars reads them column-wise in slices to bound memory."""
    import polars as pl

    allowed = set(ArticleIn.__struct_fields__)
    try:
        frame = pl.scan_parquet(path)
        columns = frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SourceError(f"{path.name}: cannot read as Parquet ({exc}).") from None
    unknown = sorted(set(columns) - allowed)
    missing = sorted({"body", "published_at"} - set(columns))
    if unknown or missing:
        raise SourceError(
            f"{path.name}: columns {unknown or missing} are "
            f"{'not article fields' if unknown else 'required but missing'}. "
            f"Article columns are: {', '.join(sorted(allowed))}."
        )
    # Cast every column to text so that a timestamp column keeps its offset as the user wrote it.
    frame = frame.with_columns(pl.all().cast(pl.String))
    offset = 0
    for chunk in frame.collect().iter_slices(10_000):
        for index, row in enumerate(chunk.iter_rows(named=True)):
            label = f"{path.name} row {offset + index}"
            present = {k: v for k, v in row.items() if v is not None}
            try:
                yield label, msgspec.convert(present, ArticleIn)
            except msgspec.ValidationError as exc:
                raise SourceError(f"{label}: {_explain(exc)}") from None
        offset += chunk.height


def read_folder(folder: Path) -> Iterator[Labelled]:
    """A folder of `.txt` bodies described by `articles.json` (the shape of the seed data)."""
    meta_path = folder / "articles.json"
    if not meta_path.is_file():
        raise SourceError(
            f"{folder}: no articles.json. A folder needs an articles.json listing each article's "
            "metadata and its 'body_file'."
        )
    try:
        entries = msgspec.json.decode(_read_bytes(meta_path), type=list[FolderEntry])
    except msgspec.ValidationError as exc:
        raise SourceError(f"{meta_path}: {_explain(exc)}") from None
    except msgspec.DecodeError as exc:
        raise SourceError(f"{meta_path}: not valid JSON ({exc}).") from None
    root = folder.resolve()
    for index, entry in enumerate(entries):
        body_path = (folder / entry.body_file).resolve()
        if not body_path.is_relative_to(root):
            raise SourceError(f"{meta_path} [{index}]: body_file {entry.body_file!r} is outside the folder.")
        try:
            body = body_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SourceError(f"{meta_path} [{index}]: body_file {entry.body_file!r} does not exist.") from None
        except UnicodeDecodeError:
            raise SourceError(f"{body_path}: not UTF-8 text. Convert it to UTF-8.") from None
        fields = msgspec.structs.asdict(entry)
        fields.pop("body_file")
        fields.pop("note")
        yield f"{meta_path.name} [{index}]", ArticleIn(body=body, **fields)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror}).") from None


def _explain(exc: msgspec.ValidationError) -> str:
    message = str(exc)
    if "unknown field" in message.lower():
        fields = ", ".join(sorted(ArticleIn.__struct_fields__))
        return f"{message}. Article fields are: {fields}."
    return f"{message}."
