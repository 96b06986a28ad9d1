"""Security bounds that fail loudly if they break: query time on HTTP reads and `timeline sql`, a
read-only SQL surface, no article text in INFO logs, and no server endpoint that reads paths."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from conftest import DEMO, REPO, article
from service.api import create_app
from service.settings import Settings
from test_server import free_port, wait_for_line

# Minutes of work on any machine: only the watchdog can end it within the test's bound.
SLOW = "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b"


def _slow(cursor: Any, *args: Any, **kwargs: Any) -> Any:
    cursor.execute(SLOW).fetchall()
    raise AssertionError("the slow query finished: the query-time bound did not stop it")


# (module whose query function a read endpoint calls, that function, the request)
READS = [
    ("service.api.health", "fetch", "/health"),
    ("service.api.articles", "fetch", "/articles"),
    ("service.api.timeline", "read_timeline", "/timeline"),
    ("service.api.timeline", "read_event", "/events/e1"),
]


@pytest.mark.parametrize("module, name, path", READS)
def test_a_read_past_the_query_time_bound_is_stopped_with_a_503_problem(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, module: str, name: str, path: str) -> None:
    with TestClient(create_app(settings.replace(query_timeout_seconds=1))) as client:
        monkeypatch.setattr(f"{module}.{name}", _slow)
        response = client.get(path)
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["title"] == "Query timed out" and "TIMELINE_QUERY_TIMEOUT_SECONDS" in problem["detail"]
        monkeypatch.undo()
        # the next request on a fresh cursor is not hit by a left-over interrupt
        assert client.get("/health").status_code == 200


@pytest.fixture
def cli_env(tmp_path: Path) -> dict:
    env = {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"), "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "s"),
           "TIMELINE_SERVER_URL": "http://127.0.0.1:9", "TIMELINE_QUERY_TIMEOUT_SECONDS": "1"}
    stored = cli(env, "ingest", "--articles-only", str(DEMO))
    assert stored.returncode == 0, stored.stderr
    return env


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_timeline_sql_stops_a_query_past_the_bound_with_exit_code_1(cli_env: dict) -> None:
    done = cli(cli_env, "sql", SLOW)
    assert done.returncode == 1
    assert "longer than 1 s (TIMELINE_QUERY_TIMEOUT_SECONDS)" in done.stderr


@pytest.mark.parametrize("query, words", [
    ("DELETE FROM article_versions", "read-only"),
    ("CREATE TABLE x AS SELECT 1", "read-only"),
    ("COPY (SELECT body FROM article_versions) TO '{out}'", "disabled by configuration"),
    ("SELECT * FROM read_text('{secret}')", "disabled by configuration"),
    ("ATTACH '{other}' AS other", "disabled by configuration"),
    ("SET enable_external_access = true", "Cannot enable external access"),
])
def test_timeline_sql_is_read_only_for_the_database_and_the_file_system(
        cli_env: dict, tmp_path: Path, query: str, words: str) -> None:
    out, secret, other = tmp_path / "leak.csv", tmp_path / "secret.txt", tmp_path / "other.duckdb"
    secret.write_text("not for analysts")
    done = cli(cli_env, "sql", query.format(out=out, secret=secret, other=other))
    assert done.returncode == 1 and words in done.stderr, done.stderr
    assert not out.exists() and not other.exists()
    counted = cli(cli_env, "sql", "SELECT count(*) AS n FROM current_articles", "--format", "json")
    assert json.loads(counted.stdout) == {"n": 2}


def test_info_logs_of_a_real_server_hold_no_article_text(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    env = {**os.environ, "TIMELINE_DB_PATH": str(tmp_path / "t.duckdb"), "TIMELINE_PORT": str(port),
           "TIMELINE_LOG_LEVEL": "INFO"}
    secret_body = "Zanzibarian envoys quietly signed the Quokka accord on Monday"
    secret_title = "Quokka accord exclusive"
    with log.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], env=env, stderr=subprocess.PIPE,
                                stdout=sink, text=True)
        try:
            wait_for_line(proc, "Application startup complete")
            url = f"http://127.0.0.1:{port}"
            good = httpx.post(f"{url}/articles", json=[article("s1", body=secret_body + ".", title=secret_title)],
                              timeout=120)
            assert good.status_code == 201, good.text
            bad = httpx.post(f"{url}/articles", json=[article("s2", body=secret_body + " again."),
                                                      article("s3", body=secret_body, published_at="2023-05-23")])
            assert bad.status_code == 422
            assert httpx.post(f"{url}/reingest").status_code == 200
        finally:
            proc.terminate()
            _, rest = proc.communicate(timeout=30)
    logged = log.read_text() + rest
    assert "batch" in logged and "stored" in logged  # the ingest was logged ...
    for text in ("Zanzibarian", "Quokka"):  # ... without a word of the article
        assert text not in logged, f"article text in the INFO log: {text}"


def test_no_endpoint_takes_a_server_path() -> None:
    """Ingest reads files on the client side (timeline ingest, scripts/reingest.py) and sends their
    content. A server endpoint that read a path would need the configured-folders check of issue 8."""
    schema = create_app(Settings()).openapi_schema.to_schema()
    suspicious = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            names = [p["name"] for p in operation.get("parameters", [])]
            names += _property_names(operation.get("requestBody", {}), schema)
            suspicious += [f"{method.upper()} {path}: {n}" for n in names
                           if any(w in n.lower() for w in ("path", "file", "folder", "dir"))]
    assert not suspicious, f"an endpoint takes a server path; restrict it to configured folders: {suspicious}"


def _property_names(node: Any, schema: dict) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _property_names(schema["components"]["schemas"][ref.rsplit("/", 1)[1]], schema)
        found += list(node.get("properties", {}))
        for value in node.values():
            found += _property_names(value, schema)
    elif isinstance(node, list):
        for value in node:
            found += _property_names(value, schema)
    return found


def test_cors_is_off_by_default_and_allows_only_the_configured_origins(settings: Settings) -> None:
    preflight = {"origin": "https://evil.example", "access-control-request-method": "GET"}
    with TestClient(create_app(settings)) as client:
        answer = client.get("/health", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-origin" not in client.options("/timeline", headers=preflight).headers
    with TestClient(create_app(settings.replace(cors_origins="https://news.example"))) as client:
        allowed = client.get("/health", headers={"origin": "https://news.example"})
        assert allowed.headers.get("access-control-allow-origin") == "https://news.example"
        other = client.get("/health", headers={"origin": "https://evil.example"})
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_rate_limiting_by_setting_answers_429_problems(settings: Settings) -> None:
    with TestClient(create_app(settings.replace(rate_limit_per_minute=3))) as client:
        codes = [client.get("/articles").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/articles")
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert client.get("/health").status_code == 200  # health checks are never limited
    with TestClient(create_app(settings)) as client:  # off by default
        assert {client.get("/articles").status_code for _ in range(20)} == {200}


# A string that starts like a SQL statement (messages that merely name a statement do not).
SQL_START = re.compile(r"\s*(WITH|SELECT|INSERT|UPDATE|DELETE|ATTACH|DETACH|COPY|CREATE|DROP|ALTER|PRAGMA|LOAD|INSTALL|USE|SET|CALL)\b")
# What may be spliced into SQL text: our own constants and names, quoted by the store's helpers.
# Anything else from outside is a $parameter.
SAFE_PARTS = {"LAKE", "name", "_quote_literal", "_quote_identifier"}


def test_sql_text_is_never_built_from_values() -> None:
    """Values reach SQL as bound parameters ($name); SQL text is built only from constants, named
    query files, and internal names through the quoting helpers (snapshot paths, the lake alias)."""
    offenders = []
    for path in (REPO / "service").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            parts: list[ast.expr] = []
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
                parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_str(node.left):
                text, parts = node.left.value, [node.right]
            else:
                continue
            if SQL_START.match(text) and not all(_safe(p) for p in parts):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)[:100]}")
    assert not offenders, f"SQL built from values; bind them as $parameters instead: {offenders}"


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _safe(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in SAFE_PARTS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in SAFE_PARTS
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return (_is_str(node.left) or _safe(node.left)) and (_is_str(node.right) or _safe(node.right))
    return False
