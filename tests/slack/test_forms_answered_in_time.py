"""A form is always answered within Slack's three seconds: when Slack is too slow to look the
named people up, the modal says to submit again (everything typed stays in it), and a failure
before the answer replaces the modal with what happened, instead of Slack's own error after
three seconds of silence. Nothing is stored either way."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.domain.states import Side
from bot.models import Secondment
from bot.slack import directory
from bot.slack.ids import Callback
from bot.slack.listeners.context import HR_SLOW
from tests.support import forms
from tests.support.flows import blocked, ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness

HR = "U0HRPERSON"

START, END = date(2027, 2, 1), date(2027, 7, 30)


async def stored(bot: Harness) -> int:
    async with bot.sessions() as session:
        return (await session.execute(select(func.count()).select_from(Secondment))).scalar_one()


async def test_a_slow_slack_gets_the_form_answered_with_a_request_to_submit_again(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No wait at all for users.info, so Slack is always too slow (and no test waits on time).
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 0)
    release = bot.slack.hold_next("users.info")
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)
    release.set()

    assert response.status == 200
    answer = json.loads(await response.text())
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "home_manager": directory.SLACK_SLOW,
        "host_manager": directory.SLACK_SLOW,
    }
    assert await stored(bot) == 0
    assert bot.slack.sent("chat.postMessage") == []


async def test_an_unexpected_failure_before_the_answer_replaces_the_modal(bot: Harness) -> None:
    bot.expect_errors = True  # logged with its traceback, checked below
    bot.slack.fail_next("users.info", "fatal_error")
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    assert response.status == 200
    answer = json.loads(await response.text())
    assert answer["response_action"] == "update"
    assert answer["view"]["title"]["text"] == "Nothing changed"
    assert "nothing was changed" in json.dumps(answer["view"]["blocks"])
    assert await stored(bot) == 0
    assert [r.getMessage() for r in bot.errors.records] == ["listener failed"]


@pytest.mark.settings(hr_channel="C0HRDESK", hr_can_override=True)
async def test_a_slow_slack_does_not_hold_an_hr_override_past_the_answer(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = await blocked(bot, START, END)
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 0)
    release = bot.slack.hold_next("conversations.members")  # is HR a member of the HR channel?

    response = await bot.submit(
        HR,
        Callback.HR_OVERRIDE,
        forms.text_values("Policy guarantees release after a four-week notice period."),
        private_metadata=ref(thread, Side.HOME).encode(),
    )
    release.set()

    answer = json.loads(await response.text())
    assert answer == {"response_action": "errors", "errors": {"text": HR_SLOW}}
    assert (await bot.secondment(thread.secondment_id)).status == "blocked"
