"""Answers to `/secondment status` and `/secondment list`: one secondment in full, or a person's
secondments one to a line."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock

from bot.domain.record import SecondmentRecord
from bot.slack.builders.exceptions import exception_blocks
from bot.slack.builders.messages import Message, text_message
from bot.slack.builders.start_and_objectives import objectives_blocks
from bot.slack.builders.terms import STATUS_ICONS, proposal_blocks, summary_line, terms_blocks
from bot.slack.builders.text import escape, every_weeks, md, mention, moment
from bot.slack.builders.thread_buttons import build_open_thread_button


def build_status(record: SecondmentRecord, viewer_id: str) -> Message:
    """One secondment in full, for someone in it or for HR."""
    role = record.role_of(viewer_id)
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                f"*Secondment #{record.id}* — {STATUS_ICONS[record.status]} "
                f"*{record.status.label}*\n{summary_line(record)}"
            )
        ),
        *terms_blocks(record.terms),
        *objectives_blocks(record),
        *proposal_blocks(record),
        SectionBlock(text=md(_sides_text(record))),
        *exception_blocks(record),
        *_end_and_check_ins(record),
        _context(
            f"{f'You are the {role}' if role else 'You are viewing this as HR'} · "
            f"terms version {record.terms_version}"
        ),
        *build_open_thread_button(record),
    ]
    return Message(text=f"Secondment #{record.id}: {record.status.label}", blocks=blocks)


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[md(text)])


def _sides_text(record: SecondmentRecord) -> str:
    """Each side's manager and where their decision stands."""
    sides = []
    for side in (record.home, record.host):
        state = side.state.value
        line = f"• {side.side.role.capitalize()} {mention(side.manager_id)}: {state}"
        if side.decided_at:
            line += f" on {moment(side.decided_at)}"
        if side.block:
            line += f" — {side.block.reason.label}: {escape(side.block.explanation, 1200)}"
        sides.append(line)
    return "\n".join(sides)


def _end_and_check_ins(record: SecondmentRecord) -> list[Block]:
    """What happens at the end, once settled, and how the check-ins went."""
    blocks: list[Block] = []
    if record.outcome:
        blocks.append(_context(f"*Outcome:* {record.outcome.label}"))
    elif record.return_confirmed:
        confirmed = record.return_confirmed
        blocks.append(
            _context(
                f"*At the end:* return confirmed by {mention(confirmed.by)} on "
                f"{moment(confirmed.at)}."
            )
        )
    if record.check_ins:
        answered = sum(1 for c in record.check_ins if c.answer)
        missed = sum(1 for c in record.check_ins if c.missed_at and not c.answer)
        blocks.append(
            _context(
                f"Check-ins {every_weeks(record.check_in_weeks)}: {answered} answered, "
                f"{missed} missed."
            )
        )
    return blocks


def build_list(records: list[SecondmentRecord], total: int, viewer_id: str) -> Message:
    """A person's latest secondments, one to a line, with their part in each."""
    if not records:
        return text_message(
            "You have no secondments yet. `/secondment request` starts one in writing."
        )
    lines = [
        f"{STATUS_ICONS[r.status]} *#{r.id}* {summary_line(r)} — {r.status.label} "
        f"_(you: {r.role_of(viewer_id)})_"
        for r in records
    ]
    blocks: list[Block] = [SectionBlock(text=md("*Your secondments*"))]
    blocks += [SectionBlock(text=md(line)) for line in lines]
    if total > len(records):
        blocks.append(ContextBlock(elements=[md(f"Showing the latest {len(records)} of more.")]))
    blocks.append(ContextBlock(elements=[md("`/secondment status <number>` shows one in full.")]))
    return Message(text=f"Your secondments: {len(records)}", blocks=blocks)
