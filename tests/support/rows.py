"""Reading stored rows directly, for tests that check what a service wrote."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select

from bot.db import Sessions
from bot.models import Base

Row = TypeVar("Row", bound=Base)


async def rows(sessions: Sessions, model: type[Row], *where: Any) -> list[Row]:
    """Every `model` row matching `where`, oldest first."""
    async with sessions() as session:
        found = await session.scalars(select(model).where(*where).order_by(model.id))  # type: ignore[attr-defined]
        return list(found.all())
