"""Modal state as Slack submits it (`view.state.values`), for each element type the bot uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.slack.ids import (
    AwayField,
    BlockField,
    ConditionsField,
    DebriefField,
    EarlyEndField,
    FollowUpField,
    ProposalField,
    RequestField,
)

Values = dict[str, dict[str, Any]]


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def text(value: str | None) -> dict[str, Any]:
    """A text field as Slack submits it."""
    return {"type": "plain_text_input", "value": value}


def number(value: str | None) -> dict[str, Any]:
    """A number field as Slack submits it."""
    return {"type": "number_input", "value": value}


def user(value: str | None) -> dict[str, Any]:
    """A person picker as Slack submits it."""
    return {"type": "users_select", "selected_user": value}


def day(value: date | None) -> dict[str, Any]:
    """A date picker as Slack submits it."""
    return {"type": "datepicker", "selected_date": value.isoformat() if value else None}


def radio(value: str | None) -> dict[str, Any]:
    """Radio buttons as Slack submits them."""
    return {"type": "radio_buttons", "selected_option": _option(value) if value else None}


def select(value: str | None) -> dict[str, Any]:
    """A drop-down as Slack submits it."""
    return {"type": "static_select", "selected_option": _option(value) if value else None}


def checkboxes(values: list[str]) -> dict[str, Any]:
    """Checkboxes as Slack submits them."""
    return {"type": "checkboxes", "selected_options": [_option(v) for v in values]}


def request_values(
    *,
    home: str | None,
    host: str | None,
    start: date | None,
    end: date | None,
    **overrides: dict[str, Any],
) -> Values:
    """A valid request form with these people and dates; `overrides` replace any field."""
    F = RequestField
    elements: dict[str, dict[str, Any]] = {
        F.HOME_MANAGER: user(home),
        F.HOST_MANAGER: user(host),
        F.KIND: radio("internal"),
        F.HOST_TEAM: text("Data Platform"),
        F.ROLE_TITLE: text("Analytics engineer"),
        F.RESPONSIBILITIES: text("Build the reporting pipeline with the platform team."),
        F.OBJECTIVES: text("Ship the quarterly dashboard; document the data model."),
        F.START_DATE: day(start),
        F.END_DATE: day(end),
        F.TIME_COMMITMENT: number("100"),
        F.REPORTING_LINE: text(None),
        F.PAY_AND_BENEFITS: text("Unchanged, paid by the home employer"),
        F.RETURN_ARRANGEMENT: select("same_role"),
        F.COVERAGE_PLAN: text("Sam covers the support rota; Kim takes the weekly report."),
        F.HANDOVER_WEEKS: number("2"),
    }
    elements.update(overrides)
    return {block_id: {block_id: element} for block_id, element in elements.items()}


def block_values(
    reason: str | None = "cover",
    explanation: str | None = "We have no cover for the on-call rota until March.",
    conditions: list[str] | None = None,
    note: str | None = None,
) -> Values:
    """The block form, by default a valid block for lack of cover."""
    elements = {
        BlockField.REASON: select(reason),
        BlockField.EXPLANATION: text(explanation),
        BlockField.CONDITIONS: checkboxes(conditions or []),
        BlockField.CONDITIONS_NOTE: text(note),
    }
    return {block_id: {block_id: element} for block_id, element in elements.items()}


def _values(elements: dict[str, dict[str, Any]]) -> Values:
    return {block_id: {block_id: element} for block_id, element in elements.items()}


def conditions_values(
    *,
    start: date | None = None,
    handover: str | None = None,
    end: date | None = None,
    share: str | None = None,
    note: str | None = None,
) -> Values:
    """The conditions form, with only the conditions given."""
    F = ConditionsField
    return _values(
        {
            F.START_DATE: day(start),
            F.HANDOVER_WEEKS: number(handover),
            F.END_DATE: day(end),
            F.TIME_COMMITMENT: number(share),
            F.NOTE: text(note),
        }
    )


def change_values(
    *, start: date, end: date, note: str | None = None, **overrides: dict[str, Any]
) -> Values:
    """The change modal: the request form's terms fields (no managers) and a note."""
    values = request_values(home=None, host=None, start=start, end=end, **overrides)
    del values[RequestField.HOME_MANAGER], values[RequestField.HOST_MANAGER]
    values[RequestField.CHANGE_NOTE] = {RequestField.CHANGE_NOTE: text(note)}
    return values


def text_values(value: str | None) -> Values:
    """A form with one text field (a reply, a note)."""
    return _values({FollowUpField.TEXT: text(value)})


def delegate_values(person: str | None) -> Values:
    """The delegation form, naming `person`."""
    return _values({FollowUpField.DELEGATE: user(person)})


def away_values(first: date | None, last: date | None, delegate: str | None = None) -> Values:
    """The time-away form."""
    return _values(
        {
            AwayField.FIRST_DAY: day(first),
            AwayField.LAST_DAY: day(last),
            AwayField.DELEGATE: user(delegate),
        }
    )


def objectives_values(value: str | None) -> Values:
    """The objectives form."""
    return _values({FollowUpField.OBJECTIVES: text(value)})


def debrief_values(
    *,
    achieved: str | None = "Shipped the dashboard.",
    skills: str | None = "dbt, SQL review",
    bring_back: str | None = "The data model docs.",
    changes: str | None = None,
    next_step: str | None = "Lead the reporting work at home.",
) -> Values:
    """The return debrief's form, by default answered (the optional home-role changes empty)."""
    F = DebriefField
    return _values(
        {
            F.ACHIEVED: text(achieved),
            F.SKILLS_GAINED: text(skills),
            F.BRING_BACK: text(bring_back),
            F.HOME_ROLE_CHANGES: text(changes),
            F.NEXT_STEP: text(next_step),
        }
    )


def early_end_values(reason: str | None, notice: str | None) -> Values:
    """The early end's form: the reason and the notice in weeks."""
    return _values({EarlyEndField.REASON: text(reason), EarlyEndField.NOTICE_WEEKS: number(notice)})


def proposal_values(end: date | None = None, note: str | None = None) -> Values:
    """The extension form (a new end date and a note) or, with no date, the permanent move's."""
    values: dict[str, dict[str, Any]] = {ProposalField.NOTE: text(note)}
    if end is not None:
        values[ProposalField.END_DATE] = day(end)
    return _values(values)
