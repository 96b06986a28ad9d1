"""The web page at /ui in a real headless browser (Debian's chromium driven by Playwright),
against a real server on the demo data: it draws what GET /timeline answers, opens an event's
mentions and the annotated article, escapes what it shows, and loads nothing from outside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import httpx
import pytest

from conftest import REPO
from test_server import free_port, wait_for_line

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO / "tests" / "artifacts" / "ui.png"


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("ui")
    port = free_port()
    env = {**os.environ, "TIMELINE_DB_PATH": str(folder / "t.duckdb"), "TIMELINE_SNAPSHOT_DIR": str(folder / "snaps"),
           "TIMELINE_PORT": str(port), "TIMELINE_SERVER_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--demo"], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        wait_for_line(proc, "Application startup complete")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the UI test drives Debian's chromium. Install it with "
                    "`sudo apt-get update && sudo apt-get install -y chromium` (.ci/run does this); "
                    "Playwright's own browser downloads are not used.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, ui_server: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.problems = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(f"console: {m.text}"))
    # The page must work offline: a request to anything but this server is a failure.
    tab.on("request", lambda r: r.url.startswith(ui_server) or r.url.startswith("data:")
           or tab.problems.append(f"left the server: {r.url}"))
    yield tab
    context.close()


def whole_timeline(url: str, **params: str) -> tuple[list[dict], list[dict]]:
    """Every dated entry (all pages, one record time) and the undated ones, as the API gives them."""
    first = httpx.get(f"{url}/timeline", params={**params, "limit": 500}).json()
    items, answer = list(first["items"]), first
    while answer["next_offset"] is not None:
        answer = httpx.get(f"{url}/timeline", params={**params, "limit": 500, "offset": answer["next_offset"],
                                                      "as_of": first["as_of"]}).json()
        items += answer["items"]
    return items, first["undated"]


def loaded(page) -> None:
    page.wait_for_selector("body[data-loaded=true]", timeout=30_000)


def test_page_draws_the_seed_timeline_opens_mentions_and_the_article(page, ui_server: str) -> None:
    items, undated = whole_timeline(ui_server)
    assert items, "the demo timeline has no dated events"
    page.goto(f"{ui_server}/ui")
    loaded(page)

    # every dated event is on the axis ("Show all" puts them all in view), the undated apart
    assert page.get_attribute("#timeline", "data-count") == str(len(items))
    page.click("#fit")
    drawn = page.locator(".vis-item.event")
    assert drawn.count() == len(items) > 0
    assert sorted(drawn.evaluate_all("els => els.map(e => e.dataset.id)")) == sorted(i["id"] for i in items)
    assert page.locator("#undated a").count() == len(undated)
    print(f"\n/ui showed {len(items)} events on the axis and {len(undated)} undated "
          f"({len(items) + len(undated)} in all; the product target is 18)")

    # click the event with the most mentions: the panel lists them with their quotes
    page.click("#focus")
    chosen = max(items, key=lambda i: (i["mention_count"], i["id"]))
    detail = httpx.get(f"{ui_server}/events/{chosen['id']}").json()
    page.locator(f'.vis-item.event[data-id="{chosen["id"]}"]').click()
    page.wait_for_selector("#event-view .mention")
    shown = page.locator("#event-view .mention")
    assert shown.count() == len(detail["mentions"])
    quote = shown.first.locator("blockquote").inner_text()
    first = detail["mentions"][0]
    assert quote == first["quote"]
    assert first["source"] in shown.first.inner_text()
    body = httpx.get(f"{ui_server}/articles/{first['article_id']}/annotations").json()
    assert quote in body["body"]

    # the quote links to the article view, with every time expression highlighted
    shown.first.locator("a.article-link").click()
    page.wait_for_selector("#article-view .article-body")
    article = page.locator("#article-view .article-body")
    assert article.inner_text() == body["body"]
    marks = article.locator("mark.timex")
    assert marks.count() >= len(body["time_expressions"]) > 0
    values = set(marks.evaluate_all("els => els.map(e => e.dataset.value)"))
    assert {t["value"] for t in body["time_expressions"]} <= values
    assert marks.first.get_attribute("title")
    assert article.locator(".trigger.focus").count() == 1

    page.mouse.move(0, 0)  # no tooltip over the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.goto(f"{ui_server}/ui#event={chosen['id']}")
    loaded(page)
    page.wait_for_selector("#event-view .mention")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    print(f"screenshot: {SCREENSHOT}")
    assert not page.problems, page.problems


def test_a_month_is_drawn_as_the_whole_month(page, ui_server: str) -> None:
    items, _ = whole_timeline(ui_server)
    months = [i for i in items if i["grain"] == "month"]
    assert months, "the seed story has an event of month grain (the campaign of February 2022)"
    month = months[0]
    zone = ZoneInfo(month["timezone"])
    first = datetime.fromisoformat(month["valid_from"]).astimezone(zone)
    after = datetime.fromisoformat(month["valid_until"]).astimezone(zone)
    page.goto(f"{ui_server}/ui")
    loaded(page)
    page.select_option("select[name=clock]", month["timezone"])  # the clock its month is a month on
    loaded(page)
    page.evaluate("id => { location.hash = 'event=' + id }", month["id"])  # out of view: the axis goes there
    page.wait_for_selector("#event-view .mention")
    assert page.inner_text("#event-view .kicker").endswith(f"{first:%B %Y} · month grain")

    bar = page.locator(f'.vis-item[data-id="{month["id"]}"]').bounding_box()
    starts = {t: x for t, x in page.locator(".vis-time-axis .vis-text.vis-major").evaluate_all(
        "els => els.map(e => [e.textContent, e.getBoundingClientRect().left])")}
    # the bar runs from the axis mark of the month's first day to the mark of the next month's
    assert abs(bar["x"] - starts[f"{first:%B %Y}"]) < 1.5
    assert abs(bar["x"] + bar["width"] - starts[f"{after:%B %Y}"]) < 1.5
    assert not page.problems, page.problems


def test_filters_refetch_with_the_same_meaning_as_the_api(page, ui_server: str) -> None:
    page.goto(f"{ui_server}/ui")
    loaded(page)
    zone = ZoneInfo(page.locator("select[name=clock]").input_value())
    page.fill("input[name=from]", "2023-05-23")
    loaded(page)
    page.fill("input[name=until]", "2023-05-23")
    loaded(page)
    start = datetime(2023, 5, 23, tzinfo=zone)
    end = datetime(2023, 5, 24, tzinfo=zone)
    items, _ = whole_timeline(ui_server, **{"from": start.isoformat(), "until": end.isoformat()})
    assert page.get_attribute("#timeline", "data-count") == str(len(items))

    source = page.locator("select[name=source] option").nth(1).get_attribute("value")
    page.select_option("select[name=source]", source)
    loaded(page)
    items, _ = whole_timeline(ui_server, **{"from": start.isoformat(), "until": end.isoformat(), "source": source})
    assert page.get_attribute("#timeline", "data-count") == str(len(items))
    assert not page.problems, page.problems


def test_conflicts_are_marked_text_is_escaped_and_problems_are_shown(page, ui_server: str) -> None:
    hostile = '<img src=x onerror="window.pwned=1">'
    items, _ = whole_timeline(ui_server)
    target = next((i for i in items if not i["has_conflict"]), items[0])["id"]

    def doctored(route) -> None:  # the real answer, with a conflict and markup in one label
        answer = route.fetch().json()
        for item in answer["items"]:
            if item["id"] == target:
                item |= {"has_conflict": True, "conflicts": ["injured: 8 vs at least 12"], "label": hostile}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    page.route("**/timeline?*", doctored)
    page.goto(f"{ui_server}/ui")
    loaded(page)
    page.click("#fit")
    marked = page.locator(f'.vis-item.event[data-id="{target}"]')
    assert "conflict" in marked.get_attribute("class").split()
    assert marked.locator(".conflict-mark").inner_text() == "⚠ conflict"
    assert marked.locator(".ev-label").inner_text() == hostile
    assert page.locator(".vis-item img").count() == 0 and page.evaluate("window.pwned") is None

    page.goto(f"{ui_server}/ui#event=no-such-event")
    page.wait_for_selector("#event-view .error")
    assert "No event 'no-such-event'" in page.inner_text("#event-view .error")  # the problem's detail
