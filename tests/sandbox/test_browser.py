"""The sandbox page in a real browser (Debian's headless Chromium): `python app.py --sandbox` in a
fresh directory with a secondment clicked through from the request to the first check-in,
checking what each person sees on the way; and the page alone, on a state built by the bot's own
builders, showing hostile text as text and submitting `view.state.values` as Slack would."""

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
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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

from bot.slack.builders.request_modal import build_request_modal
from bot.slack.builders.thread import build_request_message
from tests.slack.test_builders import pending
from tests.support.processes import free_port
from tests.support.samples import TERMS

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APP = Path(__file__).resolve().parents[2] / "app.py"
EMPLOYEE, HOME, HOST, HR = "U0SANDEMP", "U0SANDHOME", "U0SANDHOST", "U0SANDHR"
LONDON = ZoneInfo("Europe/London")
T = TypeVar("T")
STARTUP_SECONDS = 30
WAIT_SECONDS = 10

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's Chromium and its driver: sudo apt-get install chromium chromium-driver",
)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    """The sandbox as a person starts it, in a directory of its own so its data starts empty.
    Yields the page's URL, read from what the command prints."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(APP), "--sandbox", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def read(stream: Iterator[str]) -> None:
        # Drains the output so the sandbox never blocks on a full pipe.
        for line in stream:
            output.append(line)
            lines.put(line)

    threading.Thread(target=read, args=(process.stdout,), daemon=True).start()
    try:
        # A wait measured on the monotonic clock: the wall clock may be a moved one.
        deadline = time.monotonic() + STARTUP_SECONDS
        url = None
        while url is None:
            remaining = deadline - time.monotonic()
            assert remaining > 0 and process.poll() is None, "".join(output)
            try:
                found = re.search(r"http://\S+", lines.get(timeout=remaining))
            except queue.Empty:
                continue
            url = found.group(0).rstrip("/") if found else None
        assert f":{port}" in url, url
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # Shown by pytest when the test fails: what the sandbox said while it ran.
        print("".join(output))


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    # The paths are given, so Selenium Manager has nothing to find; offline, it could not fetch.
    monkeypatch.setenv("SE_OFFLINE", "true")
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
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class Page:
    """The sandbox page, driven as a person would: every wait is on what the page shows."""

    driver: WebDriver

    def until(self, condition: Callable[[WebDriver], T], message: str = "") -> T:
        # The page redraws what changed after each poll, so an element can go stale in hand.
        wait = WebDriverWait(
            self.driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)
        )
        return wait.until(condition, message)

    def find(self, css: str) -> WebElement:
        return self.until(lambda d: d.find_element(By.CSS_SELECTOR, css), f"no {css}")

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

    def be(self, person: str) -> None:
        Select(self.find("#persona")).select_by_value(person)
        self.find(f'body[data-me="{person}"]')

    def now(self) -> datetime:
        return datetime.fromisoformat(self.find("#clock-now").get_attribute("data-now") or "")

    def open(self, kind: str) -> None:
        """Open the person's DM with the bot ("dm") or their approval thread's group ("group")."""
        entry = f'[data-conversation][data-kind="{kind}"]'
        conversation = self.find(entry).get_attribute("data-conversation")
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

    def submit(self) -> None:
        view_id = self.find("#modal").get_attribute("data-view-id")
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
        return self.now()


def _move_clock_directly(url: str, hours: int) -> None:
    request = urllib.request.Request(
        f"{url}/api/clock",
        data=json.dumps({"days": 0, "hours": hours}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
        assert json.load(response)["ok"]


def _next_monday(after: date) -> date:
    return after + timedelta(days=7 - after.weekday())


def fill_request(page: Page, start: date, end: date) -> None:
    """The request form, as the employee fills it in."""
    page.find('#modal[data-callback-id="secondment_request"]')
    Select(page.field("home_manager")).select_by_value(HOME)
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


@needs_chromium
def test_request_approve_and_check_in_as_each_person_sees_it(
    sandbox: str, browser: WebDriver
) -> None:
    page = Page(browser)
    browser.get(f"{sandbox}/?as={EMPLOYEE}")
    page.find(f'body[data-me="{EMPLOYEE}"]')
    # The sandbox clock starts at the real time; the start-of-day messages go out from 9:00, so
    # the story begins in a working day's morning wherever the hour was.
    hour = page.now().astimezone(LONDON).hour
    if hour < 10:
        _move_clock_directly(sandbox, hours=10 - hour)
        page.until(lambda d: page.now().astimezone(LONDON).hour >= 10, "the clock did not move")
    today = page.now().astimezone(LONDON)
    start = _next_monday(today.date() + timedelta(days=7))
    end = start + timedelta(weeks=26, days=4)

    # The employee asks in their DM with the bot and fills in the form.
    page.open("dm")
    page.command("/secondment request")
    fill_request(page, start, end)
    page.submit()

    # The employee: the confirmation by DM, and the approval thread with both managers in it.
    page.wait_text("#messages .message", "is in writing")
    group = page.find('[data-conversation][data-kind="group"]').text
    assert "Hal Home" in group and "Hope Host" in group
    page.open("group")
    request = page.wait_text("#messages .message", "Secondment request #1")
    # What the employee typed is shown as text, never as markup.
    assert "Data <Platform> & Co" in request
    assert not page.all("#messages platform")

    # HR is not in the thread, but sees the request on the Home.
    page.be(HR)
    assert not page.all('[data-conversation][data-kind="group"]')
    page.click("#tab-home")
    page.wait_text("#home", "#1")

    # Each manager sees the thread with their decision buttons, and approves.
    for person, side in ((HOME, "home"), (HOST, "host")):
        page.be(person)
        page.open("group")
        page.find(f'#messages [data-block-id="decide_{side}"][data-action-id="decision_block"]')
        page.click(f'#messages [data-block-id="decide_{side}"][data-action-id="decision_approve"]')

        def buttons_gone(d: WebDriver, side: str = side) -> bool:
            return not d.find_elements(
                By.CSS_SELECTOR, f'#messages [data-block-id="decide_{side}"]'
            )

        page.until(buttons_gone, f"the {side} side's buttons stayed after approving")
    page.click("#messages .reply-count")
    page.wait_text("#thread-body .message", "Both managers have approved")

    # The start date: the employee is welcomed, the home manager hears the coverage plan applies.
    landed = page.move_clock((start - page.now().astimezone(LONDON).date()).days)
    assert landed.astimezone(LONDON).date() == start
    page.sees_in_dm(HOME, "coverage plan for their home role is now in effect")
    page.sees_in_dm(EMPLOYEE, "Welcome to")

    # Two weeks on, the first check-in; the employee answers it and shares a summary.
    page.move_clock(14)
    page.wait_text("#messages .message", "check-in 1")
    page.click('#messages [data-action-id="check_in_on_track"]')
    page.find('#modal[data-callback-id="check_in"]')
    page.type_into("check_in_note", "Settling in well.")
    page.click('#modal [data-block-id="check_in_share"] input[type="checkbox"]')
    page.submit()
    page.wait_text("#messages .message", "Thanks: check-in 1 recorded as On track")

    # The home manager gets the shared summary; the host manager is not alerted for On track.
    page.sees_in_dm(HOME, "Settling in well.")
    page.sees_in_dm(HOST, "joins you today")
    assert not [m for m in page.all("#messages .message") if "check-in 1" in m.text]
    page.be(HR)
    page.click("#tab-home")
    page.wait_text("#home", "#1")


HOSTILE = "<img src=x onerror=alert(1)> R&D <@U0SANDHR>"


@pytest.fixture
def still_page() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The page served with one state built by the bot's own builders: a request message with
    hostile terms, under the request form. Yields the URL and what the page posts; the first
    submission is answered with an error on the host team."""
    view = build_request_modal(HOST).to_dict()
    message = build_request_message(pending(terms=replace(TERMS, host_team=HOSTILE)))
    people = {EMPLOYEE: "Ada Employee", HOME: "Hal Home", HOST: "Hope Host", HR: "Harper HR"}
    state = {
        "now": "2027-01-04T10:00:00+00:00",
        "team": {"id": "T0SANDBOX", "name": "Sandbox"},
        "bot": {"id": "U0SANDBOT", "name": "Secondment Mediator"},
        "personas": [
            {"id": id_, "name": name, "title": name.split()[1], "tz": "Europe/London"}
            for id_, name in people.items()
        ],
        "me": EMPLOYEE,
        "conversations": [{"id": "D1", "name": "", "kind": "dm", "members": [EMPLOYEE]}],
        "messages": {
            "D1": [
                {
                    "ts": "1799000000.000100",
                    "user": "U0SANDBOT",
                    **message.as_kwargs(),
                    "replies": [],
                    "ephemeral": False,
                    "edited": False,
                    "files": [],
                }
            ]
        },
        "home": None,
        "modals": [{"view_id": "V1", "view": view, "errors": {}}],
        "users": {id_: {"name": name} for id_, name in people.items()},
    }
    posted: list[dict[str, Any]] = []
    static = APP.parent / "bot" / "sandbox" / "static"

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/api/state":
                self._send(json.dumps(state).encode(), "application/json")
                return
            name = "index.html" if path == "/" else path.removeprefix("/static/")
            kinds = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
            file = static / name
            if file.parent != static or not file.exists():
                self.send_error(404)
                return
            self._send(file.read_bytes(), kinds[file.suffix])

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            posted.append({"path": self.path, **body})
            first_submit = (
                self.path == "/api/submit"
                and len([p for p in posted if p["path"] == "/api/submit"]) == 1
            )
            answer = (
                {"ok": False, "errors": {"host_team": "That team is not known."}}
                if first_submit
                else {"ok": True}
            )
            self._send(json.dumps(answer).encode(), "application/json")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads what was posted, not the access log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", posted
    finally:
        server.shutdown()
        server.server_close()


