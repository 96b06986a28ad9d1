"""compose.yaml and the Dockerfile: valid against the Compose Specification schema, and every
service, volume, image build, environment variable and command they reference exists in the
repository, for the default services and for the `lake` profile (PostgreSQL, Dask, the lake API)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema_rs
import pytest
import re2
import yaml

from conftest import REPO
from service.settings import Settings, documented

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
SCHEMA = json.loads((REPO / "tests" / "compose" / "compose_spec.json").read_text())
SERVICES = COMPOSE["services"]
LAKE = {name for name, s in SERVICES.items() if "lake" in s.get("profiles", [])}
# The variables the official postgres image reads (its documentation's list).
POSTGRES_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_INITDB_ARGS", "PGDATA"}
INTERPOLATION = re2.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}")


def interpolated(value: str) -> str:
    """`value` as compose passes it when the variables are unset: every ${VAR} needs a default."""
    for match in INTERPOLATION.finditer(value):
        assert match.group(2), f"${{{match.group(1)}}} has no default: compose would pass an empty string"
    return INTERPOLATION.sub(lambda m: m.group(3), value)


def command_words(service: dict) -> list[str]:
    """The program and arguments a service runs (the command of an `sh -c`)."""
    words = list(service["command"])
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2].split("&&")[-1])
    return words[1:] if words[0] == "exec" else words


def test_compose_file_matches_the_compose_specification() -> None:
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in jsonschema_rs.validator_for(SCHEMA).iter_errors(COMPOSE)]
    assert not errors, errors


def test_the_api_owns_the_volume_and_the_job_waits_for_it_to_be_healthy() -> None:
    default = {name for name, s in SERVICES.items() if not s.get("profiles")}
    assert default == {"api", "reingest"}  # `docker compose up` without a profile is as it was
    assert "/health" in " ".join(SERVICES["api"]["healthcheck"]["test"])
    assert SERVICES["reingest"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert SERVICES["reingest"]["environment"]["TIMELINE_SERVER_URL"] == "http://api:8000"


def test_every_volume_dependency_and_port_exists_once() -> None:
    volumes = COMPOSE.get("volumes", {})
    ports: list[str] = []
    for name, service in SERVICES.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in volumes, f"{name} mounts {source}, which is not a named volume"
        for other, condition in service.get("depends_on", {}).items():
            assert other in SERVICES, f"{name} depends on an unknown service {other}"
            # a dependency must start with the service: in no profile, or in one the service has
            assert set(SERVICES[other].get("profiles", [])) <= set(service.get("profiles", [])), (name, other)
            if condition["condition"] == "service_healthy":
                assert not SERVICES[other].get("healthcheck", {}).get("disable"), f"{other} has no health check"
        ports += [p.rsplit(":", 1)[0] for p in service.get("ports", [])]
    assert len(ports) == len(set(ports)), f"two services publish the same host port: {ports}"
    used = {m.split(":")[0] for s in SERVICES.values() for m in s.get("volumes", [])}
    assert used == set(volumes), f"declared but never mounted: {set(volumes) - used}"


def test_every_build_and_command_exists() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    for name, service in SERVICES.items():
        if "build" in service:
            assert (REPO / service["build"] / "Dockerfile").is_file(), name
        if "command" not in service:
            assert service["image"].startswith("postgres:"), f"{name} runs its image's own command"
            continue
        words = command_words(service)
        for script in [w for w in words if w.endswith(".py")]:
            assert (REPO / script).is_file(), f"{name} runs {script}, which does not exist"
        if words[0] == "timeline":
            from service.cli import _parser

            _parser().parse_args(words[1:])  # exits (fails the test) on an unknown command or flag
        elif words[0] != "python":
            assert words[0] == "dask", f"{name} runs {words[0]}, which the image does not have"
    job = " ".join(SERVICES["reingest"]["command"])
    assert "scripts/reingest.py" in job and "--every" in job


def test_the_job_command_parses() -> None:
    from service.cli import _parser

    words = shlex.split(SERVICES["reingest"]["command"][-1])
    start = words.index("scripts/reingest.py")
    _parser().parse_args(["reingest", *words[start + 1 :]])


def test_every_environment_variable_is_a_setting_or_the_postgres_images() -> None:
    settings = {name for name, _, _ in documented()}
    for name, service in SERVICES.items():
        environment = {key: interpolated(str(value)) for key, value in service.get("environment", {}).items()}
        unknown = {key for key in environment if key not in settings and key not in POSTGRES_VARIABLES}
        assert not unknown, f"{name} sets {unknown}, which nothing reads"
        timeline = {k: v for k, v in environment.items() if k.startswith("TIMELINE_")}
        Settings.from_env(timeline)  # raises SettingsError on a value the service would refuse


def test_the_lake_profile_wires_postgres_dask_workers_and_an_api_on_one_lake() -> None:
    assert LAKE == {"postgres", "dask-scheduler", "ingest-worker", "ingest", "lake-api"}
    postgres = SERVICES["postgres"]
    assert postgres["image"].startswith("postgres:") and "pg_isready" in postgres["healthcheck"]["test"]
    assert any(m.startswith("lake-catalog:") for m in postgres["volumes"])
    env = {k: interpolated(v) for k, v in postgres["environment"].items()}

    for name in ("ingest", "lake-api"):
        settings = Settings.from_env({k: interpolated(str(v)) for k, v in SERVICES[name]["environment"].items()})
        assert settings.store == "ducklake"
        catalog = dict(word.split("=", 1) for word in settings.lake_catalog.removeprefix("postgres:").split())
        assert catalog == {"dbname": env["POSTGRES_DB"], "host": "postgres", "user": env["POSTGRES_USER"],
                           "password": env["POSTGRES_PASSWORD"]}, name
        assert f"lake-data:{settings.lake_data}" in SERVICES[name]["volumes"], name
        assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"

    ingest = SERVICES["ingest"]
    cluster = Settings.from_env(ingest["environment"]).cluster
    host, port = cluster.removeprefix("tcp://").split(":")
    scheduler = command_words(SERVICES[host])
    assert scheduler[:2] == ["dask", "scheduler"] and scheduler[scheduler.index("--port") + 1] == port
    worker = command_words(SERVICES["ingest-worker"])
    assert worker[:3] == ["dask", "worker", cluster]
    assert SERVICES["ingest-worker"]["deploy"]["replicas"] >= 2
    words = command_words(ingest)
    assert words[:3] == ["timeline", "ingest", "--direct"]
    assert int(words[words.index("--workers") + 1]) == SERVICES["ingest-worker"]["deploy"]["replicas"]
    assert any(m.startswith("lake-inbox:") and m.split(":")[1] in " ".join(words) for m in ingest["volumes"])
    assert "8000" in " ".join(SERVICES["lake-api"]["ports"]) and command_words(SERVICES["lake-api"])[1] == "serve"


def test_the_dask_commands_exist_in_the_locked_environment() -> None:
    """`dask scheduler` and `dask worker` come with the `distributed` dependency (not a dev one, so
    the image has them), and take every option compose gives them."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("distributed") for d in project["dependencies"])
    dask = Path(sys.executable).parent / "dask"
    if not dask.exists():
        pytest.skip("no dask console script next to this Python")
    for name in ("dask-scheduler", "ingest-worker"):
        words = command_words(SERVICES[name])
        help_text = subprocess.run([str(dask), words[1], "--help"], capture_output=True, text=True, timeout=120)
        assert help_text.returncode == 0, help_text.stderr
        for option in [w for w in words[2:] if w.startswith("--")]:
            assert option in help_text.stdout, f"{name}: `dask {words[1]}` has no option {option}"
