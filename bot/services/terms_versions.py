"""The versions of a secondment's terms: the number a new version takes, and going back from an
open proposal (a new version being decided) to the version in force. Proposals
(bot/services/proposals.py), an early end (bot/services/early_end.py), a confirmed return
(bot/services/end_of_term.py) and HR's refusal of an extension (bot/services/exceptions.py) use
them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.states import Outcome, Side, SideState, Status
from bot.models import Decision, Secondment, TermsVersion
from bot.services.changes import side_values


async def next_terms_version(session: AsyncSession, secondment_id: int) -> int:
    """The number of a new version: after every version written, a proposal's included."""
    latest = await session.scalar(
        select(func.max(TermsVersion.version)).where(TermsVersion.secondment_id == secondment_id)
    )
    return (latest or 0) + 1


async def closing_proposal(
    session: AsyncSession, secondment_id: int, terms_version: int
) -> dict[Any, Any]:
    """The values that close an open proposal: back to active under the terms in force, each
    side showing the approval it gave those terms."""
    t = Secondment.__table__.c
    values: dict[Any, Any] = {
        t.status: Status.ACTIVE.value,
        t.proposal_kind: null(),
        t.proposal_version: null(),
        t.proposed_by: null(),
    }
    approvals = await session.scalars(
        select(Decision)
        .where(
            Decision.secondment_id == secondment_id,
            Decision.terms_version == terms_version,
            Decision.outcome == Outcome.APPROVED,
        )
        .order_by(Decision.id)
    )
    latest = {d.side: d for d in approvals}
    for side in Side:
        decision = latest.get(side)
        values |= side_values(
            side,
            SideState.APPROVED,
            decision.decided_by if decision else None,
            decision.created_at if decision else None,
        )
    return values
