"""A manager handing their side's decision to someone else, for example while away.

The delegate decides on the manager's behalf, and the record says so. The manager can hand it to
someone else later, or take it back by choosing themself. Reminders follow the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.decisions import DecisionRef
from bot.domain.delegation import (
    DECIDING,
    OPEN_SIDE,
    Delegated,
    DelegationRefused,
    check_can_delegate,
    refuse_unless_open,
)
from bot.domain.errors import InvalidInput, NoLongerPending, Refusal
from bot.domain.kinds import NudgeKind
from bot.domain.people import Person
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.models import Nudge, Secondment
from bot.services.audit import record_event
from bot.services.delivered import sent_columns
from bot.services.loading import load_record, load_visible, lock_secondment
from bot.services.outbox import Announce, Outgoing, said, write_outbox
from bot.services.people import remember_people
from bot.services.replanning import replan
from bot.services.unit_of_work import change_to


async def delegate(
    sessions: Sessions,
    *,
    actor: Actor,
    ref: DecisionRef,
    person: Person | None,
    announce: Announce[Delegated],
) -> Delegated:
    """Hand `ref.side` to `person` (None: Slack does not know them)."""
    async with sessions.begin() as session:
        delegated = await _hand_over(session, actor, ref, person)
        await _drop_pending_checks(session, ref.secondment_id, actor.user_id, actor.now)
        return await said(session, announce, delegated, ref.secondment_id, actor.now)


async def delegate_chosen(
    sessions: Sessions,
    *,
    actor: Actor,
    ref: DecisionRef,
    chosen: str | None,
    people: Mapping[str, Person] | None,
    announce: Announce[Delegated],
) -> SecondmentRecord:
    """The delegate form's answer: `chosen` as Slack described them in `people`, handed the side
    at once (`delegate`); or, when Slack was too slow to describe them (`people` None), taken
    now and made once Slack has (`delegate_once_checked`). Returns the request as it stands."""
    if people is None and chosen:
        return await delegate_once_checked(sessions, ref=ref, delegate_id=chosen, actor=actor)
    delegated = await delegate(
        sessions, ref=ref, person=(people or {}).get(chosen or ""), announce=announce, actor=actor
    )
    return delegated.record


async def delegate_once_checked(
    sessions: Sessions, *, actor: Actor, ref: DecisionRef, delegate_id: str
) -> SecondmentRecord:
    """Take a delegation to `delegate_id` whom Slack was too slow to describe: what can be
    checked without Slack is checked now (raising as `delegate` would), and the rest after the
    answer, by the outbox row written here (a DELEGATE_CHECK, which `delegate_checked` settles).
    Nothing changes, and nobody is told, until then. Returns the request as it stands."""
    async with change_to(sessions, actor, ref.secondment_id) as (session, before):
        check_can_delegate(before, ref.side, actor.user_id, Person(delegate_id))
        refuse_unless_open(before, ref.side, ref.terms_version)
        await _drop_pending_checks(session, ref.secondment_id, actor.user_id, actor.now)
        record_event(
            session,
            secondment_id=ref.secondment_id,
            actor_id=actor.user_id,
            action=f"{ref.side.value}_delegate_checking",
            terms_version=ref.terms_version,
            at=actor.now,
            delegate_id=delegate_id,
        )
        check = Outgoing(
            NudgeKind.DELEGATE_CHECK,
            recipient_id=actor.user_id,
            payload={"ref": ref.encode(), "delegate": delegate_id},
        )
        await write_outbox(session, ref.secondment_id, [check], actor.now)
    return before


async def delegate_checked(
    sessions: Sessions,
    *,
    check: tuple[int, str],
    actor: Actor,
    ref: DecisionRef,
    delegate_id: str,
    person: Person | None,
    announce: Announce[Delegated],
    refused: Announce[DelegationRefused],
) -> bool:
    """Settle a DELEGATE_CHECK (`check`: its outbox row and the claim sending it) now that Slack
    has described the delegate as `person`: hand the side over and say so, as `delegate` does,
    or say why not. Once only: the row is marked sent in the same transaction. Returns False,
    changing nothing, when the claim is no longer this one's (another sweep took the row after
    this one's lease ran out, or a later choice of the manager's replaced it)."""
    async with sessions.begin() as session:
        # The secondment first, then its outbox row, as `delegate` takes them.
        await lock_secondment(session, ref.secondment_id)
        if not await _settle_check(session, check, actor.now):
            return False
        try:
            # It writes nothing before it finds a reason to refuse.
            delegated = await _hand_over(session, actor, ref, person)
        except (InvalidInput, Refusal) as problem:
            record = await load_record(session, actor.team_id, ref.secondment_id, actor.policy)
            assert record is not None
            failed = DelegationRefused(record, ref.side, actor.user_id, delegate_id, problem)
            await _say_refused(session, ref, failed, refused, actor.now)
            return True
        await said(session, announce, delegated, ref.secondment_id, actor.now)
        return True


async def _settle_check(session: AsyncSession, check: tuple[int, str], now: datetime) -> bool:
    """Mark the DELEGATE_CHECK row sent, while this claim still holds it; whether it did."""
    row_id, claim_token = check
    marked = await session.execute(
        update(Nudge)
        .where(
            Nudge.id == row_id,
            Nudge.claim_token == claim_token,
            Nudge.sent_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(sent_columns(now))
    )
    return bool(marked.rowcount == 1)  # type: ignore[attr-defined]


async def _say_refused(
    session: AsyncSession,
    ref: DecisionRef,
    failed: DelegationRefused,
    refused: Announce[DelegationRefused],
    now: datetime,
) -> None:
    """The refused delegation's audit event, and what it says."""
    record_event(
        session,
        secondment_id=ref.secondment_id,
        actor_id="bot",
        action=f"{ref.side.value}_delegation_refused",
        terms_version=ref.terms_version,
        at=now,
        delegate_id=failed.delegate_id,
        problem=type(failed.problem).__name__,
    )
    await said(session, refused, failed, ref.secondment_id, now)


