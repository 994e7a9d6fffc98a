"""What each nudge and outbox message says, sent: the Slack calls behind one delivery.

`send` raises `Undelivered` with what Slack (or the network) said when it could not be sent;
bot/slack/outcomes.py decides what follows. Posts go through bot/slack/posting.py, so none is
sent twice. What is redrawn in place (the thread's parent, a Home, closed questions) is
bot/slack/updates.py's; the checks a form left to the delivery, bot/slack/people_checks.py's.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import assert_never

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.catch_up import arrives_late
from bot.domain.kinds import Destination, EscalationKind, NudgeKind, Posted
from bot.domain.policy import return_rights_limit
from bot.services.asked import asked_about_the_end_before
from bot.services.outbox import THREADED
from bot.services.requests import attach_thread
from bot.services.sweep import Due
from bot.slack.builders.checkins import build_check_in, build_follow_up
from bot.slack.builders.debrief import build_debrief_hr_notice, build_debrief_request
from bot.slack.builders.end_of_term import build_end_decision_ask
from bot.slack.builders.exceptions import build_exception_reminder
from bot.slack.builders.fallback import build_hr_side_reminder
from bot.slack.builders.messages import Message
from bot.slack.builders.start_and_objectives import build_coverage_notice, build_start_welcome
from bot.slack.builders.thread import build_request_message
from bot.slack.builders.ways_forward import build_decision_reminder, build_hr_escalation
from bot.slack.deps import Deps
from bot.slack.failures import (
    NO_THREAD,
    NOT_FOUND,
    PASSING,
    UNREACHABLE,
    Undelivered,
    error_of,
    retry_after,
)
from bot.slack.people_checks import check_delegate, check_people
from bot.slack.posting import UnsureIfPosted, find_posted, post_once
from bot.slack.publish import slack_error
from bot.slack.token_check import TOKEN_REFUSED
from bot.slack.updates import close_questions, redraw_thread, republish_home

log = logging.getLogger(__name__)


async def send(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> Posted | None:
    """Send what the nudge says; returns where a direct message to a person landed, and raises
    `Undelivered` if it could not be sent."""
    try:
        if due.find_only:
            return await _find_only(client, due)
        return await _say(client, deps, due, now)
    except SlackApiError as exc:
        # A server error may come after the message was posted: whether it was is not known.
        unsure = exc.response.status_code >= 500
        raise Undelivered(error_of(exc), retry_after=retry_after(exc), maybe_sent=unsure) from exc
    except UnsureIfPosted as exc:
        # Not knowing is never a reason to give up, nor to send: it is tried again, and Slack's
        # error counts as a passing one only if it is one.
        error = str(exc)
        if error not in PASSING | UNREACHABLE | TOKEN_REFUSED:
            error = f"unsure_{error}"
        raise Undelivered(error, maybe_sent=True) from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        # No answer: the message may have arrived all the same.
        raise Undelivered("timeout", maybe_sent=True) from exc


async def _say(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> Posted | None:
    """Send what `due` says, by its kind; returns where a question to a person landed."""
    record, recipient = due.record, due.recipient_id
    match due.kind:
        case NudgeKind.THREAD_OPEN:
            await _open_thread(client, deps, due, now)
        case NudgeKind.MESSAGE:
            await _post_message(client, due)
        case NudgeKind.THREAD_UPDATE:
            await redraw_thread(client, record)
        case NudgeKind.HOME_UPDATE:
            await republish_home(client, deps, due, now)
        case NudgeKind.DELEGATE_CHECK:
            await check_delegate(client, deps, due, now)
        case NudgeKind.DECISION_REMINDER:
            assert due.side is not None and recipient is not None
            return await _dm(client, due, build_decision_reminder(record, due.side, due.sequence))
        case NudgeKind.DECISION_ESCALATION:
            await _tell_hr(client, deps, due, _no_decision(deps, due))
        case NudgeKind.HR_SIDE_REMINDER:
            assert due.side is not None
            await _tell_hr(client, deps, due, build_hr_side_reminder(record, due.side))
        case NudgeKind.EXCEPTION_REMINDER:
            await _tell_hr(client, deps, due, build_exception_reminder(record))
        case NudgeKind.END_DECISION:
            return await _dm(client, due, await _end_decision_ask(deps, due))
        case NudgeKind.START_WELCOME:
            assert recipient is not None
            await _dm(client, due, build_start_welcome(record, recipient, _late(due, now, deps)))
        case NudgeKind.COVERAGE_NOTICE:
            await _dm(client, due, build_coverage_notice(record, _late(due, now, deps)))
        case NudgeKind.CHECK_IN | NudgeKind.CHECK_IN_REMINDER | NudgeKind.CHECK_IN_SNOOZED:
            reminder = due.kind is not NudgeKind.CHECK_IN
            return await _dm(client, due, build_check_in(record, due.sequence, reminder))
        case NudgeKind.FOLLOW_UP:
            return await _dm(client, due, build_follow_up(record))
        case NudgeKind.QUESTIONS_CLOSED:
            await close_questions(client, deps, due)
        case NudgeKind.DEBRIEF_REQUEST:
            await _dm(client, due, build_debrief_request(record, _late(due, now, deps, end=True)))
        case NudgeKind.DEBRIEF_HR_NOTICE:
            notice = build_debrief_hr_notice(record, _late(due, now, deps, end=True))
            await _tell_hr(client, deps, due, notice)
        case NudgeKind.SECONDMENT_START | NudgeKind.CHECK_IN_MISSED:
            raise AssertionError("silent kinds send nothing")
        case unknown:
            assert_never(unknown)
    return None


async def _find_only(client: AsyncWebClient, due: Due) -> Posted:
    """Where an earlier attempt delivered `due`, no longer to be sent; `NOT_FOUND` if none did."""
    assert due.recipient_id is not None
    found = await find_posted(client, due, due.recipient_id, None)
    if found is None:
        raise Undelivered(NOT_FOUND)
    return found


async def _post_message(client: AsyncWebClient, due: Due) -> None:
    """A message a change said, written in full: in the approval thread, or to a person."""
    record = due.record
    assert due.payload is not None
    if due.destination in THREADED:
        if not (record.channel_id and record.thread_ts):
            raise Undelivered(NO_THREAD)
        await post_once(
            client,
            due,
            record.channel_id,
            due.payload,
            thread_ts=record.thread_ts,
            broadcast=due.destination is Destination.BROADCAST,
        )
    else:
        assert due.recipient_id is not None
        await post_once(client, due, due.recipient_id, due.payload)


def _no_decision(deps: Deps, due: Due) -> Message:
    """HR's escalation of a request nobody decided in time."""
    return build_hr_escalation(
        due.record,
        EscalationKind.NO_DECISION,
        None,
        None,
        can_override=deps.policy.hr_can_override,
        away=due.deciders_away,
    )


