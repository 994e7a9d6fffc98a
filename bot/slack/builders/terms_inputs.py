"""The inputs of the written terms, grouped as the request and change modals show them, and the
text field they are built from."""

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
    StaticSelectElement,
)

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
    Terms,
)
from bot.slack.builders.text import plain
from bot.slack.ids import RequestField as F


def text_input(
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
    """A labelled text field whose block and action are both named for its field."""
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


def _choice(options: list[Option], value: str | None) -> Option | None:
    return next((o for o in options if o.value == value), None)


def terms_inputs(terms: Terms | None) -> list[Block]:
    """Inputs for every field of the terms, prefilled from `terms` when changing them."""
    return [
        *_role_inputs(terms),
        *_dates_inputs(terms),
        *_reporting_inputs(terms),
        *_home_role_inputs(terms),
    ]


def _role_inputs(t: Terms | None) -> list[Block]:
    """The role: internal or external, where, what, and what it should achieve."""
    kinds = [Option(value=k.value, label=k.label) for k in Kind]
    return [
        HeaderBlock(text=plain("The role")),
        InputBlock(
            block_id=F.KIND,
            label="Internal or external",
            element=RadioButtonsElement(
                action_id=F.KIND,
                options=kinds,
                initial_option=_choice(kinds, t.kind.value) if t else kinds[0],
            ),
        ),
        text_input(
            F.HOST_TEAM,
            "Host team or organisation",
            SHORT_TEXT_MAX,
            initial=t.host_team if t else None,
        ),
        text_input(F.ROLE_TITLE, "Role title", SHORT_TEXT_MAX, initial=t.role_title if t else None),
        text_input(
            F.RESPONSIBILITIES,
            "Responsibilities",
            LONG_TEXT_MAX,
            multiline=True,
            initial=t.responsibilities if t else None,
        ),
        text_input(
            F.OBJECTIVES,
            "Objectives or deliverables",
            LONG_TEXT_MAX,
            multiline=True,
            hint="What should be done by the end? You and the host manager can refine these.",
            initial=t.objectives if t else None,
        ),
    ]


def _dates_inputs(t: Terms | None) -> list[Block]:
    """The first and last days, and the share of the week the secondment takes."""
    return [
        HeaderBlock(text=plain("Dates and time")),
        InputBlock(
            block_id=F.START_DATE,
            label="Start date (first day)",
            element=DatePickerElement(
                action_id=F.START_DATE,
                placeholder="Choose a date",
                initial_date=t.start_date.isoformat() if t else None,
            ),
        ),
        InputBlock(
            block_id=F.END_DATE,
            label="End date (last day)",
            element=DatePickerElement(
                action_id=F.END_DATE,
                placeholder="Choose a date",
                initial_date=t.end_date.isoformat() if t else None,
            ),
        ),
        InputBlock(
            block_id=F.TIME_COMMITMENT,
            label="Time commitment (% of full time)",
            hint="100 is full time; 50 is half your week on the secondment.",
            element=NumberInputElement(
                action_id=F.TIME_COMMITMENT,
                is_decimal_allowed=False,
                initial_value=str(t.time_commitment if t else MAX_TIME_COMMITMENT),
                min_value=str(MIN_TIME_COMMITMENT),
                max_value=str(MAX_TIME_COMMITMENT),
            ),
        ),
    ]


def _reporting_inputs(t: Terms | None) -> list[Block]:
    """Who the employee reports to, their pay and benefits, and what happens at the end."""
    returns = [Option(value=r.value, label=r.label) for r in ReturnArrangement.on_request()]
    return [
        HeaderBlock(text=plain("Reporting, pay and the return")),
        text_input(
            F.REPORTING_LINE,
            "Reporting line during the secondment",
            MEDIUM_TEXT_MAX,
            optional=True,
            hint="Leave empty to report to the host manager.",
            initial=t.reporting_line if t else None,
        ),
        text_input(
            F.PAY_AND_BENEFITS,
            "Pay and benefits",
            MEDIUM_TEXT_MAX,
            multiline=True,
            initial=t.pay_and_benefits if t else DEFAULT_PAY_AND_BENEFITS,
        ),
        InputBlock(
            block_id=F.RETURN_ARRANGEMENT,
            label="Return arrangement: what happens at the end",
            element=StaticSelectElement(
                action_id=F.RETURN_ARRANGEMENT,
                placeholder="Choose one",
                options=returns,
                initial_option=_choice(returns, t.return_arrangement.value) if t else None,
            ),
        ),
    ]


def _home_role_inputs(t: Terms | None) -> list[Block]:
    """How the employee's home role is covered, and the handover before the start."""
    return [
        HeaderBlock(text=plain("Your home role while you're away")),
        text_input(
            F.COVERAGE_PLAN,
            "Coverage plan for your home role",
            LONG_TEXT_MAX,
            multiline=True,
            hint="How your work will be covered or backfilled, and who picks up what.",
            initial=t.coverage_plan if t else None,
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
                initial_value=str(t.handover_weeks) if t and t.handover_weeks else None,
            ),
        ),
    ]
