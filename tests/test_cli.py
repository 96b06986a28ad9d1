"""The `timeline` command writing straight into a database file, with exit codes scripts can test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO


@pytest.fixture
def env(tmp_path: Path) -> dict:
    return {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"),
            "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "snaps"),
            # nothing listens here, so the CLI writes into the file
            "TIMELINE_SERVER_URL": "http://127.0.0.1:9"}


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_ingest_folder_directly_then_again_changes_nothing(env: dict) -> None:
    first = run(env, "ingest", str(DEMO))
    assert first.returncode == 0, first.stderr
    assert "directly into" in first.stderr and "2 created" in first.stdout
    second = run(env, "ingest", str(DEMO))
    assert second.returncode == 0 and "0 created" in second.stdout and "2 unchanged" in second.stdout
    rows = run(env, "sql", "SELECT article_id, timezone FROM current_articles ORDER BY 1", "--format", "csv")
    assert rows.stdout.splitlines() == ["article_id,timezone", "afp-belgorod-2023-05-23,Europe/Moscow",
                                        "translated-belgorod-2023-05-23,America/Toronto"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"id": "x", "body": "b", "published_at": "2023-01-01"}', "no UTC offset"),
        ('{"id": "x", "body": "b"', "not valid JSON"),
        ('{"id": "x", "text": "b", "published_at": "2023-01-01T00:00Z"}', "unknown field"),
    ],
)
def test_bad_files_exit_1_and_store_nothing(env: dict, tmp_path: Path, content: str, words: str) -> None:
    good = {"id": "ok", "body": "fine", "published_at": "2023-01-01T00:00:00Z"}
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(good) + "\n" + content + "\n")
    result = run(env, "ingest", str(feed))
    assert result.returncode == 1
    assert words in result.stderr and "line 2" in result.stderr and "Traceback" not in result.stderr
    assert not Path(env["TIMELINE_DB_PATH"]).exists() or "0 row" in run(
        env, "sql", "SELECT * FROM article_versions").stdout


def test_missing_path_and_bad_usage(env: dict) -> None:
    missing = run(env, "ingest", "/definitely/not/here.jsonl")
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert run(env, "ingest").returncode == 2
    bad_setting = run({**env, "TIMELINE_PORT": "eighty"}, "snapshot")
    assert bad_setting.returncode == 2 and "TIMELINE_PORT" in bad_setting.stderr


def test_parquet_ingest_and_articles_only_then_reingest(env: dict, tmp_path: Path) -> None:
    import polars as pl

    path = tmp_path / "bulk.parquet"
    pl.DataFrame({"id": ["p1", "p2"], "body": ["On Monday, x.", "Last year, y."],
                  "published_at": ["2023-05-23T12:00:00+03:00", "2023-05-23T12:00:00+03:00"],
                  "source": ["P", "P"]}).write_parquet(path)
    stored = run(env, "ingest", "--articles-only", str(path))
    assert stored.returncode == 0 and "2 created" in stored.stdout, stored.stderr
    assert "0" in run(env, "sql", "SELECT count(*) FROM pipeline_runs", "--format", "csv").stdout.splitlines()[1]
    derived = run(env, "reingest")
    assert derived.returncode == 0 and "reprocessed 2" in derived.stdout
    again = run(env, "reingest")
    assert "reprocessed 0" in again.stdout


def test_resolve_command(env: dict) -> None:
    result = run(env, "resolve", "Russia said on Monday it acted last year.", "--anchor", "2023-05-23T12:00+03:00",
                 "--json")
    assert result.returncode == 0, result.stderr
    values = [json.loads(line)["value"] for line in result.stdout.splitlines()]
    assert values == ["2023-05-22", "2022"]
    bad = run(env, "resolve", "x", "--anchor", "2023-05-23T12:00")
    assert bad.returncode == 2 and "no UTC offset" in bad.stderr


def test_timeml_folder_ingest_uses_the_dct_as_anchor(env: dict, tmp_path: Path) -> None:
    from conftest import SHARED_DATA

    source = SHARED_DATA / "tbaq" / "TimeBank"
    if not source.is_dir():
        pytest.skip("the shared TimeML corpus is not beside the repository")
    folder = tmp_path / "tml"
    folder.mkdir()
    for path in sorted(source.glob("*.tml"))[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    result = run(env, "ingest", "--format", "timeml", str(folder))
    assert result.returncode == 0, result.stderr
    assert "3 created" in result.stdout
    rows = run(env, "sql", "SELECT article_id, strftime(published_at, '%Y-%m-%d'), timezone FROM current_articles "
               "ORDER BY 1 LIMIT 1", "--format", "csv").stdout.splitlines()
    assert rows[1] == "ABC19980108.1830.0711,1998-01-08,UTC"
