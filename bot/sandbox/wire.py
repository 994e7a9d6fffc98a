"""Slack's wire format for requests into the app, built the way Slack builds them: the v0
signature, form-encoded slash commands, `payload=<json>` interactivity (block_actions,
view_submission, view_closed) and JSON Events API deliveries.

The sandbox sends these to the bot's `/slack/events`; the tests build theirs with them too."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "A0APP"
# Slack still sends the deprecated verification token; Bolt checks the signature instead.
LEGACY_TOKEN = "legacy-verification-token"
_trigger = itertools.count(1)
_event = itertools.count(1)


def sign(
    body: str, *, secret: str, timestamp: int | None = None, content_type: str = FORM
) -> dict[str, str]:
    """The v0 signature headers: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret.
    The timestamp is the real time: Bolt refuses a request more than five minutes off it."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


def trigger_id() -> str:
    """A fresh trigger id, shaped as Slack's are, for a command or click the page sends."""
    return f"{next(_trigger)}.1234.abcdef"


def action_ts() -> str:
    """The moment of a click, as Slack writes it in an action's payload."""
    return f"{time.time():.6f}"


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "team_id": team_id}


def _payload(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def slash_command(
    user_id: str,
    text: str,
    response_url: str,
    *,
    team_id: str,
    channel_id: str = "C0GENERAL",
    channel_name: str = "general",
    command: str = "/secondment",
    trigger: str | None = None,
) -> str:
    """A `/secondment` typed by `user_id`, form-encoded as Slack sends a slash command."""
    return urlencode(
        {
            "token": LEGACY_TOKEN,
            "team_id": team_id,
            "team_domain": "test",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger or trigger_id(),
        }
    )


def message_action(
    user_id: str,
    action: dict[str, Any],
    *,
    team_id: str,
    channel_id: str,
    message: dict[str, Any],
    response_url: str,
    is_ephemeral: bool = False,
    channel_name: str = "mpdm",
    trigger: str | None = None,
) -> str:
    """block_actions from an element in a message: the container names the message, and Slack
    sends the message itself (its blocks as posted) and a response URL for replying."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel_id,
        "is_ephemeral": is_ephemeral,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    return _payload(
        {
            "type": "block_actions",
            "user": _user(user_id, team_id),
            "api_app_id": APP_ID,
            "token": LEGACY_TOKEN,
            "container": container,
            "trigger_id": trigger or trigger_id(),
            "team": {"id": team_id, "domain": "test"},
            "channel": {"id": channel_id, "name": channel_name},
            "message": message,
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [{**action, "action_ts": action_ts()}],
        }
    )


def view_action(
    user_id: str,
    action: dict[str, Any],
    *,
    team_id: str,
    view: dict[str, Any],
    trigger: str | None = None,
) -> str:
    """block_actions from an element in a view (a modal or the App Home): Slack sends the view
    (with its private_metadata and state) and no channel, message or response URL."""
    return _payload(
        {
            "type": "block_actions",
            "user": _user(user_id, team_id),
            "api_app_id": APP_ID,
            "token": LEGACY_TOKEN,
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": trigger or trigger_id(),
            "team": {"id": team_id, "domain": "test"},
            "is_enterprise_install": False,
            "view": view,
            "actions": [{**action, "action_ts": action_ts()}],
        }
    )


def view_submission(
    user_id: str, view: dict[str, Any], *, team_id: str, trigger: str | None = None
) -> str:
    """A modal submitted: `view` is the view as Slack holds it, its `state.values` filled in."""
    return _view_payload(
        "view_submission",
        user_id,
        view,
        team_id,
        trigger_id=trigger or trigger_id(),
        response_urls=[],
    )


def view_closed(user_id: str, view: dict[str, Any], *, team_id: str) -> str:
    """A modal closed with its Close button (sent only when the view asked with notify_on_close)."""
    return _view_payload("view_closed", user_id, view, team_id, is_cleared=False)


def _view_payload(kind: str, user_id: str, view: dict[str, Any], team_id: str, **extra: Any) -> str:
    return _payload(
        {
            "type": kind,
            "team": {"id": team_id, "domain": "test"},
            "user": _user(user_id, team_id),
            "api_app_id": APP_ID,
            "token": LEGACY_TOKEN,
            "view": view,
            **extra,
        }
    )


def event_callback(event: dict[str, Any], *, team_id: str, bot_user_id: str) -> str:
    """An Events API delivery: a JSON body (sign it with content_type=JSON)."""
    return json.dumps(
        {
            "token": LEGACY_TOKEN,
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": {**event, "event_ts": action_ts()},
            "type": "event_callback",
            "event_id": f"Ev{next(_event):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team_id, "user_id": bot_user_id, "is_bot": True, "enterprise_id": None}
            ],
        }
    )


def app_home_opened(
    user_id: str,
    *,
    team_id: str,
    bot_user_id: str,
    tab: str = "home",
    view: dict[str, Any] | None = None,
) -> str:
    """The event Slack sends when someone opens the app's Home (or Messages) tab; it carries the
    Home last published for them, if any."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D" + user_id[1:],
        "tab": tab,
    }
    if view is not None:
        event["view"] = view
    return event_callback(event, team_id=team_id, bot_user_id=bot_user_id)
