"""Each person's private calendar subscription (`/secondment calendar`): the link, made once
and reset on request, and what the feed behind it holds.

A link is a bearer secret: whoever has the URL can read the feed, which is how calendar
subscriptions work (a calendar app cannot sign in to Slack). So the token is long and random,
a reset replaces it at once (the old URL answers 404 from then on), and erasing a person drops
theirs. Making and resetting are changes, each with its audit event; reading the feed is not.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from bot.db import AsyncSession, Sessions, insert_into
from bot.domain.actor import Actor
from bot.domain.calendar_links import CalendarLink
from bot.domain.key_dates import Timeline
from bot.domain.policy import Policy
from bot.domain.states import APPROVED_OR_UNDERWAY, Status
from bot.models import CalendarFeed, Secondment, TermsVersion
from bot.services.audit import record_event
from bot.services.timelines import TIMELINE_COLUMNS, in_force, timeline_of

# Every secondment whose dates stand: approved, under way, or completed (the dates it had).
IN_CALENDARS = (*APPROVED_OR_UNDERWAY, Status.COMPLETED)
# 32 random bytes, URL-safe: 43 characters.
TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class Feed:
    """Whose feed a token opens, and their secondments' timelines."""

    team_id: str
    user_id: str
    timelines: list[Timeline]


async def calendar_link(sessions: Sessions, *, actor: Actor) -> CalendarLink:
    """The person's link, made on first asking (once, however many ask at the same moment)."""
    async with sessions.begin() as session:
        return await _made(session, actor.team_id, actor.user_id, actor.now)


async def _made(session: AsyncSession, team_id: str, user_id: str, now: datetime) -> CalendarLink:
    """The person's link, made now if they have none, with its audit event."""
    made = await session.execute(
        insert_into(session, CalendarFeed)
        .values(
            team_id=team_id,
            user_id=user_id,
            token=secrets.token_urlsafe(TOKEN_BYTES),
            version=1,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
    )
    if made.rowcount == 1:  # type: ignore[attr-defined]
        record_event(
            session,
            secondment_id=None,
            actor_id=user_id,
            action="calendar_link_made",
            terms_version=None,
            at=now,
        )
    link = await _link(session, team_id, user_id)
    assert link is not None, "made, or there already"
    return link


async def reset_calendar_link(
    sessions: Sessions, *, actor: Actor, seen_version: int
) -> CalendarLink:
    """A new token in place of version `seen_version`: the old URL stops working. Made once
    for each version, so a second click shows the link the first one made."""
    f = CalendarFeed
    async with sessions.begin() as session:
        replaced = await session.scalar(
            update(f)
            .where(
                f.team_id == actor.team_id, f.user_id == actor.user_id, f.version == seen_version
            )
            .values(token=secrets.token_urlsafe(TOKEN_BYTES), version=f.version + 1)
            .returning(f.version)
        )
        if replaced is None:
            link = await _link(session, actor.team_id, actor.user_id)
            if link is None:
                # Gone meanwhile (erased with its person): the old address is dead already.
                return await _made(session, actor.team_id, actor.user_id, actor.now)
            return CalendarLink(link.token, link.version, reset_already=True)
        record_event(
            session,
            secondment_id=None,
            actor_id=actor.user_id,
            action="calendar_link_reset",
            terms_version=None,
            at=actor.now,
            version=replaced,
        )
        link = await _link(session, actor.team_id, actor.user_id)
        assert link is not None, "replaced just now"
        return link


async def _link(session: AsyncSession, team_id: str, user_id: str) -> CalendarLink | None:
    row = (
        await session.execute(
            select(CalendarFeed.token, CalendarFeed.version).where(
                CalendarFeed.team_id == team_id, CalendarFeed.user_id == user_id
            )
        )
    ).one_or_none()
    return None if row is None else CalendarLink(row.token, row.version)


async def feed_for(sessions: Sessions, *, token: str, policy: Policy) -> Feed | None:
    """The feed `token` opens: its owner's secondments, as employee or either manager, whose
    dates stand, with the terms in force now; None for a token that is not (or no longer) one."""
    async with sessions() as session:
        owner = (
            await session.execute(
                select(CalendarFeed.team_id, CalendarFeed.user_id).where(
                    CalendarFeed.token == token
                )
            )
        ).one_or_none()
        if owner is None:
            return None
        s = Secondment
        rows = (
            await session.execute(
                select(*TIMELINE_COLUMNS)
                .join(TermsVersion, in_force())
                .where(
                    s.team_id == owner.team_id,
                    s.status.in_(IN_CALENDARS),
                    s.anonymised_at.is_(None),
                    or_(
                        s.employee_id == owner.user_id,
                        s.home_manager_id == owner.user_id,
                        s.host_manager_id == owner.user_id,
                    ),
                )
                .order_by(s.id)
            )
        ).all()
    timelines = [timeline_of(row, policy) for row in rows]
    return Feed(owner.team_id, owner.user_id, timelines)
