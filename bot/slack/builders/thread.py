"""The approval thread: the parent message in every state, and the replies that announce changes.

The parent is always rendered from a stored `SecondmentRecord`, so re-rendering after any change
(chat.update) shows exactly what the database holds: who decided, when, and no stale buttons.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.domain.blocks import BlockDetails
from bot.domain.record import SecondmentRecord, SideRecord
from bot.domain.states import Outcome, SideState, Status
from bot.domain.terms import Terms
from bot.services.decisions import DecisionMade, DecisionRef
from bot.slack.builders.messages import Message
from bot.slack.builders.text import day, escape, md, mention, moment, plain
from bot.slack.ids import Action

# Room for escaped user text under a label: Slack allows 2,000 characters in a section field and
# 3,000 in a section's text. Escaping can make text up to five times longer than typed, so only
# text heavy in & < > is ever cut.
FIELD_ROOM = 1900
SECTION_ROOM = 2900
EXPLANATION_ROOM = 2900
NOTE_ROOM = 2800

STATUS_ICONS = {Status.PENDING: "⏳", Status.APPROVED: "✅", Status.BLOCKED: "⛔"}


def summary_line(record: SecondmentRecord) -> str:
    terms = record.terms
    return (
        f"{mention(record.employee_id)} → *{escape(terms.role_title)}* in "
        f"*{escape(terms.host_team)}*, {day(terms.start_date)} to {day(terms.end_date)}"
    )


def terms_blocks(terms: Terms) -> list[Block]:
    """The written terms, every field under a plain label."""
    fields = [
        f"*Kind*\n{terms.kind.label}",
        f"*Dates*\n{day(terms.start_date)} to {day(terms.end_date)} ({terms.days} days)",
        f"*Time commitment*\n{terms.time_commitment_label}",
        f"*Reporting line*\n{escape(terms.reporting_line or 'The host manager', FIELD_ROOM)}",
        f"*Pay and benefits*\n{escape(terms.pay_and_benefits, FIELD_ROOM)}",
        f"*At the end*\n{terms.return_arrangement.label}",
    ]
    if terms.handover_weeks:
        fields.append(f"*Handover period*\n{terms.handover_weeks} weeks before the start")
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


def _side_text(record: SecondmentRecord, side: SideRecord) -> str:
    who = f"*{side.side.role.capitalize()}* {mention(side.manager_id)} {side.side.duty}"
    if side.state is SideState.PENDING:
        blocked = record.status is Status.BLOCKED
        waiting = "on hold while the request is blocked" if blocked else "awaiting decision"
        return f"⏳ {who}: {waiting}."
    assert side.decided_by and side.decided_at
    verb = "approved" if side.state is SideState.APPROVED else "blocked"
    icon = "✅" if side.state is SideState.APPROVED else "⛔"
    return f"{icon} {who}: *{verb}* by {mention(side.decided_by)} on {moment(side.decided_at)}."


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


def _side_blocks(record: SecondmentRecord, side: SideRecord) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=md(_side_text(record, side)))]
    if side.block is not None:
        blocks += block_reason_blocks(side.block)
    if record.status is Status.PENDING and side.state is SideState.PENDING:
        ref = DecisionRef(record.id, side.side, record.terms_version).encode()
        blocks.append(
            ActionsBlock(
                block_id=f"decide_{side.side.value}",
                elements=[
                    ButtonElement(
                        text="Approve", action_id=Action.APPROVE, value=ref, style="primary"
                    ),
                    ButtonElement(text="Block", action_id=Action.BLOCK, value=ref, style="danger"),
                ],
            )
        )
    return blocks


def build_request_message(record: SecondmentRecord) -> Message:
    status = f"{STATUS_ICONS[record.status]} *{record.status.label}*"
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Secondment request #{record.id}")),
        SectionBlock(text=md(f"{summary_line(record)}\n*Status:* {status}")),
        *terms_blocks(record.terms),
    ]
    if record.notes:
        blocks.append(
            ContextBlock(elements=[md(f":information_source: {note}") for note in record.notes])
        )
    blocks.extend(
        [
            DividerBlock(),
            SectionBlock(
                text=md(
                    "*Who decides:* the home manager releases the employee; the host manager "
                    "confirms the written terms. Each approves or blocks with a reason."
                )
            ),
            *_side_blocks(record, record.home),
            *_side_blocks(record, record.host),
            ContextBlock(
                elements=[md(f"Request #{record.id} · terms version {record.terms_version}")]
            ),
        ]
    )
    text = (
        f"Secondment request #{record.id}: {escape(record.terms.role_title)} in "
        f"{escape(record.terms.host_team)} ({record.status.label})"
    )
    return Message(text=text, blocks=blocks)


def build_decision_reply(made: DecisionMade) -> Message:
    record, side = made.record, made.record.side(made.side)
    if made.outcome is Outcome.APPROVED:
        text = (
            f"✅ {mention(made.actor_id)} approved the *{made.side.role}* side "
            f"({made.side.duty}) on terms version {record.terms_version}."
        )
        return Message(text=text, blocks=[SectionBlock(text=md(text))])
    assert side.block is not None
    headline = f"⛔ {mention(made.actor_id)} blocked the *{made.side.role}* side."
    footer = f"{mention(record.employee_id)}, this reason is recorded and kept with your request."
    return Message(
        text=f"{headline} Reason: {side.block.reason.label}. {escape(side.block.explanation)}",
        blocks=[
            SectionBlock(text=md(headline)),
            *block_reason_blocks(side.block),
            ContextBlock(elements=[md(footer)]),
        ],
    )


def build_approved_announcement(record: SecondmentRecord) -> Message:
    text = (
        f"🎉 Both managers have approved. Secondment #{record.id} is *approved*: "
        f"{summary_line(record)}, on terms version {record.terms_version}."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_open_thread_button(record: SecondmentRecord) -> list[Block]:
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
