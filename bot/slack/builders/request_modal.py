"""The `/secondment request` modal, and the employee's "propose changes" modal: the written
terms, every field labelled plainly.

The request modal is also kept serialised (`request_modal_payload`): it is the same form for
everyone, and serialising a View validates every block, element and option, which was most of
the CPU time a `/secondment request` took before its acknowledgement could go out."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

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

from bot.domain.conditions import CHANGE_NOTE_MAX
from bot.domain.hr_rules import HrRules
from bot.domain.record import SecondmentRecord
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
from bot.domain.validation import MAX_CHECK_IN_WEEKS
from bot.slack.builders.text import every_weeks, md, plain
from bot.slack.ids import Callback
from bot.slack.ids import RequestField as F
from bot.slack.refs import RequestRef


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


def _choice(options: list[Option], value: str | None) -> Option | None:
    return next((o for o in options if o.value == value), None)


def _terms_inputs(terms: Terms | None) -> list[Block]:
    """Inputs for every field of the terms, prefilled from `terms` when changing them."""
    kinds = [Option(value=k.value, label=k.label) for k in Kind]
    returns = [Option(value=r.value, label=r.label) for r in ReturnArrangement.on_request()]
    t = terms
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
        _text(
            F.HOST_TEAM,
            "Host team or organisation",
            SHORT_TEXT_MAX,
            initial=t.host_team if t else None,
        ),
        _text(F.ROLE_TITLE, "Role title", SHORT_TEXT_MAX, initial=t.role_title if t else None),
        _text(
            F.RESPONSIBILITIES,
            "Responsibilities",
            LONG_TEXT_MAX,
            multiline=True,
            initial=t.responsibilities if t else None,
        ),
        _text(
            F.OBJECTIVES,
            "Objectives or deliverables",
            LONG_TEXT_MAX,
            multiline=True,
            hint="What should be done by the end? You and the host manager can refine these.",
            initial=t.objectives if t else None,
        ),
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
        HeaderBlock(text=plain("Reporting, pay and the return")),
        _text(
            F.REPORTING_LINE,
            "Reporting line during the secondment",
            MEDIUM_TEXT_MAX,
            optional=True,
            hint="Leave empty to report to the host manager.",
            initial=t.reporting_line if t else None,
        ),
        _text(
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
        HeaderBlock(text=plain("Your home role while you're away")),
        _text(
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


def exception_inputs(rules: HrRules) -> list[Block]:
    """HR's rules in force, and where to ask HR for an exception to them; nothing without
    rules."""
    described = rules.described()
    if not described:
        return []
    return [
        HeaderBlock(text=plain("HR's rules")),
        SectionBlock(text=md("\n".join(f"• {rule[0].upper()}{rule[1:]}." for rule in described))),
        _text(
            F.EXCEPTION_REASON,
            "Ask HR for an exception: why?",
            LONG_TEXT_MAX,
            multiline=True,
            optional=True,
            hint="Only if these terms are outside a rule above: say why HR should allow it. "
            "HR then approves the terms too.",
        ),
    ]


def _host_manager_input(host_manager_id: str | None) -> InputBlock:
    return InputBlock(
        block_id=F.HOST_MANAGER,
        label="Host manager: the receiving manager",
        hint="They offer the role and confirm these terms.",
        element=UserSelectElement(
            action_id=F.HOST_MANAGER,
            placeholder="Choose a person",
            initial_user=host_manager_id,
        ),
    )


def build_request_modal(
    host_manager_id: str | None = None, check_in_weeks: int = 2, rules: HrRules | None = None
) -> View:
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
        _host_manager_input(host_manager_id),
        *_terms_inputs(None),
        HeaderBlock(text=plain("While you're away")),
        InputBlock(
            block_id=F.CHECK_IN_WEEKS,
            label="Check-ins every … weeks",
            optional=True,
            hint="How often the bot asks how it is going. Leave empty for "
            f"{every_weeks(check_in_weeks)}.",
            element=NumberInputElement(
                action_id=F.CHECK_IN_WEEKS,
                is_decimal_allowed=False,
                min_value="1",
                max_value=str(MAX_CHECK_IN_WEEKS),
            ),
        ),
        *exception_inputs(rules or HrRules()),
    ]
    return View(
        type="modal",
        callback_id=Callback.REQUEST,
        title="Secondment request",
        submit="Send request",
        close="Cancel",
        blocks=blocks,
    )


def request_modal_payload(
    host_manager_id: str | None, check_in_weeks: int, rules: HrRules | None = None
) -> dict[str, Any]:
    """`build_request_modal(host_manager_id, check_in_weeks, rules)` as views.open takes it.
    Only the host manager differs between requests, so the rest is serialised (and validated)
    once per policy, and each call gets a copy of its own to keep the stored one unchanged."""
    serialised = _serialised_request_modal(check_in_weeks, rules or HrRules())
    payload: dict[str, Any] = json.loads(serialised)
    if host_manager_id is not None:
        host = _host_manager_input(host_manager_id).to_dict()
        payload["blocks"] = [
            host if block.get("block_id") == F.HOST_MANAGER else block
            for block in payload["blocks"]
        ]
    return payload


# The interval and HR's rules are the workspace policy's settings; a few entries cover tests
# that vary them.
@lru_cache(maxsize=8)
def _serialised_request_modal(check_in_weeks: int, rules: HrRules) -> str:
    return json.dumps(build_request_modal(None, check_in_weeks, rules).to_dict())


def build_change_modal(record: SecondmentRecord, rules: HrRules | None = None) -> View:
    """The employee's proposed change: the current terms to edit, and why."""
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                f"Change the terms of request #{record.id} (now version {record.terms_version}). "
                "The changes become a new version: both managers decide on it again."
            )
        ),
        *_terms_inputs(record.terms),
        _text(
            F.CHANGE_NOTE,
            "What changed and why",
            CHANGE_NOTE_MAX,
            multiline=True,
            optional=True,
            hint="For example: a later start so the handover can finish.",
        ),
        *exception_inputs(rules or HrRules()),
    ]
    return View(
        type="modal",
        callback_id=Callback.CHANGE,
        private_metadata=RequestRef(record.id, record.terms_version).encode(),
        title="Propose changes",
        submit="Propose",
        close="Cancel",
        blocks=blocks,
    )
