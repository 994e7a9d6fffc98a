"""The send step: posting built messages to Slack after a change, and routing Slack failures.

A Slack error here never undoes a stored change (the client has already retried rate limits and
server errors). It is logged with its error code, and the person who acted is told that their
change stands but the others may not have seen it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.followups import CheckInAnswer
from bot.domain.record import SecondmentRecord
from bot.services.changes import TermsChangedEvent
from bot.services.checkins import CheckInAnswered
from bot.services.debriefs import DebriefRecorded
from bot.services.decisions import DecisionMade
from bot.services.delegation import Delegated
from bot.services.early_end import EndedEarly
from bot.services.end_of_term import Proposed, ReturnConfirmedEvent
from bot.services.escalations import EscalationRaised
from bot.services.lifecycle import ObjectivesRecorded
from bot.services.notes import NoteAdded
from bot.services.requests import attach_thread
from bot.slack.builders.checkins import (
    build_check_in_alert,
    build_check_in_thanks,
    build_keep_in_touch,
    manager_to_tell,
)
from bot.slack.builders.debrief import build_debrief_record, build_ended_early
from bot.slack.builders.end_of_term import (
    build_proposal_agreed,
    build_proposal_reply,
    build_return_confirmed,
)
from bot.slack.builders.followups import (
    build_change_reply,
    build_delegation_notice,
    build_delegation_reply,
    build_escalation_reply,
    build_hr_escalation,
    build_note_reply,
    build_withdrawal_reply,
)
from bot.slack.builders.lifecycle import build_objectives_reply
from bot.slack.builders.messages import Message
from bot.slack.builders.replies import (
    build_announcement_failed,
    build_hr_unreachable,
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
        await dm(client, record.employee_id, build_thread_failed(record, slack_error(exc)))
        return record
    attached = await attach_thread(
        deps.sessions,
        record=record,
        channel_id=channel_id,
        thread_ts=posted["ts"],
        thread_url=permalink.get("permalink"),
        policy=deps.policy,
        now=deps.clock.now(),
    )
    record = attached.record
    if attached.acted_meanwhile:
        async with _announcing(client, record.employee_id, record, "The latest change"):
            await _refresh_parent(client, record)
    await dm(client, record.employee_id, build_request_confirmation(record))
    return record


@asynccontextmanager
async def _announcing(
    client: AsyncWebClient, actor_id: str, record: SecondmentRecord, what: str
) -> AsyncIterator[None]:
    try:
        yield
    except SlackApiError as exc:
        log.warning("%s on #%s not announced: %s", what, record.id, slack_error(exc))
        await dm(client, actor_id, build_announcement_failed(record, what, slack_error(exc)))


async def _reply(
    client: AsyncWebClient, record: SecondmentRecord, message: Message, *, broadcast: bool = False
) -> None:
    if record.channel_id and record.thread_ts:
        await client.chat_postMessage(
            channel=record.channel_id,
            thread_ts=record.thread_ts,
            reply_broadcast=broadcast,
            **message.as_kwargs(),
        )


async def _refresh_parent(client: AsyncWebClient, record: SecondmentRecord) -> None:
    """Re-render the thread's parent from the stored state: the buttons follow the state."""
    if record.channel_id and record.thread_ts:
        await client.chat_update(
            channel=record.channel_id,
            ts=record.thread_ts,
            **build_request_message(record).as_kwargs(),
        )


async def publish_decision(client: AsyncWebClient, made: DecisionMade) -> None:
    record = made.record
    what = f"Your decision ({made.outcome.value}, {made.side.role} side)"
    async with _announcing(client, made.actor_id, record, what):
        await _reply(client, record, build_decision_reply(made))
        if made.completed_approval:
            await _reply(client, record, build_approved_announcement(record), broadcast=True)
        elif made.agreed_proposal:
            await _reply(client, record, build_proposal_agreed(record), broadcast=True)
        await _refresh_parent(client, record)


async def publish_change(client: AsyncWebClient, event: TermsChangedEvent) -> None:
    what = f"Your change to the terms (version {event.record.terms_version})"
    async with _announcing(client, event.actor_id, event.record, what):
        await _reply(client, event.record, build_change_reply(event), broadcast=True)
        await _refresh_parent(client, event.record)


async def publish_withdrawal(client: AsyncWebClient, record: SecondmentRecord) -> None:
    async with _announcing(client, record.employee_id, record, "Your withdrawal"):
        await _reply(client, record, build_withdrawal_reply(record), broadcast=True)
        await _refresh_parent(client, record)


async def publish_note(client: AsyncWebClient, added: NoteAdded) -> None:
    if not added.is_new:
        return
    async with _announcing(client, added.author_id, added.record, "Your note"):
        await _reply(client, added.record, build_note_reply(added))


