"""What can follow a block or a silence: notes in the thread, escalations to HR, and the
scheduled nudges the bot sends. DOMAIN.md frictions 2, 3 and 5: a block opens a way forward,
and no request sits unanswered."""

from __future__ import annotations

from enum import StrEnum


class NoteKind(StrEnum):
    RESPONSE = "response"  # a manager answering the other side's block
    HR_NOTE = "hr_note"


class EscalationKind(StrEnum):
    BLOCK_REVIEW = "block_review"  # someone asked HR to review a block
    NO_DECISION = "no_decision"  # nobody decided within the configured working days

    @property
    def label(self) -> str:
        return {
            EscalationKind.BLOCK_REVIEW: "Review of a block",
            EscalationKind.NO_DECISION: "No decision yet",
        }[self]


class NudgeKind(StrEnum):
    DECISION_REMINDER = "decision_reminder"
    DECISION_ESCALATION = "decision_escalation"
    # The start of a secondment: the bot makes it active, then welcomes the employee and the
    # host manager and tells the home manager the coverage plan is in effect.
    SECONDMENT_START = "secondment_start"
    START_WELCOME = "start_welcome"
    COVERAGE_NOTICE = "coverage_notice"
