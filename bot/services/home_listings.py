"""The App Home's sections as SQL: one statement a section (two sections of the same
secondments seen two ways share one), each cut at its limit, with a `SecondmentSummary` of each
row read by the same statement; and the dates coming up. Used by bot/services/home.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Label, Select, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.home_view import (
    HomeSection,
    Shown,
)
from bot.domain.key_dates import KeyDate, upcoming_dates
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
from bot.services.report import EXTENSION_AGREED
from bot.services.timelines import TIMELINE_COLUMNS, in_force, timeline_of

Item = TypeVar("Item")
# A query, of whatever columns.
Query = Select[*tuple[Any, ...]]

AWAITING_DECISIONS = tuple(s for s in Status if s.awaits_decisions)
# What HR follows: requests being decided or blocked, and secondments approved or under way.
HR_OPEN = tuple(s for s in Status if s not in (Status.WITHDRAWN, Status.COMPLETED))


# --- one statement a section ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
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


async def read_section(
    session: AsyncSession, listing: Listing, limit: int, item: Callable[[Any], Item]
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


async def read_sections(
    session: AsyncSession,
    listing: Listing,
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


def summary_of_row(row: Any) -> SecondmentSummary:
    """A secondment's summary, from a row of the lists' own query."""
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


def as_employee(team_id: str, user_id: str) -> Listing:
    """The viewer's own secondments as employee, the latest first."""
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
        .where(AuditEvent.secondment_id == Secondment.id, AuditEvent.action == EXTENSION_AGREED)
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
