"""Turning Slack payloads into typed values: slash-command text and submitted modal state.

The state values here are written out in the exact shape Slack submits in `view.state.values`
(`{block_id: {action_id: {"type": ..., <value key>: ...}}}`), one shape per element type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.domain.block_form import BlockForm
from bot.domain.request_form import RequestForm
from bot.slack.ids import BlockField, RequestField
from bot.slack.parsing import (
    CommandLine,
    first_mention,
    parse_block_form,
    parse_command,
    parse_number,
    parse_request_form,
)

# --- parse_command ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_empty_command_has_no_subcommand(text: str | None) -> None:
    assert parse_command(text) == CommandLine("", "")


def test_command_splits_the_subcommand_from_its_argument() -> None:
    assert parse_command("status 12") == CommandLine("status", "12")


def test_command_ignores_extra_spaces() -> None:
    assert parse_command("   status    12   ") == CommandLine("status", "12")


def test_command_keeps_spaces_inside_the_argument() -> None:
    assert parse_command("request  <@U1|a>   and more ") == CommandLine(
        "request", "<@U1|a>   and more"
    )


def test_command_subcommand_is_lower_cased_but_the_argument_is_not() -> None:
    assert parse_command("REQUEST <@U0HOST|Hana>") == CommandLine("request", "<@U0HOST|Hana>")


def test_command_without_an_argument() -> None:
    assert parse_command("List") == CommandLine("list", "")


# --- first_mention ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U123|hana>", "U123"),  # as Slack escapes it with "escape users" on
        ("<@U123>", "U123"),
        ("<@W123>", "W123"),  # Enterprise Grid user ids start with W
        ("please add <@U0HOST|hana.k> as host", "U0HOST"),
        ("<@U1|first> and <@U2|second>", "U1"),
    ],
)
def test_first_mention_finds_the_user_id(text: str, expected: str) -> None:
    assert first_mention(text) == expected


@pytest.mark.parametrize(
    "text", ["", "no mention here", "@hana", "<#C123|general>", "<!here>", "<@B123>"]
)
def test_first_mention_without_a_user_mention_is_none(text: str) -> None:
    assert first_mention(text) is None


# --- parse_number -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("#12", 12), ("  #7 ", 7)])
def test_number_is_read_with_or_without_a_hash(text: str, expected: int) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "", "#", "12a", "-3", "1.5", "1 2", "²", "١٢", "#²"])
def test_text_that_is_not_a_number_gives_none(text: str) -> None:
    assert parse_number(text) is None


def test_very_long_digits_give_none_rather_than_a_huge_id() -> None:
    assert parse_number("9" * 9) == 999_999_999
    assert parse_number("9" * 10) is None
    assert parse_number("1" * 5000) is None


# --- parse_request_form -----------------------------------------------------------------------


def _state(elements: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`view.state.values`: the bot's block ids and action ids are the same string."""
    return {block_id: {block_id: element} for block_id, element in elements.items()}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label, "emoji": True}, "value": value}


F = RequestField

FILLED: dict[str, dict[str, Any]] = {
    F.HOME_MANAGER: {"type": "users_select", "selected_user": "U0HOME"},
    F.HOST_MANAGER: {"type": "users_select", "selected_user": "U0HOST"},
    F.KIND: {"type": "radio_buttons", "selected_option": _option("external", "External")},
    F.HOST_TEAM: {"type": "plain_text_input", "value": "Data Platform"},
    F.ROLE_TITLE: {"type": "plain_text_input", "value": "Analytics engineer"},
    F.RESPONSIBILITIES: {"type": "plain_text_input", "value": "Build the pipeline."},
    F.OBJECTIVES: {"type": "plain_text_input", "value": "Ship the dashboard."},
    F.START_DATE: {"type": "datepicker", "selected_date": "2027-02-01"},
    F.END_DATE: {"type": "datepicker", "selected_date": "2027-07-30"},
    F.TIME_COMMITMENT: {"type": "number_input", "value": "60"},
    F.REPORTING_LINE: {"type": "plain_text_input", "value": None},
    F.PAY_AND_BENEFITS: {"type": "plain_text_input", "value": "Unchanged"},
    F.RETURN_ARRANGEMENT: {
        "type": "static_select",
        "selected_option": _option("same_grade", "Return to a role of the same grade"),
    },
    F.COVERAGE_PLAN: {"type": "plain_text_input", "value": "Sam covers the rota."},
    F.HANDOVER_WEEKS: {"type": "number_input", "value": None},
}


