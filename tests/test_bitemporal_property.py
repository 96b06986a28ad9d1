"""Property: whatever sequence of ingests, corrections and re-processing happens, reading with
`as_of=t` later returns exactly the answer the service gave at t."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from litestar.testing import TestClient

from conftest import store_settings
from service.api import create_app
from service.ingest import reprocess_stale
from service.pipeline import Derived, derive

BODIES = ["On Monday, the council met.", "Last year, prices rose in February 2022.",
          "The vote was delayed until next week.", "Nothing dated here.", "Officials said on Tuesday it ended."]

operation = st.one_of(
    st.tuples(st.just("ingest"), st.integers(0, 3), st.sampled_from(BODIES)),
    st.tuples(st.just("reprocess"), st.sampled_from(["v2", "v3"]), st.just("")),
)


def _drop_times(detail: dict) -> dict:
    return {k: v for k, v in detail.items() if k != "as_of"}


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operation, min_size=1, max_size=8))
def test_as_of_reproduces_every_past_answer(tmp_path_factory, backend: str, steps) -> None:
    folder: Path = tmp_path_factory.mktemp("bitemporal")
    app = create_app(store_settings(folder, backend))
    with TestClient(app) as client:
        saved: list[tuple[str, dict, dict]] = []
        for kind, arg, body in steps:
            if kind == "ingest":
                article = {"id": f"a{arg}", "source": "Wire", "body": body, "published_at": "2023-05-23T12:00:00+03:00"}
                assert client.post("/articles", json=article).status_code in (200, 201)
            else:
                def variant(a, tag=arg) -> Derived:  # a new pipeline version that drops what follows "until"
                    derived = derive(a)
                    return Derived([x for x in derived.expressions if "week" not in x.text], [tag])
                reprocess_stale(app.state.db, deriver=variant, version=arg)
            moment = datetime.now(timezone.utc).isoformat()
            listing = client.get("/articles", params={"as_of": moment}).json()
            details = {i["id"]: _drop_times(client.get(f"/articles/{i['id']}", params={"as_of": moment}).json())
                       for i in listing["items"]}
            saved.append((moment, listing, details))

        for moment, listing, details in saved:
            assert client.get("/articles", params={"as_of": moment}).json() == listing
            for article_id, detail in details.items():
                again = client.get(f"/articles/{article_id}", params={"as_of": moment}).json()
                assert _drop_times(again) == detail
