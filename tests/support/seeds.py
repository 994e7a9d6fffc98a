"""Many secondments at once, written straight to the database in one transaction, and a count
of the SQL a step runs: for tests of how the bot behaves at size, where going through Slack a
thousand times would prove nothing more and take minutes."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Sessions
from bot.domain.kinds import CheckInAnswer, Destination, EscalationKind, NudgeKind
from bot.domain.states import EndOutcome, Side, SideState, Status
from bot.models import CheckIn, Escalation, Nudge, Secondment, TermsVersion
from tests.support.harness import EMPLOYEE, HOME, HOST
from tests.support.samples import TERMS
from tests.support.standin import TEAM_ID

AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
_keys = itertools.count(1)  # request keys are unique across every seeding


@dataclass(frozen=True, slots=True)
class Spec:
    """One secondment to write: who, where it stands, and what HR would see about it."""

    employee: str
    status: Status
    home_state: SideState = SideState.PENDING
    host_state: SideState = SideState.PENDING
    home: str = HOME
    host: str = HOST
    home_delegate: str | None = None
    start: date = TERMS.start_date
    end: date = TERMS.end_date
    escalated: bool = False  # has an open escalation
    resolved: bool = False  # has a resolved escalation
    missed: bool = False  # check-in 1 was missed (else, under way, it was answered)
    created: datetime = AT  # when the request was made
    outcome: EndOutcome | None = None
    host_team: str = TERMS.host_team

    def decides(self, user_id: str) -> list[Side]:
        """The sides `user_id` decides that wait for a decision."""
        if not self.status.awaits_decisions:
            return []
        sides = [
            (Side.HOME, self.home_state, self.home_delegate or self.home),
            (Side.HOST, self.host_state, self.host),
        ]
        return [
            s for s, state, decider in sides if state is SideState.PENDING and decider == user_id
        ]


async def seed(sessions: Sessions, specs: list[Spec]) -> list[int]:
    """Write the secondments (ids in the order given), with their terms and any escalations and
    check-ins, in one transaction."""
    async with sessions.begin() as session:
        rows = [
            Secondment(
                team_id=TEAM_ID,
                request_key=f"seed-{next(_keys)}",
                employee_id=spec.employee,
                home_manager_id=spec.home,
                host_manager_id=spec.host,
                home_delegate_id=spec.home_delegate,
                status=spec.status,
                terms_version=1,
                home_state=spec.home_state,
                host_state=spec.host_state,
                round=1,
                round_started_at=AT + timedelta(minutes=n),
                outcome=spec.outcome,
                created_at=spec.created,
                updated_at=spec.created,
                # Shown to its managers in an approval thread, as every request is.
                channel_id="G0SEEDED",
                thread_ts=f"1700000000.{n:06d}",
            )
            for n, spec in enumerate(specs)
        ]
        session.add_all(rows)
        await session.flush()
        for row, spec in zip(rows, specs, strict=True):
            session.add(
                TermsVersion(
                    secondment_id=row.id,
                    version=1,
                    **dataclasses.asdict(
                        dataclasses.replace(
                            TERMS,
                            host_team=spec.host_team,
                            start_date=spec.start,
                            end_date=spec.end,
                        )
                    ),
                    created_by=spec.employee,
                    created_at=AT,
                )
            )
            for open_, wanted in ((True, spec.escalated), (False, spec.resolved)):
                if wanted:
                    session.add(
                        Escalation(
                            secondment_id=row.id,
                            kind=EscalationKind.NO_DECISION,
                            round=1 if open_ else 0,
                            terms_version=1,
                            created_at=AT,
                            resolved_at=None if open_ else AT,
                        )
                    )
            if spec.status.is_underway:
                session.add(
                    CheckIn(
                        secondment_id=row.id,
                        sequence=1,
                        answer=None if spec.missed else CheckInAnswer.ON_TRACK,
                        shared_with_home=False,
                        answered_at=None if spec.missed else AT,
                        missed_at=AT if spec.missed else None,
                    )
                )
    return [row.id for row in rows]


async def due_reminders(sessions: Sessions, ids: list[int], *, sequence: int = 1) -> None:
    """A decision reminder due at `AT` to the home manager of each secondment in `ids`, in one
    transaction (2,000 rows to a statement)."""
    rows: list[dict[str, Any]] = [
        {
            "secondment_id": id_,
            "kind": NudgeKind.DECISION_REMINDER,
            "round": 1,
            "side": Side.HOME,
            "sequence": sequence,
            "recipient_id": HOME,
            "due_at": AT,
            "attempts": 0,
            "created_at": AT,
        }
        for id_ in ids
    ]
    async with sessions.begin() as session:
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Nudge), rows[start : start + 2000])


async def due_messages(sessions: Sessions, ids: list[int]) -> None:
    """What a change said, waiting in the outbox: a DM due at `AT` to the employee of each
    secondment in `ids`, in one transaction (2,000 rows to a statement)."""
    message = {"text": "Your secondment request is in writing.", "blocks": []}
    rows: list[dict[str, Any]] = [
        {
            "secondment_id": id_,
            "kind": NudgeKind.MESSAGE,
            "round": 1,
            "side": None,
            "sequence": 0,
            "recipient_id": EMPLOYEE,
            "due_at": AT,
            "attempts": 0,
            "created_at": AT,
            "destination": Destination.PERSON,
            "payload": message,
        }
        for id_ in ids
    ]
    async with sessions.begin() as session:
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Nudge), rows[start : start + 2000])


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run on the engine inside the block."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        """Note one statement."""
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
