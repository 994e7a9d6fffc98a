"""`/secondment report`, end to end: HR gets the figures as a private reply and the CSV in their
DMs (files.uploadV2 against the stand-in); nobody else gets either; the filters, a filter the
bot cannot read, an upload Slack refuses, and a thousand secondments."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Sessions
from bot.domain.block_reasons import BlockReason
from bot.domain.kinds import FOLLOW_UP_SEQUENCE, CheckInAnswer
from bot.domain.states import DecisionKind, EndOutcome, Outcome, Side, Status
from bot.models import AuditEvent, CheckIn, Decision, Secondment, TermsVersion
from bot.slack_standin.recorded import Call
from tests.support import forms, seeds
from tests.support.flows import approve, block
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness
from tests.support.samples import TERMS

START, END = date(2027, 2, 1), date(2027, 7, 30)
HR = "U0HRPERSON"
HR_CHANNEL = "C0HRDESK"
USAGE = "`/secondment report [from YYYY-MM-DD] [to YYYY-MM-DD] [team &lt;host team&gt;]`"


async def report(
    bot: Harness, user: str, text: str = "report"
) -> tuple[Call, list[dict[str, str]]]:
    """The private reply, and the rows of the CSV that reached `user`'s DMs (none: no CSV)."""
    before = len(bot.slack.shared_files())
    _, name = await bot.command(user, text)
    reply = await bot.reply_to(name)
    shared = bot.slack.shared_files()[before:]
    assert len(shared) <= 1
    if not shared:
        return reply, []
    (_, channel, content) = shared[0]
    opened = [c for c in bot.slack.sent("conversations.open") if c.body["users"] == user]
    assert opened and opened[-1].error is None and channel.startswith("D")
    return reply, list(csv.DictReader(io.StringIO(content.decode())))


def figures(reply: Call) -> str:
    return reply.blocks_text.replace("\\n", "\n")


def uploads_tried(bot: Harness) -> int:
    return len(bot.slack.sent("files.getUploadURLExternal"))


# --- through Slack ------------------------------------------------------------------------------


