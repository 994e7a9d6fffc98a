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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import Label, Select, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.absences import Away
from bot.domain.key_dates import KeyDate, upcoming_dates
from bot.domain.kinds import EscalationKind
from bot.domain.people import zone_of
from bot.domain.policy import Policy
from bot.domain.states import APPROVED_OR_UNDERWAY, Outcome, Side, SideState, Status
from bot.domain.summary import SecondmentSummary, SideSummary
from bot.models import (
    AuditEvent,
    CheckIn,
    Decision,
    Escalation,
    KnownPerson,
    Secondment,
    TermsVersion,
)
from bot.services.absences import upcoming_absences
from bot.services.report import EXTENSION_AGREED
from bot.services.timelines import TIMELINE_COLUMNS, in_force, timeline_of

Item = TypeVar("Item")
# A query, of whatever columns.
Query = Select[*tuple[Any, ...]]

AWAITING_DECISIONS = tuple(s for s in Status if s.awaits_decisions)
# What HR follows: requests being decided or blocked, and secondments approved or under way.
HR_OPEN = tuple(s for s in Status if s not in (Status.WITHDRAWN, Status.COMPLETED))


class HomeSection(StrEnum):
    MINE = "mine"  # the viewer's secondments as employee
    DECISIONS = "decisions"  # sides the viewer decides that await a decision
    MANAGED = "managed"  # secondments of the viewer's own people (the viewer is home manager)
    HOSTED = "hosted"  # secondments into the viewer's team (the viewer is host manager)
    DATES = "dates"  # starts, check-ins and ends coming up in the viewer's secondments
    HR_OPEN = "hr_open"
    HR_COMPLETED = "hr_completed"
    HR_ESCALATIONS = "hr_escalations"
    HR_MISSED = "hr_missed"

    @property
    def for_hr(self) -> bool:
        return self.value.startswith("hr_")


@dataclass(frozen=True, slots=True)
class Shown(Generic[Item]):
    """The first items of a section, and how many there are in all."""

    items: tuple[Item, ...]
    total: int


@dataclass(frozen=True, slots=True)
class PendingDecision:
    secondment: SecondmentSummary
    side: Side


@dataclass(frozen=True, slots=True)
class OpenEscalation:
    secondment: SecondmentSummary
    kind: EscalationKind
    raised_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MissedCheckIn:
    secondment: SecondmentSummary
    sequence: int
    missed_at: datetime


@dataclass(frozen=True, slots=True)
class Completed:
    """A completed secondment, with how many extensions it had on the way."""

    secondment: SecondmentSummary
    extensions: int


@dataclass(frozen=True, slots=True)
class HrHome:
    open: Shown[SecondmentSummary]
    escalations: Shown[OpenEscalation]
    missed: Shown[MissedCheckIn]
    completed: Shown[Completed] = Shown((), 0)


@dataclass(frozen=True, slots=True)
class Home:
    mine: Shown[SecondmentSummary]
    decisions: Shown[PendingDecision]
    dates: Shown[KeyDate]
    hr: HrHome | None  # None: the viewer is not HR
    managed: Shown[SecondmentSummary] = Shown((), 0)
    hosted: Shown[SecondmentSummary] = Shown((), 0)
    away: tuple[Away, ...] = ()  # the viewer's time away still to come or under way


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
        mine = await _section(session, _mine(team_id, user_id), limits[HomeSection.MINE], _summary)
        decisions = await _section(
            session,
            _deciding(team_id, user_id),
            limits[HomeSection.DECISIONS],
            lambda row: PendingDecision(_summary(row), Side(row.side)),
        )
        managed, hosted = (
            await _sections(
                session,
                _managed_and_hosted(team_id, user_id),
                {s: limits[s] for s in (HomeSection.MANAGED, HomeSection.HOSTED)},
                _summary,
            )
        ).values()
        dates = await _upcoming(session, team_id, user_id, now, policy)
        hr = await _hr_home(session, team_id, limits) if viewer_is_hr else None
        away = await upcoming_absences(session, team_id, user_id, now)
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
    open_or_done = await _sections(
        session,
        _hr_open_and_completed(team_id),
        {s: limits[s] for s in (HomeSection.HR_OPEN, HomeSection.HR_COMPLETED)},
        lambda row: Completed(_summary(row), row.extensions),
    )
    opened = open_or_done[HomeSection.HR_OPEN]
    return HrHome(
        open=Shown(tuple(c.secondment for c in opened.items), opened.total),
        completed=open_or_done[HomeSection.HR_COMPLETED],
        escalations=await _section(
            session,
            _escalations(team_id),
            limits[HomeSection.HR_ESCALATIONS],
            lambda row: OpenEscalation(_summary(row), row.kind, row.raised_by, row.created_at),
        ),
        missed=await _section(
            session,
            _missed(team_id),
            limits[HomeSection.HR_MISSED],
            lambda row: MissedCheckIn(_summary(row), row.sequence, row.missed_at),
        ),
    )


