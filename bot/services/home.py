"""What the App Home shows one person: their secondments as employee, the decisions waiting for
them, the secondments they manage and host, the dates coming up and, for HR, the open and the
completed secondments, open escalations and missed check-ins.

Each section is one statement: its first rows up to the section's limit, how many there are in
all, and with each row only what its item shows, a `SecondmentSummary` of the secondment (the
terms in force in a line, the sides, the reason for a block) rather than a whole record. So the
Home costs the same few statements with ten secondments or ten thousand: one a section, the
viewer's timezone coming with their dates; two sections of the same secondments seen two ways
(managed and hosted; HR's open and completed) share one statement, each cut at its own limit.
Only secondments the person is a party to are read for the personal sections; the HR sections
are read only when the caller has checked that the person is HR."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.home_view import (
    Completed,
    Home,
    HomeSection,
    HrHome,
    MissedCheckIn,
    OpenEscalation,
    PendingDecision,
    Shown,
)
from bot.domain.states import Side
from bot.services.absences import upcoming_absences
from bot.services.home_listings import (
    as_employee,
    deciding,
    hr_open_and_completed,
    managed_and_hosted,
    missed_check_ins,
    open_escalations,
    upcoming,
)
from bot.services.listings import read_section, read_sections, summary_of_row


async def load_home(sessions: Sessions, *, actor: Actor, limits: Mapping[HomeSection, int]) -> Home:
    """The Home of `user_id`, each section cut at its limit; HR's sections only when the caller
    has found the viewer to be HR."""
    async with sessions.begin() as session:
        mine = await read_section(
            session,
            as_employee(actor.team_id, actor.user_id),
            limits[HomeSection.MINE],
            summary_of_row,
        )
        decisions = await read_section(
            session,
            deciding(actor.team_id, actor.user_id),
            limits[HomeSection.DECISIONS],
            lambda row: PendingDecision(summary_of_row(row), Side(row.side)),
        )
        managed, hosted = (
            await read_sections(
                session,
                managed_and_hosted(actor.team_id, actor.user_id),
                {s: limits[s] for s in (HomeSection.MANAGED, HomeSection.HOSTED)},
                summary_of_row,
            )
        ).values()
        dates = await upcoming(session, actor.team_id, actor.user_id, actor.now, actor.policy)
        hr = await _hr_home(session, actor.team_id, limits) if actor.is_hr else None
        away = await upcoming_absences(session, actor.team_id, actor.user_id, actor.now)
    return Home(
        mine=mine,
        decisions=decisions,
        dates=Shown(tuple(dates[: limits[HomeSection.DATES]]), len(dates)),
        hr=hr,
        managed=managed,
        hosted=hosted,
        away=tuple(away),
    )


async def _hr_home(
    session: AsyncSession, team_id: str, limits: Mapping[HomeSection, int]
) -> HrHome:
    open_or_done = await read_sections(
        session,
        hr_open_and_completed(team_id),
        {s: limits[s] for s in (HomeSection.HR_OPEN, HomeSection.HR_COMPLETED)},
        lambda row: Completed(summary_of_row(row), row.extensions),
    )
    opened = open_or_done[HomeSection.HR_OPEN]
    return HrHome(
        open=Shown(tuple(c.secondment for c in opened.items), opened.total),
        completed=open_or_done[HomeSection.HR_COMPLETED],
        escalations=await read_section(
            session,
            open_escalations(team_id),
            limits[HomeSection.HR_ESCALATIONS],
            lambda row: OpenEscalation(
                summary_of_row(row), row.kind, row.raised_by, row.created_at
            ),
        ),
        missed=await read_section(
            session,
            missed_check_ins(team_id),
            limits[HomeSection.HR_MISSED],
            lambda row: MissedCheckIn(summary_of_row(row), row.sequence, row.missed_at),
        ),
    )