@pytest.mark.settings(hr_users=HR)
async def test_hr_gets_the_figures_and_the_csv_in_their_dms(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(HR)
    # Each decision is waited for (its thread message updated) before the clock moves on.
    approved = await bot.submit_request(START, END)
    clock.shift(timedelta(hours=5))
    await approve(bot, HOME, approved, Side.HOME)
    await bot.slack.wait_for("chat.update", 1)
    clock.shift(timedelta(hours=1))
    await approve(bot, HOST, approved, Side.HOST)
    await bot.slack.wait_for("chat.update", 2)
    blocked = await bot.submit_request(START, date(2027, 4, 30))
    clock.shift(timedelta(hours=3))
    await block(bot, HOME, blocked, Side.HOME, reason="workload")
    await bot.slack.wait_for("chat.update", 3)

    reply, rows = await report(bot, HR)

    assert reply.body["response_type"] == "ephemeral"
    shown = figures(reply)
    for expected in (
        "All requests: *2 secondments*",
        "Approved: *1*",
        "Blocked: *1*",
        "Awaiting decisions: *0*",
        "Block rate *50.0%*: 1 of 2 requests blocked at least once",
        "Team workload: *1*",
        "Cover or backfill: *0*",
        "Home manager: median *4 h*\n2 decided, 0 with no decision",  # 5 and 3 hours
        "Host manager: median *6 h*\n1 decided, 1 with no decision",
        "Median *180 days*, shortest 180, longest 180, over 1 secondment.",
        "Returned: *0*",
        "Answered rate: *—*",
        "How these are counted.",
        "The CSV, one row per secondment, is in your DMs with me.",
    ):
        assert expected in shown, expected
    assert [(r["id"], r["status"], r["days"]) for r in rows] == [
        ("1", "approved", "180"),
        ("2", "blocked", "89"),
    ]
    first, second = rows
    assert (first["hours_to_home_decision"], first["hours_to_host_decision"]) == ("5.0", "6.0")
    assert (first["blocks"], first["block_reasons"], first["extended"]) == ("0", "", "no")
    assert (second["hours_to_home_decision"], second["hours_to_host_decision"]) == ("3.0", "")
    assert (second["blocks"], second["block_reasons"]) == ("1", "workload")
    assert first["host_team"] == "Data Platform" and first["role"] == "Analytics engineer"
    (asked,) = bot.slack.sent("files.getUploadURLExternal")
    assert asked.body["filename"] == "secondment-report-2027-01-04.csv"


@pytest.mark.settings(hr_users=HR)
@pytest.mark.parametrize("user", [OUTSIDER, HOME, EMPLOYEE])
@pytest.mark.parametrize("text", ["report", "report from yesterday"])
async def test_nobody_but_hr_gets_a_report(bot: Harness, user: str, text: str) -> None:
    reply, rows = await report(bot, user, text)

    assert reply.text == "Only HR can run the secondment report."
    assert rows == [] and uploads_tried(bot) == 0
    assert "Secondment report" not in reply.blocks_text


@pytest.mark.settings(hr_channel=HR_CHANNEL)
async def test_members_of_the_hr_channel_get_the_report(bot: Harness) -> None:
    bot.slack.add_user(HR)
    bot.slack.add_channel(HR_CHANNEL, [HR])
    await bot.submit_request(START, END)

    hr_reply, hr_rows = await report(bot, HR)
    other_reply, other_rows = await report(bot, OUTSIDER)

    assert "*1 secondment*" in figures(hr_reply) and len(hr_rows) == 1
    assert other_reply.text == "Only HR can run the secondment report." and other_rows == []


@pytest.mark.settings(hr_users=HR)
async def test_the_dates_and_the_team_filter_the_secondments(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(HR)
    for team in ("Data Platform", "Finance Ops", "data science & ML"):  # 4, 6 and 8 January
        await bot.submit_request(START, END, host_team=forms.text(team))
        clock.shift(timedelta(days=2))

    cases = {
        "report from 2027-01-05": ["2", "3"],
        "report to 2027-01-06": ["1", "2"],
        "report from 2027-01-06 to 2027-01-06": ["2"],
        "report team DATA": ["1", "3"],
        "report team Science &amp; ml": ["3"],
        "report from 2027-01-05 team data": ["3"],
        "report team platform to 2027-01-04": [],  # `to` is part of the team's name here
        "report from 2028-01-01": [],
    }
    for text, expected in cases.items():
        reply, rows = await report(bot, HR, text)
        assert [r["id"] for r in rows] == expected, text
        assert f"*{len(expected)} secondment" in figures(reply), text

    reply, _ = await report(bot, HR, "report from 2027-01-05 to 2027-01-06 team finance")
    assert (
        "Requests made Tue 5 Jan 2027 to Wed 6 Jan 2027, host team containing “finance”: "
        "*1 secondment*"
    ) in figures(reply)


@pytest.mark.settings(hr_users=HR)
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("report from yesterday", "`yesterday` is not a date; write it as YYYY-MM-DD."),
        ("report from 2027-02-30", "`2027-02-30` is not a date"),
        (
            "report from 2027-03-01 to 2027-02-01",
            "`from 2027-03-01 to 2027-02-01` is backwards: `from` must be on or before `to`.",
        ),
        ("report by team", "I don't know `by` here."),
        ("report team", "`team` needs a value after it."),
        ("report to 2027-01-01 to 2027-02-01", "`to` is given twice."),
    ],
)
async def test_a_filter_the_bot_cannot_read_gets_the_usage(
    bot: Harness, text: str, problem: str
) -> None:
    bot.slack.add_user(HR)

    reply, rows = await report(bot, HR, text)

    assert reply.text.startswith(problem)
    assert USAGE in reply.text
    assert rows == [] and uploads_tried(bot) == 0


@pytest.mark.settings(hr_users=HR)
@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("files.getUploadURLExternal", "restricted_action"),
        ("files.completeUploadExternal", "not_in_channel"),
    ],
)
async def test_an_upload_slack_refuses_is_told_and_the_figures_still_come(
    bot: Harness, method: str, error: str
) -> None:
    bot.slack.add_user(HR)
    await bot.submit_request(START, END)
    bot.slack.fail_next(method, error)

    reply, rows = await report(bot, HR)

    shown = figures(reply)
    assert f"I couldn't upload the CSV to your DMs (Slack said `{error}`)" in shown
    assert "The report above still stands" in shown
    assert "Awaiting decisions: *1*" in shown and "is in your DMs" not in shown
    assert rows == []
    assert [c.error for c in bot.slack.sent(method)] == [error]

    again, rows = await report(bot, HR)
    assert len(rows) == 1 and "is in your DMs with me" in figures(again)


# --- a thousand secondments ---------------------------------------------------------------------

STARTED = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
STATUSES = list(Status)
REASONS = list(BlockReason)
ANSWERS = list(CheckInAnswer)
OUTCOMES = [EndOutcome.RETURNED, EndOutcome.PERMANENT, EndOutcome.ENDED_EARLY]


