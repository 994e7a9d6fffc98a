"""The sandbox page as a newcomer meets it, in headless Chromium, without the README: the tour,
a request with a mention and with errors that stay while the workspace changes around them,
the badges that say who has something waiting, a thread link, the day dividers, Slackbot's
answer to a mistyped command, hostile text in every free-text field, the browser's own language,
a reset, and a kill -9 that loses nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.sandbox.browser import (
    EMPLOYEE,
    HOME,
    HOST,
    HR,
    LONDON,
    Page,
    SandboxProcess,
    chromium,
    fill_request,
    needs_chromium,
    next_monday,
    post,
    working_morning,
)

# Whether an element lies within the form's visible part.
IN_VIEW = """
const box = arguments[0].getBoundingClientRect();
const pane = document.getElementById('modal-body').getBoundingClientRect();
return box.top >= pane.top && box.bottom <= pane.bottom;
"""
HOSTILE = '<img src=x onerror="document.title=1"> R&D <@U0SANDHR> *b*'


def terms(page: Page) -> tuple[date, date]:
    today = working_morning(page, page.driver.current_url.split("/?")[0].rstrip("/")).date()
    start = next_monday(today + timedelta(days=7))
    return start, start + timedelta(weeks=26, days=4)


def changes_meanwhile(page: Page, url: str) -> None:
    """Others act while the employee reads their form: each change reaches the page."""
    for hours in (1, 1):
        before = page.rendered()
        post(url, "/api/clock", {"days": 0, "hours": hours})

        def redrawn(_driver: WebDriver, before: str = before) -> bool:
            return page.rendered() != before

        page.until(redrawn, "the page never redrew")
    post(url, "/api/command", {"as": HR, "channel": "D0SANDHR", "command": "/foo", "text": ""})


@needs_chromium
def test_a_newcomer_reaches_an_approved_secondment_and_the_first_check_in(
    sandbox: str, browser: WebDriver
) -> None:
    page = Page(browser)
    browser.get(f"{sandbox}/")

    # The tour, on first open: who you are, what to type, whom to become, the clock.
    page.find(f'body[data-me="{EMPLOYEE}"]')
    assert "You are Ada Employee" in page.wait_text("#tour-text", "Ada Employee")
    steps = []
    while page.find("#tour").is_displayed():
        steps.append(page.texts("#tour-text")[0])
        page.click("#tour-next")
    assert [s.split(" ")[:2] for s in steps][1] == ["Type", "/secondment"]
    assert any("Move the clock" in s for s in steps) and len(steps) == 4
    browser.refresh()
    page.find(f'body[data-me="{EMPLOYEE}"]')
    assert not page.find("#tour").is_displayed()  # dismissed for good

    # A mention, typed with the autocomplete, arrives as Slack sends it: the host manager is
    # already chosen in the form.
    start, end = terms(page)
    composer = page.find("#composer")
    composer.send_keys("/secondment request @Ho")
    page.wait_text("#mention-list li", "Hope Host")
    composer.send_keys(Keys.ENTER)
    assert page.find("#composer").get_attribute("value") == "/secondment request @Hope Host "
    composer.send_keys(Keys.ENTER)
    page.find('#modal[data-callback-id="secondment_request"]')
    assert Select(page.field("host_manager")).first_selected_option.get_attribute("value") == HOST
    # The optional fields (reporting line, handover, check-ins) are marked once each.
    labels = page.texts("#modal .bk-label")
    assert [label.count("(optional)") for label in labels if "(optional)" in label] == [1, 1, 1]

    # A required field left empty: its error stays while the workspace changes around it, and
    # goes as soon as the field is filled in.
    fill_request(page, start, end, host=False)
    page.field("host_team").clear()
    page.click("#modal-submit")
    assert page.error("host_team") == "Please complete this required field."
    changes_meanwhile(page, sandbox)
    assert page.error("host_team") == "Please complete this required field."
    assert page.field("role_title").get_attribute("value") == "Analytics engineer"
    page.type_into("host_team", "Data Platform")
    assert page.error("host_team") is None

    # The bot's own error (an end before the start) stays too, and once fixed never comes back.
    page.pick_date("end_date", start - timedelta(days=1))
    browser.execute_script("document.getElementById('modal-body').scrollTop = 0")
    page.click("#modal-submit")
    page.until(lambda d: page.error("end_date"), "the bot's error on the end date never showed")
    # Below the fold when sent, the field is brought into view and into hand.
    assert browser.execute_script(IN_VIEW, page.find('#modal [data-error-for="end_date"]'))
    assert page.attribute(":focus", "data-block-id") == "end_date"
    changes_meanwhile(page, sandbox)
    assert page.error("end_date")
    page.pick_date("end_date", end)
    assert page.error("end_date") is None
    changes_meanwhile(page, sandbox)
    assert page.error("end_date") is None
    page.submit()
    page.wait_text("#messages .message", "is in writing")

    # Who has something waiting: a badge on the person, and on the conversation once there.
    assert page.wait_text("#people .waiting .sidebar-name", "Hal has") == "Hal has 1 waiting"
    page.click(f'#people [data-person="{HOME}"]')
    page.find(f'body[data-me="{HOME}"]')
    # Hal lands where the decision waits, not on an empty DM.
    page.find('#messages[data-conversation^="G"]')
    page.click('#messages [data-block-id="decide_home"][data-action-id="decision_approve"]')
    page.until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-conversation^="G"] .badge'),
        "the open conversation stayed unread",
    )
    page.click(f'#people [data-person="{HOST}"]')
    page.find(f'body[data-me="{HOST}"]')
    page.find('#messages[data-conversation^="G"]')
    page.click('#messages [data-block-id="decide_host"][data-action-id="decision_approve"]')
    page.click("#messages .reply-count")
    page.wait_text("#thread-body .message", "Both managers have approved")
    # The thread shows its parent once, without the buttons that are in the conversation.
    assert not page.all("#thread-body .thread-parent button")
    assert not [t for t in page.texts("#thread-body, #messages") if "1 replies" in t]

    # A thread link on the Home opens the conversation at the request.
    page.be(EMPLOYEE)
    page.click("#tab-home")
    page.click('#home [data-action-id="open_thread"]')
    group = page.attribute('#messages[data-conversation^="G"]', "data-conversation")
    request_ts = page.attribute("#messages .message.highlight", "data-ts")
    # So does a link to a reply, opened under another of the machine's names: the reply's
    # thread opens at it.
    reply_ts = page.attribute("#thread-body .message:not(.thread-parent .message)", "data-ts")
    browser.get(f"{sandbox.replace('127.0.0.1', 'localhost')}/?as={HOST}#{group}/{reply_ts}")
    page.find(f'body[data-me="{HOST}"]')
    page.find(f'#thread[data-ts="{request_ts}"]')
    page.find(f'#thread-body .message.highlight[data-ts="{reply_ts}"]')
    browser.get(f"{sandbox}/?as={EMPLOYEE}")
    page.find(f'body[data-me="{EMPLOYEE}"]')

    # The clock moved to the start and on two weeks: a divider for each day, the check-in today.
    landed = page.move_clock((start - page.now().astimezone(LONDON).date()).days)
    assert landed.astimezone(LONDON).date() == start
    page.move_clock(14)
    page.open("dm")
    page.wait_text("#messages .message", "check-in 1")
    days = page.texts("#messages .day-divider")
    assert days[-1] == "Today" and len(days) >= 3
    # The optional fields are marked once.
    page.click('#messages [data-action-id="check_in_on_track"]')
    page.find('#modal[data-callback-id="check_in"]')
    labels = page.texts("#modal .bk-label")
    assert [label for label in labels if "(optional)" in label] == [
        "Anything to add? (optional)",
        "Keep in touch (optional)",
    ]


@needs_chromium
def test_hostile_text_in_every_free_text_field_is_shown_as_typed(
    sandbox: str, browser: WebDriver
) -> None:
    page = Page(browser)
    browser.get(f"{sandbox}/?as={EMPLOYEE}")
    page.dismiss_tour()
    start, end = terms(page)
    page.command("/secondment request")
    fill_request(page, start, end)
    free_text = page.all('#modal [data-type="plain_text_input"]')
    assert len(free_text) >= 6
    for field in free_text:
        field.clear()
        field.send_keys(HOSTILE)
    page.submit()

    page.be(HOME)
    page.open("group")
    shown = page.wait_text("#messages .message", "R&D")
    assert HOSTILE.replace("*b*", "") in shown.replace("*b*", "")
    assert not page.all("#messages img") and browser.title != "1"
    assert "Harper HR" not in shown

    # The home manager blocks, with the same text as explanation and conditions: the employee
    # reads it as typed.
    page.click('#messages [data-block-id="decide_home"][data-action-id="decision_block"]')
    page.find('#modal[data-callback-id="block_reason"]')
    Select(page.field("reason")).select_by_index(1)
    page.type_into("explanation", HOSTILE + " and a plain reason")
    page.type_into("conditions_note", HOSTILE)
    page.submit()
    page.be(EMPLOYEE)
    page.open("group")
    page.click("#messages .reply-count")
    blocked = page.wait_text("#thread-body .message", "and a plain reason")
    assert HOSTILE.replace("*b*", "") in blocked.replace("*b*", "")
    assert not page.all("img") and browser.title != "1"

    # A mistyped command gets Slackbot's words, with what was typed shown as text.
    page.command("/<img src=x onerror=alert(1)>")
    answer = page.wait_text("#messages .message", "is not a valid command")
    assert "Slackbot" in answer.split("\n")[:2]
    assert "/<img is not a valid command. In Slack, all messages that start with" in answer
    assert not page.all("#messages img")


@pytest.mark.parametrize(
    ("language", "weekdays", "today"), [("de-DE", "Mo. Di. Mi. Do. Fr. Sa. So.", "Heute")]
)
@needs_chromium
def test_dates_follow_the_browsers_language(
    sandbox: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    weekdays: str,
    today: str,
) -> None:
    monkeypatch.setenv("SE_OFFLINE", "true")
    driver = chromium(tmp_path / "german", language)
    try:
        page = Page(driver)
        driver.get(f"{sandbox}/?as={EMPLOYEE}")
        page.dismiss_tour()
        now = page.now().astimezone(LONDON)
        shown = page.texts("#clock-now")[0]
        assert shown.startswith(weekdays.split()[now.weekday()]), shown
        # The 24-hour clock German readers expect.
        assert f"{now.hour}:{now:%M}" in shown and not {"AM", "PM"} & set(shown.split())
        page.open("dm")
        page.command("/secondment help")
        page.find("#messages .message-time")
        (time_shown,) = page.texts("#messages .message-time")
        assert re.fullmatch(r"\d{1,2}:\d{2}", time_shown), time_shown
        assert page.texts("#messages .day-divider") == [today]
    finally:
        driver.quit()


@needs_chromium
def test_reset_and_a_kill_9_as_a_person_sees_them(
    sandbox_process: SandboxProcess, browser: WebDriver
) -> None:
    url = sandbox_process.url
    page = Page(browser)
    browser.get(f"{url}/?as={EMPLOYEE}")
    page.dismiss_tour()
    page.open("dm")
    page.command("/secondment help")
    help_text = page.wait_text("#messages .message", "/secondment")

    # Killed: the page says the server is not answering; started again: the banner goes and
    # what was shown is still there.
    before = page.rendered()
    sandbox_process.kill()
    page.wait_text("#notice", "not answering")
    sandbox_process.start()
    page.until(lambda d: not d.find_element(By.ID, "notice").is_displayed(), "the banner stayed")
    # Drawn again from what the new run read from disk, not from what the page still held.
    run = before.split("/")[0]
    page.until(lambda d: page.rendered().split("/")[0] != run, "the page never read the new run")
    assert help_text in page.texts("#messages .message")

    # What is typed in the composer stays while the workspace changes.
    before_moving = page.now()
    page.find("#composer").send_keys("/secondment hel")
    before = page.rendered()
    post(url, "/api/clock", {"days": 20, "hours": 0})
    page.until(lambda d: page.rendered() != before, "the page never redrew")
    assert page.attribute("#composer", "value") == "/secondment hel"

    # Reset, declined: nothing goes.
    page.click("#reset")
    page.wait_text("#confirm-title", "Reset the sandbox?")
    page.click("#confirm-deny")
    assert help_text in page.texts("#messages .message")

    # Reset, confirmed: the starting workspace, at the real time.
    page.click("#reset")
    page.wait_text("#confirm-title", "Reset the sandbox?")
    page.click("#confirm-ok")
    page.wait_text("#messages .empty", "No messages yet")
    # Twenty days moved, and back: the sandbox's time is the time it started from, or just after.
    page.until(lambda d: page.now() < before_moving + timedelta(days=1), "the clock stayed moved")