async def _end_decision_ask(deps: Deps, due: Due) -> Message:
    """The end-of-term ask; "still undecided" only to someone the first ask reached."""
    record, recipient = due.record, due.recipient_id
    assert recipient is not None
    again = await asked_about_the_end_before(deps.sessions, record.id, recipient, due.sequence)
    limit = return_rights_limit(record.terms, deps.policy)
    months = deps.policy.return_rights_months
    return build_end_decision_ask(record, again, limit, months)


def _late(due: Due, now: datetime, deps: Deps, *, end: bool = False) -> bool:
    """`arrives_late` for the secondment's start (or `end`), where the nudge's recipient (or,
    for HR, the employee) is."""
    terms = due.record.terms
    return arrives_late(terms.end_date if end else terms.start_date, now, due.tz, deps.policy)


async def _open_thread(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> None:
    """Open the group conversation of the three parties, post the terms there, and remember
    the thread (which says the rest: the employee's confirmation). A thread already remembered
    (an earlier attempt got that far) is not opened again."""
    record = due.record
    if record.thread_ts:
        return
    if unchecked := (due.payload or {}).get("check"):
        await check_people(client, deps, due, [str(p) for p in unchecked], now)
    conversation = await client.conversations_open(users=",".join(record.parties))
    channel_id = conversation["channel"]["id"]
    posted = await post_once(client, due, channel_id, build_request_message(record).as_kwargs())
    ts = posted.ts
    try:
        permalink = await client.chat_getPermalink(channel=channel_id, message_ts=ts)
    except SlackApiError as exc:
        # The terms are posted: the next attempt must find them, not post them again.
        raise Undelivered(error_of(exc), retry_after=retry_after(exc), maybe_sent=True) from exc
    await attach_thread(
        deps.sessions,
        record=record,
        channel_id=channel_id,
        thread_ts=ts,
        thread_url=permalink.get("permalink"),
        announce=deps.say.thread_attached,
        now=now,
    )


async def _dm(client: AsyncWebClient, due: Due, message: Message) -> Posted:
    """`message` to the nudge's recipient, directly."""
    assert due.recipient_id is not None
    return await post_once(client, due, due.recipient_id, message.as_kwargs())


async def _tell_hr(client: AsyncWebClient, deps: Deps, due: Due, message: Message) -> None:
    """Post to each of HR's destinations; raises the first error if none took it."""
    errors: list[SlackApiError] = []
    for destination in deps.hr.destinations:
        try:
            await post_once(client, due, destination, message.as_kwargs())
        except SlackApiError as exc:
            log.warning("HR message to %s failed: %s", destination, slack_error(exc))
            errors.append(exc)
    if errors and len(errors) == len(deps.hr.destinations):
        raise errors[0]
