"""Why the bot refuses an action. Each refusal carries facts, not wording: the Slack layer turns
them into a message, so the domain never formats Slack text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.states import Side, SideState, Status


class Refusal(Exception):
    """An action the bot will not take; the person who asked is told why and nothing changes."""


@dataclass
class NotFound(Refusal):
    secondment_id: int


@dataclass
class NotYourSide(Refusal):
    side: Side
    manager_id: str


@dataclass
class AlreadyDecided(Refusal):
    side: Side
    state: SideState
    decided_by: str
    decided_at: datetime


@dataclass
class NoLongerPending(Refusal):
    status: Status


@dataclass
class TermsChanged(Refusal):
    version_seen: int
    current_version: int
