"""`/secondment report`, for HR: the figures as a private reply to the command, and the CSV
uploaded to the HR person's DMs with the bot.

The reply is ephemeral, like every other `/secondment` answer: figures about blocks and
check-ins stay private wherever the command is typed, and the kept copy is the CSV in the DMs.
An upload Slack refuses does not lose the report: the reply still carries the figures, and says
what failed.
"""

from __future__ import annotations

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import check_is_hr
from bot.domain.report import BadFilter
from bot.services.report import REPORT_ACTION, load_report
from bot.slack.builders.messages import Message
from bot.slack.builders.report import (
    build_report,
    build_report_csv,
    build_report_usage,
    report_comment,
    report_filename,
)
from bot.slack.deps import Deps
from bot.slack.files import try_send_file
from bot.slack.listeners.acting import acting
from bot.slack.parsing import parse_report_filter


async def answer_report(
    argument: str, deps: Deps, client: AsyncWebClient, context: AsyncBoltContext
) -> Message:
    """HR's report as a private reply, with its CSV uploaded to their DMs."""
    actor_is_hr = await acting(context).is_hr(client)
    # Refused before the filter is read, so someone else learns nothing from a usage reply.
    check_is_hr(actor_is_hr, REPORT_ACTION)
    wanted = parse_report_filter(argument)
    if isinstance(wanted, BadFilter):
        return build_report_usage(wanted)
    report = await load_report(
        deps.sessions, wanted=wanted, actor=acting(context).actor(is_hr=actor_is_hr)
    )
    error = await try_send_file(
        client,
        acting(context).user_id,
        filename=report_filename(report),
        content=build_report_csv(report),
        title="Secondment report",
        comment=report_comment(report),
    )
    return build_report(report, upload_error=error)
