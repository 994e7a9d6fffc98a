"""Pausing delivery to a workspace the bot cannot speak to, and resuming it.

A workspace is paused when the app is uninstalled, its bot token is revoked, or Slack refuses the
token (`invalid_auth`, `token_revoked`, `account_inactive`...). While it is paused the sweep
claims none of its messages, so none is marked sent, given up or counted as an attempt; they wait.

A pause keeps a fingerprint of the token Slack refused (None until one is known). Each sweep tries
a paused workspace again only when its current token differs (a reinstall, a new token in the
settings, another replica's token): the same dead token is never tried twice, and a replica still
holding an old token cannot keep a workspace paused that a new token works for. Each pause and
resume is audited, in the transaction that makes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Result, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions, insert_into
from bot.models import PausedWorkspace
from bot.services.audit import record_event

# Slack tells of what befell a workspace; nobody in it is named as having done it.
SLACK_ACTOR = "slack"


@dataclass(frozen=True, slots=True)
class Paused:
    """A workspace whose sending is paused: why, and which token Slack refused."""

    team_id: str
    reason: str
    token_fingerprint: str | None


def fingerprint(token: str | None) -> str | None:
    """A short, one-way name for a token, so the database never holds the token itself."""
    return None if token is None else hashlib.sha256(token.encode()).hexdigest()[:16]


async def pause_in(
    session: AsyncSession,
    *,
    team_id: str,
    reason: str,
    now: datetime,
    token_fingerprint: str | None = None,
) -> bool:
    """Pause delivery to the workspace, inside the caller's transaction (with the change that
    caused it); False when it already was paused (nothing audited)."""
    result = await session.execute(
        insert_into(session, PausedWorkspace)
        .values(team_id=team_id, reason=reason, token_fingerprint=token_fingerprint, paused_at=now)
        .on_conflict_do_nothing(index_elements=["team_id"])
    )
    return _audited_if_changed(
        session, result, "delivery_paused", now, team_id=team_id, reason=reason
    )


async def refused_again(sessions: Sessions, paused: Paused, *, token_fingerprint: str) -> None:
    """Slack refused this token too: note it, so it is not tried again."""
    async with sessions.begin() as session:
        await session.execute(
            update(PausedWorkspace)
            .where(PausedWorkspace.team_id == paused.team_id)
            .values(token_fingerprint=token_fingerprint)
        )


async def resume(sessions: Sessions, *, team_id: str, why: str, now: datetime) -> bool:
    """Resume delivery to the workspace; False when it was not paused (nothing audited)."""
    async with sessions.begin() as session:
        result = await session.execute(
            delete(PausedWorkspace).where(PausedWorkspace.team_id == team_id)
        )
        return _audited_if_changed(
            session, result, "delivery_resumed", now, team_id=team_id, why=why
        )


def _audited_if_changed(
    session: AsyncSession, result: Result[Any], action: str, now: datetime, **detail: str
) -> bool:
    """Whether the statement changed the workspace's row; if it did, the audit event for it, in
    the same transaction (a pause or resume that was already so records nothing)."""
    changed = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    if changed:
        record_event(
            session,
            secondment_id=None,
            actor_id=SLACK_ACTOR,
            action=action,
            terms_version=None,
            at=now,
            **detail,
        )
    return changed


async def paused_workspaces(sessions: Sessions) -> list[Paused]:
    """Every workspace whose sending is paused (the health page counts them)."""
    async with sessions() as session:
        rows = await session.scalars(select(PausedWorkspace).order_by(PausedWorkspace.team_id))
        return [Paused(r.team_id, r.reason, r.token_fingerprint) for r in rows]
