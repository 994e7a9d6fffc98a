"""The database engine, the session factory and migrate-on-start, each built by a function so that
the app and the tests make their own.

On SQLite every transaction starts with BEGIN IMMEDIATE: it takes the write lock up front, so two
transactions that read and then write queue behind each other instead of one failing with
"database is locked" when it tries to upgrade its lock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

ROOT = Path(__file__).resolve().parent.parent

Sessions = async_sessionmaker[AsyncSession]


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _make_sqlite_transactions_immediate(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _make_sqlite_transactions_immediate(engine: AsyncEngine) -> None:
    # The recipe from SQLAlchemy's aiosqlite docs: stop the driver's own BEGIN, emit ours.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessions(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def run_alembic(
    connection: Connection, action: Callable[[Config, str], None], revision: str
) -> None:
    """Run an Alembic command (`command.upgrade`, `command.downgrade`) on an open connection."""
    config = alembic_config()
    config.attributes["connection"] = connection
    action(config, revision)


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema up to date (Alembic upgrade to head) on the engine's database."""
    async with engine.begin() as connection:
        await connection.run_sync(run_alembic, command.upgrade, "head")


async def is_ready(engine: AsyncEngine) -> bool:
    """True when the database answers a trivial query."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (OSError, TimeoutError, SQLAlchemyError):
        return False
    return True
