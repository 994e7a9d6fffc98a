"""What each nudge and outbox message says, sent: the Slack calls behind one delivery.

`send` raises `Undelivered` with what Slack (or the network) said when it could not be sent;
bot/slack/delivery.py decides what follows. Posts go through bot/slack/posting.py, so none is
sent twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import assert_never

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.catch_up import arrives_late
from bot.domain.decisions import DecisionRef
from bot.domain.kinds import Destination, EscalationKind, NudgeKind, Posted
from bot.domain.policy import return_rights_limit
from bot.services.asked import asked_about_the_end_before, pin_unpinned_close
from bot.services.delegation import delegate_checked
from bot.services.home import load_home
from bot.services.outbox import THREADED
from bot.services.requests import attach_thread, people_checked
from bot.services.sweep import Due
from bot.slack.builders.checkins import build_check_in, build_follow_up
from bot.slack.builders.debrief import build_debrief_hr_notice, build_debrief_request
from bot.slack.builders.end_of_term import build_end_decision_ask
from bot.slack.builders.exceptions import build_exception_reminder
from bot.slack.builders.fallback import build_hr_side_reminder
from bot.slack.builders.home import build_home
from bot.slack.builders.home_limits import decode_limits
from bot.slack.builders.messages import Message
from bot.slack.builders.start_and_objectives import build_coverage_notice, build_start_welcome
from bot.slack.builders.thread import build_request_message
from bot.slack.builders.ways_forward import build_decision_reminder, build_hr_escalation
from bot.slack.deps import Deps
from bot.slack.failures import (
    CANNOT_DECIDE,
    CLAIM_LOST,
    NO_THREAD,
    NOT_FOUND,
    PASSING,
    UNREACHABLE,
    Undelivered,
    error_of,
    retry_after,
)
from bot.slack.posting import UnsureIfPosted, find_posted, post_once
from bot.slack.publish import slack_error
from bot.slack.token_check import TOKEN_REFUSED

log = logging.getLogger(__name__)

# A message that cannot be updated because it is gone (deleted, or its conversation is): there
# is nothing left to close.
GONE = frozenset({"message_not_found", "channel_not_found", "cant_update_message", "is_archived"})


async def send(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> Posted | None:
    """Send what the nudge says; returns where a direct message to a person landed, and raises
    `Undelivered` if it could not be sent."""
    try:
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
    record, recipient = due.record, due.recipient_id
    if due.find_only:
        assert recipient is not None
        found = await find_posted(client, due, recipient, None)
        if found is None:
            raise Undelivered(NOT_FOUND)
        return found
    match due.kind:
        case NudgeKind.THREAD_OPEN:
            await _open_thread(client, deps, due, now)
        case NudgeKind.MESSAGE:
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
                assert recipient is not None
                await post_once(client, due, recipient, due.payload)
        case NudgeKind.THREAD_UPDATE:
            # Re-drawn from the record the delivery holds; without a thread, nothing to draw.
            if record.channel_id and record.thread_ts:
                await client.chat_update(
                    channel=record.channel_id,
                    ts=record.thread_ts,
                    **build_request_message(record).as_kwargs(),
                )
        case NudgeKind.HOME_UPDATE:
            await _publish_home(client, deps, due, now)
        case NudgeKind.DELEGATE_CHECK:
            await _check_delegate(client, deps, due, now)
        case NudgeKind.DECISION_REMINDER:
            assert due.side is not None and recipient is not None
            return await _dm(client, due, build_decision_reminder(record, due.side, due.sequence))
        case NudgeKind.DECISION_ESCALATION:
            message = build_hr_escalation(
                record,
                EscalationKind.NO_DECISION,
                None,
                None,
                can_override=deps.policy.hr_can_override,
                away=due.deciders_away,
            )
            await _tell_hr(client, deps, due, message)
        case NudgeKind.HR_SIDE_REMINDER:
            assert due.side is not None
            await _tell_hr(client, deps, due, build_hr_side_reminder(record, due.side))
        case NudgeKind.EXCEPTION_REMINDER:
            await _tell_hr(client, deps, due, build_exception_reminder(record))
        case NudgeKind.END_DECISION:
            assert recipient is not None
            # "Still undecided" only to someone the first ask reached.
            again = await asked_about_the_end_before(
                deps.sessions, record.id, recipient, due.sequence
            )
            limit = return_rights_limit(record.terms, deps.policy)
            months = deps.policy.return_rights_months
            return await _dm(client, due, build_end_decision_ask(record, again, limit, months))
        case NudgeKind.START_WELCOME:
            assert recipient is not None
            await _dm(
                client,
                due,
                build_start_welcome(
                    record, recipient, _late(due, now, record.terms.start_date, deps)
                ),
            )
        case NudgeKind.COVERAGE_NOTICE:
            await _dm(
                client,
                due,
                build_coverage_notice(record, _late(due, now, record.terms.start_date, deps)),
            )
        case NudgeKind.CHECK_IN | NudgeKind.CHECK_IN_REMINDER | NudgeKind.CHECK_IN_SNOOZED:
            reminder = due.kind is not NudgeKind.CHECK_IN
            return await _dm(client, due, build_check_in(record, due.sequence, reminder))
        case NudgeKind.FOLLOW_UP:
            return await _dm(client, due, build_follow_up(record))
        case NudgeKind.QUESTIONS_CLOSED:
            await _close_questions(client, deps, due)
        case NudgeKind.DEBRIEF_REQUEST:
            await _dm(
                client,
                due,
                build_debrief_request(record, _late(due, now, record.terms.end_date, deps)),
            )
        case NudgeKind.DEBRIEF_HR_NOTICE:
            notice = build_debrief_hr_notice(record, _late(due, now, record.terms.end_date, deps))
            await _tell_hr(client, deps, due, notice)
        case NudgeKind.SECONDMENT_START | NudgeKind.CHECK_IN_MISSED:
            raise AssertionError("silent kinds send nothing")
        case unknown:
            assert_never(unknown)
    return None


def _late(due: Due, now: datetime, day: date, deps: Deps) -> bool:
    """`arrives_late`, where the nudge's recipient (or, for HR, the employee) is."""
    return arrives_late(day, now, due.tz, deps.policy)


