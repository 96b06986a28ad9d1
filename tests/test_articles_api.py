"""`/articles` over HTTP with Litestar's test client and a real DuckDB file."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from conftest import article


def test_post_one_then_read_it_back(client: TestClient) -> None:
    created = client.post("/articles", json=article())
    assert created.status_code == 201
    assert created.json()["articles"] == [
        {"id": "a1", "version": 1, "status": "created", "content_hash": created.json()["articles"][0]["content_hash"]}
    ]
    again = client.post("/articles", json=article())
    assert again.status_code == 200 and again.json()["unchanged"] == 1

    detail = client.get("/articles/a1").json()
    assert detail["local_published_at"] == "2023-05-23T12:00:00+03:00"
    assert detail["published_at"] == "2023-05-23T09:00:00Z"
    assert detail["timezone"] == "+03:00"
    assert [v["version"] for v in detail["versions"]] == [1]
    monday = detail["time_expressions"][0]
    assert (monday["text"], monday["value"], monday["grain"]) == ("Monday", "2023-05-22", "day")


def test_versions_and_as_of_over_http(client: TestClient) -> None:
    first = client.post("/articles", json=article()).json()
    client.post("/articles", json=article(body="Corrected: the council met on Tuesday."))
    now = client.get("/articles/a1").json()
    assert now["version"] == 2 and now["versions"][0]["superseded_at"] is not None
    then = client.get("/articles/a1", params={"as_of": first["recorded_at"]}).json()
    assert then["version"] == 1 and [v["version"] for v in then["versions"]] == [1]
    assert then["versions"][0]["superseded_at"] is None
    assert then["time_expressions"][0]["text"] == "Monday"


def test_list_filters_and_pages(client: TestClient) -> None:
    batch = [article(id=f"n{i}", source="A" if i % 2 else "B", body=f"Story {i}.",
                     published_at=f"2023-05-{10 + i:02d}T08:00:00Z") for i in range(7)]
    assert client.post("/articles", json=batch).status_code == 201
    page = client.get("/articles", params={"limit": 3}).json()
    assert page["total"] == 7 and [i["id"] for i in page["items"]] == ["n6", "n5", "n4"]
    assert page["next_offset"] == 3
    last = client.get("/articles", params={"limit": 3, "offset": 6}).json()
    assert [i["id"] for i in last["items"]] == ["n0"] and last["next_offset"] is None
    only_a = client.get("/articles", params={"source": "A"}).json()
    assert {i["source"] for i in only_a["items"]} == {"A"} and only_a["total"] == 3
    largest = client.get("/articles", params={"limit": 500}).json()
    assert largest["limit"] == 500 and largest["total"] == 7
    over = client.get("/articles", params={"limit": 501})
    assert over.status_code == 400 and "between 1 and 500" in over.json()["detail"]
    assert over.json()["max_page_size"] == 500
    window = client.get("/articles", params={"published_from": "2023-05-12T00:00:00Z",
                                             "published_until": "2023-05-14T00:00:00Z"}).json()
    assert [i["id"] for i in window["items"]] == ["n3", "n2"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{not json", 400, "malformed"),
        (b"", 400, ""),
        (b'{"id": "a", "body": "x", "published_at": "2023-05-23T12:00:00Z", "colour": "red"}', 400, "unknown field `colour`"),
        (b'{"id": "a", "body": 5, "published_at": "2023-05-23T12:00:00Z"}', 400, "Expected `str`"),
        (b'{"id": "a", "published_at": "2023-05-23T12:00:00Z"}', 400, "missing required field `body`"),
        (b'{"id": "a", "body": "x", "published_at": "2023-05-23T12:00:00"}', 422, "no UTC offset"),
        (b'{"id": "a", "body": "x", "published_at": "2023-05-23T12:00:00", "timezone": "Atlantis"}', 422,
         "not a known time zone"),
        (b"[]", 422, "empty"),
    ],
)
def test_bad_input_is_a_problem_response_and_stores_nothing(client: TestClient, body: bytes, status: int, words: str) -> None:
    response = client.post("/articles", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status and problem["title"] and words in problem["detail"]
    assert client.get("/articles").json()["total"] == 0


def test_a_batch_with_one_bad_article_stores_none(client: TestClient) -> None:
    batch = [article(id="good"), article(id="bad", published_at="2023-13-45T00:00:00Z")]
    response = client.post("/articles", json=batch)
    assert response.status_code == 422
    assert response.json()["errors"][0]["where"] == "[1]"
    assert response.json()["errors"][0]["field"] == "published_at"
    assert client.get("/articles").json()["total"] == 0


def test_bounds_on_batch_and_request_size(settings) -> None:
    from service.api import create_app

    small = settings.replace(max_batch_articles=2, max_request_bytes=5_000)
    with TestClient(create_app(small)) as client:
        over = client.post("/articles", json=[article(id=str(i)) for i in range(3)])
        assert over.status_code == 422 and "more than the limit of 2" in over.json()["detail"]
        huge = client.post("/articles", json=article(body="word " * 2_000))
        assert huge.status_code == 413 and huge.headers["content-type"].startswith("application/problem+json")
        assert client.get("/articles").json()["total"] == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/articles?limit=0", 400),
        ("/articles?offset=-1", 400),
        ("/articles?as_of=2023-05-23T12:00:00", 400),
        ("/articles?as_of=yesterday", 400),
        ("/articles?as_of=2999-01-01T00:00:00Z", 400),
        ("/timeline?as_of=2999-01-01T00:00:00Z", 400),
        ("/timeline?format=ndjson&as_of=2999-01-01T00:00:00Z", 400),
        ("/timeline?limit=100000", 400),
        ("/timeline?format=ndjson&limit=100000", 400),
        ("/timeline?format=xml", 400),
        ("/articles/unknown-id", 404),
        ("/no-such-endpoint", 404),
    ],
)
def test_bad_reads_are_problem_responses(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


def test_the_accept_header_picks_the_format_or_is_refused(demo_client: TestClient) -> None:
    def get(accept: str):
        return demo_client.get("/timeline", headers={"accept": accept})

    assert get("text/csv").headers["content-type"].startswith("text/csv")
    assert get("application/x-ndjson").headers["content-type"].startswith("application/x-ndjson")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert get(browser).json()["items"] and get("application/json").json()["items"]
    refused = get("application/xml")
    assert refused.status_code == 406 and refused.headers["content-type"].startswith("application/problem+json")
    assert "text/csv" in refused.json()["detail"]


def test_health_schema_and_its_offline_ui(demo_client: TestClient) -> None:
    health = demo_client.get("/health").json()
    assert health["status"] == "ok" and health["articles"] == 2 and health["time_expressions"] > 10
    schema = demo_client.get("/schema/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert {"/articles", "/articles/{article_id}", "/health", "/resolve", "/snapshots"} <= set(schema["paths"])
    page = demo_client.get("/schema").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert demo_client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_resolve_endpoint(client: TestClient) -> None:
    response = client.post("/resolve", json={"text": "He said on Monday it would end in February 2022.",
                                             "anchor": "2023-05-23T12:00:00", "timezone": "Europe/Moscow"})
    assert response.status_code == 200
    found = {x["text"]: x for x in response.json()["expressions"]}
    assert found["Monday"]["value"] == "2023-05-22"
    assert found["February 2022"]["grain"] == "month"
    assert found["February 2022"]["valid_from"] == "2022-01-31T21:00:00Z"
    bad = client.post("/resolve", json={"text": "x", "anchor": "2023-05-23T12:00:00"})
    assert bad.status_code == 422 and "no UTC offset" in bad.json()["detail"]


def test_annotations_show_what_the_machine_read(demo_client: TestClient) -> None:
    response = demo_client.get("/articles/translated-belgorod-2023-05-23/annotations")
    assert response.status_code == 200
    note = response.json()
    body = note["body"]
    for x in note["time_expressions"]:
        assert body[x["start"]:x["end"]] == x["text"]
    for m in note["mentions"]:
        assert body[m["trigger_start"]:m["trigger_end"]] == m["trigger"]
        assert m["quote"] == body[m["sentence_start"]:m["sentence_end"]]
    texts = [x["text"] for x in note["time_expressions"]]
    assert "the day before" in texts and "recent months" in texts
    assert demo_client.get("/articles/nope/annotations").status_code == 404