# --- one statement a section ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Listing:
    """What a section lists, before it is cut: a query whose first column is the secondment
    (`secondment_id`), and the section's order of the query's columns, which `_section` applies
    to the query and again to the columns of the cut."""

    query: Query
    order: Callable[[Any], list[Any]]
    # Columns read only for the rows shown, after the cut (correlated to the secondment).
    shown_with: tuple[Any, ...] = ()


def _block_reason() -> Label[Any]:
    """The reason of the blocked side's latest decision on the terms being decided, as the
    record loader finds it (bot.services.loading): none unless that decision is the block."""
    blocked = case(
        (Secondment.home_state == SideState.BLOCKED, literal(Side.HOME.value, String)),
        (Secondment.host_state == SideState.BLOCKED, literal(Side.HOST.value, String)),
    )
    latest = (
        select(case((Decision.outcome == Outcome.BLOCKED, Decision.reason)))
        .where(
            Decision.secondment_id == Secondment.id,
            Decision.side == blocked,
            Decision.terms_version
            == func.coalesce(Secondment.proposal_version, Secondment.terms_version),
        )
        .order_by(Decision.id.desc())
        .limit(1)
    )
    return latest.scalar_subquery().label("block_reason")


async def _section(
    session: AsyncSession, listing: _Listing, limit: int, item: Callable[[Any], Item]
) -> Shown[Item]:
    """The first `limit` rows of a section, each made an item, and how many rows there are in
    all, in one statement. The count is a subquery of its own, run once: with the LIMIT it
    costs what a separate COUNT did, where `count(*) OVER ()` costs two to three times that
    on SQLite. The summary of each secondment is read after the cut, so only the rows shown are
    joined to their terms and decisions."""
    query, order = listing.query, listing.order
    total = select(func.count()).select_from(query.subquery()).scalar_subquery()
    first = (
        query.add_columns(total.label("total"))
        .order_by(*order(query.selected_columns))
        .limit(limit)
        .subquery()
    )
    rows = (
        await session.execute(
            select(first, *_summary_columns(), *listing.shown_with)
            .join(Secondment, Secondment.id == first.c.secondment_id)
            .join(TermsVersion, in_force())
            .order_by(*order(first.c))
        )
    ).all()
    return Shown(tuple(item(row) for row in rows), rows[0].total if rows else 0)


async def _sections(
    session: AsyncSession,
    listing: _Listing,
    limits: Mapping[HomeSection, int],
    item: Callable[[Any], Item],
) -> dict[HomeSection, Shown[Item]]:
    """`_section` for sections listed together, in one statement: the listing's `section`
    column says which section each row is in, and each section is cut at its own limit (its
    rows ranked, and counted, within the section)."""
    query, order = listing.query, listing.order
    columns = query.selected_columns
    ranked = query.add_columns(
        func.row_number().over(partition_by=columns.section, order_by=order(columns)).label("rank"),
        func.count().over(partition_by=columns.section).label("total"),
    ).subquery()
    limit = case({section.value: n for section, n in limits.items()}, value=ranked.c.section)
    first = select(ranked).where(ranked.c.rank <= limit).subquery()
    rows = (
        await session.execute(
            select(first, *_summary_columns(), *listing.shown_with)
            .join(Secondment, Secondment.id == first.c.secondment_id)
            .join(TermsVersion, in_force())
            .order_by(first.c.section, first.c.rank)
        )
    ).all()
    items: dict[HomeSection, list[Item]] = {section: [] for section in limits}
    totals = dict.fromkeys(limits, 0)
    for row in rows:
        section = HomeSection(row.section)
        items[section].append(item(row))
        totals[section] = row.total
    return {section: Shown(tuple(items[section]), totals[section]) for section in limits}


