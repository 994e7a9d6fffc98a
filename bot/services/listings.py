"""A listing: the secondments a query finds, cut at a limit and counted in the same statement,
each row read with what its `SecondmentSummary` needs. The App Home's sections are listings
(bot/services/home_listings.py says which secondments each holds)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Label, Select, String, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.home_view import HomeSection, Shown
from bot.domain.states import Outcome, Side, SideState
from bot.domain.summary import SecondmentSummary, SideSummary
from bot.models import Decision, Secondment, TermsVersion
from bot.services.timelines import in_force

Item = TypeVar("Item")
# A query, of whatever columns.
Query = Select[*tuple[Any, ...]]


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
    """The summary of a secondment from a row read with `_summary_columns`."""
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
