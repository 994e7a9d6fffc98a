"""The people cache: what users.info said about each person, kept for planning without Slack."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import insert_into
from bot.domain.people import Person, zone_of
from bot.models import KnownPerson

# Each person's IANA timezone by Slack user id, as Slack gave it (None: Slack had none).
TimeZones = Mapping[str, str | None]


async def remember_people(
    session: AsyncSession, team_id: str, people: Iterable[Person], now: datetime
) -> None:
    """Keep what Slack said about these people, for planning without asking Slack again."""
    rows = [{"team_id": team_id, "user_id": p.id, "tz": p.tz, "refreshed_at": now} for p in people]
    if not rows:
        return
    statement = insert_into(session, KnownPerson).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "user_id"],
            set_={"tz": statement.excluded.tz, "refreshed_at": statement.excluded.refreshed_at},
        )
    )


async def timezones(
    session: AsyncSession, team_id: str, user_ids: Iterable[str]
) -> dict[str, str | None]:
    """The cached timezone of each of these people (a person never seen is left out)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(KnownPerson.user_id, KnownPerson.tz).where(
            KnownPerson.team_id == team_id, KnownPerson.user_id.in_(wanted)
        )
    )
    return {user_id: tz for user_id, tz in rows}


async def today_of(session: AsyncSession, team_id: str, user_id: str, now: datetime) -> date:
    """The date where the person is, from the cached timezone (UTC when unknown)."""
    tz = (await timezones(session, team_id, [user_id])).get(user_id)
    return now.astimezone(zone_of(tz)).date()
