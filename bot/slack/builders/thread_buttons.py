"""The approval thread's buttons below the sides' decisions: the way forward after a block, the
employee's before the start, and the end of term while it is under way; and the link that opens
the thread from elsewhere."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    SectionBlock,
)

from bot.domain.record import SecondmentRecord
from bot.domain.states import Status
from bot.slack.builders.text import day, md, mention, moment
from bot.slack.ids import Action
from bot.slack.refs import RequestRef


def button(text: str, action: Action, value: str, style: str | None = None) -> ButtonElement:
    """A button of the thread's, carrying what it acts on in its value."""
    return ButtonElement(text=text, action_id=action, value=value, style=style)


def way_forward_blocks(record: SecondmentRecord) -> list[Block]:
    """After a block: the other side can respond; either of them can bring in HR."""
    blocked = record.blocked_side
    if not record.status.is_blocked or blocked is None:
        return []
    other = record.side(blocked.side.other).decider_id
    ref = RequestRef(record.id, record.terms_version).encode()
    also = (
        "Any of the three can also propose something else, or confirm the planned return."
        if record.proposal
        else f"{mention(record.employee_id)} can also propose changed terms."
    )
    return [
        SectionBlock(
            text=md(
                f"*A way forward:* {mention(other)} can respond to the block. "
                f"{mention(record.employee_id)} or {mention(other)} can ask HR to review it. "
                + also
            )
        ),
        ActionsBlock(
            block_id="way_forward",
            elements=[
                button("Respond to the block", Action.RESPOND, ref),
                button("Ask HR to review", Action.ASK_HR, ref),
            ],
        ),
    ]


def withdraw_button(record: SecondmentRecord) -> ButtonElement:
    """The employee's Withdraw, asking first."""
    ref = RequestRef(record.id, record.terms_version).encode()
    withdraw = button("Withdraw", Action.WITHDRAW, ref, "danger")
    withdraw.confirm = ConfirmObject(
        title="Withdraw this request?",
        text=md("The managers are told, reminders stop, and the request is closed."),
        confirm="Withdraw",
        deny="Keep it",
        style="danger",
    )
    return withdraw


def employee_blocks(record: SecondmentRecord) -> list[Block]:
    """The employee's buttons while the request is open: propose changes, or withdraw."""
    if not record.status.is_open:
        return []
    ref = RequestRef(record.id, record.terms_version).encode()
    withdraw = withdraw_button(record)
    return [
        ContextBlock(elements=[md(f"For {mention(record.employee_id)}, before the start:")]),
        ActionsBlock(
            block_id="employee",
            elements=[button("Propose changes", Action.PROPOSE_CHANGE, ref), withdraw],
        ),
    ]


def end_of_term_buttons(record: SecondmentRecord) -> ActionsBlock:
    """Return as planned, or propose an extension or a permanent move."""
    ref = RequestRef(record.id, record.terms_version).encode()
    confirm = button("Return as planned", Action.CONFIRM_RETURN, ref, "primary")
    confirm.confirm = ConfirmObject(
        title="Confirm the return?",
        text=md(
            f"{record.terms.return_arrangement.label} after {day(record.terms.end_date)}. The "
            "other two are told, and the end-of-term reminders stop."
        ),
        confirm="Confirm",
        deny="Not yet",
    )
    return ActionsBlock(
        block_id="end_of_term",
        elements=[
            confirm,
            button("Propose an extension", Action.PROPOSE_EXTENSION, ref),
            button("Propose a permanent move", Action.PROPOSE_PERMANENT, ref),
        ],
    )


def _end_state(record: SecondmentRecord) -> str:
    if record.outcome is not None:
        return f"*At the end:* {record.outcome.label.lower()} (agreed)."
    if record.return_confirmed is not None:
        confirmed = record.return_confirmed
        return (
            f"*At the end:* return to the home role, confirmed by {mention(confirmed.by)} on "
            f"{moment(confirmed.at)}."
        )
    return (
        f"*At the end:* {record.terms.return_arrangement.label.lower()}, unless an extension "
        "or a permanent move is agreed. Any of the three can confirm or propose."
    )


def underway_blocks(record: SecondmentRecord) -> list[Block]:
    """While it is under way: what happens at the end, and ending it early."""
    if not record.status.is_underway:
        return []
    ref = RequestRef(record.id, record.terms_version).encode()
    blocks: list[Block] = [DividerBlock(), SectionBlock(text=md(_end_state(record)))]
    if record.outcome is None and record.status is not Status.PROPOSAL_PENDING:
        blocks.append(end_of_term_buttons(record))
    blocks += [
        ContextBlock(elements=[md("Any of the three can end it early, with a reason.")]),
        ActionsBlock(block_id="underway", elements=[button("End early", Action.END_EARLY, ref)]),
    ]
    return blocks


def build_open_thread_button(record: SecondmentRecord) -> list[Block]:
    """A link to the approval thread, for a message sent outside it; nothing before it opens."""
    if not record.thread_url:
        return []
    return [
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Open the approval thread",
                    action_id=Action.OPEN_THREAD,
                    url=record.thread_url,
                )
            ]
        )
    ]
