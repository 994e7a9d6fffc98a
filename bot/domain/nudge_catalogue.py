"""Every kind of nudge in one table: who it reaches, while which states it is still wanted, and
how it is delivered.

The sweep, the outbox and the catch-up rules read their sets of kinds from here
(`kinds_where`), so a new kind is one entry below, plus its branch in bot/slack/sends.py, whose
match is exhaustive (`assert_never`). The table must name every member of `NudgeKind`: the
module refuses to load otherwise, and tests/slack/test_nudge_catalogue.py sends each kind and
checks it reaches whom its entry says. docs/DESIGN.md, "Adding a nudge kind", has the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.kinds import NudgeKind
from bot.domain.states import Status

UNDERWAY = tuple(s for s in Status if s.is_underway)
ANY_STATE = tuple(Status)
DECIDING = (Status.PENDING, Status.PROPOSAL_PENDING)


class Audience(StrEnum):
    """Who a nudge reaches, and how."""

    PERSON = "person"  # a direct message to its recipient
    HR = "hr"  # HR's destinations: the HR channel, or each HR person
    THREAD = "thread"  # the approval thread of the three, or its parent message
    HOME = "home"  # its recipient's App Home, published again
    # A message composed at a change: wherever its row says (a person, HR, the thread).
    DESTINATION = "destination"
    ASKED = "asked"  # the questions it closes, updated where they were posted
    NOBODY = "nobody"  # no message: delivering it is a change (or a check) of its own


@dataclass(frozen=True, slots=True)
class KindEntry:
    """What the bot knows of one kind of nudge: whom it reaches, and how it is treated."""

    audience: Audience
    # The secondment's states in which it is still sent; in any other it is cancelled unsent.
    wanted_in: tuple[Status, ...]
    # Written by a change (the outbox), about that change: never re-planned nor cancelled.
    said: bool = False
    # Speaks in the approval thread: one at a time per secondment, in order, once it is open.
    in_thread: bool = False
    # About one round of decisions: a new round (new terms, a lifted block) plans its own.
    per_round: bool = False
    # Sending it changes the secondment: marked alone, in a transaction with that change.
    changes_state: bool = False
    # Judged against a day where its recipient (or the employee) is, or says what day it is.
    zoned: bool = False
    # Part of a check-in: its question, a reminder, or the missed mark (bot/domain/catch_up.py).
    check_in: bool = False
    # A question answered by its buttons: where it was posted is kept, so that once it no
    # longer applies its message can say so in place of the buttons (QUESTIONS_CLOSED).
    closable: bool = False
    # A step of a round's chain of reminders: it waits after the step before it once that one
    # went out late (bot/domain/reminder_catch_up.py).
    chained: bool = False


CATALOGUE: dict[NudgeKind, KindEntry] = {
    NudgeKind.DECISION_REMINDER: KindEntry(
        Audience.PERSON, DECIDING, per_round=True, zoned=True, closable=True, chained=True
    ),
    NudgeKind.DECISION_ESCALATION: KindEntry(
        Audience.HR, DECIDING, per_round=True, changes_state=True, zoned=True, chained=True
    ),
    NudgeKind.EXCEPTION_REMINDER: KindEntry(Audience.HR, DECIDING, per_round=True, zoned=True),
    NudgeKind.HR_SIDE_REMINDER: KindEntry(Audience.HR, DECIDING, per_round=True, zoned=True),
    NudgeKind.SECONDMENT_START: KindEntry(
        Audience.NOBODY, (Status.APPROVED,), changes_state=True, zoned=True
    ),
    NudgeKind.START_WELCOME: KindEntry(Audience.PERSON, (Status.APPROVED, *UNDERWAY), zoned=True),
    NudgeKind.COVERAGE_NOTICE: KindEntry(Audience.PERSON, (Status.APPROVED, *UNDERWAY), zoned=True),
    NudgeKind.CHECK_IN: KindEntry(
        Audience.PERSON, UNDERWAY, zoned=True, check_in=True, closable=True
    ),
    NudgeKind.CHECK_IN_REMINDER: KindEntry(
        Audience.PERSON, UNDERWAY, zoned=True, check_in=True, closable=True
    ),
    NudgeKind.CHECK_IN_SNOOZED: KindEntry(
        Audience.PERSON, UNDERWAY, zoned=True, check_in=True, closable=True
    ),
    NudgeKind.CHECK_IN_MISSED: KindEntry(
        Audience.NOBODY, UNDERWAY, changes_state=True, zoned=True, check_in=True
    ),
    NudgeKind.END_DECISION: KindEntry(Audience.PERSON, (Status.ACTIVE,), zoned=True, closable=True),
    NudgeKind.DEBRIEF_REQUEST: KindEntry(Audience.PERSON, UNDERWAY, zoned=True),
    NudgeKind.DEBRIEF_HR_NOTICE: KindEntry(Audience.HR, UNDERWAY, zoned=True),
    NudgeKind.FOLLOW_UP: KindEntry(Audience.PERSON, (Status.COMPLETED,), closable=True),
    NudgeKind.THREAD_OPEN: KindEntry(Audience.THREAD, ANY_STATE, said=True, in_thread=True),
    NudgeKind.MESSAGE: KindEntry(Audience.DESTINATION, ANY_STATE, said=True),
    NudgeKind.THREAD_UPDATE: KindEntry(Audience.THREAD, ANY_STATE, said=True, in_thread=True),
    NudgeKind.HOME_UPDATE: KindEntry(Audience.HOME, ANY_STATE, said=True),
    NudgeKind.DELEGATE_CHECK: KindEntry(Audience.NOBODY, ANY_STATE, said=True),
    NudgeKind.QUESTIONS_CLOSED: KindEntry(Audience.ASKED, ANY_STATE, said=True),
}

if missing := set(NudgeKind) - set(CATALOGUE):  # pragma: no cover - a new kind without an entry
    raise RuntimeError(f"nudge kinds missing from the catalogue: {sorted(missing)}")


def kinds_where(test: Callable[[KindEntry], bool]) -> frozenset[NudgeKind]:
    """The kinds whose entry passes `test`."""
    return frozenset(kind for kind, entry in CATALOGUE.items() if test(entry))


SAID = kinds_where(lambda e: e.said)
IN_THREAD = kinds_where(lambda e: e.in_thread)
ROUND_KINDS = kinds_where(lambda e: e.per_round)
CHANGES_STATE = kinds_where(lambda e: e.changes_state)
# Sends nothing to Slack: marking it sent is the whole of it (a start, a missed check-in).
SILENT = kinds_where(lambda e: e.audience is Audience.NOBODY and not e.said)
ZONED = kinds_where(lambda e: e.zoned)
CHECK_IN_NUDGES = kinds_where(lambda e: e.check_in)
CLOSABLE = kinds_where(lambda e: e.closable)
CHAINED = kinds_where(lambda e: e.chained)
WANTED_IN = {kind: entry.wanted_in for kind, entry in CATALOGUE.items()}
