"""Posting a nudge's message exactly once, even when an earlier attempt's fate is unknown.

Every message the bot posts carries Slack message metadata naming its nudge (its outbox row).
A nudge whose earlier attempt may have reached Slack (the process died before marking it, or
the call timed out) is looked for in its conversation first, by that metadata, and posted only
if it is not there. So a crash between Slack's answer and the mark sends nothing twice.

A failure to look is an `UnsureIfPosted`: the nudge waits for another attempt rather than risk
a second copy. Only an app installed without the history scopes (missing_scope) sends without
looking, with a warning: a copy too many is better than a message lost.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.domain.kinds import Posted
from bot.services.sweep import Due

log = logging.getLogger(__name__)

EVENT_TYPE = "secondment_outbox"
# How far a conversation is searched: pages of PAGE messages, at most PAGES_SEARCHED of them. A
# re-send usually follows the lost attempt by minutes (an hour apart at most, longer only while
# Slack is down or the workspace paused), and a DM or an approval thread does not take a
# thousand messages in that time. (Slack pages a thread's replies oldest first, so a long thread
# needs the later pages.)
PAGE = 200
PAGES_SEARCHED = 5


class UnsureIfPosted(Exception):
    """Slack could not be asked whether an earlier attempt arrived (its error code)."""


def tag(due: Due) -> dict[str, Any]:
    """The message metadata naming the outbox row a message is sent for, so a retry can find it."""
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": due.nudge_id}}


async def post_once(
    client: AsyncWebClient,
    due: Due,
    channel: str,
    message: dict[str, Any],
    *,
    thread_ts: str | None = None,
    broadcast: bool = False,
) -> Posted:
    """Post `message` for `due` unless an earlier attempt already did; returns where it is."""
    if due.maybe_sent:
        found = await find_posted(client, due, channel, thread_ts)
        if found is not None:
            return found
    threading: dict[str, Any] = (
        {"thread_ts": thread_ts, "reply_broadcast": broadcast} if thread_ts else {}
    )
    posted = await client.chat_postMessage(
        channel=channel, metadata=tag(due), **threading, **message
    )
    # Posted to a person, the message is in their DM with the bot, whose id Slack gives back.
    return Posted(str(posted["channel"]), str(posted["ts"]))


async def find_posted(
    client: AsyncWebClient, due: Due, channel: str, thread_ts: str | None
) -> Posted | None:
    """Where `due`'s message is in `channel` (or in the thread `thread_ts`), if it is there."""
    try:
        if channel.startswith(("U", "W")):  # a person: their DM with the bot
            opened = await client.conversations_open(users=channel)
            channel = opened["channel"]["id"]
        cursor = None
        for _ in range(PAGES_SEARCHED):
            page = await _page(client, channel, thread_ts, cursor)
            for message in page.get("messages") or []:
                if _is_for(message, due):
                    return Posted(channel, str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not (page.get("has_more") and cursor):
                break
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown_error")
        if error == "missing_scope":
            # Installed before the history scopes were asked for: the bot cannot look, and a
            # message is better sent twice than never. Reinstalling the app grants them.
            log.warning("cannot look for message %s: %s; sending it", due.nudge_id, error)
            return None
        raise UnsureIfPosted(error) from exc
    return None


async def _page(
    client: AsyncWebClient, channel: str, thread_ts: str | None, cursor: str | None
) -> AsyncSlackResponse:
    """One page of the thread `thread_ts` in `channel` (oldest first), or of the channel's own
    messages (newest first), with their metadata."""
    if thread_ts:
        return await client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=PAGE, cursor=cursor
        )
    return await client.conversations_history(
        channel=channel, include_all_metadata=True, limit=PAGE, cursor=cursor
    )


def _is_for(message: dict[str, Any], due: Due) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == EVENT_TYPE and payload.get("outbox_id") == due.nudge_id
