"""NDJSON timelines: one entry per line, the same entries as the JSON answer."""

from __future__ import annotations

import json

from litestar.testing import TestClient


def test_ndjson_lines_are_the_json_items(demo_client: TestClient) -> None:
    as_of = demo_client.get("/timeline").json()["as_of"]
    whole = demo_client.get("/timeline", params={"as_of": as_of, "limit": 500}).json()
    streamed = demo_client.get("/timeline", params={"as_of": as_of, "limit": 500, "format": "ndjson"})
    assert streamed.status_code == 200 and streamed.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert lines == whole["items"] and len(lines) > 0
    by_accept = demo_client.get("/timeline", params={"as_of": as_of, "limit": 500},
                                headers={"accept": "application/x-ndjson"})
    assert by_accept.text == streamed.text
