"""Asking HR for an exception to its rules, through Slack's wire format: terms outside the rules
asked with a reason make HR a third approver; the managers approve as usual, and the
secondment is agreed only once HR grants it. A refusal carries HR's reason to everyone; the
exception and its reason are in the written record and the report."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from bot.domain.retention import ERASED, ERASED_TEXT
from bot.domain.states import Side, SideState, Status
from bot.models import AuditEvent, TermsVersion
from bot.services.anonymisation import anonymise
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import Call
from tests.slack.test_end_of_term import at, propose_extension
from tests.slack.test_export import export
from tests.support import forms
from tests.support.flows import approve, click_then_submit, ref, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread

HR = "U0HRPERSON"
RULES = {"hr_users": HR, "policy_max_term_months": 24}
START, LONG_END = date(2027, 2, 1), date(2029, 7, 31)  # 30 months
WHY = "The programme runs thirty months and needs one person throughout."


async def asked(bot: Harness, end: date = LONG_END, why: str | None = WHY) -> Thread:
    bot.slack.add_user(HR)
    return await bot.submit_request(START, end, exception_reason=forms.text(why))


def to_hr(bot: Harness) -> list[Call]:
    """HR's messages asking for a decision (not HR's own copies of what they decided)."""
    sent = bot.slack.sent("chat.postMessage", channel=HR)
    return [c for c in sent if "asks HR for an exception" in c.text]


async def actions(bot: Harness, secondment_id: int) -> list[str]:
    async with bot.sessions() as session:
        return list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.secondment_id == secondment_id)
                .order_by(AuditEvent.id)
            )
        )


async def terms(bot: Harness, thread: Thread, version: int) -> TermsVersion:
    async with bot.sessions() as session:
        found = await session.scalar(
            select(TermsVersion).where(
                TermsVersion.secondment_id == thread.secondment_id,
                TermsVersion.version == version,
            )
        )
    assert found is not None
    return found


async def refuse(bot: Harness, thread: Thread, because: str, version: int = 1) -> str:
    """HR refuses the exception through its form; returns the form's answer."""
    return await click_then_submit(
        bot,
        HR,
        Action.EXCEPTION_REFUSE,
        request_ref(thread, version),
        thread,
        Callback.EXCEPTION_REFUSE,
        forms.text_values(because),
    )


async def both_approve(bot: Harness, thread: Thread) -> None:
    await approve(bot, HOME, thread, Side.HOME)
    await approve(bot, HOST, thread, Side.HOST)
    await bot.handled()


async def extension_asked(bot: Harness, clock: time_machine.Traveller) -> tuple[Thread, str]:
    """Under way since 1 February, to end on 30 July; on 3 May the home manager proposes eight
    more months, two beyond the six-month rule, asking HR for an exception. Returns the thread
    and the form's answer."""
    bot.slack.add_user(HR)
    thread = await bot.submit_request(START, date(2027, 7, 30))
    await both_approve(bot, thread)
    await bot.sweep(at(2, 1, 9))  # under way
    clock.move_to(at(5, 3, 10))
    values = forms.proposal_values(date(2028, 3, 31), None)
    values["exception_reason"] = {"exception_reason": forms.text(WHY)}
    answer = await click_then_submit(
        bot,
        HOME,
        Action.PROPOSE_EXTENSION,
        request_ref(thread),
        thread,
        Callback.PROPOSE_EXTENSION,
        values,
    )
    await bot.handled()
    return thread, answer


async def grant(bot: Harness, thread: Thread, user: str = HR, version: int = 1) -> str:
    ref = request_ref(thread, version)
    response, name = await bot.click(user, Action.EXCEPTION_GRANT, ref, thread)
    assert response.status == 200
    await bot.handled()
    return name


