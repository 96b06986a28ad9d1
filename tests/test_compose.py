"""compose.yaml and the Dockerfile: valid against the Compose Specification schema, and every
service, volume, image build and command they reference exists in the repository."""

from __future__ import annotations

import json
import shlex

import jsonschema_rs
import yaml

from conftest import REPO

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
SCHEMA = json.loads((REPO / "tests" / "compose" / "compose_spec.json").read_text())


def test_compose_file_matches_the_compose_specification() -> None:
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in jsonschema_rs.validator_for(SCHEMA).iter_errors(COMPOSE)]
    assert not errors, errors


def test_the_api_owns_the_volume_and_the_job_waits_for_it_to_be_healthy() -> None:
    services, volumes = COMPOSE["services"], COMPOSE.get("volumes", {})
    assert set(services) == {"api", "reingest"}
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in volumes, f"{name} mounts {source}, which is not a named volume"
        for other in service.get("depends_on", {}):
            assert other in services, f"{name} depends on an unknown service {other}"
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["reingest"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert services["reingest"]["environment"]["TIMELINE_SERVER_URL"] == "http://api:8000"


def test_every_build_and_command_exists() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    for name, service in COMPOSE["services"].items():
        if "build" in service:
            assert (REPO / service["build"] / "Dockerfile").is_file(), name
        words = shlex.split(" ".join(service["command"]))
        scripts = [w for w in words if w.endswith(".py")]
        for script in scripts:
            assert (REPO / script).is_file(), f"{name} runs {script}, which does not exist"
        if words[0] == "timeline":
            from service.cli import _parser

            _parser().parse_args(words[1:])  # exits (fails the test) on an unknown command or flag
    job = " ".join(COMPOSE["services"]["reingest"]["command"])
    assert "scripts/reingest.py" in job and "--every" in job


def test_the_job_command_parses() -> None:
    from service.cli import _parser

    words = shlex.split(COMPOSE["services"]["reingest"]["command"][-1])
    start = words.index("scripts/reingest.py")
    _parser().parse_args(["reingest", *words[start + 1 :]])
