"""Messages and modals for a secondment under way: the start, and the objectives agreed at it."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.record import SecondmentRecord
from bot.domain.terms import LONG_TEXT_MAX
from bot.services.start_and_objectives import ObjectivesRecorded
from bot.slack.builders.messages import Message
from bot.slack.builders.terms import SECTION_ROOM, summary_line
from bot.slack.builders.text import day, escape, md, mention, moment, on_the_day
from bot.slack.ids import Action, Callback, FollowUpField
from bot.slack.refs import RequestRef


def objectives_blocks(record: SecondmentRecord) -> list[Block]:
    """The agreed objectives and who recorded them; nothing before they are agreed."""
    if record.objectives is None:
        return []
    agreed = record.objectives
    return [
        SectionBlock(
            text=md(f"*Agreed objectives and deliverables*\n{escape(agreed.text, SECTION_ROOM)}")
        ),
        ContextBlock(
            elements=[md(f"Recorded by {mention(agreed.set_by)} on {moment(agreed.set_at)}.")]
        ),
    ]


def _objectives_button(record: SecondmentRecord) -> ActionsBlock:
    ref = RequestRef(record.id, record.terms_version).encode()
    label = "Update the objectives" if record.objectives else "Record the objectives"
    return ActionsBlock(
        block_id="objectives",
        elements=[
            ButtonElement(
                text=label, action_id=Action.RECORD_OBJECTIVES, value=ref, style="primary"
            ),
        ],
    )


def build_start_welcome(record: SecondmentRecord, recipient_id: str, late: bool) -> Message:
    """The first day, for the employee and for the host manager (`late`: it arrives after the
    working day it was planned for, and says when it started)."""
    terms = record.terms
    start = terms.start_date
    if recipient_id == record.employee_id:
        hello = (
            f"🚀 Welcome to *{escape(terms.host_team)}*! Your secondment as "
            f"*{escape(terms.role_title)}* {on_the_day(start, late, 'starts', 'started')} and "
            f"runs to {day(terms.end_date)}."
        )
        other = mention(record.host.manager_id)
    else:
        hello = (
            f"🚀 {mention(record.employee_id)} "
            f"{on_the_day(start, late, 'joins you', 'joined you')} as "
            f"*{escape(terms.role_title)}*, until {day(terms.end_date)}."
        )
        other = mention(record.employee_id)
    blocks: list[Block] = [
        SectionBlock(text=md(hello)),
        SectionBlock(
            text=md(
                f"*This week:* set the objectives and deliverables together with {other}, and "
                "record them here: they are shown again at every check-in. It also helps to name a "
                "buddy or mentor in the host team for day-to-day questions."
            )
        ),
        SectionBlock(text=md(f"*Objectives in the request*\n{escape(terms.objectives, 2800)}")),
        *objectives_blocks(record),
        _objectives_button(record),
    ]
    started = on_the_day(start, late, "starts", "started")
    return Message(text=f"Secondment #{record.id} {started}: {summary_line(record)}", blocks=blocks)


def build_coverage_notice(record: SecondmentRecord, late: bool) -> Message:
    """The first day, for the home manager: the coverage plan applies from now."""
    started = on_the_day(
        record.terms.start_date, late, "starts their secondment", "started their secondment"
    )
    text = (
        f"📋 {mention(record.employee_id)} {started} (until {day(record.terms.end_date)}). "
        "The coverage plan for their home role is now in effect:"
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=md(text)),
            SectionBlock(text=md(f">{escape(record.terms.coverage_plan, 2800)}")),
            ContextBlock(elements=[md(f"Secondment #{record.id}: {summary_line(record)}")]),
        ],
    )


def build_started_reply(record: SecondmentRecord, late: bool) -> Message:
    """In the thread, as the secondment becomes active (`late`: on a later day than its start,
    after downtime)."""
    started = on_the_day(record.terms.start_date, late, "started", "started")
    text = (
        f"🚀 Secondment #{record.id} {started}. {mention(record.employee_id)} and "
        f"{mention(record.host.manager_id)}: please record the objectives you agree."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text)), _objectives_button(record)])


def build_objectives_modal(record: SecondmentRecord) -> View:
    """The form in which the employee and the host side record the agreed objectives."""
    initial = record.objectives.text if record.objectives else record.terms.objectives
    return View(
        type="modal",
        callback_id=Callback.OBJECTIVES,
        private_metadata=RequestRef(record.id, record.terms_version).encode(),
        title="Agreed objectives",
        submit="Record",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=md(
                    f"The objectives and deliverables {mention(record.employee_id)} and "
                    f"{mention(record.host.manager_id)} agree for secondment #{record.id}. "
                    "They are shown again at every check-in."
                )
            ),
            InputBlock(
                block_id=FollowUpField.OBJECTIVES,
                label="Objectives and deliverables",
                element=PlainTextInputElement(
                    action_id=FollowUpField.OBJECTIVES,
                    multiline=True,
                    max_length=LONG_TEXT_MAX,
                    initial_value=initial,
                ),
            ),
        ],
    )


def build_objectives_reply(recorded: ObjectivesRecorded) -> Message:
    """What the thread is told once the objectives are recorded."""
    record = recorded.record
    text = f"🎯 {mention(recorded.actor_id)} recorded the agreed objectives for #{record.id}."
    return Message(text=text, blocks=[SectionBlock(text=md(text)), *objectives_blocks(record)])
