"""The modal a manager fills in to block: a reason category, words, and what would make it work."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.block_reasons import CONDITIONS_NOTE_MAX, EXPLANATION_MAX, BlockReason, Condition
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.slack.builders.text import escape, md, mention
from bot.slack.ids import BlockField, Callback


def build_block_modal(
    record: SecondmentRecord, side: Side, private_metadata: str, min_chars: int
) -> View:
    """A manager blocks a side: the reason, plainly, and what would make it work."""
    terms = record.terms
    return View(
        type="modal",
        callback_id=Callback.BLOCK,
        private_metadata=private_metadata,
        title="Block this request",
        submit="Block",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=md(
                    f"You are blocking the *{side.role}* side of request #{record.id}: "
                    f"{mention(record.employee_id)} as *{escape(terms.role_title, 150)}* "
                    f"in *{escape(terms.host_team, 150)}*.\n"
                    f"{mention(record.employee_id)} and the other manager will see your reason, "
                    "and it is kept with the request."
                )
            ),
            *_reason_inputs(min_chars),
        ],
    )


def _reason_inputs(min_chars: int) -> list[InputBlock]:
    """The reason's category and words, then the conditions that would lift it."""
    return [
        InputBlock(
            block_id=BlockField.REASON,
            label="Main reason",
            element=StaticSelectElement(
                action_id=BlockField.REASON,
                placeholder="Choose a reason",
                options=[Option(value=r.value, label=r.label) for r in BlockReason],
            ),
        ),
        InputBlock(
            block_id=BlockField.EXPLANATION,
            label="Explanation",
            hint=f"At least {min_chars} characters. Say what the concern is, plainly.",
            element=PlainTextInputElement(
                action_id=BlockField.EXPLANATION,
                multiline=True,
                min_length=min_chars,
                max_length=EXPLANATION_MAX,
            ),
        ),
        InputBlock(
            block_id=BlockField.CONDITIONS,
            label="What would make it work?",
            optional=True,
            element=CheckboxesElement(
                action_id=BlockField.CONDITIONS,
                options=[Option(value=c.value, label=c.label) for c in Condition],
            ),
        ),
        InputBlock(
            block_id=BlockField.CONDITIONS_NOTE,
            label="Details of those conditions",
            optional=True,
            hint="For example: start on 1 March, after a four-week handover.",
            element=PlainTextInputElement(
                action_id=BlockField.CONDITIONS_NOTE,
                multiline=True,
                max_length=CONDITIONS_NOTE_MAX,
            ),
        ),
    ]
