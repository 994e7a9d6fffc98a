"""The benchmark's stand-ins of Slack (bench/setup.py, bench/standin_process.py) serve as the
tests' does: a broken one would only show when someone ran `python -m bench`, minutes in."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bench.setup import start_standin
from bench.standin_process import start_standin_process
from tests.support.harness import EMPLOYEE
from tests.support.standin import BOT_TOKEN

MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Form"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


async def test_the_in_process_stand_in_answers_and_notes_when_a_form_opened() -> None:
    standin = await start_standin()
    try:
        web = AsyncWebClient(token=BOT_TOKEN, base_url=standin.api_url)
        posted = await web.chat_postMessage(channel=EMPLOYEE, text="Hello")
        assert posted["channel"] == "D" + EMPLOYEE[1:]
        await web.views_open(trigger_id="1.2.bench", view=MODAL)
        assert list(standin.opened_at) == ["1.2.bench"]
        # Its threads are in the database alone: an update of one is taken.
        assert (await web.chat_update(channel=posted["channel"], ts="1.000001", text="x"))["ok"]
    finally:
        await standin.stop()


async def test_the_stand_in_process_answers_and_notes_when_a_form_opened() -> None:
    child = await start_standin_process()
    try:
        web = AsyncWebClient(token=BOT_TOKEN, base_url=child.address.api_url)
        assert (await web.users_info(user=EMPLOYEE))["user"]["id"] == EMPLOYEE
        await web.views_open(trigger_id="1.2.bench", view=MODAL)
        assert list(await child.opened_at()) == ["1.2.bench"]
    finally:
        await child.stop()
