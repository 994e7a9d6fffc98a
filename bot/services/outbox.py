"""The outbox: what a change says, written in the change's own transaction.

A service that changes a secondment is handed an `Announce` for its result (the Slack layer
composes the messages; services never see Block Kit) and stores what it returns as nudge rows
due at once, before the transaction commits. The sweep's delivery sends them like any other
nudge, with the same claims and retries, so a message is never lost because Slack failed or the
process died between the change and the send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.followups import Destination, NudgeKind
from bot.models import Nudge


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One thing a change says: a MESSAGE composed now, or a THREAD_UPDATE (the thread's parent
    re-drawn from the state as it stands when it is sent)."""

    kind: NudgeKind
    destination: Destination | None = None
    recipient_id: str | None = None
    payload: dict[str, Any] | None = None


THREAD_UPDATE = Outgoing(NudgeKind.THREAD_UPDATE)

T = TypeVar("T")
# Composes what a change of type T says.
Announce = Callable[[T], Sequence[Outgoing]]


def quiet(_: object) -> Sequence[Outgoing]:
    """An `Announce` that says nothing, for a change no one is to hear about."""
    return ()


async def write_outbox(
    session: AsyncSession,
    secondment_id: int,
    outgoing: Sequence[Outgoing],
    now: datetime,
    *,
    terms_version: int = 0,
) -> None:
    """Store `outgoing` for `secondment_id`, due at `now`, in the caller's transaction."""
    if not outgoing:
        return
    await session.execute(
        insert(cast(Table, Nudge.__table__)),
        [
            {
                "secondment_id": secondment_id,
                "kind": item.kind,
                # Round and sequence keep the order of what one change says; the round is the
                # terms version it was said about, for the record.
                "round": terms_version,
                "side": None,
                "sequence": position,
                "recipient_id": item.recipient_id,
                "due_at": now,
                "attempts": 0,
                "created_at": now,
                "destination": item.destination,
                "payload": item.payload,
            }
            for position, item in enumerate(outgoing)
        ],
    )


async def said(
    session: AsyncSession, announce: Announce[T], change: T, secondment_id: int, now: datetime
) -> T:
    """Write what `announce` makes of `change` to the outbox; returns `change`."""
    await write_outbox(session, secondment_id, announce(change), now)
    return change
