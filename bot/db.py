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
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent

Sessions = async_sessionmaker[AsyncSession]


# The advisory lock key migrations hold on PostgreSQL (any constant shared by all replicas).
MIGRATION_LOCK = 0x5EC0_4D3D


def make_engine(
    url: str, *, enforce_foreign_keys: bool = True, pool_size: int = 5, **kwargs: Any
) -> AsyncEngine:
    """An engine for `url`. `enforce_foreign_keys=False` is for migrations on SQLite only.

    The pool holds at most `pool_size` connections and never overflows: past that, a
    transaction waits for a connection. Slack's acks need no database, but the work after them
    does, and a burst of clicks running all their transactions at once interleaves on the event
    loop and holds every ack back (an Approve's ack at 20 at once: 4.5-6.5x a bare app on
    PostgreSQL with 15 connections, about 2-3x with 5; docs/BENCHMARKS.md). It also bounds what
    each replica takes of PostgreSQL's `max_connections`."""
    # hide_parameters: an error's message never carries a statement's values (people's words,
    # a calendar link's token) into the logs.
    pool = {"pool_size": pool_size, "max_overflow": 0, "hide_parameters": True}
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **pool, **kwargs)
        _make_sqlite_transactions_immediate(engine, enforce_foreign_keys)
        return engine
    # No JIT: the sweep's claim is a short query whose correlated subqueries make the planner's
    # cost estimate huge, so PostgreSQL compiled it on every run: 240 ms of JIT for 4 ms of
    # work (docs/BENCHMARKS.md). The bot's queries are all of that kind.
    connect_args = dict(kwargs.pop("connect_args", {}))
    if "+asyncpg" in url:
        connect_args["server_settings"] = {"jit": "off", **connect_args.get("server_settings", {})}
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **pool, **kwargs)


def _make_sqlite_transactions_immediate(engine: AsyncEngine, foreign_keys: bool) -> None:
    # The recipe from SQLAlchemy's aiosqlite docs: stop the driver's own BEGIN, emit ours.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessions(engine: AsyncEngine, session_class: type[Session] = Session) -> Sessions:
    """Sessions on `engine`, each wrapping a `session_class` (bot/services/events_out.py has
    one that also writes events out)."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


def migrations_directory() -> Path:
    """Alembic's environment and revisions: `migrations/` beside `bot/` in a checkout; inside
    the package once installed (pyproject.toml puts them there), so that an install migrates
    from any working directory."""
    installed = Path(__file__).resolve().parent / "migrations"
    return installed if installed.is_dir() else ROOT / "migrations"


def alembic_config() -> Config:
    """Alembic's settings for migrating this database, from a checkout or an install."""
    ini = ROOT / "alembic.ini"  # a checkout's, for the alembic command; an install has none
    config = Config(str(ini)) if ini.is_file() else Config()
    config.set_main_option("script_location", str(migrations_directory()))
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def run_alembic(
    connection: Connection, action: Callable[[Config, str], None], revision: str
) -> None:
    """Run an Alembic command (`command.upgrade`, `command.downgrade`) on an open connection."""
    config = alembic_config()
    config.attributes["connection"] = connection
    action(config, revision)


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema up to date (Alembic upgrade to head) on the engine's database.

    On SQLite the migration runs on a connection without foreign-key enforcement: batch mode
    alters a table by copying it and dropping the original, and with enforcement on that drop
    would delete, by cascade, every row that refers to the table. Integrity is checked after.
    """
    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            # Replicas starting together: one migrates while the others wait here, then find
            # nothing left to do. The lock is the transaction's, so it goes with the commit.
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
            await connection.run_sync(run_alembic, command.upgrade, "head")
        return
    url = engine.url.render_as_string(hide_password=False)
    migrating = make_engine(url, enforce_foreign_keys=False)
    try:
        async with migrating.begin() as connection:
            await connection.run_sync(run_alembic, command.upgrade, "head")
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            if broken:
                raise RuntimeError(f"migration left rows with broken references: {broken[:5]}")
    finally:
        await migrating.dispose()


async def is_ready(engine: AsyncEngine) -> bool:
    """True when the database answers a trivial query."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (OSError, TimeoutError, SQLAlchemyError):
        return False
    return True


def insert_into(session: AsyncSession, model: Any) -> PostgresqlInsert | SqliteInsert:
    """An INSERT for `model` in the session's own dialect, which offers `ON CONFLICT` (both
    databases have it; SQLAlchemy's generic INSERT does not)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(model)
    return sqlite_insert(model)
