"""Words added to the approval thread: a manager's response to a block, and HR's notes.

Each note is keyed by the Slack view that submitted it, so a retried submission adds nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.errors import InvalidInput
from bot.domain.kinds import NoteKind
from bot.domain.notes import NoteAdded
from bot.domain.permissions import check_can_respond, check_is_hr
from bot.models import Note
from bot.services.audit import record_event
from bot.services.outbox import Announce, said
from bot.services.unit_of_work import change_to

NOTE_MIN = 10
NOTE_MAX = 2000


async def add_note(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    kind: NoteKind,
    text: str,
    source_key: str,
    announce: Announce[NoteAdded],
) -> NoteAdded:
    """Add a note to the thread, once per submitted form (`source_key`), and say so."""
    text = text.strip()
    if not NOTE_MIN <= len(text) <= NOTE_MAX:
        raise InvalidInput({"text": f"Write between {NOTE_MIN} and {NOTE_MAX} characters."})
    try:
        async with change_to(sessions, actor, secondment_id) as (session, record):
            if kind is NoteKind.HR_NOTE:
                check_is_hr(actor.is_hr, "add an HR note")
            else:
                check_can_respond(record, actor.user_id)
            added = NoteAdded(record, kind, actor.user_id, text, is_new=True)
            await _store(session, added, source_key, actor.now)
            return await said(session, announce, added, secondment_id, actor.now)
    except IntegrityError:
        # Said when it was first added.
        assert record is not None, "the note's key clashed, so its request was found"
        return NoteAdded(record, kind, actor.user_id, text, is_new=False)


async def _store(session: AsyncSession, added: NoteAdded, source_key: str, now: datetime) -> None:
    """Add the note under its form's key (a clash raises IntegrityError), with its audit event."""
    record = added.record
    session.add(
        Note(
            secondment_id=record.id,
            source_key=source_key,
            kind=added.kind,
            author_id=added.author_id,
            text=added.text,
            terms_version=record.terms_version,
            created_at=now,
        )
    )
    await session.flush()
    record_event(
        session,
        secondment_id=record.id,
        actor_id=added.author_id,
        action=f"note_{added.kind.value}",
        terms_version=record.terms_version,
        at=now,
        text=added.text,
    )
