"""Check-ins: the question to the employee, the form for their answer, and who hears of it."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.kinds import FOLLOW_UP_SEQUENCE, CheckInAnswer
from bot.domain.record import SecondmentRecord
from bot.services.checkins import NOTE_MAX, CheckInAnswered
from bot.slack.builders.messages import Message
from bot.slack.builders.start_and_objectives import objectives_blocks
from bot.slack.builders.terms import NOTE_ROOM
from bot.slack.builders.text import day, escape, md, mention, moment
from bot.slack.ids import Action, Callback, FollowUpField
from bot.slack.refs import CheckInRef

ANSWER_ACTIONS = {
    CheckInAnswer.ON_TRACK: Action.CHECK_IN_ON_TRACK,
    CheckInAnswer.CONCERNS: Action.CHECK_IN_CONCERNS,
    CheckInAnswer.NEED_HELP: Action.CHECK_IN_NEED_HELP,
}
STYLES = {CheckInAnswer.ON_TRACK: "primary", CheckInAnswer.NEED_HELP: "danger"}


def manager_to_tell(record: SecondmentRecord, sequence: int) -> tuple[str, str]:
    """During the secondment concerns go to the host manager; after the return, to the home
    manager: whoever the employee works for now."""
    if sequence == FOLLOW_UP_SEQUENCE:
        return record.home.manager_id, "home manager"
    return record.host.decider_id, "host manager"


def who_hears(record: SecondmentRecord, answer: CheckInAnswer, sequence: int) -> str:
    """Who sees an answer, in the words the employee reads before choosing."""
    manager, role = manager_to_tell(record, sequence)
    return {
        CheckInAnswer.ON_TRACK: "It is recorded; nobody is notified.",
        CheckInAnswer.CONCERNS: f"{mention(manager)} ({role}) will see it.",
        CheckInAnswer.NEED_HELP: f"{mention(manager)} ({role}) and HR will see it.",
    }[answer]


def build_check_in(record: SecondmentRecord, sequence: int, reminder: bool) -> Message:
    """The check-in question to the employee (or its reminder), with the answers as buttons."""
    lead = "⏰ A reminder: how" if reminder else "👋 How"
    text = (
        f"{lead} is your secondment with *{escape(record.terms.host_team)}* going? "
        f"(check-in {sequence}, to {day(record.terms.end_date)})"
    )
    ref = CheckInRef(record.id, sequence)
    buttons = [
        ButtonElement(
            text=answer.label,
            action_id=ANSWER_ACTIONS[answer],
            value=CheckInRef(record.id, sequence, answer).encode(),
            style=STYLES.get(answer),
        )
        for answer in CheckInAnswer
    ]
    buttons.append(
        ButtonElement(
            text="Remind me tomorrow", action_id=Action.CHECK_IN_SNOOZE, value=ref.encode()
        )
    )
    blocks: list[Block] = [
        SectionBlock(text=md(text)),
        *objectives_blocks(record),
        ActionsBlock(block_id=f"check_in_{sequence}", elements=buttons),
        ContextBlock(
            elements=[
                md(
                    "Some concerns goes to your host manager; Need help goes to your host manager "
                    "and HR. You can add a note, and choose to share a summary with your home "
                    "manager."
                )
            ]
        ),
    ]
    return Message(text=text, blocks=blocks)


def check_in_name(sequence: int) -> str:
    """A check-in as a sentence names it ("check-in 2", or the return follow-up)."""
    return (
        "the follow-up after the return"
        if sequence == FOLLOW_UP_SEQUENCE
        else (f"check-in {sequence}")
    )


def build_follow_up(record: SecondmentRecord) -> Message:
    """Some weeks after the return: how is it going back home?"""
    text = (
        f"👋 It has been a few weeks since you came back from *{escape(record.terms.host_team)}*"
        f" (secondment #{record.id}). How is the return going?"
    )
    buttons = [
        ButtonElement(
            text=answer.label,
            action_id=ANSWER_ACTIONS[answer],
            value=CheckInRef(record.id, FOLLOW_UP_SEQUENCE, answer).encode(),
            style=STYLES.get(answer),
        )
        for answer in CheckInAnswer
    ]
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=md(text)),
            ActionsBlock(block_id="follow_up", elements=buttons),
            ContextBlock(
                elements=[
                    md(
                        "Some concerns goes to your home manager; Need help goes to "
                        "your home manager and HR."
                    )
                ]
            ),
        ],
    )


def build_check_in_modal(record: SecondmentRecord, ref: CheckInRef) -> View:
    """The form after an answer is chosen: an optional note, and whether to share a summary."""
    assert ref.answer is not None
    return View(
        type="modal",
        callback_id=Callback.CHECK_IN,
        private_metadata=ref.encode(),
        title="Check-in",
        submit="Send",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=md(
                    f"You chose *{ref.answer.label}*. {who_hears(record, ref.answer, ref.sequence)}"
                )
            ),
            InputBlock(
                block_id=FollowUpField.CHECK_IN_NOTE,
                label="Anything to add?",
                optional=True,
                element=PlainTextInputElement(
                    action_id=FollowUpField.CHECK_IN_NOTE, multiline=True, max_length=NOTE_MAX
                ),
            ),
            InputBlock(
                block_id=FollowUpField.CHECK_IN_SHARE,
                label="Keep in touch",
                optional=True,
                element=CheckboxesElement(
                    action_id=FollowUpField.CHECK_IN_SHARE,
                    options=[Option(value="share", label="Share a summary with my home manager")],
                ),
            ),
        ],
    )


def _summary(answered: CheckInAnswered) -> str:
    text = f"*{answered.answer.label}*"
    if answered.note:
        text += f"\n>{escape(answered.note, NOTE_ROOM)}"
    return text


def build_check_in_thanks(answered: CheckInAnswered) -> Message:
    """The employee's confirmation of a check-in answer, and who hears of it."""
    record = answered.record
    shared = (
        f" A summary went to {mention(record.home.manager_id)}."
        if answered.shared_with_home
        else ""
    )
    heard = " " + who_hears(record, answered.answer, answered.sequence)
    if shared and answered.answer is CheckInAnswer.ON_TRACK:
        # "Nobody is notified" is no longer true once it is shared, and "recorded" is said.
        heard = ""
    text = (
        f"Thanks: {check_in_name(answered.sequence)} recorded as {answered.answer.label}."
        f"{heard}{shared}"
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_check_in_closed(answered: CheckInAnswered) -> Message:
    """In place of the question (and its reminders) once answered: what was answered, and when;
    no buttons left to press."""
    team = escape(answered.record.terms.host_team)
    if answered.sequence == FOLLOW_UP_SEQUENCE:
        which = f"the follow-up after your secondment with *{team}*"
    else:
        which = f"check-in {answered.sequence} of your secondment with *{team}*"
    text = f"✅ You answered {which}: *{answered.answer.label}*, {moment(answered.answered_at)}."
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_check_ins_closed(record: SecondmentRecord) -> Message:
    """In place of the check-ins left unanswered when the secondment is over."""
    # (The debrief may come up to a week before the end date: "ended" could be untrue.)
    text = (
        f"This check-in of your secondment with *{escape(record.terms.host_team)}* has closed: "
        "the secondment is complete, with its return debrief recorded."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_check_in_alert(answered: CheckInAnswered) -> Message:
    """For the host manager (and HR, for Need help): the employee's answer and note."""
    record = answered.record
    text = (
        f"{mention(record.employee_id)} answered {check_in_name(answered.sequence)} of secondment "
        f"#{record.id} with {answered.answer.label}."
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=md(f"{text}\n{_summary(answered)}")),
            ContextBlock(elements=[md("Please get in touch with them soon.")]),
        ],
    )


def build_keep_in_touch(answered: CheckInAnswered) -> Message:
    """For the home manager, when the employee chose to share."""
    record = answered.record
    text = (
        f"Keep in touch: {mention(record.employee_id)} shared their "
        f"{check_in_name(answered.sequence)} from *{escape(record.terms.host_team)}*."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(f"{text}\n{_summary(answered)}"))])
