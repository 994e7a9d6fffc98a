"""The workspaces the app is installed in (OAuth mode), kept by slack_sdk's SQLAlchemy
installation store in our own database, and forgetting a workspace's installation when Slack
says the app was uninstalled or its tokens revoked, with an audit event.

The store's tables are created by revision 0009, never by `create_tables` at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import (
    AsyncSQLAlchemyInstallationStore,
    SQLAlchemyInstallationStore,
)
from sqlalchemy import desc

from bot.db import Sessions
from bot.services.audit import record_event
from bot.services.pauses import SLACK_ACTOR, pause_in


class InstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's store, which also finds a workspace's bot by its team id alone."""

    async def async_find_bot_of_team(self, team_id: str) -> Bot | None:
        """The latest bot installed in the workspace, or None once it uninstalled the app.

        slack_sdk's `async_find_bot` needs the Enterprise Grid org id too, and a secondment keeps
        only its team id; team ids are unique across Slack, so the team id alone is enough.
        """
        c = self.bots.c
        query = (
            self.bots.select()
            .where(c.client_id == self.client_id, c.team_id == team_id, c.bot_token.is_not(None))
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        return None if row is None else SQLAlchemyInstallationStore.build_bot_entity(row)


async def forget_uninstalled(
    sessions: Sessions,
    store: InstallationStore | None,
    *,
    enterprise_id: str | None,
    team_id: str | None,
    now: datetime,
) -> None:
    """`app_uninstalled`: every installation and bot of the workspace goes (in single-workspace
    mode there is no store, and only the audit event is written)."""
    if store is not None:
        await store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
    await _audit(sessions, "app_uninstalled", enterprise_id, team_id, now, pause_delivery=True)


async def forget_revoked(
    sessions: Sessions,
    store: InstallationStore | None,
    *,
    enterprise_id: str | None,
    team_id: str | None,
    user_ids: Sequence[str],
    bot_revoked: bool,
    now: datetime,
) -> None:
    """`tokens_revoked`: the installations of the users whose tokens were revoked go; a revoked
    bot token takes the whole workspace's installation with it, since the app installs only a
    bot and the stored installations would otherwise keep a dead copy of its token."""
    if store is not None and bot_revoked:
        await store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
    elif store is not None:
        for user_id in user_ids:
            await store.async_delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )
    # How many user tokens, not whose: the trail keeps no one's id for an event about the app.
    await _audit(
        sessions,
        "tokens_revoked",
        enterprise_id,
        team_id,
        now,
        pause_delivery=bot_revoked,
        bot=bot_revoked,
        user_tokens=len(user_ids),
    )


async def _audit(
    sessions: Sessions,
    action: str,
    enterprise_id: str | None,
    team_id: str | None,
    now: datetime,
    *,
    pause_delivery: bool = False,
    **detail: Any,
) -> None:
    """Audit what Slack said; with `pause_delivery`, pause the workspace in the same transaction
    (the bot has no token for it any more)."""
    async with sessions.begin() as session:
        if pause_delivery and team_id is not None:
            await pause_in(session, team_id=team_id, reason=action, now=now)
        record_event(
            session,
            secondment_id=None,
            actor_id=SLACK_ACTOR,
            action=action,
            terms_version=None,
            at=now,
            team_id=team_id,
            enterprise_id=enterprise_id,
            **detail,
        )
