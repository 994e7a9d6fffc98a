"""Slack Web API conventions a stand-in of Slack needs: reading a call's arguments (query, form
or JSON, with `blocks`, `view` and `files` possibly JSON-encoded strings), answering `ok: false`
with an error, and checking Block Kit with slack_sdk.models the way Slack checks it (a view whole,
with no block_id twice)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


async def read_body(request: web.Request) -> dict[str, Any]:
    body: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body.update(await request.json())
    elif request.can_read_body:
        body.update(await request.post())
    return body


def as_dict(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def as_list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def error(code: str, **extra: Any) -> web.Response:
    return web.json_response({"ok": False, "error": code, **extra})


def block_kit_problem(method: str, body: dict[str, Any]) -> str | None:
    """What Slack would refuse in the call's `blocks` or `view` (answered `invalid_blocks`)."""
    try:
        for block in as_list(body.get("blocks")):
            parsed = Block.parse(block)
            if parsed is None:
                return f"unknown block {block!r}"
            parsed.validate_json()
        if "view" in body:
            view = as_dict(body["view"])
            View(**view).to_dict()  # validates the view and, unlike validate_json, its blocks
            ids = [b["block_id"] for b in view.get("blocks", []) if b.get("block_id")]
            if len(ids) != len(set(ids)):
                return f"{method}: duplicate block_id in {sorted(ids)}"
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as exc:
        return f"{method}: {exc}"
    return None
