"""HR's written rules (POLICY_*), as people meet them through Slack: a request or an extension
outside them gets a field error that states the rule, and nothing is stored; help lists them."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from bot.models import Secondment, TermsVersion
from bot.slack.ids import Callback
from tests.slack.test_end_of_term import END, START, at, propose_extension, thirty_days_out
from tests.support import forms
from tests.support.flows import approved
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness

RULES = {
    "policy_max_term_months": 24,
    "policy_max_extension_months": 6,
    "policy_extension_notice_weeks": 6,
}


async def count(bot: Harness, model: type[Secondment] | type[TermsVersion]) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.settings(**RULES)
async def test_a_30_month_request_under_a_24_month_rule_gets_the_rule_on_its_end_date(
    bot: Harness,
) -> None:
    values = forms.request_values(
        home=HOME, host=HOST, start=date(2027, 2, 1), end=date(2029, 7, 31)
    )

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    answer = json.loads(await response.text())
    assert response.status == 200 and answer["response_action"] == "errors"
    assert answer["errors"] == {
        "end_date": "HR's rule: a secondment lasts at most 24 months, so from this start it "
        "ends by Wed 31 Jan 2029. Choose an earlier end date."
    }
    assert await count(bot, Secondment) == 0
    assert not bot.slack.sent("conversations.open")


@pytest.mark.settings(**RULES)
async def test_a_request_of_exactly_the_longest_term_goes_through(bot: Harness) -> None:
    thread = await bot.submit_request(date(2027, 2, 1), date(2029, 1, 31))

    assert thread.secondment_id == 1


@pytest.mark.settings(**RULES)
async def test_an_extension_outside_the_rules_gets_each_rule_it_breaks(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    # 30 June, the first end-of-term ask: within six weeks of the 30 July end.
    thread = await thirty_days_out(bot, clock)
    versions = await count(bot, TermsVersion)

    answer = json.loads(await propose_extension(bot, HOME, thread, date(2028, 3, 31)))

    assert answer["response_action"] == "errors"
    assert answer["errors"]["end_date"] == (
        "HR's rule: an extension adds at most 6 months, so it ends by Sun 30 Jan 2028. "
        "HR's rule: an extension is proposed at least 6 weeks before the end, so by "
        "Fri 18 Jun 2027. Choose another date."  # no HR is set up here to ask for an exception
    )
    assert await count(bot, TermsVersion) == versions
    assert (await bot.secondment(thread.secondment_id)).proposal_kind is None


@pytest.mark.settings(**RULES)
async def test_an_extension_in_good_time_and_within_the_rules_is_proposed(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))  # under way
    clock.move_to(at(5, 3, 10))  # more than six weeks before the 30 July end

    answer = await propose_extension(bot, HOME, thread, date(2028, 1, 28))

    assert answer == ""
    assert (await bot.secondment(thread.secondment_id)).proposal_version == 2


@pytest.mark.settings(policy_max_term_months=24, policy_open_ended_review_months=12)
async def test_help_lists_hr_s_rules_in_force(bot: Harness) -> None:
    _, name = await bot.command(EMPLOYEE, "help")

    reply = await bot.reply_to(name)

    assert (
        "*HR's rules here:* a secondment lasts at most 24 months, extensions included; a "
        "secondment of 12 months or more is reviewed as a permanent move."
    ) in reply.text


async def test_without_rules_help_names_none(bot: Harness) -> None:
    _, name = await bot.command(EMPLOYEE, "help")

    assert "HR's rules" not in (await bot.reply_to(name)).text
