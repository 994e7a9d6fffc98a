"""`/secondment export <number>`, end to end: the written record uploaded to the asker's DMs
(files.uploadV2 against the stand-in), with everything it must contain, only for the three
parties and HR, and with check-in notes only for those the employee was told would see them."""

from __future__ import annotations

import pytest

from bot.domain.kinds import CheckInAnswer
from bot.domain.states import Side
from bot.slack.ids import Action, Callback
from tests.slack.test_check_ins import END, START, answer, at, submit_answer
from tests.support.flows import approve, block, ref
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, Thread

HR = "U0HRPERSON"


async def with_history(bot: Harness) -> Thread:
    """Blocked, reconsidered, under way, with a check-in whose note the employee kept from the
    home manager and one they shared."""
    thread = await bot.submit_request(START, END)
    await block(
        bot, HOME, thread, Side.HOME, explanation="# Not before the | audit closes in January."
    )
    await bot.click(HOME, Action.RECONSIDER, ref(thread, Side.HOME), thread)
    # The click is answered at once and decided after: wait for it before the host decides.
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "lifted the block" in c.text)
    await approve(bot, HOST, thread, Side.HOST, version=1)
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "Both managers" in c.text)
    await bot.sweep(at(2, 1, 9))
    await bot.sweep(at(2, 15, 9))
    await answer(bot, thread, 1, CheckInAnswer.CONCERNS)
    assert await submit_answer(bot, "The host team's manager is never around.", False) == ""
    await bot.sweep(at(3, 1, 9))
    await answer(bot, thread, 2, CheckInAnswer.ON_TRACK)
    # The second check-in's form: wait for it to open before answering it.
    await bot.slack.wait_for(
        "views.open", 2, where=lambda c: c.body["view"]["callback_id"] == Callback.CHECK_IN
    )
    assert await submit_answer(bot, "Much better since the reorg.", True) == ""
    return thread


async def export(bot: Harness, user: str, text: str = "export 1") -> tuple[str, str | None]:
    """The ephemeral reply, and the uploaded document if one reached `user`'s DM."""
    before = len(bot.slack.shared_files())
    _, name = await bot.command(user, text)
    reply = (await bot.reply_to(name)).text
    shared = bot.slack.shared_files()[before:]
    documents = [content.decode() for call, _, content in shared]
    assert len(documents) <= 1
    return reply, documents[0] if documents else None


async def test_the_employee_gets_the_whole_written_record_in_their_dms(bot: Harness) -> None:
    await with_history(bot)

    reply, document = await export(bot, EMPLOYEE)

    assert "in your direct messages" in reply
    assert document is not None
    (opened,) = [c for c in bot.slack.sent("conversations.open") if c.body["users"] == EMPLOYEE]
    (_, channel, _) = bot.slack.shared_files()[-1]
    assert channel.startswith("D") and opened.error is None
    for expected in (
        "# Secondment #1: the written record",
        "### Version 1, written by U0EMPLOYEE",
        "- **Host team or organisation:** Data Platform",
        "**home** side, version 1: **blocked** (decided) by U0HOME",
        "Reason: Cover or backfill",
        "> # Not before the | audit closes in January.",  # quoted: no heading, no table cell
        "**home** side, version 1: **approved** (reconsidered) by U0HOME",
        "Check-in 1: Some concerns",
        "The host team's manager is never around.",
        "Check-in 2: On track",
        "Much better since the reorg.",
        "## Return debrief\n\nNot recorded yet.",
        "| home_blocked |",
        "| started |",
    ):
        assert expected in document, expected
    assert "\\|" in document  # a pipe inside the audit trail's detail is escaped


async def test_the_home_manager_does_not_see_a_note_that_was_not_shared(bot: Harness) -> None:
    await with_history(bot)

    _, for_home = await export(bot, HOME)
    _, for_host = await export(bot, HOST)

    assert for_home is not None and for_host is not None
    assert "never around" not in for_home  # not in the check-ins, nor in the audit trail
    assert "(The employee's note was not shared with you.)" in for_home
    assert "Much better since the reorg." in for_home  # shared with the home manager
    assert "never around" in for_host  # concerns go to the host manager


@pytest.mark.settings(hr_users=HR)
async def test_hr_may_export_any_secondment_and_nobody_else_may(bot: Harness) -> None:
    bot.slack.add_user(HR)
    await with_history(bot)

    hr_reply, for_hr = await export(bot, HR)
    outsider_reply, for_outsider = await export(bot, OUTSIDER)
    bad_reply, nothing = await export(bot, EMPLOYEE, "export first")

    assert "in your direct messages" in hr_reply
    assert for_hr is not None and "never around" in for_hr
    assert "can't find secondment #1" in outsider_reply and for_outsider is None
    assert "`/secondment export first` needs a secondment's number" in bad_reply
    assert nothing is None


async def test_a_delegate_decides_a_side_but_does_not_get_the_file(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await bot.click(HOME, Action.DELEGATE, ref(thread, Side.HOME), thread)
    opened = await bot.opened_modal(Callback.DELEGATE)
    await bot.submit(
        HOME,
        Callback.DELEGATE,
        {"delegate": {"delegate": {"type": "users_select", "selected_user": OUTSIDER}}},
        private_metadata=opened.body["view"]["private_metadata"],
    )
    assert (await bot.secondment(1)).home_delegate_id == OUTSIDER

    reply, document = await export(bot, OUTSIDER)

    assert "can't find secondment #1" in reply and document is None


async def test_an_upload_that_fails_is_reported_and_nothing_is_shared(bot: Harness) -> None:
    await bot.submit_request(START, END)
    bot.slack.fail_next("files.completeUploadExternal", "not_in_channel")

    reply, document = await export(bot, EMPLOYEE)

    assert "couldn't upload the written record of secondment #1 (not_in_channel)" in reply
    assert document is None


async def test_an_upload_url_that_refuses_the_bytes_is_reported_too(bot: Harness) -> None:
    await bot.submit_request(START, END)
    bot.slack.fail_next("file_upload", "forbidden", status=403)

    reply, document = await export(bot, EMPLOYEE)

    assert "(the upload was refused)" in reply and document is None
    assert bot.slack.sent("files.completeUploadExternal") == []
