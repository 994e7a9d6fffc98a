"""Every message and modal a whole secondment sends, as plain text in one file a reviewer can
read: tests/snapshots/lifecycle.txt. The lifecycle (tests/support/lifecycle_play.py) is played
with the clock moved in steps, then a month on for the follow-up; any change of wording shows in
that file's diff. After a deliberate change, write the file anew with
`UPDATE_SNAPSHOTS=1 pytest tests/slack/test_message_snapshot.py` and read the diff."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import time_machine
from sqlalchemy import select

from bot.models import Nudge
from bot.slack.ids import Callback
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness
from tests.support.lifecycle_play import at, play, settle, swept
from tests.support.plain_text import blocks_as_text, view_as_text
from tests.support.snapshots import check_snapshot

NAMES = {EMPLOYEE: "the employee", HOME: "the home manager", HOST: "the host manager"}


def _where(call: Any, thread_channel: str) -> str:
    channel = str(call.body.get("channel"))
    if channel == thread_channel or call.body.get("thread_ts"):
        return "the approval thread" + (
            " (and the conversation)"
            if call.body.get("reply_broadcast") in (True, "true", "1")
            else ""
        )
    person = channel if channel in NAMES else "U" + channel[1:]
    return NAMES.get(person, f"HR ({channel})")


def _outbox_id(message: dict[str, Any]) -> int:
    return int(((message.get("metadata") or {}).get("event_payload") or {}).get("outbox_id", 0))


def render(bot: Harness, thread_channel: str, sent_at: dict[int, datetime]) -> str:
    """Every message as it was sent, in the order it was sent (`sent_at`, by outbox id; one
    sweep's messages in the order they were written); those changed later (the thread's parent,
    closed questions) as they stand at the end; every modal, and every private reply."""
    out: list[str] = []
    posted = [
        c for c in bot.slack.sent("chat.postMessage") if c.error is None and c.body.get("metadata")
    ]
    posted.sort(key=lambda c: (sent_at[_sent_id(c)], _sent_id(c)))
    out.append("######## Messages, in the order they were sent")
    for call in posted:
        out += ["", f"--- to {_where(call, thread_channel)}", *blocks_as_text(call.body["blocks"])]
    out += ["", "######## Messages changed since, as they stand at the end"]
    for channel, messages in sorted(bot.slack.posted_everywhere().items()):
        for message in messages:
            first = next(
                (c for c in posted if _sent_id(c) == _outbox_id(message)),
                None,
            )
            now = blocks_as_text(message.get("blocks"))
            if first is None or now != blocks_as_text(first.body["blocks"]):
                where = "the approval thread" if channel == thread_channel else channel
                out += ["", f"--- in {where}", *now]
    out += ["", "######## Modals, as each was first opened"]
    seen: set[str] = set()
    for call in bot.slack.sent("views.open"):
        view = call.body["view"]
        if view["callback_id"] not in seen:
            seen.add(view["callback_id"])
            out += ["", *view_as_text(view)]
    out += ["", "######## Private replies"]
    for call in bot.slack.sent("response_url"):
        if call.body.get("text"):
            out += ["", *(blocks_as_text(call.body.get("blocks")) or [str(call.body["text"])])]
    return "\n".join(out) + "\n"


def _metadata(call: Any) -> dict[str, Any]:
    metadata = call.body.get("metadata")
    return dict(json.loads(metadata) if isinstance(metadata, str) else metadata or {})


def _sent_id(call: Any) -> int:
    return _outbox_id({"metadata": _metadata(call)})


async def test_every_message_and_modal_of_a_secondment_reads_as_the_snapshot(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    await bot.command(EMPLOYEE, "request")  # the form, as the employee opens it
    await bot.handled()
    await bot.opened_modal(Callback.REQUEST)
    ended = await play(bot, clock)
    await settle(bot, await swept(bot, at(5, 31, 8)))  # the follow-up, a month after the end
    row = await bot.secondment(1)
    assert row.channel_id is not None and ended

    async with bot.sessions() as session:
        sent_at = {n.id: n.sent_at for n in await session.scalars(select(Nudge)) if n.sent_at}
    text = render(bot, row.channel_id, sent_at)

    check_snapshot("lifecycle.txt", text)
