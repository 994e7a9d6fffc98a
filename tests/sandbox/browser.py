"""For the sandbox's tests in a real browser (Debian's headless Chromium): the sandbox started
as a person starts it, in a process that a test can kill -9 and start again; Chromium in a
chosen language; and the page driven as a person would, every wait on what the page shows."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.support.processes import environment, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APP = Path(__file__).resolve().parents[2] / "app.py"
EMPLOYEE, HOME, HOST, HR = "U0SANDEMP", "U0SANDHOME", "U0SANDHOST", "U0SANDHR"
LONDON = ZoneInfo("Europe/London")
T = TypeVar("T")
# Guards, never delays: how long a start or a page's answer may take before the test fails.
STARTUP_SECONDS = 30
WAIT_SECONDS = 10

# Skipped, and said so, on a machine without Chromium; never in CI (.ci/run exports CI and
# installs it), where a missing browser fails these tests instead of hiding them.
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI"),
    reason="needs Debian's Chromium and its driver: sudo apt-get install chromium chromium-driver",
)


@dataclass
class SandboxProcess:
    """`python app.py --sandbox` in `directory` on `port`: started, killed and started again."""

    directory: Path
    port: int = field(default_factory=free_port)
    output: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start it, and return once it says its page is served."""
        process = subprocess.Popen(
            [sys.executable, str(APP), "--sandbox", "--port", str(self.port)],
            cwd=self.directory,
            env=environment(PYTHONUNBUFFERED="1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.process = process
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()

        def read(stream: Iterator[str]) -> None:
            # Drains the output so the sandbox never blocks on a full pipe.
            for line in stream:
                self.output.append(line)
                lines.put(line)

        threading.Thread(target=read, args=(process.stdout,), daemon=True).start()
        # A wait measured on the monotonic clock: the wall clock may be a moved one.
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0 and process.poll() is None, "".join(self.output)
            try:
                found = re.search(r"http://\S+", lines.get(timeout=remaining))
            except queue.Empty:
                continue
            if found:
                assert found.group(0).rstrip("/") == self.url, found.group(0)
                return

    def kill(self) -> None:
        """kill -9: nothing runs on its way out."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def chromium(profile: Path, language: str = "en-GB") -> WebDriver:
    """Headless Chromium whose language (and so its dates' words) is `language`: the language
    preference is what a person sets, and what navigator.languages reports."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


@dataclass
class Page:
    """The sandbox page, driven as a person would: every wait is on what the page shows."""

    driver: WebDriver

    def until(self, condition: Callable[[WebDriver], T], message: str = "") -> T:
        # The page redraws what changed after each change, so an element can go stale in hand.
        wait = WebDriverWait(
            self.driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)
        )
        return wait.until(condition, message)

    def find(self, css: str) -> WebElement:
        return self.until(lambda d: d.find_element(By.CSS_SELECTOR, css), f"no {css}")

    def attribute(self, css: str, name: str) -> str:
        """An attribute of the element `css` finds, read in one go: the element may be redrawn."""

        def read(driver: WebDriver) -> str | None:
            return driver.find_element(By.CSS_SELECTOR, css).get_attribute(name)

        found = self.until(read, f"no {name} on {css}")
        assert found is not None
        return found

    def texts(self, css: str) -> list[str]:
        """The text of every element `css` finds, read in one go: the page may redraw them."""
        return self.until(
            lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, css)] or [""],
            f"cannot read {css}",
        )

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css: str) -> None:
        def clicked(driver: WebDriver) -> bool:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return True

        self.until(clicked, f"could not click {css}")

    def wait_text(self, css: str, wanted: str) -> str:
        def shown(driver: WebDriver) -> str | None:
            texts = [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]
            return next((t for t in texts if wanted in t), None)

        found = self.until(shown, f"{wanted!r} never shown in {css}")
        assert found is not None  # WebDriverWait.until returns only a truthy value
        return found

    def dismiss_tour(self) -> None:
        self.driver.execute_script("localStorage.setItem('toured', 'yes')")
        if self.find("#tour").is_displayed():
            self.click("#tour-skip")

    def be(self, person: str) -> None:
        def chosen(driver: WebDriver) -> bool:
            Select(driver.find_element(By.ID, "persona")).select_by_value(person)
            return True

        self.until(chosen, f"could not become {person}")
        self.find(f'body[data-me="{person}"]')

    def now(self) -> datetime:
        return datetime.fromisoformat(self.attribute("#clock-now", "data-now"))

    def open(self, kind: str) -> None:
        """Open the person's DM with the bot ("dm") or their approval thread's group ("group")."""
        entry = f'[data-conversation][data-kind="{kind}"]'
        conversation = self.attribute(entry, "data-conversation")
        self.click(entry)
        self.find(f'#messages[data-conversation="{conversation}"]')

    def sees_in_dm(self, person: str, wanted: str) -> str:
        """Become `person`, open their DM with the bot, and wait for a message saying `wanted`."""
        self.be(person)
        self.open("dm")
        return self.wait_text("#messages .message", wanted)

    def command(self, line: str) -> None:
        composer = self.find("#composer")
        composer.send_keys(line, Keys.ENTER)

    def field(self, block_id: str) -> WebElement:
        return self.find(f'#modal [data-block-id="{block_id}"][data-action-id="{block_id}"]')

    def type_into(self, block_id: str, value: str) -> None:
        field = self.field(block_id)
        field.clear()
        field.send_keys(value)

    def pick_date(self, block_id: str, value: date) -> None:
        # Typing into a date input depends on the browser's locale; the picker sets the value.
        self.driver.execute_script(
            "arguments[0].value = arguments[1];arguments[0].dispatchEvent(new Event('change'));",
            self.field(block_id),
            value.isoformat(),
        )

    def error(self, block_id: str) -> str | None:
        shown = self.all(f'#modal [data-error-for="{block_id}"]')
        return shown[0].text if shown else None

    def submit(self) -> None:
        view_id = self.attribute("#modal", "data-view-id")
        self.click("#modal-submit")
        self.until(
            lambda d: (
                not d.find_element(By.ID, "modal-backdrop").is_displayed()
                or d.find_element(By.ID, "modal").get_attribute("data-view-id") != view_id
            ),
            "the modal stayed open: "
            + " | ".join(e.text for e in self.all("#modal [data-error-for]")),
        )

    def move_clock(self, days: int) -> datetime:
        before = self.now()
        field = self.find("#clock-days")
        field.clear()
        field.send_keys(str(days))
        self.click("#clock-advance")
        # The sandbox clock also runs on by itself, so only a move of the whole step counts.
        self.until(lambda d: self.now() >= before + timedelta(days=days), "the clock did not move")
        # The time shows as soon as it moves; the move is over once its sweep is.
        self.until(lambda d: d.find_element(By.ID, "clock-advance").is_enabled(), "still moving")
        return self.now()

    def rendered(self) -> str:
        """Which state the page last drew: "<run>/<version>/<now>/<person>"."""
        return self.attribute("body", "data-rendered")


