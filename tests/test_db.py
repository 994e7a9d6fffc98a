"""The engine the bot makes for each database."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from bot.db import make_engine

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.mark.skipif(
    POSTGRES_URL is None, reason="PostgreSQL's JIT needs PostgreSQL: set TEST_DATABASE_URL"
)
async def test_the_bot_s_postgresql_connections_never_jit_compile_a_query(
    postgres_url: str,
) -> None:
    # The sweep's claim cost 240 ms of JIT compilation for 4 ms of work on every sweep. The
    # setting must come from the connection, not from a server that happens to have it off.
    engine = make_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            jit = await connection.execute(
                text("SELECT setting, source FROM pg_settings WHERE name = 'jit'")
            )
            assert tuple(jit.one()) == ("off", "client")
    finally:
        await engine.dispose()


@pytest.mark.skipif(
    POSTGRES_URL is None, reason="PostgreSQL's settings need PostgreSQL: set TEST_DATABASE_URL"
)
async def test_a_caller_s_own_postgresql_settings_are_kept_beside_it(postgres_url: str) -> None:
    own = {"server_settings": {"application_name": "replica-b"}}
    engine = make_engine(postgres_url, connect_args=own)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW application_name")) == "replica-b"
            assert await connection.scalar(text("SHOW jit")) == "off"
    finally:
        await engine.dispose()
    assert own == {"server_settings": {"application_name": "replica-b"}}  # the caller's, as given
