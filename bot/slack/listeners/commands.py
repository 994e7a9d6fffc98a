"""`/secondment` and its subcommands: request, away, list, status, calendar, checkins, export,
erase, report and help."""

from __future__ import annotations

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
from bot.slack.ids import Command
from bot.slack.listeners.acting import acting
from bot.slack.listeners.away import open_away_form
from bot.slack.listeners.calendar import calendar_answer
from bot.slack.listeners.errors import answered
from bot.slack.listeners.report import answer_report
from bot.slack.parsing import first_mention, parse_command, parse_number


def register(app: AsyncApp, deps: Deps) -> None:
    """Listen for the slash command."""

    @app.command(Command.SECONDMENT)
    @answered
    async def handle_secondment_command(
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        """Answer a subcommand privately, to the person who typed it."""
        await ack()
        line = parse_command(command.get("text"))
        if line.subcommand == "request":
            view = request_modal_payload(
                first_mention(line.argument), deps.policy.check_in_every_weeks, deps.policy.rules
            )
            await client.views_open(trigger_id=command["trigger_id"], view=view)
            return
        if line.subcommand == "away":
            await open_away_form(deps, client, context, command["trigger_id"])
            return
        message = await _answer(line.subcommand, line.argument, deps, client, context)
        await respond(**message.as_kwargs(), response_type="ephemeral")


async def _answer(
    subcommand: str,
    argument: str,
    deps: Deps,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> Message:
    user = acting(context).user_id
    if subcommand == "list":
        records, total = await list_for_user(deps.sessions, actor=acting(context).actor())
        return build_list(records, total, user)
    if subcommand == "status":
        number = parse_number(argument)
        if number is None:
            return build_usage(f"status {argument}".strip(), "a secondment's number", "status 12")
        record = await get_for_user(
            deps.sessions, secondment_id=number, actor=await acting(context).as_hr(client)
        )
        return build_status(record, user)
    if subcommand == "calendar":
        return await calendar_answer(
            deps,
            context,
            lambda actor: calendar_link(deps.sessions, actor=actor),
        )
    if subcommand == "checkins":
        numbers = [parse_number(word) for word in argument.split()]
        if len(numbers) != 2 or None in numbers:
            return build_usage(
                f"checkins {argument}".strip(), "a number and weeks", "checkins 12 4"
            )
        number, weeks = numbers
        assert number is not None and weeks is not None
        record = await set_check_in_interval(
            deps.sessions,
            secondment_id=number,
            weeks=weeks,
            actor=await acting(context).as_hr(client),
        )
        return build_interval_set(record)
    if subcommand == "export":
        number = parse_number(argument)
        if number is None:
            return build_usage(f"export {argument}".strip(), "a secondment's number", "export 12")
        written = await load_written_record(
            deps.sessions, secondment_id=number, actor=await acting(context).as_hr(client)
        )
        document = build_written_record(written, deps.clock.now())
        error = await try_send_file(
            client,
            user,
            filename=document.filename,
            content=document.content,
            title=document.title,
            comment=f"The written record of secondment #{number}.",
        )
        return build_export_failed(number, error) if error else build_export_sent(number)
    if subcommand == "erase":
        person = first_mention(argument)
        check_is_hr(await acting(context).is_hr(client), "erase a person's data")
        return (
            build_erase_confirmation(person)
            if person
            else build_help(f"erase {argument}", deps.policy.rules)
        )
    if subcommand == "report":
        return await answer_report(argument, deps, client, context)
    return build_help(None if subcommand in ("", "help") else subcommand, deps.policy.rules)