@pytest.mark.settings(**RULES)
async def test_a_30_month_request_is_agreed_only_once_hr_grants_the_exception(
    bot: Harness,
) -> None:
    thread = await asked(bot)
    await bot.handled()

    (for_hr,) = to_hr(bot)
    assert "asks HR for an exception to its rules" in for_hr.text
    assert WHY in for_hr.blocks_text
    assert "a secondment lasts at most 24 months" in for_hr.blocks_text
    assert {Action.EXCEPTION_GRANT, Action.EXCEPTION_REFUSE} <= set(
        e["action_id"]
        for b in for_hr.body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )

    await both_approve(bot, thread)
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.hr_state) == (Status.PENDING, SideState.PENDING)
    assert not [c for c in bot.thread_replies(thread) if "Both managers have approved." in c.text]
    assert any("wait for HR's decision" in c.text for c in bot.thread_replies(thread))
    # HR's Home lists it as waiting on HR, not only on the managers.
    await bot.open_home(HR)
    home = json.dumps((await bot.home_of(HR)).body["view"])
    assert "Awaiting decisions: waiting for HR (an exception to its rules)." in home

    await grant(bot, thread)

    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.hr_state) == (Status.APPROVED, SideState.APPROVED)
    version = await terms(bot, thread, 1)
    assert (version.exception_state, version.exception_decided_by) == (SideState.APPROVED, HR)
    replies = [c.text for c in bot.thread_replies(thread)]
    assert any("HR (<@U0HRPERSON>) *granted* the exception" in t for t in replies)
    assert any("is *approved*" in t for t in replies)
    trail = await actions(bot, thread.secondment_id)
    assert trail.index("exception_asked") < trail.index("exception_granted")
    assert trail.index("exception_granted") < trail.index("approved")
    parent = bot.updates(thread)[-1]
    assert "Outside HR's rules" in parent.blocks_text and "*granted* by" in parent.blocks_text


@pytest.mark.settings(**RULES)
async def test_the_exception_and_its_reason_are_in_the_written_record_and_the_report(
    bot: Harness,
) -> None:
    thread = await asked(bot)
    await both_approve(bot, thread)
    await grant(bot, thread)

    _, document = await export(bot, HR, f"export {thread.secondment_id}")
    before = len(bot.slack.shared_files())
    _, reported = await bot.command(HR, "report")
    report = await bot.reply_to(reported)
    ((_, _, csv_bytes),) = bot.slack.shared_files()[before:]

    assert document is not None
    assert "Outside HR's rules: HR's rule: a secondment lasts at most 24 months" in document
    assert WHY in document
    assert "HR's exception to its rules:** granted by U0HRPERSON" in document
    assert "Asked: *1*" in report.blocks_text and "Granted: *1*" in report.blocks_text
    rows = csv_bytes.decode().splitlines()
    assert rows[0].endswith("hr_exceptions_asked,hr_exceptions_granted,hr_exceptions_refused")
    assert rows[1].endswith(",1,1,0")


@pytest.mark.settings(**RULES)
async def test_hr_refuses_with_a_reason_everyone_reads_and_the_terms_are_not_agreed(
    bot: Harness,
) -> None:
    thread = await asked(bot)
    await both_approve(bot, thread)
    because = "Thirty months is a transfer: advertise the role as a permanent move."

    answer = await refuse(bot, thread, because)
    await bot.handled()

    assert answer == ""
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.hr_state) == (Status.PENDING, SideState.BLOCKED)
    assert (await terms(bot, thread, 1)).exception_note == because
    (said,) = [c for c in bot.thread_replies(thread) if "*refused* the exception" in c.text]
    assert because in said.text and f"<@{EMPLOYEE}>" in said.text
    _, status = await bot.command(EMPLOYEE, f"status {thread.secondment_id}")
    shown = (await bot.reply_to(status)).blocks_text
    assert "Outside HR's rules" in shown and because in shown
    # A late Grant on HR's message is refused with what happened.
    name = await grant(bot, thread)
    assert "already decided: <@U0HRPERSON> refused it" in (await bot.reply_to(name)).text
    assert (await bot.secondment(thread.secondment_id)).status is Status.PENDING


@pytest.mark.settings(**RULES)
async def test_new_terms_within_the_rules_need_no_exception(bot: Harness) -> None:
    thread = await asked(bot)

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.PROPOSE_CHANGE,
        request_ref(thread),
        thread,
        Callback.CHANGE,
        forms.change_values(start=START, end=date(2029, 1, 31), note="Kept to two years."),
    )
    await bot.handled()
    await both_approve_version(bot, thread, 2)

    assert answer == ""
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.hr_state) == (Status.APPROVED, None)


