"""Sending the nudges the sweep claims: reminders to whoever must decide, escalations to HR.

Rate limits and server errors are retried by the Web API client itself. Any other failure is
recorded on the nudge (attempts, last error) and tried again with growing waits, except one that
retrying cannot fix, such as a deactivated recipient: that reminder is routed to HR instead.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.followups import EscalationKind, NudgeKind
from bot.domain.record import SecondmentRecord
from bot.services.sweep import Due, claim_due, mark_failed, mark_sent
from bot.slack.builders.followups import (
    build_decision_reminder,
    build_escalation_reply,
    build_hr_escalation,
    build_undeliverable,
)
from bot.slack.builders.thread import build_request_message
from bot.slack.deps import Deps
from bot.slack.publish import slack_error

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Errors that another attempt will not fix.
UNREACHABLE = {
    "user_not_found",
    "user_disabled",
    "account_inactive",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
}


class HrUnreachable(Exception):
    """Every HR destination refused the message."""


def retry_wait(attempts: int) -> timedelta:
    return timedelta(minutes=2**attempts)


async def send_due_nudges(client: AsyncWebClient, deps: Deps, now: datetime) -> int:
    """Claim what is due at `now` and send it; returns how many were sent."""
    sent = 0
    for due in await claim_due(deps.sessions, now=now, policy=deps.policy):
        sent += await _send(client, deps, due, now)
    return sent


async def _send(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> bool:
    record = due.record
    try:
        if due.kind is NudgeKind.DECISION_REMINDER:
            assert due.side is not None and due.recipient_id is not None
            message = build_decision_reminder(record, due.side, due.sequence)
            await client.chat_postMessage(channel=due.recipient_id, **message.as_kwargs())
        else:
            message = build_hr_escalation(
                record,
                EscalationKind.NO_DECISION,
                None,
                None,
                can_override=deps.policy.hr_can_override,
            )
            failures = await deps.hr.tell(client, message)
            if deps.hr.destinations and len(failures) == len(deps.hr.destinations):
                raise HrUnreachable(failures[0])
    except (SlackApiError, HrUnreachable) as exc:
        await _failed(client, deps, due, now, error=_error_of(exc))
        return False
    updated = await mark_sent(deps.sessions, due, now=now, policy=deps.policy)
    if updated is not None and due.kind is NudgeKind.DECISION_ESCALATION and updated.thread_ts:
        await _tell_thread(client, updated)
    return updated is not None


def _error_of(exc: Exception) -> str:
    return slack_error(exc) if isinstance(exc, SlackApiError) else str(exc)


async def _failed(client: AsyncWebClient, deps: Deps, due: Due, now: datetime, error: str) -> None:
    give_up = error in UNREACHABLE or due.attempts + 1 >= MAX_ATTEMPTS
    log.warning(
        "nudge %s to %s failed (attempt %s): %s",
        due.nudge_id,
        due.recipient_id,
        due.attempts + 1,
        error,
    )
    await mark_failed(
        deps.sessions,
        due,
        error=error,
        now=now,
        retry_at=None if give_up else now + retry_wait(due.attempts),
    )
    if give_up and due.kind is NudgeKind.DECISION_REMINDER:
        # Someone has to know the request is stuck on a person the bot cannot reach.
        await deps.hr.tell(client, build_undeliverable(due.record, due.recipient_id, error))


async def _tell_thread(client: AsyncWebClient, record: SecondmentRecord) -> None:
    assert record.channel_id and record.thread_ts
    try:
        reply = build_escalation_reply(record, EscalationKind.NO_DECISION, None)
        await client.chat_postMessage(
            channel=record.channel_id, thread_ts=record.thread_ts, **reply.as_kwargs()
        )
        await client.chat_update(
            channel=record.channel_id,
            ts=record.thread_ts,
            **build_request_message(record).as_kwargs(),
        )
    except SlackApiError as exc:
        log.warning("thread of #%s not told of its escalation: %s", record.id, slack_error(exc))
