"""Where a composed message goes, as an outbox row: to a person, into the approval thread, in
place of the questions it closes, to an actor outside the thread, and to the App Home a click
came from. bot/slack/announce.py composes what each change says with these.
"""

from __future__ import annotations

from typing import Any, TypeVar

from bot.domain.kinds import Destination, NudgeKind
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.services.outbox import Announce, Outgoing
from bot.slack.builders.messages import Message
from bot.slack.builders.replies import build_actor_copy

T = TypeVar("T")


def and_home(announce: Announce[T], body: dict[str, Any], user_id: str) -> Announce[T]:
    """`announce`, and when the click came from the person's App Home, that Home published
    again as it then stands, with the sections shown as they were."""
    view = body.get("view") or {}
    if view.get("type") != "home":
        return announce
    shown = {"shown": str(view.get("private_metadata") or "")}
    home = Outgoing(NudgeKind.HOME_UPDATE, None, user_id, shown)
    return lambda change: [*announce(change), home]


def to_person(user_id: str, message: Message) -> Outgoing:
    """A direct message to one person."""
    return Outgoing(NudgeKind.MESSAGE, Destination.PERSON, user_id, message.as_kwargs())


def closing(
    record: SecondmentRecord,
    kinds: frozenset[NudgeKind],
    message: Message,
    *,
    sequence: int | None = None,
    side: Side | None = None,
) -> list[Outgoing]:
    """The questions of `kinds` (of check-in `sequence`, or to `side`'s decider, if given) no
    longer apply: `message` takes the place of each, buttons and all, where it was posted.
    Nothing, when the record (as read for the change) has no question open."""
    if not record.questions_open:
        return []
    payload = {
        "kinds": sorted(kinds),
        "sequence": sequence,
        "side": side,
        "message": message.as_kwargs(),
    }
    return [Outgoing(NudgeKind.QUESTIONS_CLOSED, payload=payload)]


def to_actor_outside(record: SecondmentRecord, actor_id: str, reply: Message) -> list[Outgoing]:
    """A copy of the thread's `reply` for an actor who is not one of the three in the thread
    (HR, a delegate): everyone who acts sees that it was recorded."""
    if actor_id in record.parties:
        return []
    return [to_person(actor_id, build_actor_copy(reply, record))]


def in_thread(message: Message, *, broadcast: bool = False) -> Outgoing:
    """A reply in the approval thread (`broadcast`: also shown in the conversation)."""
    where = Destination.BROADCAST if broadcast else Destination.THREAD
    return Outgoing(NudgeKind.MESSAGE, where, None, message.as_kwargs())