async def _drop_pending_checks(
    session: AsyncSession, secondment_id: int, manager_id: str, now: datetime
) -> None:
    """The manager's latest choice stands: a delegation still waiting for Slack's word on the
    person is dropped (a DELEGATE_CHECK on its way then settles nothing)."""
    await session.execute(
        update(Nudge)
        .where(
            Nudge.secondment_id == secondment_id,
            Nudge.kind == NudgeKind.DELEGATE_CHECK,
            Nudge.recipient_id == manager_id,
            Nudge.sent_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(cancelled_at=now, last_error="replaced", payload=None)
    )


async def _hand_over(
    session: AsyncSession, actor: Actor, ref: DecisionRef, person: Person | None
) -> Delegated:
    """Hand `ref.side` to `person` for its manager `actor` (back to the manager, if it is
    them), once, with its audit event and the nudges re-planned; raise if it cannot be."""
    await lock_secondment(session, ref.secondment_id)
    before = await load_visible(
        session, actor.team_id, ref.secondment_id, actor.user_id, actor.policy
    )
    side = before.side(ref.side)
    check_can_delegate(before, ref.side, actor.user_id, person)
    assert person is not None
    new_delegate = None if person.id == side.manager_id else person.id
    if not await _set_delegate(session, ref, actor.user_id, new_delegate, actor.now):
        refuse_unless_open(before, ref.side, ref.terms_version)
        raise NoLongerPending(before.status)  # it moved on since it was read
    await remember_people(session, actor.team_id, [person], actor.now)
    record_event(
        session,
        secondment_id=ref.secondment_id,
        actor_id=actor.user_id,
        action=f"{ref.side.value}_delegated",
        terms_version=ref.terms_version,
        at=actor.now,
        delegate_id=new_delegate,
        previous_delegate_id=side.delegate_id,
    )
    await replan(session, ref.secondment_id, actor.policy, actor.now)
    record = await load_record(session, actor.team_id, ref.secondment_id, actor.policy)
    assert record is not None
    return Delegated(record, ref.side, side.manager_id, new_delegate, side.delegate_id)


async def _set_delegate(
    session: AsyncSession,
    ref: DecisionRef,
    manager_id: str,
    new_delegate: str | None,
    now: datetime,
) -> bool:
    """Set who decides `ref.side` for `manager_id`, only while it is still theirs and still
    to decide on these terms; whether it changed."""
    t = Secondment.__table__.c
    home = ref.side is Side.HOME
    state = t.home_state if home else t.host_state
    result = await session.execute(
        update(Secondment)
        .where(
            t.id == ref.secondment_id,
            (t.home_manager_id if home else t.host_manager_id) == manager_id,
            func.coalesce(t.proposal_version, t.terms_version) == ref.terms_version,
            # Only while this side still has something to decide.
            t.status.in_(DECIDING),
            state.in_([s.value for s in OPEN_SIDE]),
        )
        .values(
            {
                t.home_delegate_id if home else t.host_delegate_id: new_delegate,
                # Whoever decides now can: a side HR held for a deactivated decider is theirs.
                t.home_to_hr_at if home else t.host_to_hr_at: None,
                t.updated_at: now,
            }
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
