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
    # The sweep's claim cost 240 ms of JIT compilation for 4 ms of work on every sweep.
    engine = make_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW jit")) == "off"
    finally:
        await engine.dispose()
