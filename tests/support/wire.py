"""Slack's wire format for the tests' requests into the app (bot/sandbox/wire.py builds it), with
the tests' signing secret and the stand-in's single workspace unless a test plays several."""

from __future__ import annotations

from typing import Any

from bot.sandbox import wire
from bot.sandbox.wire import FORM
from bot.sandbox.wire import trigger_id as trigger_id
from tests.support.standin import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "0123456789abcdef0123456789abcdef"


def sign(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = FORM,
) -> dict[str, str]:
    """The headers that sign `body` as Slack would, with the tests' secret."""
    return wire.sign(body, secret=secret, timestamp=timestamp, content_type=content_type)


def slash_command(
    user_id: str,
    text: str,
    response_url: str,
    *,
    channel_id: str = "C0GENERAL",
    channel_name: str = "general",
    team_id: str = TEAM_ID,
) -> str:
    """A slash command typed in a channel, as Slack sends it."""
    return wire.slash_command(
        user_id,
        text,
        response_url,
        team_id=team_id,
        channel_id=channel_id,
        channel_name=channel_name,
    )


def block_action(
    user_id: str,
    action_id: str,
    value: str,
    *,
    response_url: str,
    channel_id: str,
    message_ts: str,
    message: dict[str, Any] | None = None,
    team_id: str = TEAM_ID,
) -> str:
    """A button in a message (block "decide") clicked."""
    return wire.message_action(
        user_id,
        {"action_id": action_id, "block_id": "decide", "type": "button", "value": value},
        team_id=team_id,
        channel_id=channel_id,
        message=message or {"ts": message_ts, "text": ""},
        response_url=response_url,
    )


def view_block_action(
    user_id: str, action_id: str, value: str, *, view: dict[str, Any], team_id: str = TEAM_ID
) -> str:
    """A button (block "home") clicked in a view that is not a message, such as the App Home."""
    return wire.view_action(
        user_id,
        {"action_id": action_id, "block_id": "home", "type": "button", "value": value},
        team_id=team_id,
        view=view,
    )


def event_callback(event: dict[str, Any], *, team_id: str = TEAM_ID) -> str:
    """An Events API delivery of `event`, as Slack sends it."""
    return wire.event_callback(event, team_id=team_id, bot_user_id=BOT_USER_ID)


def app_home_opened(user_id: str, *, tab: str = "home", team_id: str = TEAM_ID) -> str:
    """The event Slack sends when a person opens the App Home's tab."""
    return wire.app_home_opened(user_id, team_id=team_id, bot_user_id=BOT_USER_ID, tab=tab)


def view_submission(
    user_id: str,
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    view_id: str,
    private_metadata: str = "",
    team_id: str = TEAM_ID,
) -> str:
    """A modal with this callback submitted with `values` as its state."""
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "blocks": [],
        "hash": "1.abc",
        "state": {"values": values},
    }
    return wire.view_submission(user_id, view, team_id=team_id)
