"""Slack's wire format for requests into the app: signed, form-encoded slash commands and
`payload=<json>` interactivity, built the way Slack builds them, from the workspace `team_id`
(the stand-in's single workspace unless a test plays several)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.support.standin import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
_trigger = itertools.count(1)
_event = itertools.count(1)


def sign(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    """The v0 signature headers: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


def trigger_id() -> str:
    return f"{next(_trigger)}.1234.abcdef"


def slash_command(
    user_id: str,
    text: str,
    response_url: str,
    *,
    channel_id: str = "C0GENERAL",
    team_id: str = TEAM_ID,
) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "test",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/secondment",
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id(),
        }
    )


def _payload(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


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
    return _payload(
        {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
            "api_app_id": "A0APP",
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id(),
            "team": {"id": team_id, "domain": "test"},
            "channel": {"id": channel_id, "name": "mpdm"},
            "message": message or {"ts": message_ts, "text": ""},
            "response_url": response_url,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "decide",
                    "type": "button",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
    )


def view_block_action(
    user_id: str, action_id: str, value: str, *, view: dict[str, Any], team_id: str = TEAM_ID
) -> str:
    """A button clicked in a view that is not a message, such as the App Home: Slack sends the
    view (with its private_metadata) and no channel, message or response URL."""
    return _payload(
        {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
            "api_app_id": "A0APP",
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": trigger_id(),
            "team": {"id": team_id, "domain": "test"},
            "is_enterprise_install": False,
            "view": view,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "home",
                    "type": "button",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
    )


def event_callback(event: dict[str, Any], *, team_id: str = TEAM_ID) -> str:
    """An Events API delivery: a JSON body (sign it with content_type="application/json")."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": "A0APP",
            "event": {**event, "event_ts": f"{time.time():.6f}"},
            "type": "event_callback",
            "event_id": f"Ev{next(_event):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
            ],
        }
    )


def app_home_opened(user_id: str, *, tab: str = "home", team_id: str = TEAM_ID) -> str:
    """The event Slack sends when someone opens the app's Home (or Messages) tab."""
    return event_callback(
        {"type": "app_home_opened", "user": user_id, "channel": "D" + user_id[1:], "tab": tab},
        team_id=team_id,
    )


def view_submission(
    user_id: str,
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    view_id: str,
    private_metadata: str = "",
    team_id: str = TEAM_ID,
) -> str:
    return _payload(
        {
            "type": "view_submission",
            "team": {"id": team_id, "domain": "test"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
            "api_app_id": "A0APP",
            "token": "legacy-verification-token",
            "trigger_id": trigger_id(),
            "view": {
                "id": view_id,
                "team_id": team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "blocks": [],
                "hash": "1.abc",
                "state": {"values": values},
            },
            "response_urls": [],
        }
    )
