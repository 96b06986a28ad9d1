"""The service's own HTTP client: health, article batches, re-processing and snapshots.

Used by `timeline ingest`, `timeline snapshot` and `timeline reingest` (and so scripts/reingest.py)
when a server holds the database file, so they all speak to the API the same way.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import httpx
import msgspec

from service.articles import ArticleIn


class ServerError(RuntimeError):
    """The server did not answer (`unreachable`) or refused the request; the message says which."""

    def __init__(self, message: str, *, unreachable: bool):
        self.unreachable = unreachable
        super().__init__(message)


def server_if_up(url: str, timeout: float = 2) -> str | None:
    """`url` if a server answers its health check there, else None."""
    try:
        response = httpx.get(f"{url}/health", timeout=timeout)
    except httpx.HTTPError:
        return None
    return url if response.status_code == 200 else None


def batches(items: Sequence[ArticleIn], size: int, max_bytes: int) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, JSON array) slices of at most `size` articles and `max_bytes` bytes each, so that
    no request goes over the server's TIMELINE_MAX_BATCH_ARTICLES or TIMELINE_MAX_REQUEST_BYTES."""
    start, parts, used = 0, [], 2
    for index, item in enumerate(items):
        encoded = msgspec.json.encode(item)
        if len(encoded) + 2 > max_bytes:
            raise ServerError(f"article {index} alone is {len(encoded):,} bytes, more than the request bound "
                              f"of {max_bytes:,} (TIMELINE_MAX_REQUEST_BYTES)", unreachable=False)
        if parts and (len(parts) >= size or used + len(encoded) + 1 > max_bytes):
            yield start, index, b"[" + b",".join(parts) + b"]"
            start, parts, used = index, [], 2
        parts.append(encoded)
        used += len(encoded) + 1
    if parts:
        yield start, len(items), b"[" + b",".join(parts) + b"]"


class Server:
    """A running `timeline serve`, reached over HTTP; use as a context manager."""

    def __init__(self, url: str, *, timeout: float = 300):
        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, timeout=timeout)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def post_articles(self, body: bytes) -> dict[str, Any]:
        """Send one batch (a JSON array); the server stores all of it or none of it."""
        return self._call("POST", "/articles", content=body, headers={"content-type": "application/json"})

    def reprocess(self, limit: int) -> dict[str, Any]:
        """Ask the server to run its pipeline over up to `limit` articles it has not processed."""
        return self._call("POST", "/reingest", params={"limit": limit})

    def snapshot(self) -> str:
        return self._call("POST", "/snapshots")["path"]

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerError(f"the server at {self.url} did not answer ({type(exc).__name__}: {exc})",
                              unreachable=True) from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text or response.reason_phrase
            # 5xx: the server is there but cannot do it now (busy, failing); 4xx: the request is wrong.
            raise ServerError(f"the server at {self.url} answered {response.status_code} to {method} {path}: "
                              f"{detail}", unreachable=response.status_code >= 500)
        return response.json()
