"""`POST /resolve`: find and resolve the time expressions of a text against an anchor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar.di import NamedDependency
from litestar import Controller, post
from litestar.params import JSONBody

from service.api.problems import BadRequest, problem_responses
from service.articles import AnchorError, parse_anchor
from service.settings import Settings
from service.temporal.model import TimeExpression


class ResolveRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    text: str
    anchor: Annotated[str, msgspec.Meta(description="When the text was written: ISO 8601 with an offset, "
                                                    "e.g. 2023-05-23T12:00:00+03:00 (or give `timezone`).")]
    timezone: Annotated[str | None, msgspec.Meta(description="IANA zone or offset of the anchor, "
                                                             "e.g. Europe/Moscow.")] = None
    language: str = "en"


class ResolveResponse(msgspec.Struct, frozen=True):
    anchor: datetime
    timezone: str
    language: str
    expressions: list[TimeExpression]


class ResolveController(Controller):
    path = "/resolve"
    tags = ["time expressions"]

    @post(operation_id="resolveTimes", responses=problem_responses(413, 422), summary="Resolve the time expressions of a text",
          description="Each expression comes with its TIMEX3 type and value, its grain, its half-open UTC "
                      "interval [valid_from, valid_until), and what it was resolved against and why.",
          status_code=200, sync_to_thread=True)
    def resolve(self, data: JSONBody[ResolveRequest], settings: NamedDependency[Settings]) -> ResolveResponse:
        from service.temporal import tag

        if len(data.text) > settings.max_resolve_chars:
            raise BadRequest(f"text has {len(data.text)} characters, more than {settings.max_resolve_chars}. "
                             "Split it (TIMELINE_MAX_RESOLVE_CHARS sets the limit).", status=413,
                             title="Text too long")
        try:
            zone, anchor = parse_anchor(data.anchor, data.timezone)
        except AnchorError as exc:
            field = "anchor" if exc.field == "published_at" else exc.field
            raise BadRequest(f"'{field}' {exc.problem}. {exc.fix}", status=422, title="Invalid anchor") from None
        language = data.language.strip().lower().split("-")[0] or "en"
        return ResolveResponse(anchor=anchor, timezone=zone, language=language,
                               expressions=tag(data.text, anchor, language))
