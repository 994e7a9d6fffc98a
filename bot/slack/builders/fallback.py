"""HR as the fallback approver (bot/services/hr_fallback.py): what the thread and HR are told
when a side goes to HR because its decider's Slack account is deactivated."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock

from bot.domain.decisions import DecisionRef
from bot.domain.hr_fallback import GONE, ToHr
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.slack.builders.messages import Message
from bot.slack.builders.terms import proposal_blocks, summary_line, terms_blocks
from bot.slack.builders.text import md, mention
from bot.slack.builders.ways_forward import decision_buttons


def _gone(moved: ToHr) -> str:
    """Why the side's decider cannot decide, as Slack told the bot."""
    who = mention(moved.decider_id)
    if moved.reason == GONE:
        return f"{who}, who decides it, is no longer in this Slack workspace"
    return f"{who}'s Slack account is deactivated"


def build_to_hr_reply(moved: ToHr) -> Message:
    """The thread's line: who can no longer decide, and that HR decides instead."""
    text = (
        f"⚠️ {_gone(moved)}, so HR now decides the {moved.side.role} side of this request, as "
        "the fallback approver."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_to_hr_notice(moved: ToHr) -> Message:
    """HR's message: the terms, and Approve and Block for the side (conditions are for the
    managers to ask)."""
    record, side = moved.record, moved.side
    text = (
        f"⚠️ Secondment request #{record.id} needs HR to decide its *{side.role}* side "
        f"({side.duty}): {_gone(moved)}."
    )
    ref = DecisionRef(record.id, side, record.deciding_version)
    blocks: list[Block] = [
        SectionBlock(text=md(f"{text}\n{summary_line(record)}")),
        *terms_blocks(record.terms),
        *proposal_blocks(record),
        # `proposal=True` leaves out "Approve with conditions": HR approves or blocks.
        decision_buttons(ref, proposal=True, block_id=f"hr_decide_{side.value}"),
        ContextBlock(
            elements=[
                md(
                    "Anyone in HR may decide it. The decision is recorded as HR's, on behalf of "
                    f"{mention(record.side(side).manager_id)}, and the thread shows it."
                )
            ]
        ),
    ]
    return Message(text=text, blocks=blocks)


def build_hr_side_reminder(record: SecondmentRecord, side: Side) -> Message:
    """To HR: a side HR decides still waits; its buttons on the terms being decided now. (Not
    numbered: after downtime a reminder may be the first to arrive.)"""
    decider = record.side(side).decider_id
    text = (
        f"⏰ A reminder: secondment request #{record.id} still waits for HR to decide its "
        f"*{side.role}* side ({side.duty}): {mention(decider)}, who decided it, is no longer "
        "in Slack."
    )
    ref = DecisionRef(record.id, side, record.deciding_version)
    blocks: list[Block] = [
        SectionBlock(text=md(f"{text}\n{summary_line(record)}")),
        *proposal_blocks(record),
        decision_buttons(ref, proposal=True, block_id=f"hr_decide_{side.value}"),
    ]
    return Message(text=text, blocks=blocks)