def post(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A call to the page's JSON API from outside the page: another person acting meanwhile."""
    request = urllib.request.Request(
        f"{url}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
        answer: dict[str, Any] = json.load(response)
    assert answer["ok"], answer
    return answer


def move_clock_directly(url: str, hours: int) -> None:
    post(url, "/api/clock", {"days": 0, "hours": hours})


def next_monday(after: date) -> date:
    return after + timedelta(days=7 - after.weekday())


def working_morning(page: Page, url: str) -> datetime:
    """The sandbox clock starts at the real time; the start-of-day messages go out from 9:00, so
    a story begins in a working day's morning wherever the hour was."""
    hour = page.now().astimezone(LONDON).hour
    if hour < 10:
        move_clock_directly(url, hours=10 - hour)
        page.until(lambda d: page.now().astimezone(LONDON).hour >= 10, "the clock did not move")
    return page.now().astimezone(LONDON)


def fill_request(page: Page, start: date, end: date, *, host: bool = True) -> None:
    """The request form, as the employee fills it in (`host`: choose the host manager too)."""
    page.find('#modal[data-callback-id="secondment_request"]')
    Select(page.field("home_manager")).select_by_value(HOME)
    if host:
        Select(page.field("host_manager")).select_by_value(HOST)
    page.type_into("host_team", "Data <Platform> & Co")
    page.type_into("role_title", "Analytics engineer")
    page.type_into("responsibilities", "Build the reporting pipeline.")
    page.type_into("objectives", "Ship the quarterly dashboard.")
    page.pick_date("start_date", start)
    page.pick_date("end_date", end)
    page.type_into("pay_and_benefits", "Unchanged")
    Select(page.field("return_arrangement")).select_by_index(1)
    page.type_into("coverage_plan", "Sam covers the support rota.")
