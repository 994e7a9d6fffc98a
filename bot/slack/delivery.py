"""Sending the nudges the sweep claims: reminders to whoever must decide, escalations to HR,
and the messages of a secondment under way.

Rate limits and server errors are retried by the Web API client itself. Any other failure is
recorded on the nudge (attempts, last error) and tried again with growing waits, except one that
retrying cannot fix, such as a deactivated recipient: that reminder is routed to HR instead.

In OAuth mode each nudge goes out with the bot token of its secondment's workspace. A workspace
that has uninstalled the app has none, and one whose token Slack refuses cannot be spoken to:
either is paused (bot/services/pauses.py), and its nudges wait, unsent, for the resume.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.followups import EscalationKind, NudgeKind
from bot.domain.lifecycle import end_decision_ask
from bot.domain.policy import return_rights_limit
from bot.domain.record import SecondmentRecord
from bot.services.pauses import fingerprint
from bot.services.sweep import (
    CHANGES_STATE,
    SILENT,
    Due,
    claim_due,
    hold_for_paused_workspace,
    mark_failed,
    mark_sent,
    release,
    renew,
    sweep_lag,
)
from bot.slack.builders.checkins import build_check_in, build_follow_up
from bot.slack.builders.debrief import build_debrief_hr_notice, build_debrief_request
from bot.slack.builders.end_of_term import build_end_decision_ask
from bot.slack.builders.followups import (
    build_decision_reminder,
    build_escalation_reply,
    build_hr_escalation,
    build_undeliverable,
)
from bot.slack.builders.lifecycle import (
    build_coverage_notice,
    build_start_welcome,
    build_started_reply,
)
from bot.slack.builders.messages import Message
from bot.slack.builders.thread import build_request_message
from bot.slack.deps import Deps
from bot.slack.marks import SentMarks
from bot.slack.publish import slack_error
from bot.slack.token_check import NOT_INSTALLED, TOKEN_REFUSED, recheck_paused

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Nudges claimed at a time: a sweep claims batch after batch while a backlog lasts.
BATCH = 100
# Errors about the recipient that another attempt will not fix.
UNREACHABLE = {
    "user_not_found",
    "user_disabled",
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
    """Claim what is due at `now` and send it; returns how many were sent. While a backlog
    lasts, the sweep claims batch after batch for about `sweep_seconds`. The metrics get how late
    the sweep found the oldest due nudge, and `now` once the sweep has run to the end."""
    paused = await recheck_paused(client, deps, now)
    deps.metrics.sweep_started(await sweep_lag(deps.sessions, now=now), len(paused))
    sent = 0
    began = time.monotonic()
    while batch := await claim_due(deps.sessions, now=now, policy=deps.policy, limit=BATCH):
        sent += await _send_batch(client, deps, batch, now)
        if time.monotonic() - began >= deps.sending.sweep_seconds:
            break
    deps.metrics.sweep_finished(now)
    return sent


async def _send_batch(client: AsyncWebClient, deps: Deps, batch: list[Due], now: datetime) -> int:
    """Send a claimed batch. A nudge that changes its secondment goes alone, so two never change
    the same secondment at once; plain messages then go `concurrency` at a time, a new one
    starting as each finishes. Claims are renewed a group at a time, just before the group's
    first send: a stalled sweep can have no more than `concurrency` sends on their way."""
    marks = SentMarks(deps.sessions, now)
    paused: dict[str, str] = {}
    sent = 0
    for due in [d for d in batch if d.kind in CHANGES_STATE]:
        for ours in await renew(deps.sessions, [due], now=_renewed_at(deps, now)):
            sent += await _send(client, deps, ours, now, marks, paused)
    plain = [d for d in batch if d.kind not in CHANGES_STATE]
    size = deps.sending.concurrency
    slots = asyncio.Semaphore(size)

    async def send_in_slot(due: Due) -> bool:
        try:
            return await _send(client, deps, due, now, marks, paused)
        finally:
            slots.release()

    async with asyncio.TaskGroup() as sends:
        tasks = []
        for start in range(0, len(plain), size):
            group = plain[start : start + size]
            for due in await renew(deps.sessions, group, now=_renewed_at(deps, now)):
                await slots.acquire()
                tasks.append(sends.create_task(send_in_slot(due)))
    return sent + sum(task.result() for task in tasks)


def _renewed_at(deps: Deps, now: datetime) -> datetime:
    # The sweep's `now` is fixed when it starts; a long batch renews from the clock.
    return max(now, deps.clock.now())


async def _send(
    client: AsyncWebClient,
    deps: Deps,
    due: Due,
    now: datetime,
    marks: SentMarks,
    paused: dict[str, str],
) -> bool:
    """Send one nudge and mark it; `paused` holds the workspaces this batch found refused (each
    with Slack's error), whose other nudges then wait without a call."""
    team_id = due.record.team_id
    if due.kind in SILENT:
        # No message: marking it sent is the change (a start, a missed check-in), which goes
        # on whether or not the workspace can be spoken to. (A start's note in the thread is
        # tried with the workspace's token, if it has one.)
        if deps.workspaces is not None:
            client = await deps.workspaces.client_for(team_id) or client
        return await _marked(client, deps, due, now, marks)
    if team_id in paused:
        await release(deps.sessions, due)  # paused by this batch already: just wait
        return False
    if deps.workspaces is not None:
        # OAuth mode: send with the bot token of the secondment's own workspace.
        installed = await deps.workspaces.client_for(team_id)
        if installed is None:
            await _pause(deps, due, now, NOT_INSTALLED, paused, None)
            return False
        client = installed
    await deps.sending.pace.wait()
    try:
        await _deliver(client, deps, due)
    except (SlackApiError, HrUnreachable) as exc:
        error = _error_of(exc)
        if error in TOKEN_REFUSED:
            await _pause(deps, due, now, error, paused, client)
        else:
            await _failed(client, deps, due, now, error=error)
        return False
    return await _marked(client, deps, due, now, marks)


async def _marked(
    client: AsyncWebClient, deps: Deps, due: Due, now: datetime, marks: SentMarks
) -> bool:
    """Mark a delivered (or silent) nudge sent, with what its marking changes."""
    if due.kind not in CHANGES_STATE:
        marked = await marks.mark(due)
        if marked:
            deps.metrics.nudge_sent(due.kind)
        return marked
    updated = await mark_sent(deps.sessions, due, now=now, policy=deps.policy)
    if updated is not None:
        deps.metrics.nudge_sent(due.kind)
    if updated is not None and updated.thread_ts:
        if due.kind is NudgeKind.DECISION_ESCALATION:
            await _tell_thread(
                client, updated, build_escalation_reply(updated, EscalationKind.NO_DECISION, None)
            )
        elif due.kind is NudgeKind.SECONDMENT_START:
            await _tell_thread(client, updated, build_started_reply(updated))
    return updated is not None


async def _deliver(client: AsyncWebClient, deps: Deps, due: Due) -> None:
    """Send what the nudge says; raises the Slack error if it could not be sent."""
    record, recipient = due.record, due.recipient_id
    match due.kind:
        case NudgeKind.DECISION_REMINDER:
            assert due.side is not None and recipient is not None
            await _dm(client, recipient, build_decision_reminder(record, due.side, due.sequence))
        case NudgeKind.DECISION_ESCALATION:
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
        case NudgeKind.END_DECISION:
            assert recipient is not None
            _, ask = end_decision_ask(due.sequence)
            limit = return_rights_limit(record.terms, deps.policy)
            months = deps.policy.return_rights_months
            await _dm(client, recipient, build_end_decision_ask(record, ask, limit, months))
        case NudgeKind.SECONDMENT_START:
            pass  # no message: marking it sent makes the secondment active
        case NudgeKind.START_WELCOME:
            assert recipient is not None
            await _dm(client, recipient, build_start_welcome(record, recipient))
        case NudgeKind.COVERAGE_NOTICE:
            assert recipient is not None
            await _dm(client, recipient, build_coverage_notice(record))
        case NudgeKind.CHECK_IN | NudgeKind.CHECK_IN_REMINDER | NudgeKind.CHECK_IN_SNOOZED:
            assert recipient is not None
            reminder = due.kind is not NudgeKind.CHECK_IN
            await _dm(client, recipient, build_check_in(record, due.sequence, reminder))
        case NudgeKind.CHECK_IN_MISSED:
            pass  # no message: marking it sent records the check-in as missed
        case NudgeKind.FOLLOW_UP:
            assert recipient is not None
            await _dm(client, recipient, build_follow_up(record))
        case NudgeKind.DEBRIEF_REQUEST:
            assert recipient is not None
            await _dm(client, recipient, build_debrief_request(record))
        case NudgeKind.DEBRIEF_HR_NOTICE:
            failures = await deps.hr.tell(client, build_debrief_hr_notice(record))
            if deps.hr.destinations and len(failures) == len(deps.hr.destinations):
                raise HrUnreachable(failures[0])


async def _dm(client: AsyncWebClient, user_id: str, message: Message) -> None:
    await client.chat_postMessage(channel=user_id, **message.as_kwargs())


def _error_of(exc: Exception) -> str:
    return slack_error(exc) if isinstance(exc, SlackApiError) else str(exc)


async def _pause(
    deps: Deps,
    due: Due,
    now: datetime,
    error: str,
    paused: dict[str, str],
    refused: AsyncWebClient | None,
) -> None:
    log.warning("delivery to workspace %s paused: %s", due.record.team_id, error)
    paused[due.record.team_id] = error
    await hold_for_paused_workspace(
        deps.sessions,
        due,
        error=error,
        now=now,
        token_fingerprint=fingerprint(refused.token) if refused is not None else None,
    )


async def _failed(
    client: AsyncWebClient | None, deps: Deps, due: Due, now: datetime, error: str
) -> None:
    give_up = error in UNREACHABLE or due.attempts + 1 >= MAX_ATTEMPTS
    deps.metrics.nudge_failed(due.kind, given_up=give_up)
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
    if give_up and due.kind is NudgeKind.DECISION_REMINDER and client is not None:
        # Someone has to know the request is stuck on a person the bot cannot reach (unless
        # the bot cannot reach the workspace at all).
        await deps.hr.tell(client, build_undeliverable(due.record, due.recipient_id, error))


async def _tell_thread(client: AsyncWebClient, record: SecondmentRecord, reply: Message) -> None:
    """Post in the approval thread and re-render its parent; the change is already stored."""
    assert record.channel_id and record.thread_ts
    try:
        await client.chat_postMessage(
            channel=record.channel_id, thread_ts=record.thread_ts, **reply.as_kwargs()
        )
        await client.chat_update(
            channel=record.channel_id,
            ts=record.thread_ts,
            **build_request_message(record).as_kwargs(),
        )
    except SlackApiError as exc:
        log.warning("thread of #%s not updated: %s", record.id, slack_error(exc))
