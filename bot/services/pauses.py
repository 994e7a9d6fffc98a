"""Pausing delivery to a workspace the bot cannot speak to, and resuming it.

A workspace is paused when the app is uninstalled, its bot token is revoked, or Slack refuses the
token (`invalid_auth`, `token_revoked`, `account_inactive`...). While it is paused the sweep
claims none of its nudges, so none is marked sent, given up or counted as an attempt; they wait.
A reinstall (OAuth mode) or a token Slack accepts again at start (one workspace) resumes it.
Each pause and resume is audited, in the transaction that makes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions, insert_into
from bot.models import PausedWorkspace
from bot.services.audit import record_event

SLACK_ACTOR = "slack"


async def pause(sessions: Sessions, *, team_id: str, reason: str, now: datetime) -> bool:
    """Pause delivery to the workspace; False when it already was paused (nothing audited)."""
    async with sessions.begin() as session:
        return await pause_in(session, team_id=team_id, reason=reason, now=now)


async def pause_in(session: AsyncSession, *, team_id: str, reason: str, now: datetime) -> bool:
    """`pause`, inside a transaction the caller holds (with the change that caused it)."""
    result = await session.execute(
        insert_into(session, PausedWorkspace)
        .values(team_id=team_id, reason=reason, paused_at=now)
        .on_conflict_do_nothing(index_elements=["team_id"])
    )
    paused = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    if paused:
        record_event(
            session,
            secondment_id=None,
            actor_id=SLACK_ACTOR,
            action="delivery_paused",
            terms_version=None,
            at=now,
            team_id=team_id,
            reason=reason,
        )
    return paused


async def resume(sessions: Sessions, *, team_id: str, why: str, now: datetime) -> bool:
    """Resume delivery to the workspace; False when it was not paused (nothing audited)."""
    async with sessions.begin() as session:
        result = await session.execute(
            delete(PausedWorkspace).where(PausedWorkspace.team_id == team_id)
        )
        resumed = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        if resumed:
            record_event(
                session,
                secondment_id=None,
                actor_id=SLACK_ACTOR,
                action="delivery_resumed",
                terms_version=None,
                at=now,
                team_id=team_id,
                why=why,
            )
        return resumed


async def paused_workspaces(sessions: Sessions) -> dict[str, str]:
    """Each paused workspace's team id, with why it was paused."""
    async with sessions() as session:
        rows = await session.execute(select(PausedWorkspace.team_id, PausedWorkspace.reason))
        return {team_id: reason for team_id, reason in rows}
