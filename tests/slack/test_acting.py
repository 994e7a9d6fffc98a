"""Who acts, as a listener reads it from a request (bot/slack/listeners/acting.py): nothing is
read when the request comes in, the clock is read when the actor is asked for, and HR only when
asked as HR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.policy import Policy
from bot.slack.deps import Deps
from bot.slack.hr import HrDesk
from bot.slack.listeners.acting import Acting
from tests.support.clocks import SetClock

POLICY = Policy()
ASKED = datetime(2029, 1, 8, 10, 0, tzinfo=UTC)


def _acting(clock: SetClock, **request: str) -> Acting:
    # No database and no HR channel: nothing here may reach either.
    deps = Deps(cast(Sessions, None), POLICY, HrDesk(None, ("UHR",)), clock=clock)
    return Acting(AsyncBoltContext(request), deps)


def test_the_actor_carries_the_time_it_is_asked_for() -> None:
    clock = SetClock(ASKED - timedelta(minutes=5))
    who = _acting(clock, team_id="T1", user_id="U1")
    clock.at = ASKED
    assert who.actor() == Actor("T1", "U1", POLICY, ASKED, is_hr=False)


def test_an_event_without_a_person_is_refused_only_when_the_actor_is_asked_for() -> None:
    who = _acting(SetClock(ASKED), team_id="T1")
    assert who.team_id == "T1"
    with pytest.raises(ValueError, match="no user id"):
        who.actor()


def test_on_enterprise_grid_without_a_team_the_org_is_the_workspace() -> None:
    who = _acting(SetClock(ASKED), enterprise_id="E1", user_id="U1")
    assert who.actor().team_id == "E1"


async def test_as_hr_says_whether_the_person_is_hr() -> None:
    client = AsyncWebClient(token="xoxb-unused")
    assert (await _acting(SetClock(ASKED), team_id="T1", user_id="UHR").as_hr(client)).is_hr
    assert not (await _acting(SetClock(ASKED), team_id="T1", user_id="U1").as_hr(client)).is_hr
