"""Which secondments each App Home section lists, as SQL: one listing a section (two sections of
the same secondments seen two ways share one; bot/services/listings.py reads and cuts them), and
the dates coming up. Used by bot/services/home.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.events_out import EventType
from bot.domain.home_view import HomeSection
from bot.domain.key_dates import KeyDate, upcoming_dates
from bot.domain.people import zone_of
from bot.domain.policy import Policy
from bot.domain.states import APPROVED_OR_UNDERWAY, Side, SideState, Status
from bot.models import (
    AuditEvent,
    CheckIn,
    Escalation,
    KnownPerson,
    Secondment,
    TermsVersion,
)
from bot.services.listings import Listing, Query
from bot.services.timelines import TIMELINE_COLUMNS, in_force, timeline_of

AWAITING_DECISIONS = tuple(s for s in Status if s.awaits_decisions)
# What HR follows: requests being decided or blocked, and secondments approved or under way.
HR_OPEN = tuple(s for s in Status if s not in (Status.WITHDRAWN, Status.COMPLETED))


def as_employee(team_id: str, user_id: str) -> Listing:
    """The user's own secondments, the latest first."""
    return Listing(
        select(Secondment.id.label("secondment_id")).where(
            Secondment.team_id == team_id, Secondment.employee_id == user_id
        ),
        lambda c: [c.secondment_id.desc()],
    )


def deciding(team_id: str, user_id: str) -> Listing:
    """Each side the user decides (as its delegate, or as its manager when there is none) that
    waits for a decision; the longest waiting first."""

    def side(which: Side, manager: Any, delegate: Any, state: Any) -> Query:
        """One side's pending decisions that the user makes."""
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
    return Listing(
        select(both.c.id.label("secondment_id"), both.c.side, both.c.since),
        lambda c: [c.since, c.secondment_id, c.side],
    )


def managed_and_hosted(team_id: str, user_id: str) -> Listing:
    """The secondments of the viewer's people (as home manager) and into their team (as host
    manager), the latest first."""

    def as_(section: HomeSection, manager: Any) -> Query:
        """The secondments the viewer manages on one side, for its section."""
        return select(
            Secondment.id.label("secondment_id"),
            literal(section.value, String).label("section"),
        ).where(Secondment.team_id == team_id, manager == user_id)

    both = union_all(
        as_(HomeSection.MANAGED, Secondment.home_manager_id),
        as_(HomeSection.HOSTED, Secondment.host_manager_id),
    ).subquery()
    return Listing(select(both.c.secondment_id, both.c.section), lambda c: [c.secondment_id.desc()])


def hr_open_and_completed(team_id: str) -> Listing:
    """What HR follows (being decided or blocked, approved or under way), and what has ended,
    with how many extensions each had; the latest first."""
    section = case(
        (Secondment.status == Status.COMPLETED, literal(HomeSection.HR_COMPLETED.value, String)),
        else_=literal(HomeSection.HR_OPEN.value, String),
    )
    extensions = (
        select(func.count())
        .where(
            AuditEvent.secondment_id == Secondment.id,
            AuditEvent.action == EventType.EXTENSION_AGREED,
        )
        .scalar_subquery()
    )
    return Listing(
        select(Secondment.id.label("secondment_id"), section.label("section")).where(
            Secondment.team_id == team_id,
            Secondment.status.in_((*HR_OPEN, Status.COMPLETED)),
        ),
        lambda c: [c.secondment_id.desc()],
        shown_with=(extensions.label("extensions"),),
    )


def open_escalations(team_id: str) -> Listing:
    """Open escalations, the longest waiting first."""
    return Listing(
        select(
            Escalation.secondment_id,
            Escalation.kind,
            Escalation.raised_by,
            Escalation.created_at,
            Escalation.id.label("escalation_id"),
        )
        .join(Secondment, Secondment.id == Escalation.secondment_id)
        .where(Secondment.team_id == team_id, Escalation.resolved_at.is_(None)),
        lambda c: [c.created_at, c.escalation_id],
    )


def missed_check_ins(team_id: str) -> Listing:
    """Check-ins marked missed and never answered, the latest first."""
    return Listing(
        select(
            CheckIn.secondment_id,
            CheckIn.sequence,
            CheckIn.missed_at,
            CheckIn.id.label("check_in_id"),
        )
        .join(Secondment, Secondment.id == CheckIn.secondment_id)
        .where(
            Secondment.team_id == team_id,
            CheckIn.missed_at.is_not(None),
            CheckIn.answer.is_(None),
        ),
        lambda c: [c.missed_at.desc(), c.check_in_id.desc()],
    )


# --- the dates coming up ----------------------------------------------------------------------


async def upcoming(
    session: AsyncSession, team_id: str, user_id: str, now: datetime, policy: Policy
) -> list[KeyDate]:
    """The key dates of the approved or running secondments the user is a party to. One row per
    secondment, of a few columns: the dates are computed here, to sort them across secondments.

    Which dates are still to come depends on the date where the user is, so their timezone comes
    with each row (it matters only when there are rows). The query keeps the secondments that
    end after the day before UTC's date, the earliest date anywhere; `upcoming_dates` keeps
    the dates after the user's own."""
    tz = select(KnownPerson.tz).where(
        KnownPerson.team_id == team_id, KnownPerson.user_id == user_id
    )
    rows = (
        await session.execute(
            select(*TIMELINE_COLUMNS, tz.scalar_subquery().label("tz"))
            .join(TermsVersion, in_force())
            .where(
                Secondment.team_id == team_id,
                Secondment.status.in_(APPROVED_OR_UNDERWAY),
                or_(
                    Secondment.employee_id == user_id,
                    Secondment.home_manager_id == user_id,
                    Secondment.host_manager_id == user_id,
                ),
                TermsVersion.end_date > now.astimezone(UTC).date() - timedelta(days=1),
            )
        )
    ).all()
    if not rows:
        return []
    return upcoming_dates(
        (timeline_of(row, policy) for row in rows), now.astimezone(zone_of(rows[0].tz)).date()
    )
