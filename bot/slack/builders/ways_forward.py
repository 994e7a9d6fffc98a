"""Thread replies and direct messages for what follows a block or a silence: changed terms,
withdrawal, notes, escalations, delegation, reminders, and HR's view of an escalation (what
could not be delivered is bot/slack/builders/undelivered.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.domain.decisions import DecisionRef
from bot.domain.delegation import Delegated
from bot.domain.kinds import EscalationKind, NoteKind
from bot.domain.notes import NoteAdded
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side, SideState
from bot.domain.term_changes import TermsChangedEvent
from bot.slack.builders.messages import Message, text_message
from bot.slack.builders.terms import (
    NOTE_ROOM,
    block_reason_blocks,
    change_lines,
    proposal_blocks,
    summary_line,
    terms_blocks,
)
from bot.slack.builders.text import day, escape, md, mention, moment, plain
from bot.slack.builders.thread_buttons import build_open_thread_button
from bot.slack.ids import Action
from bot.slack.refs import RequestRef


def build_change_reply(event: TermsChangedEvent) -> Message:
    """Said in the thread when the terms change: what changed, why, and who decides again."""
    record = event.record
    version = record.terms_version
    headline = (
        f"✏️ {mention(event.actor_id)} approved with conditions: the terms are now version "
        f"{version}."
        if event.approved_side
        else f"✏️ {mention(event.actor_id)} changed the terms: this is version {version}."
    )
    blocks: list[Block] = [SectionBlock(text=md(f"{headline}\n{change_lines(event.changes)}"))]
    if event.note:
        blocks.append(SectionBlock(text=md(f"*Why:* {escape(event.note, NOTE_ROOM)}")))
    undecided = [s for s in record.sides if s.state is SideState.PENDING]
    asked = " and ".join(mention(s.decider_id) for s in undecided)
    blocks.append(
        ContextBlock(
            elements=[
                md(
                    f"Decisions on version {version - 1} no longer count. {asked}, please decide "
                    f"on version {version}: the buttons on the request are for it."
                )
            ]
        )
    )
    return Message(
        text=f"{headline} Changed: " + ", ".join(c.field for c in event.changes), blocks=blocks
    )


def build_withdrawal_reply(record: SecondmentRecord) -> Message:
    """Said in the thread when the employee withdraws the request."""
    return text_message(
        f"↩️ {mention(record.employee_id)} withdrew request #{record.id}. Nothing more is needed "
        "from the managers, and the reminders have stopped."
    )


def build_note_reply(added: NoteAdded) -> Message:
    """Said in the thread: HR's note, or a response to the block."""
    if added.kind is NoteKind.HR_NOTE:
        headline = f"📝 Note from HR ({mention(added.author_id)}):"
    else:
        headline = f"💬 {mention(added.author_id)} responded to the block:"
    return text_message(f"{headline}\n>{escape(added.text, NOTE_ROOM)}")


def build_escalation_reply(
    record: SecondmentRecord, kind: EscalationKind, raised_by: str | None
) -> Message:
    """Said in the thread when HR is brought in, by a silence or by someone asking."""
    if kind is EscalationKind.NO_DECISION:
        return text_message(
            f"📣 Request #{record.id} has waited since {moment(record.round_started_at)} without "
            "a decision, so HR has been told and can help."
        )
    return text_message(
        f"📣 {mention(raised_by or '')} asked HR to review the block. HR has the request, its "
        "terms and the reason, and may add a note here."
    )


def build_delegation_reply(delegated: Delegated) -> Message:
    """Said in the thread when a manager hands their decision over, or takes it back."""
    role = delegated.side.role
    if delegated.delegate_id is None:
        text = f"🔁 {mention(delegated.manager_id)} took the {role} decision back."
    else:
        text = (
            f"🔁 {mention(delegated.manager_id)} handed the {role} decision to "
            f"{mention(delegated.delegate_id)}, who decides on their behalf."
        )
    return text_message(text)


def side_buttons(record: SecondmentRecord, side: Side) -> ActionsBlock:
    """A side's decision buttons, for whoever decides it."""
    return decision_buttons(
        DecisionRef(record.id, side, record.deciding_version),
        proposal=record.proposal is not None,
        block_id=f"decide_{side.value}",
    )


def decision_buttons(ref: DecisionRef, *, proposal: bool, block_id: str) -> ActionsBlock:
    """The buttons that decide a side on one version of the terms (`ref`), in a block of their
    own: a view that holds the buttons of several requests gives each its own `block_id`."""
    value = ref.encode()
    elements = [
        ButtonElement(text="Approve", action_id=Action.APPROVE, value=value, style="primary"),
        ButtonElement(text="Block", action_id=Action.BLOCK, value=value, style="danger"),
    ]
    if not proposal:  # conditions shape a request; a proposal is redone instead
        elements.append(
            ButtonElement(text="Approve with conditions", action_id=Action.CONDITIONS, value=value)
        )
    return ActionsBlock(block_id=block_id, elements=elements)


def build_delegation_notice(delegated: Delegated) -> Message:
    """The delegate's DM: they are not in the approval thread, so the terms come to them."""
    record, side = delegated.record, delegated.side
    text = (
        f"🔁 {mention(delegated.manager_id)} asked you to decide the *{side.role}* side of "
        f"secondment request #{record.id} on their behalf ({side.duty})."
    )
    return side_to_decide(record, side, text)


def side_to_decide(record: SecondmentRecord, side: Side, text: str) -> Message:
    """`text`, then the request's terms and, while it awaits decisions, the side's buttons: for
    someone outside the thread who now decides it."""
    blocks: list[Block] = [
        SectionBlock(text=md(f"{text}\n{summary_line(record)}")),
        *terms_blocks(record.terms),
    ]
    if record.status.awaits_decisions:
        blocks += [*proposal_blocks(record), side_buttons(record, side)]
    return Message(text=text, blocks=blocks)


def build_decision_reminder(record: SecondmentRecord, side: Side, sequence: int) -> Message:
    """A decider's reminder that a side has waited for them, with its buttons."""
    decider = record.side(side)
    behalf = f" on behalf of {mention(decider.manager_id)}" if decider.delegate_id else ""
    which = "A reminder" if sequence == 1 else "A second reminder"
    subject = f"secondment request #{record.id}"
    if record.proposal:
        subject = f"{record.proposal.kind.label} of secondment #{record.id}"
    text = (
        f"⏰ {which}: {subject} has waited for your decision as "
        f"{side.role}{behalf} since {moment(record.round_started_at)}."
    )
    blocks: list[Block] = [
        SectionBlock(text=md(f"{text}\n{summary_line(record)}")),
        *proposal_blocks(record),
        side_buttons(record, side),
        *build_open_thread_button(record),
        ContextBlock(
            elements=[
                md(
                    "Need a change first? Approve with conditions, or block with a reason and "
                    "say what would make it work."
                )
            ]
        ),
    ]
    return Message(text=text, blocks=blocks)


def build_hr_escalation(
    record: SecondmentRecord,
    kind: EscalationKind,
    raised_by: str | None,
    message: str | None,
    can_override: bool,
    away: Sequence[tuple[str, date]] = (),
) -> Message:
    """HR's message on an escalation; `away`: undecided deciders away, with their last day."""
    title = f"Secondment #{record.id} needs HR: {kind.label.lower()}"
    why = _why_escalated(record, kind, raised_by, away)
    blocks: list[Block] = [
        HeaderBlock(text=plain(title[:150])),
        SectionBlock(text=md(f"{summary_line(record)}\n*Status:* {record.status.label}\n{why}")),
        *proposal_blocks(record),
    ]
    for side in record.sides:
        state = side.state.value if side.state is not SideState.PENDING else "undecided"
        blocks.append(
            SectionBlock(
                text=md(f"*{side.side.role.capitalize()}* {mention(side.manager_id)}: {state}")
            )
        )
        if side.block:
            blocks += block_reason_blocks(side.block)
    if message:
        blocks.append(SectionBlock(text=md(f"*Their message:* {escape(message, NOTE_ROOM)}")))
    blocks.append(ActionsBlock(block_id="hr", elements=_hr_buttons(record, can_override)))
    if record.thread_url:
        blocks.append(
            ContextBlock(
                elements=[
                    md(
                        f"<{record.thread_url}|The approval thread> "
                        "(a group DM of the three parties)."
                    )
                ]
            )
        )
    return Message(text=title, blocks=blocks)


def _why_escalated(
    record: SecondmentRecord,
    kind: EscalationKind,
    raised_by: str | None,
    away: Sequence[tuple[str, date]],
) -> str:
    """Who brought HR in, and why; for a silence, who is away with nobody deciding for them."""
    who = mention(raised_by) if raised_by else "The bot"
    if kind is not EscalationKind.NO_DECISION:
        return f"{who} asked for a review of the block."
    why = f"{who} raised it: no decision since {moment(record.round_started_at)}."
    for person, last_day in away:
        why += (
            f" {mention(person)} is away until {day(last_day)} with nobody deciding for "
            "them, so this did not wait for their return."
        )
    return why


def _hr_buttons(record: SecondmentRecord, can_override: bool) -> list[ButtonElement]:
    """HR's buttons on an escalation; Override only on a blocked side, where policy allows."""
    request_ref = RequestRef(record.id, record.terms_version).encode()
    buttons = [
        ButtonElement(text="View the terms", action_id=Action.HR_VIEW, value=request_ref),
        ButtonElement(text="Add a note to the thread", action_id=Action.HR_NOTE, value=request_ref),
    ]
    blocked = record.blocked_side
    if can_override and blocked is not None:
        ref = DecisionRef(record.id, blocked.side, record.deciding_version).encode()
        buttons.append(
            ButtonElement(
                text="Override the block", action_id=Action.HR_OVERRIDE, value=ref, style="danger"
            )
        )
    return buttons
