"""Alembic environment: runs on a connection handed over by `bot.db.migrate`, or, from the
command line, on a new async engine for DATABASE_URL."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from bot.db import make_engine
from bot.models import Base
from bot.settings import DatabaseSettings
from bot.slack_sdk_tables import include_name

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    """Run the migrations on a connection already open."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER through a table copy
        compare_type=True,
        include_name=include_name,  # slack_sdk's OAuth tables are not ours to compare (0009)
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_command_line() -> None:
    """Run the migrations on a new engine for DATABASE_URL, as the alembic command does."""
    # Batch mode on SQLite copies and drops tables: foreign keys must not cascade meanwhile.
    engine = make_engine(DatabaseSettings().database_url, enforce_foreign_keys=False)
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported: run against a database.")

handed_over = config.attributes.get("connection")
if handed_over is not None:
    run_on(handed_over)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    asyncio.run(run_from_command_line())
