"""The checks a form could not make in time (Slack wants its answer within 3 s), made when the
delivery sends what the form said: each person named can decide, and a delegate chosen can.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.actor import Actor
from bot.domain.decisions import DecisionRef
from bot.services.delegation import delegate_checked
from bot.services.requests import people_checked
from bot.services.sweep import Due
from bot.slack.deps import Deps
from bot.slack.failures import CANNOT_DECIDE, CLAIM_LOST, Undelivered


async def check_people(
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


async def check_delegate(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> None:
    """The check a delegate form could not make in time: the delegation is made now if Slack
    says the person can decide, and the manager is told why not if not. The row is marked sent
    with that (see `delegate_checked`), not by the delivery."""
    assert due.payload is not None and due.recipient_id is not None
    chosen = str(due.payload["delegate"])
    people = await deps.directory.people(client, due.record.team_id, [chosen])
    settled = await delegate_checked(
        deps.sessions,
        check=(due.nudge_id, due.claim_token),
        actor=Actor(due.record.team_id, due.recipient_id, deps.policy, now),
        ref=DecisionRef.decode(str(due.payload["ref"])),
        delegate_id=chosen,
        person=people.get(chosen),
        announce=deps.say.delegation,
        refused=deps.say.delegation_refused,
    )
    if not settled:
        raise Undelivered(CLAIM_LOST)
