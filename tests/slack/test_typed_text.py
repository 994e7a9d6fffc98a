"""What a person types reaches the database whatever it holds: a NUL character (which
PostgreSQL's text refuses) is dropped and a lone surrogate (which is not UTF-8) is shown as
U+FFFD, in forms and in slash-command text alike."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.models import TermsVersion
from bot.slack.parsing import clean, parse_command
from tests.support import forms
from tests.support.harness import EMPLOYEE, Harness

START, END = date(2027, 2, 1), date(2027, 7, 30)


def test_clean_drops_nul_and_replaces_lone_surrogates_only() -> None:
    assert clean("Data\x00 lead \ud800 and \udfff") == "Data lead \ufffd and \ufffd"
    assert clean("Café 😀 ok") == "Café 😀 ok"
    assert parse_command("sta\x00tus 12").subcommand == "status"


async def test_a_form_with_nul_and_a_lone_surrogate_is_stored_cleaned(bot: Harness) -> None:
    thread = await bot.submit_request(
        START,
        END,
        role_title=forms.text("Data\x00 lead \ud800"),
        objectives=forms.text("Ship\x00 the dashboard \udfff"),
    )

    async with bot.sessions() as session:
        terms = (
            await session.scalars(
                select(TermsVersion).where(TermsVersion.secondment_id == thread.secondment_id)
            )
        ).one()
    assert (terms.role_title, terms.objectives) == ("Data lead \ufffd", "Ship the dashboard \ufffd")
    (posted,) = bot.slack.sent("chat.postMessage", channel=thread.channel)
    assert "Data lead \ufffd" in posted.blocks_text


async def test_a_command_with_nul_is_understood(bot: Harness) -> None:
    _, reply = await bot.command(EMPLOYEE, "he\x00lp")

    assert "/secondment list" in (await bot.reply_to(reply)).text
