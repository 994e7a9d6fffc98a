"""Block Kit checked with slack_sdk.models the way Slack checks it: each message block, and a view
whole (its blocks' own limits, and no block_id twice). A payload that fails is one Slack would
answer with `invalid_blocks`."""

from __future__ import annotations

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack_standin.wire import Json, as_dict, as_list


def block_kit_problem(method: str, body: Json) -> str | None:
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