async def _open_thread(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> None:
    """Open the group conversation of the three parties, post the terms there, and remember
    the thread (which says the rest: the employee's confirmation). A thread already remembered
    (an earlier attempt got that far) is not opened again."""
    record = due.record
    if record.thread_ts:
        return
    if unchecked := (due.payload or {}).get("check"):
        await _check_people(client, deps, due, [str(p) for p in unchecked], now)
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


async def _check_people(
    client: AsyncWebClient, deps: Deps, due: Due, user_ids: list[str], now: datetime
) -> None:
    """The check the form could not make in time: each named person must be able to decide.
    Their timezones are remembered, and the nudges planned in them."""
    people = await deps.directory.people(client, due.record.team_id, user_ids)
    for user_id in user_ids:
        person = people.get(user_id)
        if person is None or not person.can_decide:
            raise Undelivered(CANNOT_DECIDE + user_id)
    await people_checked(
        deps.sessions, record=due.record, people=people.values(), policy=deps.policy, now=now
    )


async def _check_delegate(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> None:
    """The check a delegate form could not make in time: the delegation is made now if Slack
    says the person can decide, and the manager is told why not if not. The row is marked sent
    with that (see `delegate_checked`), not by the delivery."""
    assert due.payload is not None and due.recipient_id is not None
    chosen = str(due.payload["delegate"])
    people = await deps.directory.people(client, due.record.team_id, [chosen])
    settled = await delegate_checked(
        deps.sessions,
        check=(due.nudge_id, due.claim_token),
        team_id=due.record.team_id,
        ref=DecisionRef.decode(str(due.payload["ref"])),
        actor_id=due.recipient_id,
        delegate_id=chosen,
        person=people.get(chosen),
        announce=deps.say.delegation,
        refused=deps.say.delegation_refused,
        policy=deps.policy,
        now=now,
    )
    if not settled:
        raise Undelivered(CLAIM_LOST)


async def _publish_home(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> None:
    """The person's Home as it now stands, with the sections shown as they were; HR's sections
    only if HR says they are HR."""
    assert due.recipient_id is not None and due.payload is not None
    user, team = due.recipient_id, due.record.team_id
    limits = decode_limits(str(due.payload.get("shown") or ""))
    home = await load_home(
        deps.sessions,
        team_id=team,
        user_id=user,
        viewer_is_hr=await deps.hr.is_hr(client, team, user),
        limits=limits,
        policy=deps.policy,
        now=now,
    )
    await client.views_publish(user_id=user, view=build_home(home, limits, user))


async def _dm(client: AsyncWebClient, due: Due, message: Message) -> Posted:
    assert due.recipient_id is not None
    return await post_once(client, due, due.recipient_id, message.as_kwargs())


async def _close_questions(client: AsyncWebClient, deps: Deps, due: Due) -> None:
    """Replace the buttons of the questions `due` closes with what happened, where they were
    posted (pinned by the change that closed them). An update is the same every time, so one
    repeated after a failure changes nothing more; a question Slack no longer has is left
    alone."""
    assert due.payload is not None
    questions = due.payload.get("questions")
    if questions is None:  # written by a release that did not pin its closes
        questions = await pin_unpinned_close(
            deps.sessions, due.nudge_id, due.record.id, due.payload
        )
    for channel, ts in questions:
        try:
            await client.chat_update(channel=channel, ts=ts, **due.payload["message"])
        except SlackApiError as exc:
            if error_of(exc) not in GONE:
                raise


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
