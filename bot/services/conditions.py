"""A decider's approval with conditions (docs/DOMAIN.md friction 3): the conditions, applied to
the current terms (bot/domain/conditions.py), become a new version already approved on their
side, and the other side is asked again (bot/services/changes.py)."""

from __future__ import annotations

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.conditions import ConditionsForm, apply_conditions
from bot.domain.decisions import DecisionRef
from bot.domain.errors import InvalidInput
from bot.domain.term_changes import TermsChangedEvent
from bot.services.changes import change_terms
from bot.services.loading import load_visible
from bot.services.outbox import Announce
from bot.services.people import today_of


async def approve_with_conditions(
    sessions: Sessions,
    *,
    actor: Actor,
    ref: DecisionRef,
    form: ConditionsForm,
    announce: Announce[TermsChangedEvent],
) -> TermsChangedEvent:
    """A decider's conditions, applied to the current terms and approved on their side."""
    async with sessions.begin() as session:
        record = await load_visible(
            session, actor.team_id, ref.secondment_id, actor.user_id, actor.policy
        )
        today = await today_of(session, actor.team_id, actor.user_id, actor.now)
    applied = apply_conditions(record.terms, form, today, actor.policy)
    if isinstance(applied, dict):
        raise InvalidInput(applied)
    terms, note = applied
    return await change_terms(
        sessions,
        secondment_id=ref.secondment_id,
        seen_version=ref.terms_version,
        terms=terms,
        note=note,
        announce=announce,
        actor=actor,
        approving_side=ref.side,
    )
