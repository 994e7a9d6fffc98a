"""The `/secondment request` modal: the written terms, every field labelled plainly."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.terms import (
    DEFAULT_PAY_AND_BENEFITS,
    LONG_TEXT_MAX,
    MAX_HANDOVER_WEEKS,
    MAX_TIME_COMMITMENT,
    MEDIUM_TEXT_MAX,
    MIN_TIME_COMMITMENT,
    SHORT_TEXT_MAX,
    Kind,
    ReturnArrangement,
)
from bot.slack.builders.text import md, plain
from bot.slack.ids import Callback
from bot.slack.ids import RequestField as F


def _text(
    field: F,
    label: str,
    limit: int,
    *,
    multiline: bool = False,
    optional: bool = False,
    hint: str | None = None,
    initial: str | None = None,
    placeholder: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=field,
            multiline=multiline,
            max_length=limit,
            initial_value=initial,
            placeholder=placeholder,
        ),
    )


def build_request_modal(host_manager_id: str | None = None) -> View:
    kinds = [Option(value=k.value, label=k.label) for k in Kind]
    returns = [Option(value=r.value, label=r.label) for r in ReturnArrangement]
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                "Put the terms in writing. Your home manager and the host manager will each "
                "see exactly these terms and approve or decline them."
            )
        ),
        HeaderBlock(text=plain("Who decides")),
        InputBlock(
            block_id=F.HOME_MANAGER,
            label="Home manager: your current line manager",
            hint="They release you and agree how your work is covered.",
            element=UserSelectElement(action_id=F.HOME_MANAGER, placeholder="Choose a person"),
        ),
        InputBlock(
            block_id=F.HOST_MANAGER,
            label="Host manager: the receiving manager",
            hint="They offer the role and confirm these terms.",
            element=UserSelectElement(
                action_id=F.HOST_MANAGER,
                placeholder="Choose a person",
                initial_user=host_manager_id,
            ),
        ),
        HeaderBlock(text=plain("The role")),
        InputBlock(
            block_id=F.KIND,
            label="Internal or external",
            element=RadioButtonsElement(action_id=F.KIND, options=kinds, initial_option=kinds[0]),
        ),
        _text(F.HOST_TEAM, "Host team or organisation", SHORT_TEXT_MAX),
        _text(F.ROLE_TITLE, "Role title", SHORT_TEXT_MAX),
        _text(F.RESPONSIBILITIES, "Responsibilities", LONG_TEXT_MAX, multiline=True),
        _text(
            F.OBJECTIVES,
            "Objectives or deliverables",
            LONG_TEXT_MAX,
            multiline=True,
            hint="What should be done by the end? You and the host manager can refine these.",
        ),
        HeaderBlock(text=plain("Dates and time")),
        InputBlock(
            block_id=F.START_DATE,
            label="Start date (first day)",
            element=DatePickerElement(action_id=F.START_DATE, placeholder="Choose a date"),
        ),
        InputBlock(
            block_id=F.END_DATE,
            label="End date (last day)",
            element=DatePickerElement(action_id=F.END_DATE, placeholder="Choose a date"),
        ),
        InputBlock(
            block_id=F.TIME_COMMITMENT,
            label="Time commitment (% of full time)",
            hint="100 is full time; 50 is half your week on the secondment.",
            element=NumberInputElement(
                action_id=F.TIME_COMMITMENT,
                is_decimal_allowed=False,
                initial_value=str(MAX_TIME_COMMITMENT),
                min_value=str(MIN_TIME_COMMITMENT),
                max_value=str(MAX_TIME_COMMITMENT),
            ),
        ),
        HeaderBlock(text=plain("Reporting, pay and the return")),
        _text(
            F.REPORTING_LINE,
            "Reporting line during the secondment",
            MEDIUM_TEXT_MAX,
            optional=True,
            hint="Leave empty to report to the host manager.",
        ),
        _text(
            F.PAY_AND_BENEFITS,
            "Pay and benefits",
            MEDIUM_TEXT_MAX,
            multiline=True,
            initial=DEFAULT_PAY_AND_BENEFITS,
        ),
        InputBlock(
            block_id=F.RETURN_ARRANGEMENT,
            label="Return arrangement: what happens at the end",
            element=StaticSelectElement(
                action_id=F.RETURN_ARRANGEMENT, placeholder="Choose one", options=returns
            ),
        ),
        HeaderBlock(text=plain("Your home role while you're away")),
        _text(
            F.COVERAGE_PLAN,
            "Coverage plan for your home role",
            LONG_TEXT_MAX,
            multiline=True,
            hint="How your work will be covered or backfilled, and who picks up what.",
        ),
        InputBlock(
            block_id=F.HANDOVER_WEEKS,
            label="Handover period (weeks)",
            optional=True,
            hint="Time before the start to hand your work over. Leave empty if none is needed.",
            element=NumberInputElement(
                action_id=F.HANDOVER_WEEKS,
                is_decimal_allowed=False,
                min_value="0",
                max_value=str(MAX_HANDOVER_WEEKS),
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=Callback.REQUEST,
        title="Secondment request",
        submit="Send request",
        close="Cancel",
        blocks=blocks,
    )
