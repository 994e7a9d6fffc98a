"""What a failed delivery means: whether to try again, when, and who must know if not.

Rate limits and server errors that outlast the Web API client's own retries, timeouts and
outages pass: the message is tried again later, with growing waits (and at least Slack's
Retry-After), for as long as it takes. It is given up only when retrying cannot help: a
deactivated recipient, an archived channel, a message Slack refuses, or an error the bot does
not know (a fault of the bot's own, BOT_ERROR, included), five times over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.domain.kinds import Destination, NudgeKind
from bot.services.decisions import DecisionRef
from bot.services.outbox import Outgoing
from bot.services.sweep import Due
from bot.slack.announce import Announcements, to_person
from bot.slack.builders.replies import (
    build_cannot_decide,
    build_delegate_not_checked,
    build_thread_failed,
)
from bot.slack.builders.ways_forward import (
    build_not_delivered,
    build_thread_not_opened,
    build_undeliverable,
)
from bot.slack.publish import slack_error

# An error not known to be passing or permanent is tried this many times.
MAX_ATTEMPTS = 5
LONGEST_WAIT = timedelta(hours=1)
# A message that settles itself (a DELEGATE_CHECK) found its claim taken over: nothing to record.
CLAIM_LOST = "claim_lost"
# A message only looked for (`Due.find_only`) and not found: it is skipped, not retried.
NOT_FOUND = "not_found"
# Errors about the recipient that another attempt will not fix.
UNREACHABLE = {
    "user_not_found",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
}
# Of those, the ones that say the person has left: their pending decisions go to HR
# (bot/services/hr_fallback.py, from bot/slack/delivery.py), whose notice then says so.
DEACTIVATED = {"user_disabled", "user_not_found"}
# Errors about the message itself: Slack will refuse it however often it is sent.
NO_THREAD = "no_thread"  # a reply whose approval thread could not be opened
# A named manager found, after the form was answered, to be unable to decide: and who.
CANNOT_DECIDE = "cannot_decide:"
REFUSED = {"invalid_blocks", "invalid_arguments", "msg_too_long", "no_text", NO_THREAD}
# Errors that pass: Slack busy or down, or no answer in time.
PASSING = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "timeout",
}


class Undelivered(Exception):
    """The message could not be delivered (Slack's error code, or the bot's own)."""

    def __init__(self, error: str, *, retry_after: int = 0, maybe_sent: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


def retry_wait(attempts: int, retry_after: int = 0) -> timedelta:
    """How long a failed message waits before its next attempt (at least Slack's Retry-After)."""
    growing = min(timedelta(minutes=2**attempts), LONGEST_WAIT)
    return max(growing, timedelta(seconds=retry_after))


def gives_up(error: str, attempts: int) -> bool:
    """Whether a failed message is given up for good rather than tried again."""
    if error in UNREACHABLE or error in REFUSED or error.startswith(CANNOT_DECIDE):
        return True
    if error in PASSING or error.startswith("http_5"):
        return False
    return attempts + 1 >= MAX_ATTEMPTS


def error_of(exc: SlackApiError) -> str:
    """Slack's error code; for a server error without one, its HTTP status."""
    error = slack_error(exc)
    status = exc.response.status_code
    return f"http_{status}" if error == "unknown_error" and status >= 500 else error


def retry_after(exc: SlackApiError) -> int:
    """The seconds Slack's Retry-After asks for; 0 without one."""
    for name, value in (exc.response.headers or {}).items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list) else value
            return int(text) if str(text).isdigit() else 0
    return 0


def who_must_know(say: Announcements, due: Due, error: str) -> Sequence[Outgoing]:
    """Who is told, through the outbox, that a message was given up."""
    record = due.record
    if due.kind is NudgeKind.THREAD_OPEN and error.startswith(CANNOT_DECIDE):
        person = error.removeprefix(CANNOT_DECIDE)
        return [to_person(record.employee_id, build_cannot_decide(record, person))]
    if due.kind is NudgeKind.THREAD_OPEN:
        return [
            to_person(record.employee_id, build_thread_failed(record, error)),
            *say.to_hr(build_thread_not_opened(record, error)),
        ]
    if due.kind is NudgeKind.DELEGATE_CHECK:
        assert due.payload is not None and due.recipient_id is not None
        ref = DecisionRef.decode(str(due.payload["ref"]))
        delegate = str(due.payload["delegate"])
        message = build_delegate_not_checked(record, ref.side, delegate, error)
        return [to_person(due.recipient_id, message)]
    if due.kind is NudgeKind.DECISION_REMINDER:
        # Someone has to know the request is stuck on a person the bot cannot reach.
        return say.to_hr(build_undeliverable(record, due.recipient_id, error))
    if due.kind is NudgeKind.MESSAGE and due.destination is not Destination.HR:
        if error == NO_THREAD:  # the employee was told the thread could not be opened
            return []
        return say.to_hr(build_not_delivered(record, due.recipient_id, error))
    return []
