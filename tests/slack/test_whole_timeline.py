"""One secondment from approval to the follow-up after the return, driven by a moved clock through
the Slack stand-in: start, check-ins, the question 30 days out, an extension, the new end, the
debrief and the follow-up. Each step is checked as the people involved would see it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import time_machine

from bot.domain.kinds import CheckInAnswer
from bot.domain.states import Side
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approve, approved, click_then_submit, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness

START, END, EXTENDED = date(2027, 2, 1), date(2027, 7, 30), date(2027, 10, 29)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def dms(bot: Harness, user: str, containing: str) -> list[Call]:
    return [
        c
        for c in bot.slack.sent("chat.postMessage", channel=user)
        if containing in c.text and c.error is None
    ]


async def test_a_secondment_from_start_to_follow_up_with_an_extension(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await approved(bot, START, END)

    # The start: active, the welcomes and the coverage notice at 09:00 in London (GMT).
    await bot.sweep(at(2, 1, 8, 59))
    assert (await bot.secondment(1)).status == "approved"
    await bot.sweep(at(2, 1, 9))
    assert (await bot.secondment(1)).status == "active"
    assert len(dms(bot, EMPLOYEE, "starts today")) == len(dms(bot, HOST, "starts today")) == 1
    assert len(dms(bot, HOME, "coverage plan")) == 1

    # The first check-in, a fortnight in, answered; the second left to be marked missed.
    await bot.sweep(at(2, 15, 9))
    clock.move_to(at(2, 15, 10))
    ref = CheckInRef(1, 1, CheckInAnswer.ON_TRACK)
    response, _ = await bot.click(EMPLOYEE, Action.CHECK_IN_ON_TRACK, ref, thread)
    opened = await bot.opened_modal(Callback.CHECK_IN)
    await bot.submit(
        EMPLOYEE,
        Callback.CHECK_IN,
        {"check_in_note": {"check_in_note": forms.text("Settling in well.")}},
        private_metadata=opened.body["view"]["private_metadata"],
    )
    for day in (1, 2, 3):  # check-in 2, its reminder, then the missed mark, a day apart
        await bot.sweep(at(3, day, 9))
    row = await bot.secondment(1)
    assert response.status == 200 and row.status == "active"
    assert len(dms(bot, EMPLOYEE, "secondment with")) == 3  # asked twice, reminded once

    # 30 days out: the three are asked what happens at the end (09:00 BST is 08:00 UTC).
    await bot.sweep(at(6, 30, 7, 59))
    assert dms(bot, HOME, "What happens then") == []
    await bot.sweep(at(6, 30, 8))
    for person in (EMPLOYEE, HOME, HOST):
        assert len(dms(bot, person, "ends on Fri 30 Jul 2027")) == 1

    # The host manager proposes an extension (agreeing it), the home manager approves it.
    clock.move_to(at(6, 30, 11))
    answer = await click_then_submit(
        bot,
        HOST,
        Action.PROPOSE_EXTENSION,
        request_ref(thread),
        thread,
        Callback.PROPOSE_EXTENSION,
        forms.proposal_values(EXTENDED, "The launch moved to October."),
    )
    await approve(bot, HOME, thread, Side.HOME, version=2)
    assert answer == ""
    await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "Both managers agreed the extension" in c.text
    )
    assert (await bot.secondment(1)).terms_version == 2

    # The old end date passes quietly: no second question about it, no debrief, check-ins go on.
    await bot.sweep(at(8, 2, 9))
    assert dms(bot, EMPLOYEE, "Still undecided") == []
    assert dms(bot, EMPLOYEE, "hold the return debrief") == []
    assert (await bot.secondment(1)).status == "active"
    assert len(dms(bot, EMPLOYEE, "secondment with")) > 3

    # 30 days before the new end, asked again; the employee confirms the return.
    await bot.sweep(at(9, 29, 8))
    assert len(dms(bot, EMPLOYEE, "ends on Fri 29 Oct 2027")) == 1
    clock.move_to(at(9, 29, 10))
    await bot.click(EMPLOYEE, Action.CONFIRM_RETURN, request_ref(thread, 2), thread)
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "confirmed the return" in c.text)

    # The new end date: the debrief is asked for, recorded, and the secondment completes.
    await bot.sweep(at(10, 29, 8))
    assert len(dms(bot, EMPLOYEE, "hold the return debrief")) == 1
    assert dms(bot, EMPLOYEE, "Still undecided") == []  # settled, so not asked again
    clock.move_to(at(10, 29, 15))
    answer = await click_then_submit(
        bot,
        HOME,
        Action.RECORD_DEBRIEF,
        request_ref(thread, 2),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(),
    )
    assert answer == ""
    row = await bot.secondment(1)
    assert (row.status, row.outcome) == ("completed", "returned")

    # The follow-up, 30 days after the return: Sunday 28 November, so Monday at 09:00 GMT.
    await bot.sweep(at(11, 29, 8, 59))
    assert dms(bot, EMPLOYEE, "How is the return going") == []
    await bot.sweep(at(11, 29, 9))
    assert len(dms(bot, EMPLOYEE, "How is the return going")) == 1

    # Nothing was sent twice along the way.
    sent = [
        (e.action, e.detail.get("recipient_id"), e.detail.get("sequence"))
        for e in await bot.audit(1)
        if e.action.startswith("nudge_sent_")
    ]
    assert [key for key, n in Counter(sent).items() if n > 1] == []
    assert await bot.sweep(at(12, 31, 9)) == 0
