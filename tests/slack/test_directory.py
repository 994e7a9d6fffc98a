"""The directory: what users.info said about people, kept for five minutes per workspace, so a
form naming people the bot looked up lately is answered without waiting for Slack."""

from __future__ import annotations

from datetime import date

import pytest

from bot.slack import directory
from bot.slack.directory import TTL_SECONDS, Directory
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness

START, END = date(2027, 2, 1), date(2027, 7, 30)
LATER_START, LATER_END = date(2027, 9, 1), date(2028, 2, 28)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_second_request_naming_the_same_people_asks_slack_nothing(bot: Harness) -> None:
    await bot.submit_request(START, END)
    asked = sorted(c.body["user"] for c in bot.slack.sent("users.info"))
    assert asked == sorted([EMPLOYEE, HOME, HOST])

    await bot.submit_request(LATER_START, LATER_END)

    assert len(bot.slack.sent("users.info")) == 3
    assert (await bot.secondment(2)).thread_ts is not None


async def test_after_five_minutes_slack_is_asked_again(bot: Harness) -> None:
    ticks = Ticks()
    bot.deps.directory.monotonic = ticks
    await bot.submit_request(START, END)

    ticks.now += TTL_SECONDS
    await bot.submit_request(LATER_START, LATER_END)

    assert len(bot.slack.sent("users.info")) == 6


async def test_a_person_is_looked_up_afresh_in_each_workspace(bot: Harness) -> None:
    people = Directory()

    await people.people(bot.client, "T1", [HOME])
    await people.people(bot.client, "T2", [HOME])
    await people.people(bot.client, "T1", [HOME])

    assert [c.body["user"] for c in bot.slack.sent("users.info")] == [HOME, HOME]


async def test_someone_slack_does_not_know_is_asked_about_each_time(bot: Harness) -> None:
    people = Directory()

    assert await people.people(bot.client, "T1", ["U0NOBODY"]) == {}
    assert await people.people(bot.client, "T1", ["U0NOBODY"]) == {}

    assert len(bot.slack.sent("users.info")) == 2


async def test_the_longest_kept_are_dropped_first_past_the_limit(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(directory, "MOST_KEPT", 2)
    people = Directory()

    await people.people(bot.client, "T1", [EMPLOYEE, HOME])
    await people.people(bot.client, "T1", [EMPLOYEE])  # kept: not asked, not renewed
    await people.people(bot.client, "T1", [OUTSIDER])  # the third: EMPLOYEE goes
    await people.people(bot.client, "T1", [HOME, OUTSIDER])

    assert [c.body["user"] for c in bot.slack.sent("users.info")] == [EMPLOYEE, HOME, OUTSIDER]
    await people.people(bot.client, "T1", [EMPLOYEE])
    assert len(bot.slack.sent("users.info")) == 4
