"""`timeline export` in every format, its filters, the resolve table and the manual `--help` prints,
on the sample articles stored in a real database file."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from conftest import DEMO
from test_cli import run


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import os

    folder = tmp_path_factory.mktemp("export")
    env = {**os.environ, "TIMELINE_DB_PATH": str(folder / "t.duckdb"), "TIMELINE_SNAPSHOT_DIR": str(folder / "s"),
           "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}
    stored = run(env, "ingest", str(DEMO))
    assert stored.returncode == 0, stored.stderr
    return env


def _csv(env: dict, *args: str) -> list[dict]:
    result = run(env, "export", "--format", "csv", *args)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_every_format_holds_the_same_entries(env: dict, tmp_path: Path) -> None:
    rows = _csv(env)
    assert len(rows) >= 10
    ndjson = run(env, "export", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line)["id"] for line in ndjson] == [r["id"] for r in rows]
    parquet = tmp_path / "t.parquet"
    assert run(env, "export", "--format", "parquet", "-o", str(parquet)).returncode == 0
    assert pl.read_parquet(parquet)["id"].to_list() == [r["id"] for r in rows]
    timelinejs = json.loads(run(env, "export", "--format", "timelinejs").stdout)
    # TimelineJS has no open start ("before Tuesday"): exactly the entries with a first moment
    assert [e["unique_id"] for e in timelinejs["events"]] == [r["id"] for r in rows if r["valid_from"]]
    no_file = run(env, "export", "--format", "parquet")
    assert no_file.returncode == 2 and "--output" in no_file.stderr


def test_time_range_and_kind_filters(env: dict) -> None:
    every = _csv(env)
    window = _csv(env, "--from", "2023-05-22", "--until", "2023-05-23T00:00:00+03:00")
    assert 0 < len(window) < len(every)
    start, end = datetime.fromisoformat("2023-05-22T00:00:00+00:00"), datetime.fromisoformat("2023-05-23T00:00:00+03:00")
    for row in window:  # overlapping the range, open sides included
        assert not row["valid_until"] or datetime.fromisoformat(row["valid_until"].replace("Z", "+00:00")) > start
        assert not row["valid_from"] or datetime.fromisoformat(row["valid_from"].replace("Z", "+00:00")) < end
    statements = _csv(env, "--kind", "reporting")
    assert statements and {r["kind"] for r in statements} == {"reporting"}
    bad = run(env, "export", "--from", "22/05/2023")
    assert bad.returncode == 2 and "2023-05-22" in bad.stderr
    reversed_range = run(env, "export", "--from", "2023-05-23", "--until", "2023-05-22")
    assert reversed_range.returncode == 2 and "before --until" in reversed_range.stderr


def test_resolve_prints_a_table_on_the_anchor_clock(env: dict) -> None:
    result = run(env, "resolve", "Gladkov said on Monday that drones struck overnight.",
                 "--anchor", "2023-05-23T08:00", "--timezone", "Europe/Moscow")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["expression", "type", "value", "grain", "mod"] and "Europe/Moscow" in lines[0]
    monday = next(line for line in lines if line.startswith("Monday"))
    assert "2023-05-22" in monday and "[2023-05-22, 2023-05-23)" in monday  # Moscow days, not UTC ones
    assert any(line.lstrip().startswith("↳") for line in lines)


def test_help_reads_like_a_manual() -> None:
    result = run({**__import__("os").environ}, "--help")
    assert result.returncode == 0
    for part in ("examples:", "exit codes:", "TIMELINE_DB_PATH", "timeline serve --demo", "130"):
        assert part in result.stdout
    assert run({**__import__("os").environ}, "--version").stdout.startswith("timeline ")