@needs_chromium
def test_the_page_escapes_what_people_typed_and_submits_what_slack_would(
    still_page: tuple[str, list[dict[str, Any]]], browser: WebDriver
) -> None:
    url, posted = still_page
    page = Page(browser)
    browser.get(f"{url}/?as={EMPLOYEE}")
    shown = page.wait_text("#messages .message", "R&D")
    # The terms as typed, as text: no element and no mention made from them.
    assert HOSTILE in shown
    assert not page.all("#messages img")
    assert "Harper HR" not in shown

    start, end = date(2027, 2, 1), date(2027, 7, 30)
    fill_request(page, start, end)
    page.click("#modal-submit")
    error = page.find('#modal [data-error-for="host_team"]')
    assert error.text == "That team is not known."
    # What the person typed stays while they put it right.
    assert page.field("role_title").get_attribute("value") == "Analytics engineer"
    page.type_into("host_team", "Data Platform")
    page.click("#modal-submit")
    submitted = page.until(
        lambda d: [p for p in posted if p["path"] == "/api/submit"][1:], "no second submission"
    )[0]

    view = build_request_modal(HOST).to_dict()
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    values = submitted["values"]
    assert submitted["as"] == EMPLOYEE and submitted["view_id"] == "V1"
    assert set(values) == set(inputs)
    assert values["home_manager"] == {
        "home_manager": {"type": "users_select", "selected_user": HOME}
    }
    assert values["host_manager"] == {
        "host_manager": {"type": "users_select", "selected_user": HOST}
    }
    assert values["kind"] == {
        "kind": {"type": "radio_buttons", "selected_option": inputs["kind"]["initial_option"]}
    }
    assert values["host_team"] == {
        "host_team": {"type": "plain_text_input", "value": "Data Platform"}
    }
    assert values["start_date"] == {
        "start_date": {"type": "datepicker", "selected_date": "2027-02-01"}
    }
    assert values["time_commitment"] == {
        "time_commitment": {
            "type": "number_input",
            "value": inputs["time_commitment"]["initial_value"],
        }
    }
    assert values["reporting_line"] == {
        "reporting_line": {"type": "plain_text_input", "value": None}
    }
    assert values["return_arrangement"] == {
        "return_arrangement": {
            "type": "static_select",
            "selected_option": inputs["return_arrangement"]["options"][0],
        }
    }


def test_the_page_loads_nothing_from_elsewhere() -> None:
    static = APP.parent / "bot" / "sandbox" / "static"
    for path in static.iterdir():
        assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", path.read_text()), path
        assert "//cdn" not in path.read_text(), path
