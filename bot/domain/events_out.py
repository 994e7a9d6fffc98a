"""Events out to the HR system: every type of event it hears of (`EVENT_TYPES`), what an event
says, and how long a failed delivery waits before the next try.

Every change to a secondment is written with an audit event (bot/services/audit.py); each of
those is a state change the HR system hears about, as `secondment.<action>`
(`secondment.approved`, `secondment.home_blocked`, ...), except the few below that change no
state: the bot's own deliveries, a delegation checked or refused, a note's words, and data
protection, whose events would carry the very ids it removes. Every other action must be an
`EventType`, with its line in `EVENT_TYPES`: a change whose action is neither fails as it is
written, so no new kind of change is left out unnoticed (tests/domain/test_event_types.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

SPEC_VERSION = "1.0"
TYPE_PREFIX = "secondment."
# Followed by the workspace's id: an event's `source` and `id` together are unique.
SOURCE = "urn:secondment-mediator:team:"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
SIGNATURE_HEADER = "X-Signature-256"

# Audit actions that record no change of state.
NOT_EVENTS = frozenset(
    {
        "thread_opened",  # the bot posted the approval thread: a delivery
        "nudge_undeliverable",  # a message Slack would not take
        "anonymised",  # data protection: its event would carry the ids it removes
        "retention_deleted",
    }
)
NOT_EVENT_PREFIXES = (
    "nudge_sent_",  # the bot sent a reminder or a question: a delivery
    "note_",  # a note's words change no state, and stay in Slack and the record
)
NOT_EVENT_SUFFIXES = (
    "_delegate_checking",  # a delegation waiting for Slack to say who the delegate is
    "_delegation_refused",  # ... and not made after all
)


class EventType(StrEnum):
    """A state change the HR system hears of, named as the audit trail names the change."""

    REQUESTED = "requested"
    TERMS_CHANGED = "terms_changed"
    HOME_APPROVED = "home_approved"
    HOST_APPROVED = "host_approved"
    HOME_BLOCKED = "home_blocked"
    HOST_BLOCKED = "host_blocked"
    HOME_RECONSIDERED = "home_reconsidered"
    HOST_RECONSIDERED = "host_reconsidered"
    HOME_BLOCK_OVERRIDDEN = "home_block_overridden"
    HOST_BLOCK_OVERRIDDEN = "host_block_overridden"
    HOME_DELEGATED = "home_delegated"
    HOST_DELEGATED = "host_delegated"
    HOME_TO_HR = "home_to_hr"
    HOST_TO_HR = "host_to_hr"
    EXCEPTION_ASKED = "exception_asked"
    EXCEPTION_GRANTED = "exception_granted"
    EXCEPTION_REFUSED = "exception_refused"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"
    ESCALATED_BLOCK_REVIEW = "escalated_block_review"
    ESCALATED_NO_DECISION = "escalated_no_decision"
    STARTED = "started"
    OBJECTIVES_RECORDED = "objectives_recorded"
    CHECK_IN_ANSWERED = "check_in_answered"
    CHECK_IN_SNOOZED = "check_in_snoozed"
    CHECK_IN_MISSED = "check_in_missed"
    CHECK_IN_INTERVAL_SET = "check_in_interval_set"
    EXTEND_PROPOSED = "extend_proposed"
    PERMANENT_PROPOSED = "permanent_proposed"
    EXTENSION_AGREED = "extension_agreed"
    PERMANENT_MOVE_AGREED = "permanent_move_agreed"
    RETURN_CONFIRMED = "return_confirmed"
    ENDED_EARLY = "ended_early"
    DEBRIEFED_AND_COMPLETED = "debriefed_and_completed"


# What each event tells the HR system: README.md's table of types says the same, type by type.
EVENT_TYPES: Mapping[EventType, str] = {
    EventType.REQUESTED: "The employee submitted a request",
    EventType.TERMS_CHANGED: "The terms were changed (a new version, decided afresh)",
    EventType.HOME_APPROVED: "The home manager (or their delegate) approved",
    EventType.HOST_APPROVED: "The host manager (or their delegate) approved",
    EventType.HOME_BLOCKED: "The home manager blocked, with a reason",
    EventType.HOST_BLOCKED: "The host manager blocked, with a reason",
    EventType.HOME_RECONSIDERED: "The home manager lifted their block",
    EventType.HOST_RECONSIDERED: "The host manager lifted their block",
    EventType.HOME_BLOCK_OVERRIDDEN: "HR overrode the home manager's block",
    EventType.HOST_BLOCK_OVERRIDDEN: "HR overrode the host manager's block",
    EventType.HOME_DELEGATED: "The home decision was handed to someone, or taken back",
    EventType.HOST_DELEGATED: "The host decision was handed to someone, or taken back",
    EventType.HOME_TO_HR: "The home decider's account was deactivated, so HR decides it",
    EventType.HOST_TO_HR: "The host decider's account was deactivated, so HR decides it",
    EventType.EXCEPTION_ASKED: "Terms outside HR's rules were submitted with a reason",
    EventType.EXCEPTION_GRANTED: "HR granted that exception",
    EventType.EXCEPTION_REFUSED: "HR refused that exception",
    EventType.APPROVED: "Both managers (and HR, for an exception) approved",
    EventType.WITHDRAWN: "The employee withdrew the request",
    EventType.ESCALATED_BLOCK_REVIEW: "Someone asked HR to review a block",
    EventType.ESCALATED_NO_DECISION: "Nobody decided in time and HR was told",
    EventType.STARTED: "The start date came: the secondment is under way",
    EventType.OBJECTIVES_RECORDED: "The employee and the host manager agreed the objectives",
    EventType.CHECK_IN_ANSWERED: "A check-in was answered",
    EventType.CHECK_IN_SNOOZED: "A check-in was put off",
    EventType.CHECK_IN_MISSED: "A check-in was missed",
    EventType.CHECK_IN_INTERVAL_SET: "HR changed how often check-ins come",
    EventType.EXTEND_PROPOSED: "Someone proposed an extension",
    EventType.PERMANENT_PROPOSED: "Someone proposed a permanent move",
    EventType.EXTENSION_AGREED: "Both managers agreed the extension",
    EventType.PERMANENT_MOVE_AGREED: "Both managers agreed the permanent move",
    EventType.RETURN_CONFIRMED: "The planned return was confirmed",
    EventType.ENDED_EARLY: "The secondment was ended before its end date",
    EventType.DEBRIEFED_AND_COMPLETED: (
        "The return debrief was recorded: the secondment is complete"
    ),
}

# A failed delivery is tried again after 10 s, then 20 s, 40 s ..., never more than an hour
# apart, until the receiver takes it: events are never dropped.
FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)


def event_type(action: str) -> str | None:
    """The event type of an audited change, or None when the action changes no state; raises
    ValueError for an action that is neither an `EventType` nor one of those."""
    if (
        action in NOT_EVENTS
        or action.startswith(NOT_EVENT_PREFIXES)
        or action.endswith(NOT_EVENT_SUFFIXES)
    ):
        return None
    return TYPE_PREFIX + EventType(action)


def retry_after(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed delivery of one event."""
    doublings: int = min(attempts - 1, 20)
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


