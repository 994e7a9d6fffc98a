"""What the App Home shows one person: their secondments as employee, the decisions waiting for
them, the dates coming up and, for HR, the open secondments, open escalations and missed
check-ins.

Each section is read with a LIMIT (and a COUNT when the limit is reached), and the records it
shows are loaded together once, so the Home costs the same few queries with ten secondments or
ten thousand. Only secondments the person is a party to are read for the personal sections; the
HR sections are read only when the caller has checked that the person is HR.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import Row, Select, String, and_, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import Sessions
from bot.domain.followups import EscalationKind
from bot.domain.key_dates import KeyDate, Timeline, upcoming_dates
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import APPROVED_OR_UNDERWAY, Side, SideState, Status
from bot.models import CheckIn, Escalation, Secondment, TermsVersion
from bot.services.loading import load_records
from bot.services.people import today_of

Item = TypeVar("Item")
# A query and its rows, of whatever columns.
Query = Select[*tuple[Any, ...]]
Rows = Sequence[Row[*tuple[Any, ...]]]

AWAITING_DECISIONS = tuple(s for s in Status if s.awaits_decisions)
# What HR follows: requests being decided or blocked, and secondments approved or under way.
HR_OPEN = tuple(s for s in Status if s not in (Status.WITHDRAWN, Status.COMPLETED))


class HomeSection(StrEnum):
    MINE = "mine"  # the viewer's secondments as employee
    DECISIONS = "decisions"  # sides the viewer decides that await a decision
    DATES = "dates"  # starts, check-ins and ends coming up in the viewer's secondments
    HR_OPEN = "hr_open"
    HR_ESCALATIONS = "hr_escalations"
    HR_MISSED = "hr_missed"

    @property
    def for_hr(self) -> bool:
        return self in (HomeSection.HR_OPEN, HomeSection.HR_ESCALATIONS, HomeSection.HR_MISSED)


@dataclass(frozen=True, slots=True)
class Shown(Generic[Item]):
    """The first items of a section, and how many there are in all."""

    items: tuple[Item, ...]
    total: int


@dataclass(frozen=True, slots=True)
class PendingDecision:
    record: SecondmentRecord
    side: Side


@dataclass(frozen=True, slots=True)
class OpenEscalation:
    record: SecondmentRecord
    kind: EscalationKind
    raised_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MissedCheckIn:
    record: SecondmentRecord
    sequence: int
    missed_at: datetime


@dataclass(frozen=True, slots=True)
class HrHome:
    open: Shown[SecondmentRecord]
    escalations: Shown[OpenEscalation]
    missed: Shown[MissedCheckIn]


@dataclass(frozen=True, slots=True)
class Home:
    mine: Shown[SecondmentRecord]
    decisions: Shown[PendingDecision]
    dates: Shown[KeyDate]
    hr: HrHome | None  # None: the viewer is not HR


async def load_home(
    sessions: Sessions,
    *,
    team_id: str,
    user_id: str,
    viewer_is_hr: bool,
    limits: Mapping[HomeSection, int],
    policy: Policy,
    now: datetime,
) -> Home:
    """The Home of `user_id`, each section cut at its limit; HR's sections only when the caller
    has found the viewer to be HR."""
    async with sessions.begin() as session:
        mine, mine_total = await _first(session, _mine(team_id, user_id), limits[HomeSection.MINE])
        deciding, deciding_total = await _first(
            session, _deciding(team_id, user_id), limits[HomeSection.DECISIONS]
        )
        today = await today_of(session, team_id, user_id, now)
        dates = await _upcoming(session, team_id, user_id, today, policy)
        hr_rows = None
        if viewer_is_hr:
            hr_rows = (
                await _first(session, _hr_open(team_id), limits[HomeSection.HR_OPEN]),
                await _first(session, _escalations(team_id), limits[HomeSection.HR_ESCALATIONS]),
                await _first(session, _missed(team_id), limits[HomeSection.HR_MISSED]),
            )
        wanted = {row[0] for rows in (mine, deciding) for row in rows}
        if hr_rows:
            wanted |= {row[0] for rows, _ in hr_rows for row in rows}
        records = await _records(session, wanted, policy)

    hr = None
    if hr_rows:
        (opened, open_total), (escalated, escalated_total), (missed, missed_total) = hr_rows
        hr = HrHome(
            open=Shown(tuple(records[row[0]] for row in opened), open_total),
            escalations=Shown(
                tuple(OpenEscalation(records[r[0]], r[1], r[2], r[3]) for r in escalated),
                escalated_total,
            ),
            missed=Shown(
                tuple(MissedCheckIn(records[r[0]], r[1], r[2]) for r in missed), missed_total
            ),
        )
    return Home(
        mine=Shown(tuple(records[row[0]] for row in mine), mine_total),
        decisions=Shown(
            tuple(PendingDecision(records[r[0]], Side(r[1])) for r in deciding), deciding_total
        ),
        dates=Shown(tuple(dates[: limits[HomeSection.DATES]]), len(dates)),
        hr=hr,
    )


async def _first(session: AsyncSession, query: Query, limit: int) -> tuple[Rows, int]:
    """The first `limit` rows of a query whose first column is a secondment id, and how many
    rows there are in all (counted only when there may be more)."""
    rows = (await session.execute(query.limit(limit))).all()
    if len(rows) < limit:
        return rows, len(rows)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return rows, total or 0


async def _records(
    session: AsyncSession, ids: set[int], policy: Policy
) -> dict[int, SecondmentRecord]:
    if not ids:
        return {}
    rows = (
        await session.scalars(
            select(Secondment).where(Secondment.id.in_(ids)).options(selectinload(Secondment.terms))
        )
    ).all()
    return {record.id: record for record in await load_records(session, rows, policy)}


def _mine(team_id: str, user_id: str) -> Query:
    return (
        select(Secondment.id)
        .where(Secondment.team_id == team_id, Secondment.employee_id == user_id)
        .order_by(Secondment.id.desc())
    )


def _deciding(team_id: str, user_id: str) -> Query:
    """(secondment id, side) of each side the user decides (as its delegate, or as its manager
    when there is none) that waits for a decision; the longest waiting first."""

    def side(which: Side, manager: Any, delegate: Any, state: Any) -> Query:
        return select(
            Secondment.id.label("id"),
            literal(which.value, String).label("side"),
            Secondment.round_started_at.label("since"),
        ).where(
            Secondment.team_id == team_id,
            Secondment.status.in_(AWAITING_DECISIONS),
            state == SideState.PENDING,
            or_(delegate == user_id, and_(delegate.is_(None), manager == user_id)),
        )

    both = union_all(
        side(
            Side.HOME,
            Secondment.home_manager_id,
            Secondment.home_delegate_id,
            Secondment.home_state,
        ),
        side(
            Side.HOST,
            Secondment.host_manager_id,
            Secondment.host_delegate_id,
            Secondment.host_state,
        ),
    ).subquery()
    return select(both.c.id, both.c.side).order_by(both.c.since, both.c.id, both.c.side)


async def _upcoming(
    session: AsyncSession, team_id: str, user_id: str, today: date, policy: Policy
) -> list[KeyDate]:
    """The key dates of the approved or running secondments the user is a party to. One row per
    secondment, of a few columns: the dates are computed here, to sort them across secondments."""
    rows = await session.execute(
        select(
            Secondment.id,
            Secondment.employee_id,
            TermsVersion.role_title,
            TermsVersion.host_team,
            TermsVersion.start_date,
            TermsVersion.end_date,
            Secondment.check_in_weeks,
        )
        .join(
            TermsVersion,
            and_(
                TermsVersion.secondment_id == Secondment.id,
                TermsVersion.version == Secondment.terms_version,
            ),
        )
        .where(
            Secondment.team_id == team_id,
            Secondment.status.in_(APPROVED_OR_UNDERWAY),
            or_(
                Secondment.employee_id == user_id,
                Secondment.home_manager_id == user_id,
                Secondment.host_manager_id == user_id,
            ),
            TermsVersion.end_date > today,
        )
    )
    return upcoming_dates(
        (
            Timeline(
                secondment_id,
                employee_id,
                role_title,
                host_team,
                start_date,
                end_date,
                weeks or policy.check_in_every_weeks,
            )
            for secondment_id, employee_id, role_title, host_team, start_date, end_date, weeks in (
                rows
            )
        ),
        today,
    )


def _hr_open(team_id: str) -> Query:
    return (
        select(Secondment.id)
        .where(Secondment.team_id == team_id, Secondment.status.in_(HR_OPEN))
        .order_by(Secondment.id.desc())
    )


def _escalations(team_id: str) -> Query:
    """Open escalations, the longest waiting first."""
    return (
        select(
            Escalation.secondment_id, Escalation.kind, Escalation.raised_by, Escalation.created_at
        )
        .join(Secondment, Secondment.id == Escalation.secondment_id)
        .where(Secondment.team_id == team_id, Escalation.resolved_at.is_(None))
        .order_by(Escalation.created_at, Escalation.id)
    )


def _missed(team_id: str) -> Query:
    """Check-ins marked missed and never answered, the latest first."""
    return (
        select(CheckIn.secondment_id, CheckIn.sequence, CheckIn.missed_at)
        .join(Secondment, Secondment.id == CheckIn.secondment_id)
        .where(
            Secondment.team_id == team_id,
            CheckIn.missed_at.is_not(None),
            CheckIn.answer.is_(None),
        )
        .order_by(CheckIn.missed_at.desc(), CheckIn.id.desc())
    )
