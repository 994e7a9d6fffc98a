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
    HeaderBlock,
    InputBlock,
    NumberInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.conditions import CHANGE_NOTE_MAX
from bot.domain.hr_rules import HrRules
from bot.domain.record import SecondmentRecord
from bot.domain.request_form import MAX_CHECK_IN_WEEKS
from bot.domain.terms import LONG_TEXT_MAX
from bot.slack.builders.terms_inputs import terms_inputs, text_input
from bot.slack.builders.text import every_weeks, md, plain
from bot.slack.ids import Callback
from bot.slack.ids import RequestField as F
from bot.slack.refs import RequestRef


def exception_inputs(rules: HrRules) -> list[Block]:
    """HR's rules in force, and where to ask HR for an exception to them; nothing without
    rules."""
    described = rules.described()
    if not described:
        return []
    return [
        HeaderBlock(text=plain("HR's rules")),
        SectionBlock(text=md("\n".join(f"• {rule[0].upper()}{rule[1:]}." for rule in described))),
        text_input(
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
    """The employee's request: who decides, the terms, the check-ins, and HR's rules."""
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
        *terms_inputs(None),
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
        *terms_inputs(record.terms),
        text_input(
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
