"""Rendering the written terms and a block's reason: shared by every message that shows them."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock

from bot.domain.block_reasons import BlockDetails
from bot.domain.counts import count_of
from bot.domain.record import SecondmentRecord
from bot.domain.states import Status
from bot.domain.terms import Kind, ReturnArrangement, TermChange, Terms, diff_terms
from bot.slack.builders.text import day, escape, md, mention

# Room for escaped user text under a label: Slack allows 2,000 characters in a section field and
# 3,000 in a section's text. Escaping can make text up to five times longer than typed, so only
# text heavy in & < > is ever cut.
FIELD_ROOM = 1900
SECTION_ROOM = 2900
EXPLANATION_ROOM = 2900
NOTE_ROOM = 2800
CHANGE_ROOM = 600  # one changed value in a list of changes

STATUS_ICONS = {
    Status.PENDING: "⏳",
    Status.APPROVED: "✅",
    Status.BLOCKED: "⛔",
    Status.WITHDRAWN: "↩️",
    Status.ACTIVE: "🚀",
    Status.PROPOSAL_PENDING: "⏳",
    Status.PROPOSAL_BLOCKED: "⛔",
    Status.COMPLETED: "🏁",
}

LABELS = {
    "kind": "Kind",
    "host_team": "Host team or organisation",
    "role_title": "Role title",
    "responsibilities": "Responsibilities",
    "objectives": "Objectives or deliverables",
    "start_date": "Start date",
    "end_date": "End date",
    "time_commitment": "Time commitment",
    "reporting_line": "Reporting line",
    "pay_and_benefits": "Pay and benefits",
    "return_arrangement": "At the end",
    "coverage_plan": "Coverage plan",
    "handover_weeks": "Handover period",
}


def summary_line(record: SecondmentRecord) -> str:
    """The secondment in one line: who goes, to what role and team, and when."""
    terms = record.terms
    return (
        f"{mention(record.employee_id)} → *{escape(terms.role_title)}* in "
        f"*{escape(terms.host_team)}*, {day(terms.start_date)} to {day(terms.end_date)}"
    )


def terms_blocks(terms: Terms) -> list[Block]:
    """The written terms, every field under a plain label."""
    fields = [
        f"*Kind*\n{terms.kind.label}",
        f"*Dates*\n{day(terms.start_date)} to {day(terms.end_date)} "
        f"({count_of(terms.days, 'day')})",
        f"*Time commitment*\n{terms.time_commitment_label}",
        f"*Reporting line*\n{escape(terms.reporting_line or 'The host manager', FIELD_ROOM)}",
        f"*Pay and benefits*\n{escape(terms.pay_and_benefits, FIELD_ROOM)}",
        f"*At the end*\n{terms.return_arrangement.label}",
    ]
    if terms.handover_weeks:
        fields.append(
            f"*Handover period*\n{count_of(terms.handover_weeks, 'week')} before the start"
        )
    long_texts = [
        ("Responsibilities", terms.responsibilities),
        ("Objectives or deliverables", terms.objectives),
        ("Coverage plan for the home role", terms.coverage_plan),
    ]
    return [
        SectionBlock(fields=[md(f) for f in fields]),
        *(
            SectionBlock(text=md(f"*{label}*\n{escape(text, SECTION_ROOM)}"))
            for label, text in long_texts
        ),
    ]


def block_reason_blocks(block: BlockDetails) -> list[Block]:
    """The reason for a block, in full: the category, the words, and what would make it work.
    Each part has its own section so the longest explanation allowed is never cut."""
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                f"*Reason:* {block.reason.label}\n>{escape(block.explanation, EXPLANATION_ROOM)}"
            )
        )
    ]
    if block.conditions or block.conditions_note:
        wanted = ", ".join(c.label.lower() for c in block.conditions) or "see the note"
        note = f"\n{escape(block.conditions_note, NOTE_ROOM)}" if block.conditions_note else ""
        blocks.append(SectionBlock(text=md(f"*Would work with:* {wanted}.{note}")))
    return blocks


def value_text(field: str, value: object) -> str:
    """One term's value as a person reads it."""
    if value is None:
        return "—" if field != "reporting_line" else "the host manager"
    if isinstance(value, date):
        return day(value)
    if isinstance(value, Kind | ReturnArrangement):
        return value.label
    if field == "time_commitment":
        return "full time" if value == 100 else f"{value}% of full time"
    if field == "handover_weeks" and isinstance(value, int):
        return count_of(value, "week")
    return escape(str(value), CHANGE_ROOM)


def change_lines(changes: list[TermChange]) -> str:
    """What changed in the terms, one bulleted line per field, old → new."""
    return "\n".join(
        f"• *{LABELS[c.field]}*: {value_text(c.field, c.old)} → {value_text(c.field, c.new)}"
        for c in changes
    )


def proposal_blocks(record: SecondmentRecord) -> list[Block]:
    """An end-of-term proposal being decided: who proposed what, what changes in the terms,
    why, and the policy notes it raises."""
    proposal = record.proposal
    if proposal is None:
        return []
    heading = (
        f"*Proposed by {mention(proposal.proposed_by)}: {proposal.kind.label}* "
        f"(terms version {proposal.version})"
    )
    # One section per run of changes that fits: each value is cut at CHANGE_ROOM, not the list.
    sections = [heading]
    for line in change_lines(diff_terms(record.terms, proposal.terms)).splitlines():
        if len(sections[-1]) + len(line) + 1 > SECTION_ROOM:
            sections.append(line)
        else:
            sections[-1] += "\n" + line
    blocks: list[Block] = [SectionBlock(text=md(text)) for text in sections]
    if proposal.note:
        blocks.append(SectionBlock(text=md(f"*Why:* {escape(proposal.note, NOTE_ROOM)}")))
    if proposal.notes:
        blocks.append(
            ContextBlock(elements=[md(f":information_source: {n}") for n in proposal.notes])
        )
    return blocks
