"""An exception to HR's rules, as people see it: its line on the request (what it breaks, why,
and HR's decision), HR's own message with Grant and Refuse, the refusal form, and what is said
in the thread once HR decides."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    SectionBlock,
)

from bot.domain.decisions import ExceptionDecided
from bot.domain.record import ExceptionRecord, SecondmentRecord
from bot.domain.states import SideState, Status
from bot.slack.builders.messages import Message
from bot.slack.builders.terms import NOTE_ROOM
from bot.slack.builders.text import escape, md, mention, moment
from bot.slack.builders.ways_forward_modals import TextForm
from bot.slack.ids import Action, Callback
from bot.slack.refs import RequestRef


def _state(exception: ExceptionRecord, status: Status) -> str:
    if exception.state is SideState.PENDING:
        if status is Status.WITHDRAWN:
            return "↩️ *HR*: no decision needed (withdrawn)."
        return "⏳ *HR* decides it too: awaiting HR's decision."
    assert exception.decided_by and exception.decided_at
    if exception.state is SideState.APPROVED:
        when = moment(exception.decided_at)
        return f"✅ *HR*: *granted* by {mention(exception.decided_by)} on {when}."
    why = escape(exception.note or "", NOTE_ROOM)
    return (
        f"⛔ *HR*: *refused* by {mention(exception.decided_by)} on "
        f"{moment(exception.decided_at)}. *Why:* {why}\n"
        "These terms cannot be agreed as they are: change them to keep within the rules, or "
        "withdraw the request."
    )


def exception_blocks(record: SecondmentRecord) -> list[Block]:
    """The exception's part of the request: the rules, the employee's reason, HR's decision."""
    exception = record.exception
    if exception is None:
        return []
    text = (
        f"⚖️ *Outside HR's rules:* {escape(exception.rules)}\n"
        f"*Exception asked, because:* {escape(exception.reason, NOTE_ROOM)}\n"
        f"{_state(exception, record.status)}"
    )
    return [SectionBlock(text=md(text))]


def build_exception_for_hr(record: SecondmentRecord) -> Message:
    """To HR: an exception to decide, with the buttons to do it."""
    exception = record.exception
    assert exception is not None
    what = "extension" if record.proposal else "request"
    headline = (
        f"⚖️ Secondment {what} #{record.id} asks HR for an exception to its rules: "
        f"{mention(record.employee_id)}, {escape(record.terms.role_title)} in "
        f"{escape(record.terms.host_team)}."
    )
    text = (
        f"{headline}\n*Outside the rules:* {escape(exception.rules)}\n"
        f"*Why:* {escape(exception.reason, NOTE_ROOM)}\n"
        "The managers decide the terms as usual; they are agreed only once HR grants this too."
    )
    value = RequestRef(record.id, record.deciding_version).encode()
    grant = ButtonElement(
        text="Grant the exception",
        action_id=Action.EXCEPTION_GRANT,
        value=value,
        style="primary",
        confirm=ConfirmObject(
            title="Grant the exception?",
            text=md("The terms can then be agreed outside HR's rules. This is recorded."),
            confirm="Grant",
            deny="Cancel",
        ),
    )
    refuse = ButtonElement(text="Refuse…", action_id=Action.EXCEPTION_REFUSE, value=value)
    return Message(
        text=headline,
        blocks=[SectionBlock(text=md(text)), ActionsBlock(elements=[grant, refuse])],
    )


def build_exception_reminder(record: SecondmentRecord) -> Message:
    """To HR: the exception still waits for HR's decision; the same buttons. (Not numbered:
    after downtime only the latest reminder goes, and "a second" would then be untrue.)"""
    asked = build_exception_for_hr(record)
    text = (
        f"⏰ A reminder: secondment #{record.id} has waited since "
        f"{moment(record.round_started_at)} for HR's decision on an exception to its rules."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text)), *asked.blocks])


def exception_refusal_form(record: SecondmentRecord, min_chars: int) -> TextForm:
    """The form in which HR refuses an exception to its rules, with its reason."""
    return TextForm(
        Callback.EXCEPTION_REFUSE,
        "Refuse the exception",
        "Refuse",
        f"The terms of #{record.id} stay outside HR's rules, so they cannot be agreed as they "
        "are. Your reason is posted in the approval thread, where the employee and both "
        "managers read it, and kept.",
        "Why HR refuses",
        optional=False,
        min_length=min_chars,
    )


def build_exception_decided(decided: ExceptionDecided) -> Message:
    """Said in the thread once HR decides."""
    record, by = decided.record, mention(decided.actor_id)
    if decided.granted:
        text = f"⚖️ HR ({by}) *granted* the exception to its rules for #{record.id}."
        if not decided.completed:
            text += " The terms are agreed once both managers approve them."
    elif decided.extension_closed:
        why = escape(decided.note or "", NOTE_ROOM)
        text = (
            f"⚖️ HR ({by}) *refused* the extension of #{record.id} outside its rules. *Why:* "
            f"{why}\nThe current end date stands: propose another extension within the rules, "
            "or confirm the return."
        )
    else:
        why = escape(decided.note or "", NOTE_ROOM)
        text = (
            f"⚖️ HR ({by}) *refused* the exception to its rules for #{record.id}. *Why:* {why}\n"
            f"{mention(record.employee_id)}, these terms cannot be agreed as they are: change "
            "them to keep within the rules, or withdraw."
        )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])
