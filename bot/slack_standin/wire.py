"""Slack Web API conventions every face of the stand-in keeps: reading a call's arguments (query,
form or JSON, with `blocks`, `view`, `files` and `metadata` possibly JSON-encoded strings),
answering `ok: false` with an error, and handing out messages a page at a time."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

Json = dict[str, Any]


async def read_body(request: web.Request) -> Json:
    """A call's arguments, wherever the client put them: the query, a form or a JSON body."""
    body: Json = dict(request.query)
    if request.content_type == "application/json":
        body.update(await request.json())
    elif request.can_read_body:
        body.update(await request.post())
    return body


def as_dict(value: Any) -> Json:
    """An object argument, sent as JSON text or as an object."""
    return json.loads(value) if isinstance(value, str) else dict(value)


def as_list(value: Any) -> list[Json]:
    """A list argument, sent as JSON text or as a list (none: empty)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def error(code: str, **extra: Any) -> web.Response:
    """Slack's refusal: HTTP 200 with `ok: false` and the error code."""
    return web.json_response({"ok": False, "error": code, **extra})


def refused(code: str) -> Json:
    """A Web API method's refusal, as Slack answers it: `ok: false` with the error code."""
    return {"ok": False, "error": code}


def blocks_of(body: Json) -> list[Json] | None:
    """A message's blocks, if the call gave any."""
    return as_list(body["blocks"]) if body.get("blocks") else None


def is_true(value: Any) -> bool:
    """A flag as clients send it: JSON true, or the text "true"."""
    return value is True or str(value).lower() == "true"


def metadata_of(body: Json) -> Json | None:
    """A message's metadata, if the call gave an object."""
    metadata = body.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return metadata if isinstance(metadata, dict) else None


def page(messages: list[Json], body: Json) -> Json:
    """One page of `messages`, from the `cursor` the page before it handed out; their metadata
    only when the call asked for it (`include_all_metadata`)."""
    limit = int(body.get("limit") or 100)
    start = int(body.get("cursor") or 0)
    with_metadata = str(body.get("include_all_metadata")).lower() in ("1", "true")
    shown = [
        m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
        for m in messages[start : start + limit]
    ]
    more = len(messages) > start + limit
    return {
        "ok": True,
        "messages": shown,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }
