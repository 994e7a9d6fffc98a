"""The approval thread's parent message, in every state, and the replies announcing decisions.

The parent is always rendered from a stored `SecondmentRecord`, so re-rendering after any change
(chat.update) shows exactly what the database holds: who decided, when, on whose behalf, and only
the buttons the current state allows. Every button names who it is for; the server checks again.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.domain.decisions import DecisionMade, DecisionRef
from bot.domain.record import SecondmentRecord, SideRecord
from bot.domain.states import DecisionKind, Outcome, SideState, Status
from bot.slack.builders.calendar import add_to_calendar_button
from bot.slack.builders.exceptions import exception_blocks
from bot.slack.builders.messages import Message
from bot.slack.builders.terms import (
    NOTE_ROOM,
    STATUS_ICONS,
    block_reason_blocks,
    proposal_blocks,
    summary_line,
    terms_blocks,
)
from bot.slack.builders.text import escape, md, mention, moment, plain
from bot.slack.builders.thread_buttons import (
    button,
    employee_blocks,
    underway_blocks,
    way_forward_blocks,
)
from bot.slack.ids import Action


def _who(side: SideRecord) -> str:
    who = f"*{side.side.role.capitalize()}* {mention(side.manager_id)}"
    if side.delegate_id:
        who += f" (delegated to {mention(side.delegate_id)})"
    if side.hr_decides and side.state is SideState.PENDING:
        who += " (no longer in Slack: HR decides)"
    return f"{who} {side.side.duty}"


def _decided_text(side: SideRecord) -> str:
    assert side.decided_by and side.decided_at
    decision = side.decision
    verb = "approved" if side.state is SideState.APPROVED else "blocked"
    if decision and decision.kind is DecisionKind.RECONSIDERED:
        verb = "approved after reconsidering"
    elif decision and decision.kind is DecisionKind.WITH_CONDITIONS:
        verb = "approved with conditions"
    elif decision and decision.kind is DecisionKind.HR_OVERRIDE:
        verb = "approved by HR override"
    elif decision and decision.kind is DecisionKind.PROPOSED:
        verb = "proposed and approved"
    by = mention(side.decided_by)
    if decision and decision.on_behalf_of and decision.kind is not DecisionKind.HR_OVERRIDE:
        by += f" on behalf of {mention(decision.on_behalf_of)}"
    icon = "✅" if side.state is SideState.APPROVED else "⛔"
    text = f"{icon} {_who(side)}: *{verb}* by {by} on {moment(side.decided_at)}."
    if decision and decision.justification:
        text += f"\n*Justification:* {escape(decision.justification, NOTE_ROOM)}"
    return text


def _side_text(record: SecondmentRecord, side: SideRecord) -> str:
    if side.state is not SideState.PENDING:
        return _decided_text(side)
    if record.status.is_blocked:
        what = "proposal" if record.proposal else "request"
        return f"⏳ {_who(side)}: on hold while the {what} is blocked."
    if record.status is Status.WITHDRAWN:
        return f"↩️ {_who(side)}: no decision needed (withdrawn)."
    return f"⏳ {_who(side)}: awaiting decision."


def _side_blocks(record: SecondmentRecord, side: SideRecord) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=md(_side_text(record, side)))]
    if side.block is not None:
        blocks += block_reason_blocks(side.block)
    ref = DecisionRef(record.id, side.side, record.deciding_version).encode()
    # Conditions reshape a request's terms; a proposal is answered by proposing again.
    conditions = (
        [] if record.proposal else [button("Approve with conditions", Action.CONDITIONS, ref)]
    )
    delegate = button("Delegate", Action.DELEGATE, ref)
    if record.status.awaits_decisions and side.state is SideState.PENDING:
        blocks.append(
            ActionsBlock(
                block_id=f"decide_{side.side.value}",
                elements=[
                    button("Approve", Action.APPROVE, ref, "primary"),
                    button("Block", Action.BLOCK, ref, "danger"),
                    *conditions,
                    delegate,
                ],
            )
        )
    elif record.status.is_blocked and side.state is SideState.BLOCKED:
        how = (
            "lift the block and agree the proposal."
            if record.proposal
            else "lift the block, or approve with conditions such as a later start or a "
            "handover period."
        )
        blocks += [
            ContextBlock(elements=[md(f"{mention(side.decider_id)} can reconsider: {how}")]),
            ActionsBlock(
                block_id=f"reconsider_{side.side.value}",
                elements=[
                    button("Approve now", Action.RECONSIDER, ref, "primary"),
                    *conditions,
                    delegate,
                ],
            ),
        ]
    return blocks


def _who_decides(record: SecondmentRecord) -> str:
    if record.proposal:
        return (
            f"*Who decides:* both managers, on {record.proposal.kind.label}, as on the request: "
            "each approves or blocks with a reason. Until both approve, the terms above stand."
        )
    return (
        "*Who decides:* the home manager releases the employee; the host manager confirms the "
        "written terms. Each approves or blocks with a reason."
    )


def build_request_message(record: SecondmentRecord) -> Message:
    """The approval thread's parent: the terms, each side's decision, and what each party can do."""
    status = f"{STATUS_ICONS[record.status]} *{record.status.label}*"
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Secondment request #{record.id}")),
        SectionBlock(text=md(f"{summary_line(record)}\n*Status:* {status}")),
        *terms_blocks(record.terms),
    ]
    if record.notes:
        blocks.append(
            ContextBlock(elements=[md(f":information_source: {n}") for n in record.notes])
        )
    blocks += [
        DividerBlock(),
        *proposal_blocks(record),
        SectionBlock(text=md(_who_decides(record))),
        *_side_blocks(record, record.home),
        *_side_blocks(record, record.host),
        *exception_blocks(record),
        *way_forward_blocks(record),
    ]
    if record.open_escalations:
        lines = [
            f"📣 With HR: {e.kind.label.lower()}, raised by "
            f"{mention(e.raised_by) if e.raised_by else 'the bot'} on {moment(e.created_at)}."
            for e in record.open_escalations
        ]
        blocks.append(ContextBlock(elements=[md(line) for line in lines[:10]]))
    blocks += employee_blocks(record)
    blocks += underway_blocks(record)
    blocks.append(
        ContextBlock(elements=[md(f"Request #{record.id} · terms version {record.terms_version}")])
    )
    text = (
        f"Secondment request #{record.id}: {escape(record.terms.role_title)} in "
        f"{escape(record.terms.host_team)} ({record.status.label})"
    )
    return Message(text=text, blocks=blocks)


def build_decision_reply(made: DecisionMade) -> Message:
    """Said in the thread when a side is decided: by whom, how, and who is still to decide."""
    record, side = made.record, made.record.side(made.side)
    actor = mention(made.actor_id)
    if made.on_behalf_of and made.kind is not DecisionKind.HR_OVERRIDE:
        actor += f" (on behalf of {mention(made.on_behalf_of)})"
    version = f"terms version {made.version}"
    if made.outcome is Outcome.BLOCKED:
        assert side.block is not None
        headline = f"⛔ {actor} blocked the *{made.side.role}* side."
        footer = (
            f"{mention(record.employee_id)}, this reason is recorded and kept with your request. "
            "The buttons on the request show the ways forward."
        )
        return Message(
            text=f"{headline} Reason: {side.block.reason.label}. {escape(side.block.explanation)}",
            blocks=[
                SectionBlock(text=md(headline)),
                *block_reason_blocks(side.block),
                ContextBlock(elements=[md(footer)]),
            ],
        )
    if made.kind is DecisionKind.RECONSIDERED:
        text = (
            f"✅ {actor} reconsidered and lifted the block: the *{made.side.role}* side "
            f"approves {version}."
        )
    elif made.kind is DecisionKind.HR_OVERRIDE:
        justification = (side.decision and side.decision.justification) or ""
        text = (
            f"⚖️ HR ({actor}) overrode the block on the *{made.side.role}* side, on {version}.\n"
            f"*Justification:* {escape(justification, NOTE_ROOM)}"
        )
    else:
        text = f"✅ {actor} approved the *{made.side.role}* side ({made.side.duty}) on {version}."
    other = record.side(made.side.other)
    if record.status.awaits_decisions and other.state is SideState.PENDING:
        text += f"\nWaiting for {mention(other.decider_id)} to decide the {other.side.role} side."
    elif record.exception and record.exception.state is SideState.PENDING:
        text += "\nBoth managers have approved; the terms wait for HR's decision on the exception."
    elif record.exception and record.exception.state is SideState.BLOCKED:
        text += (
            "\nHR refused the exception to its rules, so these terms cannot be agreed as they are."
        )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_approved_announcement(record: SecondmentRecord, *, calendar: bool = False) -> Message:
    """Said in the thread once both sides approve; with `calendar`, an "Add to calendar" button
    that gives whoever clicks it their own calendar link."""
    who = "Both managers have approved"
    if record.exception and record.exception.state is SideState.APPROVED:
        who += ", and HR granted the exception to its rules"
    text = (
        f"🎉 {who}. Secondment #{record.id} is *approved*: "
        f"{summary_line(record)}, on terms version {record.terms_version}."
    )
    blocks: list[Block] = [SectionBlock(text=md(text))]
    if calendar:
        blocks.append(ActionsBlock(elements=[add_to_calendar_button(record.id)]))
    return Message(text=text, blocks=blocks)