def _summary_columns() -> tuple[Any, ...]:
    """What a row needs for its `SecondmentSummary`, joined to the secondment and its terms in
    force."""
    return (
        Secondment.employee_id,
        Secondment.status,
        TermsVersion.role_title,
        TermsVersion.host_team,
        TermsVersion.start_date,
        TermsVersion.end_date,
        Secondment.home_manager_id,
        Secondment.home_delegate_id,
        Secondment.home_state,
        Secondment.home_to_hr_at,
        Secondment.host_manager_id,
        Secondment.host_delegate_id,
        Secondment.host_state,
        Secondment.host_to_hr_at,
        _block_reason(),
        Secondment.outcome,
        Secondment.proposal_kind,
        Secondment.proposal_version,
        Secondment.terms_version,
        Secondment.round_started_at,
        Secondment.thread_url,
        Secondment.hr_state,
    )


def _summary(row: Any) -> SecondmentSummary:
    proposal = row.proposal_kind if row.proposal_version is not None else None
    return SecondmentSummary(
        id=row.secondment_id,
        employee_id=row.employee_id,
        status=row.status,
        role_title=row.role_title,
        host_team=row.host_team,
        start_date=row.start_date,
        end_date=row.end_date,
        home=SideSummary(
            Side.HOME,
            row.home_manager_id,
            row.home_delegate_id,
            row.home_state,
            hr_decides=row.home_to_hr_at is not None,
        ),
        host=SideSummary(
            Side.HOST,
            row.host_manager_id,
            row.host_delegate_id,
            row.host_state,
            hr_decides=row.host_to_hr_at is not None,
        ),
        block_reason=row.block_reason,
        outcome=row.outcome,
        proposal=proposal,
        deciding_version=row.proposal_version if proposal else row.terms_version,
        round_started_at=row.round_started_at,
        thread_url=row.thread_url,
        exception_pending=row.hr_state is SideState.PENDING,
    )


def _mine(team_id: str, user_id: str) -> _Listing:
    return _Listing(
        select(Secondment.id.label("secondment_id")).where(
            Secondment.team_id == team_id, Secondment.employee_id == user_id
        ),
        lambda c: [c.secondment_id.desc()],
    )


def _deciding(team_id: str, user_id: str) -> _Listing:
    """Each side the user decides (as its delegate, or as its manager when there is none) that
    waits for a decision; the longest waiting first."""

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
    return _Listing(
        select(both.c.id.label("secondment_id"), both.c.side, both.c.since),
        lambda c: [c.since, c.secondment_id, c.side],
    )


def _managed_and_hosted(team_id: str, user_id: str) -> _Listing:
    """The secondments of the viewer's people (as home manager) and into their team (as host
    manager), the latest first."""

    def as_(section: HomeSection, manager: Any) -> Query:
        return select(
            Secondment.id.label("secondment_id"),
            literal(section.value, String).label("section"),
        ).where(Secondment.team_id == team_id, manager == user_id)

    both = union_all(
        as_(HomeSection.MANAGED, Secondment.home_manager_id),
        as_(HomeSection.HOSTED, Secondment.host_manager_id),
    ).subquery()
    return _Listing(
        select(both.c.secondment_id, both.c.section), lambda c: [c.secondment_id.desc()]
    )


def _hr_open_and_completed(team_id: str) -> _Listing:
    """What HR follows (being decided or blocked, approved or under way), and what has ended,
    with how many extensions each had; the latest first."""
    section = case(
        (Secondment.status == Status.COMPLETED, literal(HomeSection.HR_COMPLETED.value, String)),
        else_=literal(HomeSection.HR_OPEN.value, String),
    )
    extensions = (
        select(func.count())
        .where(AuditEvent.secondment_id == Secondment.id, AuditEvent.action == EXTENSION_AGREED)
        .scalar_subquery()
    )
    return _Listing(
        select(Secondment.id.label("secondment_id"), section.label("section")).where(
            Secondment.team_id == team_id,
            Secondment.status.in_((*HR_OPEN, Status.COMPLETED)),
        ),
        lambda c: [c.secondment_id.desc()],
        shown_with=(extensions.label("extensions"),),
    )


def _escalations(team_id: str) -> _Listing:
    """Open escalations, the longest waiting first."""
    return _Listing(
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


def _missed(team_id: str) -> _Listing:
    """Check-ins marked missed and never answered, the latest first."""
    return _Listing(
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


async def _upcoming(
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
