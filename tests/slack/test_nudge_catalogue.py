"""Every kind of nudge has an entry in the catalogue (bot/domain/nudge_catalogue.py) and a
branch in the delivery (bot/slack/sends.py), and reaches whom its entry says: no kind is
silently marked sent without doing what it is for."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import SectionBlock

from bot.domain.decisions import DecisionRef
from bot.domain.kinds import Destination, NudgeKind
from bot.domain.nudge_catalogue import CATALOGUE, SILENT, Audience
from bot.domain.record import ExceptionRecord, SecondmentRecord
from bot.domain.states import Side, SideState
from bot.services.loading import load_record
from bot.services.sweep import Due
from bot.slack.builders.messages import Message
from bot.slack.builders.text import md
from bot.slack.failures import CLAIM_LOST, Undelivered
from bot.slack.sends import send
from tests.support.flows import approved
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness

HR_CHANNEL = "C0HRTEAM"
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
# What each audience's calls look like; a kind may also read from Slack (users.info,
# conversations.open, chat.getPermalink), which reaches nobody.
SPEAKING = ("chat.postMessage", "chat.update", "views.publish")


def _due(kind: NudgeKind, record: SecondmentRecord, **fields: Any) -> Due:
    return Due(
        nudge_id=9_000 + list(NudgeKind).index(kind),
        kind=kind,
        side=fields.pop("side", None),
        sequence=fields.pop("sequence", 1),
        recipient_id=fields.pop("recipient_id", EMPLOYEE),
        attempts=0,
        record=record,
        claim_token="catalogue",
        **fields,
    )


def _composed() -> dict[str, Any]:
    text = "A message composed at a change."
    return Message(text=text, blocks=[SectionBlock(text=md(text))]).as_kwargs()


def _dues(kind: NudgeKind, record: SecondmentRecord, asked: list[tuple[str, str]]) -> list[Due]:
    """One nudge of `kind` as the bot writes it (a MESSAGE to each kind of destination; a
    close pinned to the questions `asked`)."""
    match kind:
        case NudgeKind.MESSAGE:
            return [
                _due(kind, record, destination=where, payload=_composed(), recipient_id=to)
                for where, to in (
                    (Destination.PERSON, HOST),
                    (Destination.HR, HR_CHANNEL),
                    (Destination.THREAD, None),
                    (Destination.BROADCAST, None),
                )
            ]
        case NudgeKind.DECISION_REMINDER:
            return [_due(kind, record, side=Side.HOME, recipient_id=HOME)]
        case NudgeKind.HOME_UPDATE:
            return [_due(kind, record, recipient_id=HOST, payload={"shown": ""})]
        case NudgeKind.DELEGATE_CHECK:
            ref = DecisionRef(record.id, Side.HOME, record.terms_version)
            payload = {"delegate": HOST, "ref": ref.encode()}
            return [_due(kind, record, recipient_id=HOME, payload=payload)]
        case NudgeKind.THREAD_OPEN:
            # The thread is opened for a request that has none yet.
            unopened = dataclasses.replace(record, channel_id=None, thread_ts=None)
            return [_due(kind, unopened, recipient_id=None)]
        case NudgeKind.QUESTIONS_CLOSED:
            closes = {"questions": [list(q) for q in asked], "message": _composed()}
            return [_due(kind, record, recipient_id=None, payload=closes)]
        case NudgeKind.DECISION_ESCALATION | NudgeKind.DEBRIEF_HR_NOTICE:
            return [_due(kind, record, recipient_id=None)]
        case NudgeKind.HR_SIDE_REMINDER:
            # A side HR decides, its manager's account deactivated.
            host = dataclasses.replace(record.host, state=SideState.PENDING, to_hr_at=NOW)
            waiting = dataclasses.replace(record, host=host)
            return [_due(kind, waiting, side=Side.HOST, recipient_id=None)]
        case NudgeKind.EXCEPTION_REMINDER:
            # An exception HR has still to decide, asked with the terms.
            asked_of_hr = ExceptionRecord(
                "a secondment lasts at most 24 months",
                "The programme runs thirty months.",
                SideState.PENDING,
                None,
                None,
                None,
            )
            waiting = dataclasses.replace(record, exception=asked_of_hr)
            return [_due(kind, waiting, recipient_id=None)]
        case _:
            return [_due(kind, record)]


def _reached(
    calls: list[Any], due: Due, record: SecondmentRecord, asked: list[tuple[str, str]]
) -> set[str]:
    """Who the Web API calls made for `due` reached, in the catalogue's words; `asked` is where
    the questions were posted."""
    reached: set[str] = set()
    for call in calls:
        if call.method not in SPEAKING:
            continue
        channel = call.body.get("channel")
        if (channel, call.body.get("ts")) in asked and call.method == "chat.update":
            reached.add(Audience.ASKED)
        elif call.method == "views.publish":
            reached.add(Audience.HOME if call.body["user_id"] == due.recipient_id else "else")
        elif channel == HR_CHANNEL:
            reached.add(Audience.HR)
        elif channel == due.recipient_id:
            reached.add(Audience.PERSON)
        elif channel == record.channel_id or call.body.get("thread_ts"):
            reached.add(Audience.THREAD)
        else:
            reached.add(f"else: {call.method} to {channel}")
    return reached


def test_every_kind_has_an_entry() -> None:
    assert set(CATALOGUE) == set(NudgeKind)


@pytest.mark.settings(hr_channel=HR_CHANNEL)
@pytest.mark.parametrize("kind", list(NudgeKind))
async def test_each_kind_reaches_whom_the_catalogue_says(bot: Harness, kind: NudgeKind) -> None:
    thread = await approved(bot, date(2027, 2, 1), date(2027, 7, 30))
    entry = CATALOGUE[kind]
    if kind is NudgeKind.QUESTIONS_CLOSED:
        # A question to close: the first check-in, asked two weeks after the start.
        await bot.sweep(datetime(2027, 2, 1, 9, tzinfo=UTC))
        await bot.sweep(datetime(2027, 2, 15, 10, tzinfo=UTC))
    asked = [
        (channel, str(m["ts"]))
        for channel, messages in bot.slack.posted_everywhere().items()
        for m in messages
        if "check-in 1" in str(m.get("text"))
    ]
    assert (kind is NudgeKind.QUESTIONS_CLOSED) == bool(asked)
    record = await _record(bot, thread.secondment_id)
    for due in _dues(kind, record, asked):
        before = len(bot.slack.calls)
        if kind in SILENT:
            # Marking it sent is its whole effect (bot/slack/delivery.py): the delivery never
            # asks for its words, and refuses if asked.
            with pytest.raises(AssertionError, match="silent"):
                await send(bot.client, bot.deps, due, NOW)
        elif kind is NudgeKind.DELEGATE_CHECK:
            # Settled only against its own claim, which this nudge does not hold.
            with pytest.raises(Undelivered) as refused:
                await send(bot.client, bot.deps, due, NOW)
            assert refused.value.error == CLAIM_LOST
        else:
            await send(bot.client, bot.deps, due, NOW)
        calls = bot.slack.calls[before:]
        reached = _reached(calls, due, record, asked)
        if entry.audience is Audience.NOBODY:
            assert reached == set(), calls
        elif entry.audience is Audience.DESTINATION:
            expected = {
                Destination.PERSON: Audience.PERSON,
                Destination.HR: Audience.HR,
                Destination.THREAD: Audience.THREAD,
                Destination.BROADCAST: Audience.THREAD,
            }[due.destination]  # type: ignore[index]
            assert reached == {expected}, calls
        else:
            assert reached == {entry.audience}, calls


async def _record(bot: Harness, secondment_id: int) -> SecondmentRecord:
    async with bot.sessions() as session:
        record = await load_record(session, bot.team_id, secondment_id, bot.deps.policy)
    assert record is not None
    return record
