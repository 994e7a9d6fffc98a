"""The employee's edit of the terms (a way forward after a block, or a change before the start):
checked like a new request, in their own calendar, with an exception to HR's rules asked
where the new terms need one; bot/services/changes.py makes the change."""

from __future__ import annotations

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.conditions import CHANGE_NOTE_MAX
from bot.domain.errors import InvalidInput
from bot.domain.permissions import check_can_change
from bot.domain.request_form import RequestForm, validate_exception, validate_terms
from bot.domain.term_changes import TermsChangedEvent
from bot.services.changes import change_terms
from bot.services.loading import load_visible
from bot.services.outbox import Announce
from bot.services.people import today_of


async def propose_change(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    seen_version: int,
    form: RequestForm,
    note: str | None,
    announce: Announce[TermsChangedEvent],
) -> TermsChangedEvent:
    """The employee's edit of the terms, checked like a new request (in their own calendar)."""
    async with sessions.begin() as session:
        record = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        check_can_change(record, actor.user_id)
        today = await today_of(session, actor.team_id, actor.user_id, actor.now)
    terms = validate_terms(form, today=today, policy=actor.policy)
    errors = terms if isinstance(terms, dict) else {}
    if note and len(note) > CHANGE_NOTE_MAX:
        errors["change_note"] = f"Keep this to {CHANGE_NOTE_MAX} characters or fewer."
    exception = validate_exception(form, actor.policy)
    if isinstance(exception, dict):
        errors = {**exception, **errors}
    if errors or isinstance(terms, dict) or isinstance(exception, dict):
        raise InvalidInput(errors)
    return await change_terms(
        sessions,
        secondment_id=secondment_id,
        seen_version=seen_version,
        terms=terms,
        note=note,
        announce=announce,
        actor=actor,
        exception=exception,
    )
