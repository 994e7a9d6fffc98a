"""Words added to the approval thread: a manager's response to a block, and HR's notes.

Each note is keyed by the Slack view that submitted it, so a retried submission adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.db import Sessions
from bot.domain.errors import NotBlocked, NotFound, OnlyHr, OnlyThesePeople
from bot.domain.followups import NoteKind
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import Status
from bot.models import Note
from bot.services.audit import record_event
from bot.services.loading import load_record

NOTE_MAX = 2000


@dataclass(frozen=True, slots=True)
class NoteAdded:
    record: SecondmentRecord
    kind: NoteKind
    author_id: str
    text: str
    is_new: bool


def may_respond(record: SecondmentRecord) -> tuple[str, ...]:
    """Who may respond to a block: whoever decides the side that did not block."""
    blocked = record.blocked_side
    return () if blocked is None else (record.side(blocked.side.other).decider_id,)


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
    policy: Policy,
    now: datetime,
) -> NoteAdded:
    try:
        async with sessions.begin() as session:
            record = await load_record(session, team_id, secondment_id, policy)
            if record is None or not (actor_is_hr or record.involves(actor_id)):
                raise NotFound(secondment_id)
            _check_author(record, kind, actor_id, actor_is_hr)
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
    except IntegrityError:
        assert record is not None, "the note's key clashed, so its request was found"
        return NoteAdded(record, kind, actor_id, text, is_new=False)
    return NoteAdded(record, kind, actor_id, text, is_new=True)


def _check_author(
    record: SecondmentRecord, kind: NoteKind, actor_id: str, actor_is_hr: bool
) -> None:
    if kind is NoteKind.HR_NOTE:
        if not actor_is_hr:
            raise OnlyHr("add an HR note")
        return
    if record.status is not Status.BLOCKED:
        raise NotBlocked()
    allowed = may_respond(record)
    if actor_id not in allowed:
        raise OnlyThesePeople("respond to the block", allowed)