@dataclass(frozen=True, slots=True)
class SecondmentState:
    """What an event's `data` says of its secondment, as the change left it."""

    secondment_id: int
    team_id: str
    state: str
    home_decision: str
    host_decision: str
    terms_version: int
    start_date: date
    end_date: date
    employee_id: str
    home_manager_id: str
    host_manager_id: str


@dataclass(frozen=True, slots=True)
class StateChange:
    """One audited change, as the event about it needs it."""

    secondment_id: int
    action: str
    actor_id: str
    at: datetime


def event_body(event_id: str, change: StateChange, state: SecondmentState) -> str:
    """The event in CloudEvents' structured JSON form: the exact text sent, and signed, on
    every try."""
    kind = event_type(change.action)
    assert kind is not None, f"{change.action} changes no state"
    event: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "type": kind,
        "source": SOURCE + state.team_id,
        "subject": f"secondments/{state.secondment_id}",
        "time": change.at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": {
            "secondment_id": state.secondment_id,
            "team_id": state.team_id,
            "state": state.state,
            "home_decision": state.home_decision,
            "host_decision": state.host_decision,
            "terms_version": state.terms_version,
            "start_date": state.start_date.isoformat(),
            "end_date": state.end_date.isoformat(),
            "employee_id": state.employee_id,
            "home_manager_id": state.home_manager_id,
            "host_manager_id": state.host_manager_id,
            "actor_id": change.actor_id,
        },
    }
    return json.dumps(event, separators=(",", ":"))


def signature(secret: str, body: bytes) -> str:
    """The `X-Signature-256` header of `body`: its HMAC-SHA256 under the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
