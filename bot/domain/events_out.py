"""Events out to the HR system: which changes become a CloudEvents 1.0 event, what the event
says, and how long a failed delivery waits before the next try.

Every change to a secondment is written with an audit event (bot/services/audit.py); each of
those is a state change the HR system hears about, as `secondment.<action>`
(`secondment.approved`, `secondment.home_blocked`, ...), except the few below that change no
state: the bot's own deliveries, a delegation checked or refused, a note's words, and data
protection, whose events would carry the very ids it removes. Deciding by exclusion keeps a
new kind of change from being left out by default.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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

# A failed delivery is tried again after 10 s, then 20 s, 40 s ..., never more than an hour
# apart, until the receiver takes it: events are never dropped.
FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)


def event_type(action: str) -> str | None:
    """The event type of an audited change, or None when the action changes no state."""
    if (
        action in NOT_EVENTS
        or action.startswith(NOT_EVENT_PREFIXES)
        or action.endswith(NOT_EVENT_SUFFIXES)
    ):
        return None
    return TYPE_PREFIX + action


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
