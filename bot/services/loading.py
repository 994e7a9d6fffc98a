"""Loading secondments from the database into immutable `SecondmentRecord`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.domain.blocks import BlockDetails, BlockReason, Condition
from bot.domain.policy import Policy, policy_notes
from bot.domain.record import SecondmentRecord, SideRecord
from bot.domain.states import Outcome, Side, SideState
from bot.domain.terms import Terms
from bot.models import Decision, Secondment, TermsVersion


def terms_of(row: TermsVersion) -> Terms:
    # The terms table has a column for every Terms field, under the same name.
    return Terms(**{field.name: getattr(row, field.name) for field in fields(Terms)})


def _block_of(decision: Decision | None) -> BlockDetails | None:
    if decision is None or decision.outcome is not Outcome.BLOCKED or decision.reason is None:
        return None
    return BlockDetails(
        reason=BlockReason(decision.reason),
        explanation=decision.explanation or "",
        conditions=tuple(Condition(c) for c in decision.conditions or ()),
        conditions_note=decision.conditions_note,
    )


def to_record(row: Secondment, blocks: dict[Side, Decision], policy: Policy) -> SecondmentRecord:
    current = next(t for t in row.terms if t.version == row.terms_version)
    terms = terms_of(current)

    def side(side: Side) -> SideRecord:
        state = row.state_of(side)
        return SideRecord(
            side=side,
            manager_id=row.manager_of(side),
            state=state,
            decided_by=row.decided_by(side),
            decided_at=row.decided_at(side),
            block=_block_of(blocks.get(side)) if state is SideState.BLOCKED else None,
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
        channel_id=row.channel_id,
        thread_ts=row.thread_ts,
        thread_url=row.thread_url,
        created_at=row.created_at,
    )


async def load_records(
    session: AsyncSession, rows: Sequence[Secondment], policy: Policy
) -> list[SecondmentRecord]:
    """Records for already-loaded rows (with terms), fetching their blocks in one query."""
    blocked_ids = [r.id for r in rows if SideState.BLOCKED in (r.home_state, r.host_state)]
    latest: dict[int, dict[Side, Decision]] = {}
    if blocked_ids:
        decisions = await session.scalars(
            select(Decision)
            .where(Decision.secondment_id.in_(blocked_ids), Decision.outcome == Outcome.BLOCKED)
            .order_by(Decision.id)
        )
        for decision in decisions:
            latest.setdefault(decision.secondment_id, {})[decision.side] = decision
    return [to_record(r, latest.get(r.id, {}), policy) for r in rows]


async def load_record(
    session: AsyncSession, team_id: str, secondment_id: int, policy: Policy
) -> SecondmentRecord | None:
    row = await session.scalar(
        select(Secondment)
        .where(Secondment.id == secondment_id, Secondment.team_id == team_id)
        .options(selectinload(Secondment.terms))
    )
    if row is None:
        return None
    (record,) = await load_records(session, [row], policy)
    return record