async def both_approve_version(bot: Harness, thread: Thread, version: int) -> None:
    await approve(bot, HOME, thread, Side.HOME, version=version)
    await approve(bot, HOST, thread, Side.HOST, version=version)
    await bot.handled()


@pytest.mark.settings(**RULES)
async def test_only_hr_decides_an_exception(bot: Harness) -> None:
    thread = await asked(bot)
    await both_approve(bot, thread)

    name = await grant(bot, thread, user=HOME)

    assert "Only HR can decide an exception to HR's rules." in (await bot.reply_to(name)).text
    assert (await bot.secondment(thread.secondment_id)).hr_state is SideState.PENDING


@pytest.mark.parametrize(
    ("end", "why", "field", "message"),
    [
        (LONG_END, None, "end_date", "Choose an earlier end date, or ask HR for an exception"),
        (LONG_END, "Too short.", "exception_reason", "Say why in at least 20 characters"),
        (date(2027, 7, 30), WHY, "exception_reason", "keep within HR's rules, so there is no"),
    ],
)
@pytest.mark.settings(**RULES)
async def test_the_form_says_when_an_exception_is_needed_missing_or_not_needed(
    bot: Harness, end: date, why: str | None, field: str, message: str
) -> None:
    values = forms.request_values(
        home=HOME, host=HOST, start=START, end=end, exception_reason=forms.text(why)
    )

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    answer = json.loads(await response.text())
    assert answer["response_action"] == "errors"
    assert message in answer["errors"][field]
    assert list(answer["errors"]) == [field]


@pytest.mark.settings(**RULES, policy_max_extension_months=6)
async def test_an_extension_outside_the_rules_is_agreed_once_hr_grants_it(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread, answer = await extension_asked(bot, clock)
    await approve(bot, HOST, thread, Side.HOST, version=2)
    await bot.handled()
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.proposal_version, row.hr_state) == (
        Status.PROPOSAL_PENDING,
        2,
        SideState.PENDING,
    )

    await grant(bot, thread, version=2)

    assert answer == ""
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.terms_version, row.proposal_version) == (Status.ACTIVE, 2, None)
    assert "extension_agreed" in await actions(bot, thread.secondment_id)


@pytest.mark.settings(**RULES)
async def test_hr_granting_first_leaves_the_last_manager_to_agree_the_terms_once(
    bot: Harness,
) -> None:
    thread = await asked(bot)
    await grant(bot, thread)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    assert (await bot.secondment(thread.secondment_id)).status is Status.PENDING

    await approve(bot, HOST, thread, Side.HOST)
    await bot.handled()

    assert (await bot.secondment(thread.secondment_id)).status is Status.APPROVED
    assert (await actions(bot, thread.secondment_id)).count("approved") == 1


@pytest.mark.settings(**RULES)
async def test_conditions_still_outside_the_rules_go_to_hr_again_with_the_reason(
    bot: Harness,
) -> None:
    thread = await asked(bot)
    await grant(bot, thread)

    answer = await click_then_submit(
        bot,
        HOME,
        Action.CONDITIONS,
        ref(thread, Side.HOME),
        thread,
        Callback.CONDITIONS,
        forms.conditions_values(end=date(2029, 5, 31), note="Two months shorter."),
    )
    await bot.handled()

    assert answer == ""
    row = await bot.secondment(thread.secondment_id)
    assert (row.terms_version, row.hr_state) == (2, SideState.PENDING)
    version = await terms(bot, thread, 2)
    assert (version.exception_state, version.exception_reason) == (SideState.PENDING, WHY)
    assert len(to_hr(bot)) == 2  # asked again, for version 2
    # A grant of version 1 is over: it was decided, and the terms changed since.
    name = await grant(bot, thread)
    assert "already decided: <@U0HRPERSON> granted it" in (await bot.reply_to(name)).text
    assert (await bot.secondment(thread.secondment_id)).hr_state is SideState.PENDING


