"""`GET /timeline?entity=NAME` on the seed articles: by name, by another spelling or word order
of the name, and by a mention of it in the event's sentences."""

from __future__ import annotations

from typing import Iterator

import pytest
from litestar.testing import TestClient

from service.api import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("entity")
    settings = Settings(db_path=folder / "timeline.duckdb", snapshot_dir=folder / "snapshots", load_demo=True)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def events_of(client: TestClient, entity: str) -> dict[str, dict]:
    answer = client.get("/timeline", params={"entity": entity, "limit": 500})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return {e["id"]: e for e in body["items"] + body["undated"]}


def test_by_name_in_any_spelling_or_word_order(client: TestClient) -> None:
    gladkov = events_of(client, "Gladkov")
    assert gladkov and events_of(client, "Vyacheslav Gladkov").keys() <= gladkov.keys()
    # the place is a participant or place of some event: both spellings find that event
    assert events_of(client, "Grayvoron").keys() & events_of(client, "Graivoron").keys()
    assert events_of(client, "Kiev").keys() & events_of(client, "Kyiv").keys()
    assert (events_of(client, "Legion Freedom for Russia").keys()
            & events_of(client, "Freedom of Russia Legion").keys())


def test_by_a_mention_in_the_sentence(client: TestClient) -> None:
    # "drones" is nobody's name: only the sentences say it
    drones = events_of(client, "drones")
    assert drones
    for event in drones.values():
        detail = client.get(f"/events/{event['id']}").json()
        assert any("drones" in m["quote"].lower() for m in detail["mentions"])
    assert not events_of(client, "Atlantis")
