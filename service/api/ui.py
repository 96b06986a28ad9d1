"""`GET /ui`: the web page that draws the story's timeline (`service/web/ui/`).

The page is static HTML over the JSON API; its script, styles and the vendored vis-timeline are
served under `/static/`, so it works with no internet access.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, Response, get

PAGE = Path(__file__).parent.parent / "web" / "ui" / "index.html"
# Everything the page loads comes from this service: the policy makes a stray CDN link fail loudly.
# Inline style attributes are allowed because vis-timeline positions its items with them.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


class UIController(Controller):
    path = "/ui"
    include_in_schema = False

    @get(sync_to_thread=False)
    def page(self) -> Response[bytes]:
        return Response(PAGE.read_bytes(), media_type="text/html; charset=utf-8",
                        headers={"content-security-policy": CSP, "x-content-type-options": "nosniff",
                                 "cache-control": "no-cache"})