def test_request_form_reads_every_element_type() -> None:
    form = parse_request_form(_state(FILLED))

    assert form == RequestForm(
        home_manager_id="U0HOME",
        host_manager_id="U0HOST",
        kind="external",
        host_team="Data Platform",
        role_title="Analytics engineer",
        responsibilities="Build the pipeline.",
        objectives="Ship the dashboard.",
        start_date=date(2027, 2, 1),
        end_date=date(2027, 7, 30),
        time_commitment="60",
        reporting_line=None,
        pay_and_benefits="Unchanged",
        return_arrangement="same_grade",
        coverage_plan="Sam covers the rota.",
        handover_weeks=None,
    )


def test_request_form_reads_unselected_elements_as_none() -> None:
    empty: dict[str, dict[str, Any]] = {
        F.HOME_MANAGER: {"type": "users_select", "selected_user": None},
        F.HOST_MANAGER: {"type": "users_select"},
        F.KIND: {"type": "radio_buttons", "selected_option": None},
        F.START_DATE: {"type": "datepicker", "selected_date": None},
        F.RETURN_ARRANGEMENT: {"type": "static_select", "selected_option": None},
        F.TIME_COMMITMENT: {"type": "number_input", "value": None},
        F.HOST_TEAM: {"type": "plain_text_input", "value": None},
    }

    form = parse_request_form(_state({**FILLED, **empty}))

    assert form.home_manager_id is None
    assert form.host_manager_id is None
    assert form.kind is None
    assert form.start_date is None
    assert form.return_arrangement is None
    assert form.time_commitment is None
    assert form.host_team is None
    assert form.end_date == date(2027, 7, 30)


@pytest.mark.parametrize("raw", ["2027-13-40", "01/02/2027", "tomorrow", "", 20270201])
def test_request_form_reads_a_malformed_date_as_none(raw: Any) -> None:
    state = _state({**FILLED, F.START_DATE: {"type": "datepicker", "selected_date": raw}})

    assert parse_request_form(state).start_date is None


def test_request_form_keeps_text_as_typed() -> None:
    typed = "  Line one\n<@U1> & more  "
    state = _state({**FILLED, F.OBJECTIVES: {"type": "plain_text_input", "value": typed}})

    assert parse_request_form(state).objectives == typed


def test_request_form_from_empty_state_is_all_none() -> None:
    assert parse_request_form({}) == RequestForm()


def test_request_form_ignores_blocks_it_does_not_know() -> None:
    state = _state({**FILLED, "something_else": {"type": "plain_text_input", "value": "x"}})

    assert parse_request_form(state) == parse_request_form(_state(FILLED))


# --- parse_block_form -------------------------------------------------------------------------


def _block_state(conditions: dict[str, Any], note: str | None) -> dict[str, Any]:
    return _state(
        {
            BlockField.REASON: {
                "type": "static_select",
                "selected_option": _option("cover", "Cover or backfill"),
            },
            BlockField.EXPLANATION: {"type": "plain_text_input", "value": "No cover until March."},
            BlockField.CONDITIONS: conditions,
            BlockField.CONDITIONS_NOTE: {"type": "plain_text_input", "value": note},
        }
    )


def test_block_form_reads_reason_explanation_conditions_and_note() -> None:
    checked = {
        "type": "checkboxes",
        "selected_options": [
            _option("later_start", "A later start date"),
            _option("handover", "A handover period"),
        ],
    }

    form = parse_block_form(_block_state(checked, "Start on 1 March."))

    assert form == BlockForm(
        reason="cover",
        explanation="No cover until March.",
        conditions=("later_start", "handover"),
        conditions_note="Start on 1 March.",
    )


@pytest.mark.parametrize(
    "conditions",
    [
        {"type": "checkboxes", "selected_options": []},
        {"type": "checkboxes", "selected_options": None},
        {"type": "checkboxes"},
    ],
    ids=["empty", "null", "absent"],
)
def test_block_form_without_conditions(conditions: dict[str, Any]) -> None:
    form = parse_block_form(_block_state(conditions, None))

    assert form.conditions == ()
    assert form.conditions_note is None
    assert form.reason == "cover"


def test_block_form_from_empty_state_is_all_none() -> None:
    assert parse_block_form({}) == BlockForm()
