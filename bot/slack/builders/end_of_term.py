"""The end-of-term decision: the question asked before the end, the forms to propose an
extension or a permanent move, and the thread's replies when one is proposed, agreed, or the
return is confirmed."""

from __future__ import annotations

from datetime import date, timedelta

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.counts import count_of
from bot.domain.end_of_term import NOTE_MAX, Proposed, ReturnConfirmedEvent
from bot.domain.hr_rules import HrRules
from bot.domain.record import SecondmentRecord
from bot.domain.states import EndOutcome, SideState
from bot.slack.builders.messages import Message
from bot.slack.builders.request_modal import exception_inputs
from bot.slack.builders.terms import proposal_blocks, summary_line
from bot.slack.builders.text import day, escape, md, mention
from bot.slack.builders.thread_buttons import build_open_thread_button, end_of_term_buttons
from bot.slack.ids import Callback, ProposalField
from bot.slack.refs import RequestRef


def _rights(record: SecondmentRecord, rights_limit: date, months: int) -> str | None:
    """The return-rights policy, said before anyone proposes an end date that passes it."""
    if record.terms.end_date >= rights_limit:
        return None
    return (
        f"An end date on or after {day(rights_limit)} takes the time away to "
        f"{count_of(months, 'month')} or more: after that there may be no automatic right to "
        "the old role, only to a role of the same grade."
    )


def build_end_decision_ask(
    record: SecondmentRecord, again: bool, rights_limit: date, months: int
) -> Message:
    """The end-of-term question; `again` to someone asked before."""
    which = "Still undecided. " if again else ""
    text = (
        f"🗓️ {which}Secondment #{record.id} ends on {day(record.terms.end_date)}. What happens "
        "then: the planned return, an extension, or a permanent move?"
    )
    blocks: list[Block] = [
        SectionBlock(text=md(f"{text}\n{summary_line(record)}")),
        SectionBlock(
            text=md(
                f"*The terms say:* {record.terms.return_arrangement.label.lower()}. An extension "
                "or a permanent move needs both managers' approval, like the request did."
            )
        ),
    ]
    notes = [n for n in (*record.notes, _rights(record, rights_limit, months)) if n]
    if notes:
        blocks.append(ContextBlock(elements=[md(f":information_source: {n}") for n in notes]))
    blocks += [end_of_term_buttons(record), *build_open_thread_button(record)]
    return Message(text=text, blocks=blocks)


def _note_input(label: str, hint: str, *, optional: bool) -> InputBlock:
    return InputBlock(
        block_id=ProposalField.NOTE,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id=ProposalField.NOTE, multiline=True, max_length=NOTE_MAX
        ),
    )


def build_extension_modal(
    record: SecondmentRecord, rights_limit: date, months: int, rules: HrRules | None = None
) -> View:
    """The form that proposes an extension: the new end date, why, and any exception asked."""
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                f"Secondment #{record.id} now ends on {day(record.terms.end_date)}. The new end "
                "date becomes a new version of the terms; both managers approve it as they did "
                "the request, and until then the current end date stands."
            )
        ),
        InputBlock(
            block_id=ProposalField.END_DATE,
            label="New end date (the last day)",
            element=DatePickerElement(
                action_id=ProposalField.END_DATE,
                initial_date=(record.terms.end_date + timedelta(days=1)).isoformat(),
            ),
        ),
        _note_input(
            "Why extend",
            "What the extra time is for; the managers and HR see it.",
            optional=True,
        ),
    ]
    if (rights := _rights(record, rights_limit, months)) is not None:
        blocks.append(ContextBlock(elements=[md(f":information_source: {rights}")]))
    blocks += exception_inputs(rules or HrRules())
    return View(
        type="modal",
        callback_id=Callback.PROPOSE_EXTENSION,
        private_metadata=RequestRef(record.id, record.terms_version).encode(),
        title="Propose an extension",
        submit="Propose",
        close="Cancel",
        blocks=blocks,
    )


def build_permanent_modal(record: SecondmentRecord) -> View:
    """The form that proposes a permanent move to the host team."""
    return View(
        type="modal",
        callback_id=Callback.PROPOSE_PERMANENT,
        private_metadata=RequestRef(record.id, record.terms_version).encode(),
        title="Propose a permanent move",
        submit="Propose",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=md(
                    f"{mention(record.employee_id)} would stay in "
                    f"*{escape(record.terms.host_team)}* for good after "
                    f"{day(record.terms.end_date)} instead of returning. Both managers approve "
                    "it as they did the request; the outcome is then recorded, and the "
                    "transition debrief still happens on the end date."
                )
            ),
            _note_input(
                "The arrangement",
                "The permanent role and grade, pay, reporting line and when it starts.",
                optional=False,
            ),
        ],
    )


def build_proposal_reply(proposed: Proposed) -> Message:
    """What the thread is told of a new end-of-term proposal, and who decides it."""
    record = proposed.record
    assert record.proposal is not None
    undecided = " and ".join(
        mention(s.decider_id) for s in record.sides if s.state is SideState.PENDING
    )
    text = (
        f"📝 {mention(proposed.actor_id)} proposed {record.proposal.kind.label} of secondment "
        f"#{record.id}. {undecided}, please decide it with the buttons on the request."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text)), *proposal_blocks(record)])


def build_end_ask_proposed(proposed: Proposed) -> Message:
    """In place of an end-of-term ask once someone has proposed an extension or a move."""
    record = proposed.record
    assert record.proposal is not None
    text = (
        f"🗓️ Secondment #{record.id} ends on {day(proposed.previous.end_date)}: "
        f"{mention(proposed.actor_id)} proposed {record.proposal.kind.label}. The managers "
        "decide it in the approval thread."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_end_asks_closed(record: SecondmentRecord) -> Message:
    """In place of an end-of-term ask still open when the secondment is over."""
    # (The debrief may come up to a week before the end date: "ended" could be untrue.)
    text = f"🗓️ Secondment #{record.id} is complete: its return debrief is recorded."
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_proposal_agreed(record: SecondmentRecord) -> Message:
    """What the thread is told once both managers agree an extension or a permanent move."""
    if record.outcome is EndOutcome.PERMANENT:
        text = (
            f"🎉 Both managers agreed: {mention(record.employee_id)} moves permanently to "
            f"*{escape(record.terms.host_team)}* after {day(record.terms.end_date)}. The "
            "transition debrief still happens on that day."
        )
    else:
        text = (
            f"🎉 Both managers agreed the extension: secondment #{record.id} now ends on "
            f"{day(record.terms.end_date)}, on terms version {record.terms_version}. Check-ins "
            "continue, and the debrief moves to the new end date."
        )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_return_confirmed(event: ReturnConfirmedEvent) -> Message:
    """What the thread is told once someone confirms the planned return."""
    record = event.record
    text = (
        f"🏠 {mention(event.actor_id)} confirmed the return: secondment #{record.id} ends on "
        f"{day(record.terms.end_date)} and {mention(record.employee_id)} returns "
        f"({record.terms.return_arrangement.label.lower()})."
    )
    if event.closed is not None:
        text += f" This closes the proposal of {event.closed.label}."
    return Message(text=text, blocks=[SectionBlock(text=md(text))])