class Planned:
    """Secondment number n (id n + 1) of the thousand: every figure follows from n."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.status = STATUSES[n % len(STATUSES)]  # 125 of each
        self.created = seeds.AT + timedelta(minutes=n)  # n < 900: made on 4 January
        self.team = "Finance" if n % 10 == 0 else "Data Platform"
        self.days = n % 100 + 14
        # One in 25 had its terms changed: version 1, at another team for longer, no longer counts.
        self.version = 2 if n % 25 == 0 else 1
        self.started = self.status.is_underway or self.status is Status.COMPLETED
        self.home_hours = n % 10 + 1 if n % 4 else None
        self.home_block = REASONS[n % len(REASONS)] if n % 4 and n % 5 == 0 else None
        self.host_hours = n % 6 + 1 if n % 3 else None
        # An end-of-term proposal blocked by a host manager who had approved the request.
        self.proposal_block = self.status is Status.ACTIVE and n % 5 == 0 and bool(self.host_hours)
        self.extended = self.status is Status.COMPLETED and n % 16 == 15
        self.outcome = OUTCOMES[(n // 8) % 3] if self.status is Status.COMPLETED else None
        # Check-in 1 (seeded for those under way) answered or missed; check-in 2 answered;
        # check-in 3 of some marked missed, then answered after all.
        self.missed = self.status.is_underway and n % 2 == 0
        self.answered_first = self.status.is_underway and n % 2 == 1
        self.answer = ANSWERS[n % 3] if self.started else None
        self.late = self.started and n % 4 == 1

    @property
    def answered(self) -> int:
        return self.answered_first + self.started + self.late

    def terms(self, version: int) -> dict[str, Any]:
        old = version < self.version
        end = START + timedelta(days=self.days - 1 + (200 if old else 0))
        team = "Old Team" if old else self.team
        return dataclasses.asdict(
            dataclasses.replace(TERMS, host_team=team, start_date=START, end_date=end)
        )

    def spec(self) -> seeds.Spec:
        first = self.terms(1)
        return seeds.Spec(
            employee=f"U0E{self.n:04d}",
            status=self.status,
            start=first["start_date"],
            end=first["end_date"],
            missed=self.missed,
            created=self.created,
            outcome=self.outcome,
            host_team=first["host_team"],
        )


def _history(secondment_id: int, s: Planned) -> list[Any]:
    """What `seeds.seed` does not write: decisions, audit events, later check-ins and terms."""

    def decision(side: Side, at: datetime, reason: BlockReason | None = None) -> Decision:
        return Decision(
            secondment_id=secondment_id,
            side=side,
            terms_version=1,
            outcome=Outcome.BLOCKED if reason else Outcome.APPROVED,
            kind=DecisionKind.DECIDED,
            decided_by=HOME if side is Side.HOME else HOST,
            reason=reason,
            explanation="Because." if reason else None,
            created_at=at,
        )

    def audit(action: str, at: datetime) -> AuditEvent:
        return AuditEvent(
            secondment_id=secondment_id, actor_id=HOME, action=action, detail={}, at=at
        )

    def check_in(sequence: int, answer: CheckInAnswer | None, missed: bool = False) -> CheckIn:
        return CheckIn(
            secondment_id=secondment_id,
            sequence=sequence,
            answer=answer,
            shared_with_home=False,
            answered_at=STARTED if answer else None,
            missed_at=STARTED if missed else None,
        )

    rows: list[Any] = []
    if s.version == 2:
        rows.append(
            TermsVersion(
                secondment_id=secondment_id,
                version=2,
                **s.terms(2),
                created_by=HOME,
                created_at=s.created,
            )
        )
    if s.home_hours:
        rows.append(decision(Side.HOME, s.created + timedelta(hours=s.home_hours), s.home_block))
    if s.host_hours:
        rows.append(decision(Side.HOST, s.created + timedelta(hours=s.host_hours)))
    if s.started:
        rows += [audit("approved", s.created + timedelta(hours=8)), audit("started", STARTED)]
        rows.append(check_in(2, s.answer))
    if s.late:
        rows.append(check_in(3, CheckInAnswer.ON_TRACK, missed=True))
    if s.proposal_block:
        rows.append(decision(Side.HOST, STARTED + timedelta(days=30), BlockReason.WORKLOAD))
    if s.extended:
        rows.append(audit("extension_agreed", STARTED + timedelta(days=40)))
    if s.status is Status.COMPLETED:  # the follow-up after the return is not a check-in
        rows.append(check_in(FOLLOW_UP_SEQUENCE, CheckInAnswer.NEED_HELP))
    return rows


async def seed(sessions: Sessions, planned: list[Planned]) -> None:
    ids = await seeds.seed(sessions, [p.spec() for p in planned])
    async with sessions.begin() as session:
        for secondment_id, p in zip(ids, planned, strict=True):
            session.add_all(_history(secondment_id, p))
        changed = [i for i, p in zip(ids, planned, strict=True) if p.version == 2]
        await session.execute(
            update(Secondment).where(Secondment.id.in_(changed)).values(terms_version=2)
        )


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):,.1f}".removesuffix(".0")


async def selects_run(
    engine: AsyncEngine, bot: Harness, text: str
) -> tuple[Call, list[dict[str, str]], int]:
    """The report, and how many SELECT statements it took."""
    with seeds.counting(engine) as statements:
        reply, rows = await report(bot, HR, text)
    return reply, rows, sum(s.lstrip().upper().startswith("SELECT") for s in statements)


@pytest.mark.settings(hr_users=HR)
async def test_a_thousand_secondments_give_the_right_figures_within_slacks_limits(
    bot: Harness, engine: AsyncEngine
) -> None:
    bot.slack.add_user(HR)
    planned = [Planned(n) for n in range(1000)]
    await seed(bot.sessions, planned)

    reply, rows, selects = await selects_run(engine, bot, "report")

    assert selects == 3  # the same three queries at any size
    blocks = json.loads(reply.blocks_text)
    assert len(blocks) <= 50 and not bot.slack.invalid
    blocked = [p for p in planned if p.home_block]
    agreed = [p for p in planned if p.status is Status.APPROVED or p.started]
    answered = sum(p.answered for p in planned)
    missed = sum(p.missed for p in planned)
    expected = [
        "All requests: *1,000 secondments*",
        *(f"{status.label}: *125*" for status in Status),
        f"Block rate *{len(blocked) / 10:.1f}%*: {len(blocked)} of 1,000 requests blocked",
        *(
            f"{reason.label}: *{sum(p.home_block is reason for p in planned)}*"
            for reason in BlockReason
        ),
        f"Blocks of end-of-term proposals: {sum(p.proposal_block for p in planned)}.",
        "Home manager: median "
        f"*{_median([p.home_hours for p in planned if p.home_hours])} h*\n750 decided, 250 with",
        "Host manager: median "
        f"*{_median([p.host_hours for p in planned if p.host_hours])} h*\n666 decided, 334 with",
        f"Median *{_median([p.days for p in agreed])} days*, shortest "
        f"{min(p.days for p in agreed)}, longest {max(p.days for p in agreed)}, "
        f"over {len(agreed)} secondments.",
        *(
            f"{label}: *{sum(p.outcome is outcome for p in planned)}*"
            for label, outcome in zip(
                ("Returned", "Moved permanently", "Ended early"), OUTCOMES, strict=True
            )
        ),
        f"Extended: *{sum(p.extended for p in planned)}*",
        f"Answered: *{answered}*",
        f"Missed: *{missed}*",
        f"Some concerns: *{sum(p.answer is CheckInAnswer.CONCERNS for p in planned)}*",
        f"Need help: *{sum(p.answer is CheckInAnswer.NEED_HELP for p in planned)}*",
        f"Answered rate: *{answered / (answered + missed):.1%}*",
    ]
    shown = figures(reply)
    for text in expected:
        assert text in shown, text

    assert len(rows) == 1000
    for row, p in zip(rows, planned, strict=True):
        assert row["id"] == str(p.n + 1)
        assert (row["status"], row["host_team"], row["days"]) == (p.status, p.team, str(p.days))
        assert row["hours_to_home_decision"] == (f"{p.home_hours:.1f}" if p.home_hours else "")
        assert row["hours_to_host_decision"] == (f"{p.host_hours:.1f}" if p.host_hours else "")
        assert row["blocks"] == str(int(p.home_block is not None))
        assert row["proposal_blocks"] == str(int(p.proposal_block))
        assert row["extended"] == ("yes" if p.extended else "no")
        assert row["outcome"] == (p.outcome or "")
        assert row["check_ins_answered"] == str(p.answered)
        assert row["check_ins_missed"] == str(int(p.missed))

    reply, rows, selects = await selects_run(engine, bot, "report to 2027-01-04 team FINANCE")

    assert selects == 3
    assert [r["id"] for r in rows] == [str(n + 1) for n in range(0, 900, 10)]
    assert "*90 secondments*" in figures(reply)
