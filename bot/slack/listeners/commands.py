"""`/secondment` and its subcommands: one answer each, in the table `ANSWERS`, which names every
`Subcommand` (bot/slack/ids.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import check_is_hr
from bot.services.calendar_feeds import calendar_link
from bot.services.checkins import set_check_in_interval
from bot.services.queries import get_for_user, list_for_user
from bot.services.written_record import load_written_record
from bot.slack.builders.messages import Message
from bot.slack.builders.replies import build_help, build_interval_set, build_usage
from bot.slack.builders.request_modal import request_modal_payload
from bot.slack.builders.retention import build_erase_confirmation
from bot.slack.builders.status import build_list, build_status
from bot.slack.builders.written_record import (
    build_export_failed,
    build_export_sent,
    build_written_record,
)
from bot.slack.deps import Deps
from bot.slack.files import try_send_file
from bot.slack.ids import Command, Subcommand
from bot.slack.listeners.acting import acting
from bot.slack.listeners.away import open_away_form
from bot.slack.listeners.calendar import calendar_answer
from bot.slack.listeners.errors import answered
from bot.slack.listeners.report import answer_report
from bot.slack.parsing import first_mention, parse_command, parse_number


@dataclass(frozen=True, slots=True)
class Typed:
    """One `/secondment` as typed: the words after its subcommand, and what answering needs."""

    argument: str
    command: dict[str, Any]
    deps: Deps
    client: AsyncWebClient
    context: AsyncBoltContext


# A subcommand's answer: the private reply, or None when it opened a form instead.
Answer = Callable[[Typed], Awaitable[Message | None]]


def register(app: AsyncApp, deps: Deps) -> None:
    """Answer `/secondment`."""

    @app.command(Command.SECONDMENT)
    @answered
    async def handle_secondment_command(
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        """Acknowledge, then answer the subcommand typed, privately."""
        await ack()
        line = parse_command(command.get("text"))
        typed = Typed(line.argument, command, deps, client, context)
        message = await _answer(line.subcommand, typed)
        if message is not None:
            await respond(**message.as_kwargs(), response_type="ephemeral")


async def _answer(word: str, typed: Typed) -> Message | None:
    """The answer to `/secondment <word> ...`; the help, saying so, for a word it does not know."""
    try:
        subcommand = Subcommand(word)
    except ValueError:
        return build_help(word or None, typed.deps.policy.rules)
    return await ANSWERS[subcommand](typed)


async def _request(typed: Typed) -> None:
    deps = typed.deps
    view = request_modal_payload(
        first_mention(typed.argument), deps.policy.check_in_every_weeks, deps.policy.rules
    )
    await typed.client.views_open(trigger_id=typed.command["trigger_id"], view=view)


async def _away(typed: Typed) -> None:
    await open_away_form(typed.deps, typed.client, typed.context, typed.command["trigger_id"])


async def _list(typed: Typed) -> Message:
    actor = acting(typed.context).actor()
    records, total = await list_for_user(typed.deps.sessions, actor=actor)
    return build_list(records, total, actor.user_id)


async def _status(typed: Typed) -> Message:
    argument = typed.argument
    number = parse_number(argument)
    if number is None:
        return build_usage(f"status {argument}".strip(), "a secondment's number", "status 12")
    actor = await acting(typed.context).as_hr(typed.client)
    record = await get_for_user(typed.deps.sessions, secondment_id=number, actor=actor)
    return build_status(record, actor.user_id)


async def _calendar(typed: Typed) -> Message:
    deps = typed.deps
    return await calendar_answer(
        deps,
        typed.context,
        lambda actor: calendar_link(deps.sessions, actor=actor),
    )


async def _checkins(typed: Typed) -> Message:
    deps, argument = typed.deps, typed.argument
    numbers = [parse_number(word) for word in argument.split()]
    if len(numbers) != 2 or None in numbers:
        return build_usage(f"checkins {argument}".strip(), "a number and weeks", "checkins 12 4")
    number, weeks = numbers
    assert number is not None and weeks is not None
    record = await set_check_in_interval(
        deps.sessions,
        secondment_id=number,
        weeks=weeks,
        actor=await acting(typed.context).as_hr(typed.client),
    )
    return build_interval_set(record)


async def _export(typed: Typed) -> Message:
    deps, argument, user = typed.deps, typed.argument, acting(typed.context).user_id
    number = parse_number(argument)
    if number is None:
        return build_usage(f"export {argument}".strip(), "a secondment's number", "export 12")
    written = await load_written_record(
        deps.sessions, secondment_id=number, actor=await acting(typed.context).as_hr(typed.client)
    )
    document = build_written_record(written, deps.clock.now())
    error = await try_send_file(
        typed.client,
        user,
        filename=document.filename,
        content=document.content,
        title=document.title,
        comment=f"The written record of secondment #{number}.",
    )
    return build_export_failed(number, error) if error else build_export_sent(number)


async def _erase(typed: Typed) -> Message:
    person = first_mention(typed.argument)
    check_is_hr(await acting(typed.context).is_hr(typed.client), "erase a person's data")
    if person:
        return build_erase_confirmation(person)
    return build_help(f"erase {typed.argument}", typed.deps.policy.rules)


async def _report(typed: Typed) -> Message:
    return await answer_report(typed.argument, typed.deps, typed.client, typed.context)


async def _help(typed: Typed) -> Message:
    return build_help(None, typed.deps.policy.rules)


# Every subcommand's answer: a new subcommand is a member of `Subcommand`, its entry here, and
# its line in the help (bot/slack/builders/replies.py) and the manifest's usage hint
# (tests/slack/test_subcommands.py checks the entry and the help, tests/slack/test_manifest.py
# the hint).
ANSWERS: Mapping[Subcommand, Answer] = {
    Subcommand.REQUEST: _request,
    Subcommand.AWAY: _away,
    Subcommand.LIST: _list,
    Subcommand.STATUS: _status,
    Subcommand.CALENDAR: _calendar,
    Subcommand.CHECKINS: _checkins,
    Subcommand.EXPORT: _export,
    Subcommand.ERASE: _erase,
    Subcommand.REPORT: _report,
    Subcommand.HELP: _help,
}
