"""The sandbox page in a real browser (Debian's headless Chromium): `python app.py --sandbox` in a
fresh directory with a secondment clicked through from the request to the first check-in,
checking what each person sees on the way; and the page alone, on a state built by the bot's own
builders, showing hostile text as text and submitting `view.state.values` as Slack would."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bot.slack.builders.request_modal import build_request_modal
from bot.slack.builders.thread import build_request_message
from tests.sandbox.browser import (
    APP,
    EMPLOYEE,
    HOME,
    HOST,
    HR,
    LONDON,
    Page,
    fill_request,
    needs_chromium,
    next_monday,
    working_morning,
)
from tests.slack.test_builders import pending
from tests.support.samples import TERMS


@needs_chromium
def test_request_approve_and_check_in_as_each_person_sees_it(
    sandbox: str, browser: WebDriver
) -> None:
    page = Page(browser)
    browser.get(f"{sandbox}/?as={EMPLOYEE}")
    page.find(f'body[data-me="{EMPLOYEE}"]')
    page.dismiss_tour()
    working_morning(page, sandbox)
    today = page.now().astimezone(LONDON)
    start = next_monday(today.date() + timedelta(days=7))
    end = start + timedelta(weeks=26, days=4)

    # The employee asks in their DM with the bot and fills in the form.
    page.open("dm")
    page.command("/secondment request")
    fill_request(page, start, end)
    page.submit()

    # The employee: the confirmation by DM, and the approval thread with both managers in it.
    page.wait_text("#messages .message", "is in writing")
    page.find('[data-conversation][data-kind="group"]')
    (group,) = page.texts('[data-conversation][data-kind="group"]')
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
    assert not [text for text in page.texts("#messages .message") if "check-in 1" in text]
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
