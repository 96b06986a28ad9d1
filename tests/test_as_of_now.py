"""Reads "as of now" are final: a write takes its record time before it commits, so a read made
in between must answer as of a time before it, or the same `as_of` would later give another
answer (the load test saw /events 404 for ids its /timeline answer had just listed)."""

from __future__ import annotations

from datetime import datetime

from litestar.testing import TestClient

from service.store import Database, settled_now


def test_now_stays_before_a_write_in_flight_and_record_times_come_after_every_now(db: Database) -> None:
    before = settled_now()
    with db.writing() as cur:
        taken = db.next_record_time(cur)
        assert taken > before
        assert settled_now() < taken  # the write's rows are not visible yet
    after = settled_now()
    assert after > taken  # committed: now moves on
    with db.writing() as cur:
        assert db.next_record_time(cur) > after


def test_a_timeline_read_during_a_write_answers_as_of_before_it(demo_client: TestClient) -> None:
    db: Database = demo_client.app.state.db
    with db.writing() as cur:
        taken = db.next_record_time(cur)
        answer = demo_client.get("/timeline").json()
        assert datetime.fromisoformat(answer["as_of"].replace("Z", "+00:00")) < taken
        event = answer["items"][0]["id"]
    # asked again after the write, the same as_of gives the same answer
    again = demo_client.get("/timeline", params={"as_of": answer["as_of"]}).json()
    assert again == answer
    assert demo_client.get(f"/events/{event}", params={"as_of": answer["as_of"]}).status_code == 200