async def publish_escalation(
    client: AsyncWebClient, deps: Deps, raised: EscalationRaised
) -> list[str]:
    """Tell HR and the thread; returns the Slack errors met reaching HR, if any."""
    record = raised.record
    hr_message = build_hr_escalation(
        record,
        raised.kind,
        raised.raised_by,
        raised.message,
        can_override=deps.policy.hr_can_override,
    )
    failures = await deps.hr.tell(client, hr_message)
    if len(failures) == len(deps.hr.destinations):
        await dm(
            client,
            raised.raised_by or record.employee_id,
            build_hr_unreachable(record, ", ".join(failures)),
        )
    async with _announcing(
        client, raised.raised_by or record.employee_id, record, "The escalation to HR"
    ):
        await _reply(client, record, build_escalation_reply(record, raised.kind, raised.raised_by))
        await _refresh_parent(client, record)
    return failures


async def publish_delegation(client: AsyncWebClient, delegated: Delegated) -> None:
    record = delegated.record
    async with _announcing(client, delegated.manager_id, record, "Your delegation"):
        await _reply(client, record, build_delegation_reply(delegated))
        await _refresh_parent(client, record)
    if delegated.delegate_id:
        await dm(client, delegated.delegate_id, build_delegation_notice(delegated))


async def publish_objectives(client: AsyncWebClient, recorded: ObjectivesRecorded) -> None:
    """Share the agreed objectives in the thread, and with whichever of the two did not record
    them (the employee and the host side's decider agree them together)."""
    if not recorded.is_new:
        return
    record, message = recorded.record, build_objectives_reply(recorded)
    async with _announcing(client, recorded.actor_id, record, "The objectives"):
        await _reply(client, record, message)
    for person in {record.employee_id, record.host.decider_id} - {recorded.actor_id}:
        await dm(client, person, message)


async def publish_check_in(client: AsyncWebClient, deps: Deps, answered: CheckInAnswered) -> None:
    """Thank the employee (saying who sees it) and tell exactly those people."""
    record = answered.record
    await dm(client, record.employee_id, build_check_in_thanks(answered))
    if answered.answer in (CheckInAnswer.CONCERNS, CheckInAnswer.NEED_HELP):
        manager, _ = manager_to_tell(record, answered.sequence)
        await dm(client, manager, build_check_in_alert(answered))
    if answered.answer is CheckInAnswer.NEED_HELP:
        await deps.hr.tell(client, build_check_in_alert(answered))
    if answered.shared_with_home:
        await dm(client, record.home.manager_id, build_keep_in_touch(answered))


async def publish_debrief(client: AsyncWebClient, recorded: DebriefRecorded) -> None:
    """Share the debrief with the home manager, say so in the thread, and close the parent."""
    record, message = recorded.record, build_debrief_record(recorded)
    async with _announcing(client, recorded.actor_id, record, "The debrief"):
        await _reply(client, record, message, broadcast=True)
        await _refresh_parent(client, record)
    for person in {record.employee_id, record.home.manager_id} - {recorded.actor_id}:
        await dm(client, person, message)


async def publish_early_end(client: AsyncWebClient, ended: EndedEarly) -> None:
    """Tell the thread and the other two parties; the parent shows the new last day."""
    record, message = ended.record, build_ended_early(ended)
    async with _announcing(client, ended.actor_id, record, "Ending early"):
        await _reply(client, record, message, broadcast=True)
        await _refresh_parent(client, record)
    for person in set(record.parties) - {ended.actor_id}:
        await dm(client, person, message)


async def publish_proposal(client: AsyncWebClient, proposed: Proposed) -> None:
    """The proposal goes to the thread, where the managers decide it on the parent."""
    record = proposed.record
    async with _announcing(client, proposed.actor_id, record, "Your proposal"):
        await _reply(client, record, build_proposal_reply(proposed), broadcast=True)
        await _refresh_parent(client, record)


async def publish_return_confirmed(client: AsyncWebClient, event: ReturnConfirmedEvent) -> None:
    record = event.record
    async with _announcing(client, event.actor_id, record, "Your confirmation of the return"):
        await _reply(client, record, build_return_confirmed(event))
        await _refresh_parent(client, record)


async def publish_home(client: AsyncWebClient, user_id: str, view: View) -> None:
    """Show a person their App Home. A failure is only logged: the Home is published again
    each time they open it, and nothing they did is lost."""
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("home of %s not published: %s", user_id, slack_error(exc))


async def dm(client: AsyncWebClient, user_id: str, message: Message) -> bool:
    try:
        await client.chat_postMessage(channel=user_id, **message.as_kwargs())
    except SlackApiError as exc:
        log.error("direct message to %s failed: %s", user_id, slack_error(exc))
        return False
    return True
