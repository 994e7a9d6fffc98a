"""Words added to the approval thread: a manager's response to a block, and HR's notes.

Each note is keyed by the Slack view that submitted it, so a retried submission adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.db import Sessions
from bot.domain.errors import InvalidInput
from bot.domain.kinds import NoteKind
from bot.domain.permissions import check_can_respond, check_is_hr
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.models import Note
from bot.services.audit import record_event
from bot.services.loading import load_visible, lock_secondment
from bot.services.outbox import Announce, said

NOTE_MIN = 10
NOTE_MAX = 2000


@dataclass(frozen=True, slots=True)
class NoteAdded:
    record: SecondmentRecord
    kind: NoteKind
    author_id: str
    text: str
    is_new: bool


async def add_note(
    sessions: Sessions,
    *,
    team_id: str,
    secondment_id: int,
    actor_id: str,
    kind: NoteKind,
    text: str,
    source_key: str,
    actor_is_hr: bool,
    announce: Announce[NoteAdded],
    policy: Policy,
    now: datetime,
) -> NoteAdded:
    text = text.strip()
    if not NOTE_MIN <= len(text) <= NOTE_MAX:
        raise InvalidInput({"text": f"Write between {NOTE_MIN} and {NOTE_MAX} characters."})
    try:
        async with sessions.begin() as session:
            await lock_secondment(session, secondment_id)
            record = await load_visible(
                session, team_id, secondment_id, actor_id, policy, actor_is_hr=actor_is_hr
            )
            if kind is NoteKind.HR_NOTE:
                check_is_hr(actor_is_hr, "add an HR note")
            else:
                check_can_respond(record, actor_id)
            session.add(
                Note(
                    secondment_id=secondment_id,
                    source_key=source_key,
                    kind=kind,
                    author_id=actor_id,
                    text=text,
                    terms_version=record.terms_version,
                    created_at=now,
                )
            )
            await session.flush()
            record_event(
                session,
                secondment_id=secondment_id,
                actor_id=actor_id,
                action=f"note_{kind.value}",
                terms_version=record.terms_version,
                at=now,
                text=text,
            )
            added = NoteAdded(record, kind, actor_id, text, is_new=True)
            return await said(session, announce, added, secondment_id, now)
    except IntegrityError:
        # Said when it was first added.
        assert record is not None, "the note's key clashed, so its request was found"
        return NoteAdded(record, kind, actor_id, text, is_new=False)
