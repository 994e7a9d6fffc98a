"""For HR, when something the bot said about a secondment could not reach its people: a message
given up, an approval thread Slack would not open, a reminder with nobody to receive it."""

from __future__ import annotations

from bot.domain.record import SecondmentRecord
from bot.slack.builders.messages import Message, text_message
from bot.slack.builders.terms import summary_line
from bot.slack.builders.text import mention, slack_said


def build_not_delivered(record: SecondmentRecord, recipient_id: str | None, error: str) -> Message:
    """For HR, when a message about a secondment was given up: to a person (`recipient_id`), or
    in the approval thread (None)."""
    where = mention(recipient_id) if recipient_id else "the approval thread"
    return text_message(
        f"⚠️ A message about secondment request #{record.id} could not be delivered to {where} "
        f"({slack_said(error)}). The record is complete: `/secondment status {record.id}` shows "
        f"where it stands. {summary_line(record)}."
    )


def build_thread_not_opened(record: SecondmentRecord, error: str) -> Message:
    """For HR, when Slack would not open a request's approval thread: the managers have not
    seen the request, and nobody will be reminded of it."""
    return text_message(
        f"⚠️ Secondment request #{record.id} from {mention(record.employee_id)} could not be "
        f"shared: its approval thread with {mention(record.home.manager_id)} and "
        f"{mention(record.host.manager_id)} could not be opened ({slack_said(error)}). The "
        f"managers have not seen it and will not be reminded; the employee has been told. "
        f"{summary_line(record)}."
    )


def build_undeliverable(record: SecondmentRecord, recipient_id: str | None, error: str) -> Message:
    """For HR, when a reminder cannot reach its recipient (for example a deactivated account)."""
    who = mention(recipient_id) if recipient_id else "HR"
    return text_message(
        f"⚠️ A reminder about secondment request #{record.id} could not reach {who} "
        f"({slack_said(error)}). The request is waiting on them: {summary_line(record)}."
    )