@pytest.mark.settings(**RULES)
async def test_a_refusal_needs_its_reason(bot: Harness) -> None:
    thread = await asked(bot)

    answer = await refuse(bot, thread, "No.")

    errors = json.loads(answer)["errors"]
    assert "Explain the refusal in at least 20 characters" in errors["text"]
    assert (await bot.secondment(thread.secondment_id)).hr_state is SideState.PENDING


@pytest.mark.settings(policy_max_term_months=24)
async def test_without_hr_set_up_no_exception_can_be_asked(bot: Harness) -> None:
    values = forms.request_values(
        home=HOME, host=HOST, start=START, end=LONG_END, exception_reason=forms.text(WHY)
    )

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    errors = json.loads(await response.text())["errors"]
    assert errors == {"exception_reason": "No one is set up as HR here to grant an exception."}


@pytest.mark.settings(**RULES)
async def test_a_withdrawn_request_waits_for_no_decision_from_hr(bot: Harness) -> None:
    thread = await asked(bot)

    response, _ = await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread)
    await bot.handled()
    _, status = await bot.command(EMPLOYEE, f"status {thread.secondment_id}")

    assert response.status == 200
    shown = (await bot.reply_to(status)).blocks_text
    assert "no decision needed (withdrawn)" in shown and "awaiting HR" not in shown


@pytest.mark.settings(**RULES, policy_max_extension_months=6)
async def test_a_refused_extension_is_closed_and_another_can_be_proposed(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread, _ = await extension_asked(bot, clock)

    await refuse(bot, thread, "Eight more months is a new role.", version=2)
    await bot.handled()

    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.terms_version, row.proposal_version, row.hr_state) == (
        Status.ACTIVE,
        1,
        None,
        None,
    )
    assert any("The current end date stands" in c.text for c in bot.thread_replies(thread))
    again = await propose_extension(bot, HOME, thread, date(2027, 12, 31))
    assert again == ""
    assert (await bot.secondment(thread.secondment_id)).proposal_version == 3


@pytest.mark.settings(**RULES)
async def test_anonymising_keeps_that_an_exception_was_asked_not_its_words_or_who(
    bot: Harness,
) -> None:
    thread = await asked(bot)
    await grant(bot, thread)

    async with bot.sessions.begin() as session:
        assert await anonymise(session, thread.secondment_id, bot.deps.clock.now(), reason="test")

    version = await terms(bot, thread, 1)
    assert version.exception_rules and version.exception_state is SideState.APPROVED
    assert (version.exception_reason, version.exception_decided_by) == (ERASED_TEXT, ERASED)


@pytest.mark.settings(**RULES)
async def test_hr_is_reminded_of_an_exception_it_has_not_decided_until_it_does(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await asked(bot)  # Monday 4 January
    await both_approve(bot, thread)

    def reminders() -> list[Call]:
        sent = bot.slack.sent("chat.postMessage", channel=HR)
        return [c for c in sent if "for HR's decision on an exception" in c.text]

    await bot.sweep(datetime(2027, 1, 6, 23, tzinfo=UTC))
    assert reminders() == []
    await bot.sweep(datetime(2027, 1, 7, 9, tzinfo=UTC))  # three working days on
    (first,) = reminders()
    assert first.text.startswith("⏰ A reminder: secondment #1 has waited since")
    assert Action.EXCEPTION_GRANT in first.blocks_text and WHY in first.blocks_text

    clock.move_to(datetime(2027, 1, 8, 10, tzinfo=UTC))
    await grant(bot, thread)
    await bot.sweep(datetime(2027, 1, 12, 9, tzinfo=UTC))  # the second's day: granted, none
    assert len(reminders()) == 1


@pytest.mark.settings(**RULES)
async def test_after_downtime_hr_gets_one_reminder_of_an_exception_not_two(bot: Harness) -> None:
    await asked(bot)

    # Down from Monday until the second reminder's day (Tuesday 12 January) had passed.
    await bot.sweep(datetime(2027, 1, 13, 10, tzinfo=UTC))

    sent = bot.slack.sent("chat.postMessage", channel=HR)
    (reminder,) = [c for c in sent if "for HR's decision on an exception" in c.text]
    assert reminder.text.startswith("⏰ A reminder: secondment #1 has waited since")
