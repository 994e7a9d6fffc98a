"""The send step: posting built messages to Slack after a change, and routing Slack failures.

A Slack error here never undoes a stored change; it is logged with its error code and, where a
person would otherwise be left without news, they are told what happened and what to do.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.record import SecondmentRecord
from bot.services.decisions import DecisionMade
from bot.services.requests import attach_thread
from bot.slack.builders.messages import Message
from bot.slack.builders.replies import (
    build_announcement_failed,
    build_request_confirmation,
    build_thread_failed,
)
from bot.slack.builders.thread import (
    build_approved_announcement,
    build_decision_reply,
    build_request_message,
)
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "unknown_error")


async def open_approval_thread(
    client: AsyncWebClient, deps: Deps, record: SecondmentRecord
) -> SecondmentRecord:
    """Open the group conversation of the three parties, post the terms, and tell the employee."""
    try:
        conversation = await client.conversations_open(users=",".join(record.parties))
        channel_id = conversation["channel"]["id"]
        posted = await client.chat_postMessage(
            channel=channel_id, **build_request_message(record).as_kwargs()
        )
        permalink = await client.chat_getPermalink(channel=channel_id, message_ts=posted["ts"])
    except SlackApiError as exc:
        log.warning("approval thread for #%s not opened: %s", record.id, slack_error(exc))
        await _dm(client, record.employee_id, build_thread_failed(record, slack_error(exc)))
        return record
    record = await attach_thread(
        deps.sessions,
        record=record,
        channel_id=channel_id,
        thread_ts=posted["ts"],
        thread_url=permalink.get("permalink"),
        policy=deps.policy,
        now=datetime.now(UTC),
    )
    await _dm(client, record.employee_id, build_request_confirmation(record))
    return record


async def publish_decision(client: AsyncWebClient, made: DecisionMade) -> None:
    """Announce a decision in the thread and re-render the parent from the stored state.

    The decision is already stored; if Slack will not take the announcement (after the client's
    own retries), the person who decided is told it stands and the thread is behind.
    """
    record = made.record
    if record.channel_id is None or record.thread_ts is None:
        log.warning("decision on #%s has no thread to announce in", record.id)
        return
    channel, thread_ts = record.channel_id, record.thread_ts
    try:
        await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, **build_decision_reply(made).as_kwargs()
        )
        if made.completed_approval:
            await client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                reply_broadcast=True,
                **build_approved_announcement(record).as_kwargs(),
            )
        await client.chat_update(
            channel=channel, ts=thread_ts, **build_request_message(record).as_kwargs()
        )
    except SlackApiError as exc:
        log.warning("decision on #%s not announced: %s", record.id, slack_error(exc))
        await _dm(client, made.actor_id, build_announcement_failed(made, slack_error(exc)))


async def _dm(client: AsyncWebClient, user_id: str, message: Message) -> None:
    try:
        await client.chat_postMessage(channel=user_id, **message.as_kwargs())
    except SlackApiError as exc:
        log.error("direct message to %s failed: %s", user_id, slack_error(exc))
