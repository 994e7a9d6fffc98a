"""The migrations are the schema: they build an empty database up to head, the models match what
they build, and they step down and up again cleanly."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_engine, migrate, run_alembic
from bot.models import Base
from bot.settings import load_settings
from bot.slack.workspaces import workspaces_from
from bot.slack_sdk_tables import SLACK_SDK_TABLES, include_name
from tests.conftest import DATABASES, POSTGRES_URL
from tests.support.wire import SIGNING_SECRET


@pytest.fixture(params=DATABASES)
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """An engine on a database with no tables: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        yield engine
        await engine.dispose()
        return
    assert POSTGRES_URL
    schema = f"migration_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    yield engine
    await engine.dispose()
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    await admin.dispose()


def _differences(connection: Connection) -> list[object]:
    return _compared(connection, Base.metadata, include_name)


def _compared(
    connection: Connection, metadata: MetaData, include: Callable[..., bool]
) -> list[object]:
    """What autogenerate would change to make the database's `include`d tables `metadata`'s."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include}
    )
    return list(compare_metadata(context, metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrations_build_an_empty_database_that_matches_the_models(
    empty_engine: AsyncEngine,
) -> None:
    await migrate(empty_engine)

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
        tables = await connection.run_sync(_table_names)
    assert tables == {*Base.metadata.tables, *SLACK_SDK_TABLES, "alembic_version"}


async def test_migrations_step_down_to_nothing_and_back_up(empty_engine: AsyncEngine) -> None:
    await migrate(empty_engine)

    async with empty_engine.begin() as connection:
        await connection.run_sync(run_alembic, command.downgrade, "base")
        assert await connection.run_sync(_table_names) == {"alembic_version"}
    await migrate(empty_engine)

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrating_an_up_to_date_database_changes_nothing(empty_engine: AsyncEngine) -> None:
    await migrate(empty_engine)
    await migrate(empty_engine)

    async with empty_engine.connect() as connection:
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert len(version) == 1


async def test_the_second_migration_fills_in_rows_that_already_exist(
    empty_engine: AsyncEngine,
) -> None:
    async with empty_engine.begin() as connection:
        await connection.run_sync(run_alembic, command.upgrade, "0001")
        await connection.execute(
            text(
                "INSERT INTO secondments (id, team_id, request_key, employee_id, home_manager_id, "
                "host_manager_id, status, terms_version, home_state, host_state, home_decided_by, "
                "home_decided_at, created_at, updated_at) VALUES (1, 'T1', 'V1', 'UE', 'UH', 'UO', "
                "'pending', 3, 'approved', 'pending', 'UH', :at, :at, :at)"
            ),
            {"at": datetime(2027, 1, 4, 10, tzinfo=UTC)},
        )
        await connection.execute(
            text(
                "INSERT INTO decisions (id, secondment_id, side, terms_version, outcome, "
                "decided_by, created_at) VALUES (1, 1, 'home', 3, 'approved', 'UH', :at)"
            ),
            {"at": datetime(2027, 1, 5, 10, tzinfo=UTC)},
        )

    await migrate(empty_engine)

    async with empty_engine.connect() as connection:
        secondment = (
            await connection.execute(text("SELECT round, round_started_at FROM secondments"))
        ).one()
        kind = await connection.scalar(text("SELECT kind FROM decisions"))
    # Altering `secondments` on SQLite copies and drops it; nothing that refers to it is lost.
    assert kind == "decided"
    assert secondment[0] == 3  # a round for each version of the terms so far
    assert str(secondment[1]).startswith("2027-01-04 10:00")


@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="replicas share a PostgreSQL database; SQLite is for one process: set TEST_DATABASE_URL",
)
async def test_replicas_migrating_at_once_leave_one_schema_at_head() -> None:
    assert POSTGRES_URL
    schema = f"replicas_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    # Three processes starting together on an empty database: each has its own engine.
    connect_args = {"server_settings": {"search_path": schema}}
    replicas = [make_engine(POSTGRES_URL, connect_args=connect_args) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate(replica) for replica in replicas))
        async with replicas[0].connect() as connection:
            assert await connection.run_sync(_differences) == []
            versions = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).all()
        assert len(versions) == 1
    finally:
        for replica in replicas:
            await replica.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


async def test_the_oauth_tables_are_the_ones_slack_sdk_defines(empty_engine: AsyncEngine) -> None:
    """Revision 0009 writes slack_sdk's table definitions out by hand: an upgrade of slack_sdk
    that changes them must fail here, not in production."""
    await migrate(empty_engine)
    settings = load_settings(
        _env_file=None,
        slack_client_id="1111.2222",
        slack_client_secret="client-secret",
        slack_signing_secret=SIGNING_SECRET,
    )
    workspaces = workspaces_from(settings, empty_engine)
    assert workspaces is not None
    # The tables as the app's own stores define them, with the names they will use.
    theirs = MetaData()
    for store in (workspaces.installations, workspaces.states):
        for table in store.metadata.tables.values():
            table.to_metadata(theirs)
    assert set(theirs.tables) == SLACK_SDK_TABLES

    def slack_sdk_only(name: str | None, type_: str, _parents: object) -> bool:
        return type_ != "table" or name in SLACK_SDK_TABLES

    def columns(connection: Connection) -> dict[str, list[tuple[str, str, bool]]]:
        inspector = inspect(connection)
        return {
            table: [
                (c["name"], c["type"].compile(connection.dialect), c["nullable"])
                for c in inspector.get_columns(table)
            ]
            for table in sorted(SLACK_SDK_TABLES)
        }

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_compared, theirs, slack_sdk_only) == []
        migrated = await connection.run_sync(columns)
    expected = {
        name: [(c.name, c.type.compile(empty_engine.dialect), c.nullable) for c in table.columns]
        for name, table in sorted(theirs.tables.items())
    }
    assert migrated == expected
