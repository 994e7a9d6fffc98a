"""Everyone who acts is told it was recorded: each action a person can take (every form, every
button that changes something, the HR commands; tests/support/action_walks.py) is walked here,
and the person who took it must see a confirmation: a direct message, a private reply, or a
reply in an approval thread they are one of the three in. HR and delegates, who are not in the
thread, get their own copy.

Each walk also keeps what the action showed and said (its modal, and every message it sent or
changed, to whomever) as a section of tests/snapshots/actions.txt, beside the whole lifecycle's
tests/snapshots/lifecycle.txt: a reviewer reads every wording in those two files. After a
deliberate change, `UPDATE_SNAPSHOTS=1 pytest tests/slack/test_actor_feedback.py` writes it
anew."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from bot.models import AuditEvent
from bot.slack_standin.recorded import Call
from tests.support.action_walks import CHANGING, DEPUTY, HR, PARTIES, RULES, WALKS, Walk
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread
from tests.support.plain_text import calls_as_text
from tests.support.snapshots import check_section, sections

NAMES = {
    EMPLOYEE: "the employee",
    HOME: "the home manager",
    HOST: "the host manager",
    HR: "HR",
    DEPUTY: "the delegate",
}


def heading(walk: Walk) -> str:
    return f"{walk.via}, by {NAMES[walk.actor]}"


def test_the_snapshot_has_a_section_for_each_walk_and_no_other() -> None:
    # A walk removed or renamed leaves its old section: write the file anew (delete it, then
    # run with UPDATE_SNAPSHOTS=1).
    assert set(sections("actions.txt")) == {heading(walk) for walk in WALKS}


def test_every_action_that_changes_something_is_walked() -> None:
    assert {w.via for w in WALKS} - {"approve as a delegate"} == CHANGING


def confirmations(bot: Harness, actor: str, since: int, thread: Thread) -> list[Call]:
    """What reached `actor` after call `since`: a DM, a private reply (to a click or command,
    made by the actor), or a reply in the approval thread if they are one of its three."""
    seen = []
    for call in bot.slack.calls[since:]:
        if call.error is not None:
            continue
        channel = call.body.get("channel")
        replied = call.method == "response_url" and bool(call.body.get("text"))
        posted = call.method == "chat.postMessage"
        in_their_thread = posted and channel == thread.channel and actor in PARTIES
        if replied or (posted and channel == actor) or in_their_thread:
            seen.append(call)
    return seen


@pytest.mark.settings(hr_users=HR, hr_can_override=True, **RULES)
@pytest.mark.parametrize("walk", WALKS, ids=[str(w.via) for w in WALKS])
async def test_whoever_acts_is_told_it_was_recorded(
    bot: Harness, clock: time_machine.Traveller, walk: Walk
) -> None:
    for person in (HR, DEPUTY):
        bot.slack.add_user(person)
    thread = await walk.setup(bot, clock)
    await bot.handled()
    since, recorded = len(bot.slack.calls), await audited(bot)

    acted_on = await walk.act(bot, thread)
    await bot.handled()

    # It took effect (so a refusal cannot pass for a confirmation), and the actor saw so.
    assert await audited(bot) > recorded
    seen = confirmations(bot, walk.actor, since, acted_on)
    assert seen, [(c.method, c.body.get("channel"), c.text) for c in bot.slack.calls[since:]]
    # What the action showed and said, whoever it reached, reads as tests/snapshots/actions.txt.
    said = calls_as_text(bot.slack.calls[since:], NAMES, acted_on.channel)
    check_section("actions.txt", heading(walk), "\n".join(said).strip())


async def audited(bot: Harness) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
