"""The SQL a request and a decision on it run, counted on the test database from the signed
request to the last thing done after the ack: a fixed few statements, in one transaction per
change, however many secondments the people already have (docs/BENCHMARKS.md measures the same)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.states import Side, SideState, Status
from bot.slack.ids import Action, Callback
from tests.support import forms
from tests.support.flows import ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread
from tests.support.seeds import Spec, counting, seed

START, END = date(2027, 2, 1), date(2027, 7, 30)

# (statements, transactions) of each: SQLite's engine adds a BEGIN IMMEDIATE to each transaction.
# What a change says is written claimed for the request that made it (bot/services/outbox.py),
# and sent right after with the record the change left: no claim, no read, no last look; what
# was sent is marked once the batch ends.
EXPECTED = {
    # Stored: the secondment, its terms, the audit event, the people, the nudges, whether its
    # messages may be claimed at once, the outbox row for the thread (7). The thread:
    # remembered with its audit event and the employee's confirmation, claimed at once unless
    # the employee is away (4; the workspace is known not to be paused), marked. The
    # confirmation, a DM written in full,
    # sent with the record in hand: marked. Each marking first holds the secondment still,
    # so that a change made meanwhile finds its messages sent or is found (2).
    "request": (15, 4),
    # The insert its key refuses; then the first request, read back in one query. Its messages
    # are the first submission's to send.
    "retried request": (2, 2),
    # The claim, the secondment read once (with its people's timezones and whether its
    # messages may be claimed at once), nudges read, the reminders cancelled, the decision, the
    # audit event, the outbox rows (7). The reply and the parent, both marked together, with
    # the secondment held still (2).
    "approve": (9, 2),
    # As for an approval, with the other side's decision read with the secondment (the record
    # shows both); its reminders are cancelled and its start planned: one statement more.
    "completing approval": (10, 2),
    # The claim, the secondment read once, its waiting nudges cancelled, decision, audit, the
    # outbox rows (6); then as for an approval.
    "block": (8, 2),
}


def _existing(count: int) -> list[Spec]:
    """`count` secondments of the same people, in the states that have decisions, escalations
    and check-ins."""
    states = (Status.PENDING, Status.APPROVED, Status.ACTIVE, Status.BLOCKED)
    return [
        Spec(EMPLOYEE, states[n % len(states)], escalated=n % 7 == 0, missed=n % 5 == 0)
        for n in range(count)
    ]


Interactions = dict[str, Callable[[], Awaitable[None]]]


async def _interactions(bot: Harness, size: int) -> tuple[Interactions, Thread, Thread, Thread]:
    """Each interaction, ready to run: the request submitted afresh and again, an approval, the
    approval that completes one (its host manager has approved) and a block on requests made
    through Slack (so their reminders are planned); and the requests approved, completed and
    blocked."""
    to_approve = await bot.submit_request(START, END)
    to_complete = await bot.submit_request(START, END)
    to_block = await bot.submit_request(START, END)
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)
    view_id = f"V0STATEMENTS{size}"

    async def request() -> None:
        assert (await bot.submit(EMPLOYEE, Callback.REQUEST, values, view_id=view_id)).status == 200

    async def approve() -> None:
        await bot.click(HOME, Action.APPROVE, ref(to_approve, Side.HOME), to_approve)

    await bot.click(HOST, Action.APPROVE, ref(to_complete, Side.HOST), to_complete)
    await bot.handled()

    async def complete() -> None:
        await bot.click(HOME, Action.APPROVE, ref(to_complete, Side.HOME), to_complete)

    # The Block modal is opened first: what is counted is its submission.
    await bot.click(HOME, Action.BLOCK, ref(to_block, Side.HOME), to_block)
    await bot.handled()
    metadata = (await bot.opened_modal(Callback.BLOCK)).body["view"]["private_metadata"]

    async def block() -> None:
        await bot.submit(HOME, Callback.BLOCK, forms.block_values(), private_metadata=metadata)

    interactions: Interactions = {
        "request": request,
        "retried request": request,
        "approve": approve,
        "completing approval": complete,
    }
    return interactions | {"block": block}, to_approve, to_complete, to_block


async def test_a_request_and_a_decision_run_a_few_statements_however_many_there_are(
    bot: Harness, engine: AsyncEngine
) -> None:
    per_transaction = 1 if engine.dialect.name == "sqlite" else 0  # BEGIN IMMEDIATE
    counted: dict[str, list[list[str]]] = {name: [] for name in EXPECTED}
    decided: list[tuple[Thread, Thread, Thread]] = []
    seeded = 0
    for size in (10, 400):
        await seed(bot.sessions, _existing(size - seeded))
        seeded = size
        interactions, to_approve, to_complete, to_block = await _interactions(bot, size)
        for name, interaction in interactions.items():
            with counting(engine) as statements:
                await interaction()
                await bot.handled()
            counted[name].append(statements)
        decided.append((to_approve, to_complete, to_block))

    counts = {name: [len(s) for s in runs] for name, runs in counted.items()}
    assert counts == {
        name: [statements + transactions * per_transaction] * 2
        for name, (statements, transactions) in EXPECTED.items()
    }, counted
    for to_approve, to_complete, to_block in decided:
        approved = await bot.secondment(to_approve.secondment_id)
        assert (approved.status, approved.home_state) == (Status.PENDING, SideState.APPROVED)
        assert (await bot.secondment(to_complete.secondment_id)).status is Status.APPROVED
        assert (await bot.secondment(to_block.secondment_id)).status is Status.BLOCKED
    # At each size four requests opened a thread: three to decide on, one submitted twice.
    assert len(bot.slack.sent("conversations.open")) == 2 * 4


async def test_an_approval_that_closes_its_reminder_does_so_within_its_own_transactions(
    bot: Harness, engine: AsyncEngine
) -> None:
    """The manager was reminded: the approval also takes where the reminder is and forgets it
    (two statements, in the change's transaction), and its delivery updates the reminder with
    no read of its own."""
    per_transaction = 1 if engine.dialect.name == "sqlite" else 0
    thread = await bot.submit_request(START, END)
    await bot.sweep(datetime(2027, 1, 7, 9, tzinfo=UTC))  # both managers are reminded
    (reminder,) = [m for m in bot.slack.posted(HOME) if "A reminder" in m["text"]]

    with counting(engine) as statements:
        await bot.click(HOME, Action.APPROVE, ref(thread, Side.HOME), thread)
        await bot.handled()

    statements_, transactions = EXPECTED["approve"]
    assert len(statements) == statements_ + 2 + transactions * per_transaction, statements
    (closed,) = [m for m in bot.slack.posted(HOME) if m["ts"] == reminder["ts"]]
    assert "approved the *home manager* side" in closed["text"]
