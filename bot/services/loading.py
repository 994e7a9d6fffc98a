"""Loading secondments from the database into immutable `SecondmentRecord`s, in a fixed number of
queries however many are loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.domain.blocks import BlockDetails, BlockReason, Condition
from bot.domain.permissions import check_can_see
from bot.domain.policy import Policy, policy_notes, return_rights_note
from bot.domain.record import (
    AgreedObjectives,
    CheckInInfo,
    DecisionInfo,
    EscalationInfo,
    Proposal,
    ReturnConfirmed,
    SecondmentRecord,
    SideRecord,
)
from bot.domain.states import Outcome, Side, SideState
from bot.domain.terms import Terms
from bot.models import CheckIn, Decision, Escalation, Secondment, TermsVersion


def terms_of(row: TermsVersion) -> Terms:
    # The terms table has a column for every Terms field, under the same name.
    return Terms(**{field.name: getattr(row, field.name) for field in fields(Terms)})


def _decision_info(decision: Decision) -> DecisionInfo:
    block = None
    if decision.outcome is Outcome.BLOCKED and decision.reason is not None:
        block = BlockDetails(
            reason=BlockReason(decision.reason),
            explanation=decision.explanation or "",
            conditions=tuple(Condition(c) for c in decision.conditions or ()),
            conditions_note=decision.conditions_note,
        )
    justification = decision.explanation if block is None else None
    return DecisionInfo(
        decision.kind, decision.decided_by, decision.on_behalf_of, block, justification
    )


def to_record(
    row: Secondment,
    decisions: dict[Side, Decision],
    escalations: Sequence[Escalation],
    check_ins: Sequence[CheckIn],
    policy: Policy,
) -> SecondmentRecord:
    current = next(t for t in row.terms if t.version == row.terms_version)
    terms = terms_of(current)
    proposal = None
    if row.proposal_kind and row.proposal_version and row.proposed_by:
        proposed = next(t for t in row.terms if t.version == row.proposal_version)
        proposal = Proposal(
            row.proposal_kind,
            row.proposal_version,
            terms_of(proposed),
            row.proposed_by,
            proposed.change_note,
            tuple(
                note
                for note in [return_rights_note(terms_of(proposed), policy)]
                if note is not None
            ),
        )

    def side(side: Side) -> SideRecord:
        state = row.state_of(side)
        decision = decisions.get(side) if state is not SideState.PENDING else None
        return SideRecord(
            side=side,
            manager_id=row.manager_of(side),
            delegate_id=row.delegate_of(side),
            state=state,
            decided_by=row.decided_by(side),
            decided_at=row.decided_at(side),
            decision=_decision_info(decision) if decision else None,
        )

    return SecondmentRecord(
        id=row.id,
        team_id=row.team_id,
        employee_id=row.employee_id,
        status=row.status,
        terms_version=row.terms_version,
        terms=terms,
        home=side(Side.HOME),
        host=side(Side.HOST),
        notes=tuple(policy_notes(terms, policy)),
        round=row.round,
        round_started_at=row.round_started_at,
        open_escalations=tuple(
            EscalationInfo(e.kind, e.raised_by, e.created_at) for e in escalations
        ),
        objectives=(
            AgreedObjectives(row.agreed_objectives, row.objectives_set_by, row.objectives_set_at)
            if row.agreed_objectives and row.objectives_set_by and row.objectives_set_at
            else None
        ),
        check_in_weeks=row.check_in_weeks or policy.check_in_every_weeks,
        check_ins=tuple(
            CheckInInfo(c.sequence, c.answer, c.answered_at, c.missed_at) for c in check_ins
        ),
        outcome=row.outcome,
        proposal=proposal,
        return_confirmed=(
            ReturnConfirmed(row.return_confirmed_by, row.return_confirmed_at)
            if row.return_confirmed_by and row.return_confirmed_at
            else None
        ),
        channel_id=row.channel_id,
        thread_ts=row.thread_ts,
        thread_url=row.thread_url,
        created_at=row.created_at,
    )


async def load_records(
    session: AsyncSession, rows: Sequence[Secondment], policy: Policy
) -> list[SecondmentRecord]:
    """Records for already-loaded rows (with terms): their latest decisions on the terms being
    decided (a proposal's, or else the current ones), open escalations and check-ins, in one
    query each."""
    ids = [r.id for r in rows]
    latest: dict[int, dict[Side, Decision]] = {}
    open_escalations: dict[int, list[Escalation]] = {}
    check_ins: dict[int, list[CheckIn]] = {}
    if ids:
        current = {r.id: r.proposal_version or r.terms_version for r in rows}
        for decision in await session.scalars(
            select(Decision).where(Decision.secondment_id.in_(ids)).order_by(Decision.id)
        ):
            if decision.terms_version == current[decision.secondment_id]:
                latest.setdefault(decision.secondment_id, {})[decision.side] = decision
        for escalation in await session.scalars(
            select(Escalation)
            .where(Escalation.secondment_id.in_(ids), Escalation.resolved_at.is_(None))
            .order_by(Escalation.id)
        ):
            open_escalations.setdefault(escalation.secondment_id, []).append(escalation)
        for check_in in await session.scalars(
            select(CheckIn).where(CheckIn.secondment_id.in_(ids)).order_by(CheckIn.sequence)
        ):
            check_ins.setdefault(check_in.secondment_id, []).append(check_in)
    return [
        to_record(
            r, latest.get(r.id, {}), open_escalations.get(r.id, []), check_ins.get(r.id, []), policy
        )
        for r in rows
    ]


async def load_record(
    session: AsyncSession, team_id: str, secondment_id: int, policy: Policy
) -> SecondmentRecord | None:
    row = await session.scalar(
        select(Secondment)
        .where(Secondment.id == secondment_id, Secondment.team_id == team_id)
        .options(selectinload(Secondment.terms))
        .execution_options(populate_existing=True)
    )
    if row is None:
        return None
    (record,) = await load_records(session, [row], policy)
    return record


async def load_visible(
    session: AsyncSession,
    team_id: str,
    secondment_id: int,
    actor_id: str,
    policy: Policy,
    *,
    actor_is_hr: bool = False,
) -> SecondmentRecord:
    """The record, if `actor_id` may see it (bot.domain.permissions.check_can_see)."""
    record = await load_record(session, team_id, secondment_id, policy)
    return check_can_see(record, secondment_id, actor_id, actor_is_hr)
