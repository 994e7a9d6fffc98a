"""The sandbox under test: started in-process on free ports with its own directory and driven
only through the page's JSON API, as the page drives it (`page`); or started as a person starts
it, in a process of its own, and seen in headless Chromium (`sandbox`, `browser`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from bot.sandbox.run import Keys, sandbox_running
from tests.sandbox.browser import SandboxProcess, chromium
from tests.sandbox.steps import Page


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with (
        sandbox_running(tmp_path / ".sandbox", 0, Keys()) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        yield Page(http, sandbox)


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[SandboxProcess]:
    """The sandbox as a person starts it, in a directory of its own so its data starts empty."""
    running = SandboxProcess(tmp_path)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        # Shown by pytest when the test fails: what the sandbox said while it ran.
        print("".join(running.output))


@pytest.fixture
def sandbox(sandbox_process: SandboxProcess) -> str:
    """The page's URL."""
    return sandbox_process.url


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    # The paths are given, so Selenium Manager has nothing to find; offline, it could not fetch.
    monkeypatch.setenv("SE_OFFLINE", "true")
    driver = chromium(tmp_path / "chromium")
    try:
        yield driver
    finally:
        driver.quit()
