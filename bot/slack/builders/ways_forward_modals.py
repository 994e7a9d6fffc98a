"""The modals that follow a block or open a way forward: conditions, delegation, and the short
text forms (respond to a block, ask HR, HR's note, HR's override)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.conditions import CHANGE_NOTE_MAX
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.domain.terms import (
    MAX_HANDOVER_WEEKS,
    MAX_TIME_COMMITMENT,
    MIN_TIME_COMMITMENT,
    Terms,
)
from bot.slack.builders.terms import summary_line
from bot.slack.builders.text import day, md
from bot.slack.ids import Callback, ConditionsField, FollowUpField


def build_conditions_modal(record: SecondmentRecord, side: Side, private_metadata: str) -> View:
    """A manager's approval on conditions: each condition a change to the terms, all optional."""
    return View(
        type="modal",
        callback_id=Callback.CONDITIONS,
        private_metadata=private_metadata,
        title="Approve with conditions",
        submit="Approve",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=md(
                    f"You approve the *{side.role}* side of request #{record.id} if these "
                    f"conditions are in the terms. They become version {record.terms_version + 1}, "
                    "approved on your side; the other manager is asked to decide on it.\n"
                    + summary_line(record)
                )
            ),
            *_condition_inputs(record.terms),
        ],
    )


def _condition_inputs(terms: Terms) -> list[InputBlock]:
    """The conditions a manager can set, each said against what the terms now hold."""
    F = ConditionsField
    return [
        *_date_conditions(terms),
        InputBlock(
            block_id=F.TIME_COMMITMENT,
            label="A part-time split (% on the secondment)",
            optional=True,
            hint=f"Now {terms.time_commitment_label.lower()}.",
            element=NumberInputElement(
                action_id=F.TIME_COMMITMENT,
                is_decimal_allowed=False,
                min_value=str(MIN_TIME_COMMITMENT),
                max_value=str(MAX_TIME_COMMITMENT),
            ),
        ),
        InputBlock(
            block_id=F.NOTE,
            label="Why these conditions",
            optional=True,
            element=PlainTextInputElement(
                action_id=F.NOTE, multiline=True, max_length=CHANGE_NOTE_MAX
            ),
        ),
    ]


def _date_conditions(terms: Terms) -> list[InputBlock]:
    """A later start, a handover before it, or an earlier end."""
    F = ConditionsField
    return [
        InputBlock(
            block_id=F.START_DATE,
            label="A later start date",
            optional=True,
            hint=f"Now {day(terms.start_date)}.",
            element=DatePickerElement(action_id=F.START_DATE),
        ),
        InputBlock(
            block_id=F.HANDOVER_WEEKS,
            label="A handover period (weeks)",
            optional=True,
            hint="Before the start, to hand the work over.",
            element=NumberInputElement(
                action_id=F.HANDOVER_WEEKS,
                is_decimal_allowed=False,
                min_value="1",
                max_value=str(MAX_HANDOVER_WEEKS),
            ),
        ),
        InputBlock(
            block_id=F.END_DATE,
            label="A shorter term: new end date",
            optional=True,
            hint=f"Now {day(terms.end_date)}.",
            element=DatePickerElement(action_id=F.END_DATE),
        ),
    ]


def build_delegate_modal(record: SecondmentRecord, side: Side, private_metadata: str) -> View:
    """A manager hands their decision on a side to someone else, or takes it back."""
    return View(
        type="modal",
        callback_id=Callback.DELEGATE,
        private_metadata=private_metadata,
        title="Delegate the decision",
        submit="Delegate",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=md(
                    f"Hand the *{side.role}* decision on request #{record.id} to someone else, "
                    "for example while you are away. They decide on your behalf and the thread "
                    "says so. Choose yourself to take it back."
                )
            ),
            InputBlock(
                block_id=FollowUpField.DELEGATE,
                label="Who decides instead",
                element=UserSelectElement(
                    action_id=FollowUpField.DELEGATE, placeholder="Choose a person"
                ),
            ),
        ],
    )


@dataclass(frozen=True, slots=True)
class TextForm:
    """A short form: one text field under an explanation."""

    callback: Callback
    title: str
    submit: str
    intro: str
    label: str
    optional: bool
    min_length: int | None = None
    max_length: int = 2000


def build_text_modal(form: TextForm, private_metadata: str) -> View:
    """A short form as a modal, carrying what it acts on in its metadata."""
    return View(
        type="modal",
        callback_id=form.callback,
        private_metadata=private_metadata,
        title=form.title,
        submit=form.submit,
        close="Cancel",
        blocks=[
            SectionBlock(text=md(form.intro)),
            InputBlock(
                block_id=FollowUpField.TEXT,
                label=form.label,
                optional=form.optional,
                element=PlainTextInputElement(
                    action_id=FollowUpField.TEXT,
                    multiline=True,
                    min_length=form.min_length,
                    max_length=form.max_length,
                ),
            ),
        ],
    )


def respond_form(record: SecondmentRecord) -> TextForm:
    """A response to a block, posted in the approval thread."""
    return TextForm(
        Callback.RESPOND,
        "Respond to the block",
        "Post",
        f"Your response is posted in the thread of request #{record.id} and kept with the request.",
        "Your response",
        optional=False,
        min_length=10,
    )


def ask_hr_form(record: SecondmentRecord) -> TextForm:
    """A party's request for HR to review a block."""
    return TextForm(
        Callback.ASK_HR,
        "Ask HR to review",
        "Ask HR",
        f"HR gets request #{record.id}, its terms, the block and its reason. Add "
        "anything they should know.",
        "Message for HR",
        optional=True,
    )


def hr_note_form(record: SecondmentRecord) -> TextForm:
    """HR's note, posted in the approval thread."""
    return TextForm(
        Callback.HR_NOTE,
        "Add a note",
        "Post",
        f"Your note is posted in the approval thread of request #{record.id}, where "
        "the employee and both managers see it.",
        "Note",
        optional=False,
        min_length=10,
    )


def override_form(record: SecondmentRecord, side: Side, min_chars: int) -> TextForm:
    """HR's override of a block, with the justification the policy asks for."""
    return TextForm(
        Callback.HR_OVERRIDE,
        "Override the block",
        "Override",
        f"This lifts the block on the *{side.role}* side of request #{record.id}, "
        "as if approved. The justification is posted in the thread and kept.",
        "Justification",
        optional=False,
        min_length=min_chars,
    )
