"""The end of a secondment: ending early, the request to hold the return debrief, its form,
and its record."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    NumberInputElement,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.record import SecondmentRecord
from bot.domain.terms import LONG_TEXT_MAX
from bot.services.debriefs import DebriefRecorded
from bot.services.early_end import EndedEarly
from bot.slack.builders.messages import Message
from bot.slack.builders.terms import NOTE_ROOM, summary_line
from bot.slack.builders.text import day, escape, md, mention, on_the_day
from bot.slack.ids import Action, Callback, DebriefField, EarlyEndField
from bot.slack.refs import RequestRef

QUESTIONS = (
    (DebriefField.ACHIEVED, "What was achieved", False),
    (DebriefField.SKILLS_GAINED, "Skills gained", False),
    (DebriefField.BRING_BACK, "What to bring back to the home team", False),
    (DebriefField.HOME_ROLE_CHANGES, "What the home role should change", True),
    (DebriefField.NEXT_STEP, "The next step the employee wants", False),
)


def _record_button(record: SecondmentRecord) -> ActionsBlock:
    return ActionsBlock(
        block_id="debrief",
        elements=[
            ButtonElement(
                text="Record the debrief",
                action_id=Action.RECORD_DEBRIEF,
                value=RequestRef(record.id, record.terms_version).encode(),
                style="primary",
            ),
        ],
    )


def build_debrief_request(record: SecondmentRecord, late: bool) -> Message:
    """On the end date (`late`: it arrives after the working day it was planned for, and says
    when it ended)."""
    ends = on_the_day(record.terms.end_date, late, "ends", "ended")
    text = (
        f"🏁 Secondment #{record.id} {ends}. {mention(record.employee_id)} and "
        f"{mention(record.home.manager_id)}, please hold the return debrief together."
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=md(f"{text}\n{summary_line(record)}")),
            SectionBlock(
                text=md(
                    "Talk through what was achieved, the skills gained, what to bring back, what "
                    "the home role should change, and the next step the employee wants. Then "
                    "record it: that completes the secondment."
                )
            ),
            _record_button(record),
        ],
    )


def build_debrief_hr_notice(record: SecondmentRecord, late: bool) -> Message:
    """HR's notice that a secondment ends and its return debrief is due."""
    ends = on_the_day(record.terms.end_date, late, "ends", "ended")
    text = (
        f"Secondment #{record.id} {ends}; its return debrief is due between "
        f"{mention(record.employee_id)} and {mention(record.home.manager_id)}."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(f"{text}\n{summary_line(record)}"))])


def build_debrief_modal(record: SecondmentRecord) -> View:
    """The return debrief's form."""
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                f"The return debrief for secondment #{record.id}. It is shared with "
                f"{mention(record.home.manager_id)} and completes the secondment."
            )
        )
    ]
    blocks += [
        InputBlock(
            block_id=field,
            label=label,
            optional=optional,
            element=PlainTextInputElement(
                action_id=field, multiline=True, max_length=LONG_TEXT_MAX
            ),
        )
        for field, label, optional in QUESTIONS
    ]
    return View(
        type="modal",
        callback_id=Callback.DEBRIEF,
        private_metadata=RequestRef(record.id, record.terms_version).encode(),
        title="Return debrief",
        submit="Record",
        close="Cancel",
        blocks=blocks,
    )


def build_debrief_record(recorded: DebriefRecorded) -> Message:
    """The debrief as the home manager (and the thread) reads it."""
    record, debrief = recorded.record, recorded.debrief
    outcome = record.outcome.label if record.outcome else "Completed"
    text = (
        f"🏁 Secondment #{record.id} is complete ({outcome}). {mention(recorded.actor_id)} "
        "recorded the return debrief."
    )
    answers = {
        DebriefField.ACHIEVED: debrief.achieved,
        DebriefField.SKILLS_GAINED: debrief.skills_gained,
        DebriefField.BRING_BACK: debrief.bring_back,
        DebriefField.HOME_ROLE_CHANGES: debrief.home_role_changes,
        DebriefField.NEXT_STEP: debrief.next_step,
    }
    blocks: list[Block] = [SectionBlock(text=md(text))]
    blocks += [
        SectionBlock(text=md(f"*{label}*\n{escape(answers[field] or '', NOTE_ROOM)}"))
        for field, label, _ in QUESTIONS
        if answers[field]
    ]
    return Message(text=text, blocks=blocks)


def build_end_early_modal(record: SecondmentRecord, notice_weeks: int) -> View:
    """The form that ends a secondment early: why, and the notice in weeks."""
    return View(
        type="modal",
        callback_id=Callback.END_EARLY,
        private_metadata=RequestRef(record.id, record.terms_version).encode(),
        title="End early",
        submit="End early",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=md(
                    f"Secondment #{record.id} now ends on {day(record.terms.end_date)}. Ending it "
                    "early moves the last day to the end of the notice period; the other two are "
                    "told, and the check-ins and the debrief follow the new date."
                )
            ),
            InputBlock(
                block_id=EarlyEndField.REASON,
                label="Why it ends early",
                element=PlainTextInputElement(
                    action_id=EarlyEndField.REASON, multiline=True, max_length=1000
                ),
            ),
            InputBlock(
                block_id=EarlyEndField.NOTICE_WEEKS,
                label="Notice period (weeks)",
                hint="The last day is this many weeks from today.",
                element=NumberInputElement(
                    action_id=EarlyEndField.NOTICE_WEEKS,
                    is_decimal_allowed=False,
                    min_value="0",
                    max_value="26",
                    initial_value=str(notice_weeks),
                ),
            ),
        ],
    )


def build_end_asks_ended_early(ended: EndedEarly) -> Message:
    """In place of an end-of-term ask about the old end date, once the secondment is ended
    early: the reason comes in the message that tells of it."""
    text = (
        f"🗓️ Secondment #{ended.record.id} was to end on {day(ended.previous.end_date)}: "
        f"{mention(ended.actor_id)} ended it early, and its last day is now "
        f"{day(ended.record.terms.end_date)}."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_ended_early(ended: EndedEarly) -> Message:
    """What the thread is told when a secondment is ended early."""
    record = ended.record
    text = (
        f"⏹️ {mention(ended.actor_id)} ended secondment #{record.id} early. The last day is "
        f"now {day(record.terms.end_date)} (was {day(ended.previous.end_date)})."
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=md(f"{text}\n*Reason:* {escape(ended.reason, NOTE_ROOM)}")),
        ],
    )
