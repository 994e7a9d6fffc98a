"""The kinds of things the bot records and says: notes in the thread, escalations to HR, the
nudges it sends (planned, or written by a change), where a message goes, and a check-in's
answers. docs/DOMAIN.md frictions 2, 3 and 5: a block opens a way forward, and no request sits
unanswered."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NoteKind(StrEnum):
    """Whose words a note in the thread is: a manager's response to a block, or HR's note."""

    RESPONSE = "response"  # a manager answering the other side's block
    HR_NOTE = "hr_note"


class EscalationKind(StrEnum):
    """Why a request was brought to HR: a review someone asked for, or nobody deciding."""

    BLOCK_REVIEW = "block_review"  # someone asked HR to review a block
    NO_DECISION = "no_decision"  # nobody decided within the configured working days

    @property
    def label(self) -> str:
        """The kind as HR's messages and the record name it."""
        return {
            EscalationKind.BLOCK_REVIEW: "Review of a block",
            EscalationKind.NO_DECISION: "No decision yet",
        }[self]


class NudgeKind(StrEnum):
    """Every kind of thing the bot says, planned or written by a change (see CATALOGUE)."""

    DECISION_REMINDER = "decision_reminder"
    DECISION_ESCALATION = "decision_escalation"
    # HR asked for an exception to its rules, and not answering: reminded like a manager.
    EXCEPTION_REMINDER = "exception_reminder"
    # HR deciding a side whose decider's account was deactivated, and not deciding it.
    HR_SIDE_REMINDER = "hr_side_reminder"
    # The start of a secondment: the bot makes it active, then welcomes the employee and the
    # host manager and tells the home manager the coverage plan is in effect.
    SECONDMENT_START = "secondment_start"
    START_WELCOME = "start_welcome"
    COVERAGE_NOTICE = "coverage_notice"
    # Every few weeks the employee is asked how it is going; an unanswered check-in gets one
    # reminder and is then recorded as missed (a mark, no message).
    CHECK_IN = "check_in"
    CHECK_IN_REMINDER = "check_in_reminder"
    CHECK_IN_SNOOZED = "check_in_snoozed"  # "Remind me tomorrow": one more reminder
    CHECK_IN_MISSED = "check_in_missed"
    # Before the end date: the three are asked what happens at the end (return, extend or move
    # permanently), twice, unless it is settled.
    END_DECISION = "end_decision"
    # The end date: the employee and the home manager are asked to hold the return debrief.
    DEBRIEF_REQUEST = "debrief_request"
    DEBRIEF_HR_NOTICE = "debrief_hr_notice"
    # Some weeks after the return: how is it going back home?
    FOLLOW_UP = "follow_up"
    # What a change says, written with the change (the outbox): the approval thread opened for a
    # new request, a message composed at the change, and the thread's parent re-drawn from the
    # state as it stands when it is sent.
    THREAD_OPEN = "thread_open"
    MESSAGE = "message"
    THREAD_UPDATE = "thread_update"
    # A person's App Home, published again from the state as it stands when it is sent (after
    # they acted on it).
    HOME_UPDATE = "home_update"
    # A delegation taken while Slack was too slow to say who the delegate is: checked after the
    # answer, and only then made (bot/services/delegation.py).
    DELEGATE_CHECK = "delegate_check"
    # Questions with buttons that no longer apply (a check-in answered, a secondment over):
    # their messages updated to say what happened, so no live button is left behind.
    QUESTIONS_CLOSED = "questions_closed"


@dataclass(frozen=True, slots=True)
class Posted:
    """Where Slack put a message: its conversation's id and the message's ts."""

    channel: str
    ts: str


class Destination(StrEnum):
    """Where a MESSAGE goes."""

    PERSON = "person"  # a direct message to its recipient
    HR = "hr"  # one of HR's destinations: the channel, or one HR person
    THREAD = "thread"  # a reply in the secondment's approval thread
    BROADCAST = "broadcast"  # a reply also shown in the conversation


# The return follow-up (some weeks after the return) is answered like a check-in; it is check-in
# number 0.
FOLLOW_UP_SEQUENCE = 0


class CheckInAnswer(StrEnum):
    """The employee's answer to a check-in, as its buttons offer it."""

    ON_TRACK = "on_track"
    CONCERNS = "concerns"
    NEED_HELP = "need_help"

    @property
    def label(self) -> str:
        """The answer as its button and the record show it."""
        return {
            CheckInAnswer.ON_TRACK: "On track",
            CheckInAnswer.CONCERNS: "Some concerns",
            CheckInAnswer.NEED_HELP: "Need help",
        }[self]
