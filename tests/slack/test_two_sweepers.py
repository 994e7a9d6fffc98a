"""Two sweepers on PostgreSQL, with nothing sent twice: two bot processes sweeping the same
database send every nudge of a secondment's life exactly once.

Each sweeper stands for a process of its own: its own engine and connection pool, session
factory, settings, deps and Slack Web API client; the two share only the database and Slack.
Both run the real send path, `send_due_nudges` (claim with FOR UPDATE SKIP LOCKED and a lease,
send through the Web API, mark sent), side by side under `asyncio.gather`, at explicit moments
through the whole life of many secondments: the start, the fortnightly check-ins (some answered,
some snoozed, the rest reminded and then marked missed), the question of what happens at the end
(asked twice; some confirm the return after the first), the end date, and the follow-up a month
after the recorded debrief. A second test kills one sweeper in the middle of its batch and checks
that the other sends the rest, once, only when the dead one's lease has run out.

The people click and submit through the bot's HTTP endpoint, against the usual stand-in; the
sweepers post to a stand-in of their own, so every call it records is one a sweeper made. Only on
PostgreSQL: SQLite has a single writer and no SKIP LOCKED. Nothing waits for real time.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_engine, make_sessions
from bot.domain.kinds import CheckInAnswer, NudgeKind
from bot.domain.nudge_catalogue import SAID
from bot.domain.states import Side
from bot.models import AuditEvent, CheckIn, Nudge
from bot.services.outbox import LEASE
from bot.settings import load_settings
from bot.slack import delivery
from bot.slack.client import make_web_client, retry_handlers
from bot.slack.delivery import send_due_nudges
from bot.slack.deps import Deps, deps_from
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from bot.slack_standin.recorded import Call
from bot.slack_standin.workspace import Knows
from tests.support import forms, wire
from tests.support.flows import approve, request_ref
from tests.support.harness import Harness, Thread
from tests.support.rows import rows
from tests.support.standin import BOT_TOKEN, SlackStandIn

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
HR = "U0HRPERSON"
# With HR set up, the end date also tells HR the debrief is due. Each sweeper sends four at a
# time (the default), unpaced: the tests move time themselves.
SETTINGS = {"hr_users": HR, "send_concurrency": 4, "send_rate_per_second": 0}
pytestmark = [
    pytest.mark.skipif(
        POSTGRES_URL is None,
        reason="two sweepers side by side need PostgreSQL (FOR UPDATE SKIP LOCKED between "
        "processes): set TEST_DATABASE_URL",
    ),
    pytest.mark.settings(**SETTINGS),
]

LONDON = ZoneInfo("Europe/London")  # where everyone is (the stand-in's default timezone)
START, END = date(2027, 2, 1), date(2027, 4, 30)  # a Monday to a Friday, over the clock change
# Every two weeks from the start, before the end; each a Monday. Unanswered, a check-in is
# reminded the next working day and marked missed the working day after.
CHECK_IN_DAYS = [START + timedelta(weeks=2 * n) for n in range(1, 7)]
ANSWERED, SNOOZED = 2, 3  # the check-in some employees answer, and the one others snooze
# What happens at the end is asked 30 days before it, and again 7 days before it while nobody
# has decided (the defaults of END_DECISION_DAYS and END_DECISION_REMINDER_DAYS).
END_DECISION_ASKS = {1: END - timedelta(days=30), 2: END - timedelta(days=7)}
FOLLOW_UP_DAY = date(2027, 5, 31)  # 30 days after the end is a Sunday: the next working day
# Thirty secondments put 120 nudges due at the start, more than one claim takes here (the test
# makes a sweep claim 100 at a time): both sweepers necessarily get a share of it.
SECONDMENTS = 30
CLAIM_LIMIT = 100
SECOND, MINUTE = timedelta(seconds=1), timedelta(minutes=1)
TICK, TICKS = timedelta(seconds=5), 3  # the default sweep interval; each moment, three sweeps
# The kinds this test follows from whom they reach to what they say. A kind added later is still
# checked for being sent once (in the database, and as a message nobody receives twice).
KNOWN = frozenset(
    {
        NudgeKind.SECONDMENT_START,
        NudgeKind.START_WELCOME,
        NudgeKind.COVERAGE_NOTICE,
        NudgeKind.CHECK_IN,
        NudgeKind.CHECK_IN_REMINDER,
        NudgeKind.CHECK_IN_SNOOZED,
        NudgeKind.CHECK_IN_MISSED,
        NudgeKind.END_DECISION,
        NudgeKind.DEBRIEF_REQUEST,
        NudgeKind.DEBRIEF_HR_NOTICE,
        NudgeKind.FOLLOW_UP,
    }
)
# Kinds the bot has that this test does not follow (none when it was written).
LATER = frozenset(NudgeKind) - KNOWN - {NudgeKind.DECISION_REMINDER, NudgeKind.DECISION_ESCALATION}
UNKNOWN = "(not a message this test knows)"
CHECK_IN_FORM = {
    "check_in_note": {"check_in_note": forms.text(None)},
    "check_in_share": {"check_in_share": forms.checkboxes([])},
}


def london(day: date, hour: int = 9) -> datetime:
    """An hour of a day in London, as a UTC moment (09:00 is when the day's nudges are due)."""
    return datetime.combine(day, time(hour), LONDON).astimezone(UTC)


def working_days_after(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


# --- the two processes ---------------------------------------------------------------------------


class ProcessKilled(BaseException):
    """The sweeper's process dies: nothing of it runs after this (so no `except Exception` in
    the bot sees it)."""


class DyingClient(AsyncWebClient):
    """A Web API client whose process is killed just before one call (the first that `kills`
    picks); restarted, it works normally."""

    def __init__(self, base_url: str, kills: Callable[[str, dict[str, Any]], bool]) -> None:
        super().__init__(token=BOT_TOKEN, base_url=base_url, retry_handlers=retry_handlers())
        self._kills = kills
        self.killed = False

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        if not self.killed and self._kills(api_method, kwargs.get("json") or {}):
            self.killed = True
            raise ProcessKilled(api_method)
        return await super().api_call(api_method, **kwargs)


@dataclass
class Sweeper:
    engine: AsyncEngine
    deps: Deps
    client: AsyncWebClient

    async def sweep(self, now: datetime) -> int:
        return await send_due_nudges(self.client, self.deps, now)

    async def tick(self, now: datetime, ticks: int) -> int:
        """Sweep as the scheduler wakes it, every TICK from `now`: a later tick can come while
        the other sweeper is still sending what it claimed."""
        return sum([await self.sweep(now + i * TICK) for i in range(ticks)])


@dataclass
class Sweepers:
    """Two sweeper processes and the stand-in that receives what they send."""

    url: str
    slack: SlackStandIn
    made: list[Sweeper]

    def start(self, client: AsyncWebClient | None = None, concurrency: int = 4) -> Sweeper:
        settings = load_settings(
            _env_file=None,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=wire.SIGNING_SECRET,
            slack_api_url=self.slack.api_url,
            database_url=self.url,
            **(SETTINGS | {"send_concurrency": concurrency}),
        )
        engine = make_engine(self.url)  # a pool of its own, as in another process

        async def no_sleep(seconds: float) -> None:
            return None

        sweeper = Sweeper(
            engine,
            deps_from(settings, make_sessions(engine)),
            client or make_web_client(BOT_TOKEN, self.slack.api_url, sleep=no_sleep),
        )
        self.made.append(sweeper)
        return sweeper

    async def together(self, pair: tuple[Sweeper, Sweeper], now: datetime, ticks: int = 1) -> Swept:
        """Both sweep from `now`, side by side; returns what each sent and what Slack received."""
        before = len(self.slack.calls)
        sent = await asyncio.gather(*(s.tick(now, ticks) for s in pair))
        return Swept(now, (sent[0], sent[1]), self.slack.calls[before:])


@dataclass
class Swept:
    now: datetime
    sent: tuple[int, int]  # what each sweeper reports it sent (marked sent)
    calls: list[Call]

    @property
    def messages(self) -> Counter[tuple[str, str]]:
        return Counter(message_of(c) for c in self.calls if message_of(c)[1] != UNKNOWN)


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """PostgreSQL only (this module is skipped without it)."""
    return postgres_url


@pytest.fixture
async def sweepers(postgres_url: str) -> AsyncIterator[Sweepers]:
    # The threads and questions were posted through the people's stand-in: this one takes
    # updates of messages it does not hold as Slack, which holds them all, would.
    slack = SlackStandIn(knows=Knows.PART)
    await slack.start()
    made = Sweepers(postgres_url, slack, [])
    try:
        yield made
    finally:
        for sweeper in made.made:
            await sweeper.engine.dispose()
        await slack.stop()
    assert not slack.invalid, f"the sweepers sent payloads Slack would reject: {slack.invalid}"


# --- what Slack received -------------------------------------------------------------------------

# How each nudge's message begins to say what it is (bot/slack/builders), and the started reply
# the sweep posts in the approval thread.
MARKERS = (
    ("starts today: ", NudgeKind.START_WELCOME),  # to the employee and to the host manager
    ("The coverage plan for their home role is now in effect", NudgeKind.COVERAGE_NOTICE),
    ("👋 How is your secondment", NudgeKind.CHECK_IN),
    # A snoozed reminder reads as the regular one.
    ("⏰ A reminder: how is your secondment", NudgeKind.CHECK_IN_REMINDER),
    ("What happens then: the planned return", NudgeKind.END_DECISION),
    ("please hold the return debrief", NudgeKind.DEBRIEF_REQUEST),
    ("its return debrief is due", NudgeKind.DEBRIEF_HR_NOTICE),
    ("How is the return going?", NudgeKind.FOLLOW_UP),
    ("started today.", "started_reply"),
)


# What the bot reads to find a message it may already have sent: looking, not sending.
LOOKUPS = frozenset({"conversations.open", "conversations.history", "conversations.replies"})


def sent_at(nudge: Nudge) -> datetime:
    assert nudge.sent_at is not None
    return nudge.sent_at


def sends(calls: Iterable[Call]) -> list[Call]:
    return [c for c in calls if c.method not in LOOKUPS]


def message_of(call: Call) -> tuple[str, str]:
    """(where it went, what it was): a person's or HR's DM, or the approval thread."""
    channel = str(call.body.get("channel"))
    if call.method == "chat.update":
        return f"{channel} {call.body.get('ts')}", "thread_update"
    if call.method != "chat.postMessage":
        return call.method, UNKNOWN
    where = f"{channel} {call.body['thread_ts']}" if call.body.get("thread_ts") else channel
    what = next((str(kind) for marker, kind in MARKERS if marker in call.text), UNKNOWN)
    if numbered := re.search(r"\(check-in (\d+),", call.text):
        what += f" {numbered[1]}"
    if what == NudgeKind.END_DECISION:
        what += " 2" if "Still undecided" in call.text else " 1"
    if what == NudgeKind.DEBRIEF_HR_NOTICE:  # HR hears it once for each secondment
        what += " " + call.text.split()[1]
    return where, what


def unknown_never_twice(calls: Iterable[Call]) -> None:
    """Messages this test cannot name: none at all while it knows every kind, and otherwise none
    that reached the same place twice, word for word. (The named ones are counted exactly.)"""
    unknown = [c for c in calls if message_of(c)[1] == UNKNOWN]
    if not LATER:
        assert [(c.method, c.body.get("channel"), c.text) for c in unknown] == []
    same = Counter(
        (c.method, str(c.body.get("channel")), str(c.body.get("thread_ts")), c.text, c.blocks_text)
        for c in unknown
    )
    assert [key for key, count in same.items() if count > 1] == []


# --- the secondments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """One secondment and its three people, each a different person from every other party's."""

    n: int
    employee: str
    home: str
    host: str
    thread: Thread

    @property
    def id(self) -> int:
        return self.thread.secondment_id

    @property
    def in_thread(self) -> str:
        return f"{self.thread.channel} {self.thread.ts}"

    @property
    def answers(self) -> bool:
        return self.n % 3 == 1  # answers check-in ANSWERED when asked

    @property
    def snoozes(self) -> bool:
        return self.n % 3 == 2  # snoozes check-in SNOOZED after its reminder

    @property
    def confirms(self) -> bool:
        return self.n % 5 == 0  # confirms the return when first asked what happens at the end

    @property
    def people(self) -> tuple[str, str, str]:
        return (self.employee, self.home, self.host)


async def said(slack: SlackStandIn, text: str) -> None:
    await slack.wait_for("chat.postMessage", where=lambda c: text in c.text)


async def approved_secondments(bot: Harness, count: int) -> list[Party]:
    parties = []
    for n in range(1, count + 1):
        employee, home, host = (bot.slack.add_user(f"U0{role}{n:03d}") for role in "EMH")
        thread = await bot.submit_request(START, END, employee=employee, home=home, host=host)
        await approve(bot, home, thread, Side.HOME)
        await approve(bot, host, thread, Side.HOST)
        await said(bot.slack, f"Secondment #{thread.secondment_id} is *approved*")
        # What the approval said is all sent before the next request: a form answered while
        # the last one's messages still go out waits on them, and may miss Slack's 3 seconds.
        await bot.handled()
        parties.append(Party(n, employee, home, host, thread))
    return parties


async def press(bot: Harness, user: str, action: Action, value: str, thread: Thread) -> str:
    """Click a button in a message; returns the name of the click's response URL."""
    response_url = bot.new_response_url()
    body = wire.block_action(
        user,
        action,
        value,
        response_url=response_url,
        channel_id=thread.channel,
        message_ts=thread.ts,
    )
    response = await bot.post(body)
    assert response.status == 200
    return response_url.rsplit("/", 1)[1]


async def fill_in(
    bot: Harness,
    user: str,
    action: Action,
    value: str,
    thread: Thread,
    callback: Callback,
    values: forms.Values,
) -> None:
    """Click a button that opens a modal, and submit it."""

    def opened(call: Call) -> bool:
        return bool(call.body["view"]["callback_id"] == callback)

    before = len([c for c in bot.slack.sent("views.open") if opened(c)])
    await press(bot, user, action, value, thread)
    view = (await bot.slack.wait_for("views.open", before + 1, where=opened))[-1].body["view"]
    submitted = await bot.submit(user, callback, values, private_metadata=view["private_metadata"])
    assert submitted.status == 200
    assert await submitted.text() == ""


async def answer_check_in(bot: Harness, party: Party, sequence: int) -> None:
    ref = CheckInRef(party.id, sequence, CheckInAnswer.ON_TRACK).encode()
    action, form = Action.CHECK_IN_ON_TRACK, Callback.CHECK_IN
    await fill_in(bot, party.employee, action, ref, party.thread, form, CHECK_IN_FORM)
    await bot.slack.wait_for(
        "chat.postMessage",
        where=lambda c: c.body["channel"] == party.employee and "recorded as On track" in c.text,
    )
    await bot.handled()  # and the question closed, before the next sweep


async def snooze_check_in(bot: Harness, party: Party, sequence: int) -> None:
    ref = CheckInRef(party.id, sequence).encode()
    reply = await press(bot, party.employee, Action.CHECK_IN_SNOOZE, ref, party.thread)
    assert "I'll remind you" in (await bot.reply_to(reply)).text


async def confirm_return(bot: Harness, party: Party) -> None:
    ref = request_ref(party.thread).encode()
    await press(bot, party.host, Action.CONFIRM_RETURN, ref, party.thread)
    await said(bot.slack, f"confirmed the return: secondment #{party.id} ")
    await bot.handled()  # and the thread's parent redrawn, before the next sweep


async def record_debrief(bot: Harness, party: Party) -> None:
    by = party.employee if party.n % 2 else party.home
    ref = request_ref(party.thread).encode()
    await fill_in(
        bot, by, Action.RECORD_DEBRIEF, ref, party.thread, Callback.DEBRIEF, forms.debrief_values()
    )
    await said(bot.slack, f"Secondment #{party.id} is complete")
    await bot.handled()  # and its open check-ins closed, before the next sweep


# --- what each moment should send ----------------------------------------------------------------


def at_the_start(parties: Iterable[Party]) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()
    for p in parties:
        expected[p.employee, NudgeKind.START_WELCOME] += 1
        expected[p.host, NudgeKind.START_WELCOME] += 1
        expected[p.home, NudgeKind.COVERAGE_NOTICE] += 1
        expected[p.in_thread, "started_reply"] += 1
        expected[p.in_thread, "thread_update"] += 1  # the parent shows it active
    return expected


def to_employees(parties: Iterable[Party], what: str) -> Counter[tuple[str, str]]:
    return Counter((p.employee, what) for p in parties)


@dataclass
class Moment:
    now: datetime
    messages: Counter[tuple[str, str]] = field(default_factory=Counter)
    marked: Counter[NudgeKind] = field(default_factory=Counter)  # of the kinds this test knows


def lifecycle(parties: list[Party]) -> list[Moment]:
    """The moments the sweep runs at, up to the end date, and what each should send."""
    moments: dict[datetime, Moment] = {}

    def on(day: date) -> Moment:
        return moments.setdefault(london(day), Moment(london(day)))

    n = len(parties)
    on(START).messages += at_the_start(parties)
    on(START).marked += Counter(
        {
            NudgeKind.SECONDMENT_START: n,
            NudgeKind.START_WELCOME: 2 * n,
            NudgeKind.COVERAGE_NOTICE: n,
        }
    )
    for sequence, day in enumerate(CHECK_IN_DAYS, start=1):
        on(day).messages += to_employees(parties, f"{NudgeKind.CHECK_IN} {sequence}")
        on(day).marked[NudgeKind.CHECK_IN] += n
        waiting = [p for p in parties if not (sequence == ANSWERED and p.answers)]
        reminded = on(working_days_after(day, 1))
        reminded.messages += to_employees(waiting, f"{NudgeKind.CHECK_IN_REMINDER} {sequence}")
        reminded.marked[NudgeKind.CHECK_IN_REMINDER] += len(waiting)
        # Snoozed after the reminder: one more reminder the next working day, and marked
        # missed the working day after that one.
        snoozed = [p for p in waiting if sequence == SNOOZED and p.snoozes]
        if snoozed:
            again = on(working_days_after(day, 2))
            again.messages += to_employees(snoozed, f"{NudgeKind.CHECK_IN_REMINDER} {sequence}")
            again.marked[NudgeKind.CHECK_IN_SNOOZED] += len(snoozed)
        for p in waiting:
            missed_on = working_days_after(day, 3 if p in snoozed else 2)
            on(missed_on).marked[NudgeKind.CHECK_IN_MISSED] += 1
    for ask, day in END_DECISION_ASKS.items():
        undecided = parties if ask == 1 else [p for p in parties if not p.confirms]
        for p in undecided:
            for person in p.people:
                on(day).messages[person, f"{NudgeKind.END_DECISION} {ask}"] += 1
        on(day).marked[NudgeKind.END_DECISION] += 3 * len(undecided)
    for p in parties:
        on(END).messages[p.employee, NudgeKind.DEBRIEF_REQUEST] += 1
        on(END).messages[p.home, NudgeKind.DEBRIEF_REQUEST] += 1
        on(END).messages[HR, f"{NudgeKind.DEBRIEF_HR_NOTICE} #{p.id}"] += 1
    on(END).marked += Counter({NudgeKind.DEBRIEF_REQUEST: 2 * n, NudgeKind.DEBRIEF_HR_NOTICE: n})
    return sorted(moments.values(), key=lambda m: m.now)


async def marked_from(bot: Harness, now: datetime) -> Counter[NudgeKind]:
    """The kinds of the nudges marked sent over one moment's ticks."""
    marked = await rows(
        bot.sessions, Nudge, Nudge.sent_at >= now, Nudge.sent_at < now + TICKS * TICK
    )
    return Counter(n.kind for n in marked)


async def check_moment(
    bot: Harness, sweepers: Sweepers, pair: tuple[Sweeper, Sweeper], moment: Moment
) -> tuple[int, int]:
    """Both sweep from the moment, a few ticks each: exactly its messages go out, each once, and
    a sweep once every lease has run out sends nothing more. Returns what each sweeper sent."""
    swept = await sweepers.together(pair, moment.now, TICKS)

    assert swept.messages == moment.messages, moment.now
    marked = await marked_from(bot, moment.now)
    assert Counter({k: v for k, v in marked.items() if k in KNOWN}) == moment.marked, moment.now
    assert sum(swept.sent) == marked.total(), moment.now
    later = await sweepers.together(pair, moment.now + LEASE + MINUTE)
    assert (later.sent, later.calls) == ((0, 0), []), moment.now
    return swept.sent


# --- the tests -----------------------------------------------------------------------------------


async def test_two_sweepers_send_every_nudge_of_a_secondments_life_once(
    bot: Harness,
    sweepers: Sweepers,
    clock: time_machine.Traveller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery, "BATCH", CLAIM_LIMIT)
    bot.slack.add_user(HR)
    parties = await approved_secondments(bot, SECONDMENTS)
    pair = (sweepers.start(), sweepers.start())
    sent_by = [0, 0]
    swept_at: list[datetime] = []

    for moment in lifecycle(parties):
        sent = await check_moment(bot, sweepers, pair, moment)
        swept_at.append(moment.now)
        if moment.now == london(START):
            assert moment.marked.total() > CLAIM_LIMIT
            assert min(sent) > 0  # both sweepers took a share of the start
        sent_by = [sent_by[0] + sent[0], sent_by[1] + sent[1]]
        # What the people do between the sweeps.
        if moment.now == london(CHECK_IN_DAYS[ANSWERED - 1]):
            clock.move_to(london(CHECK_IN_DAYS[ANSWERED - 1], 10))
            for party in parties:
                if party.answers:
                    await answer_check_in(bot, party, ANSWERED)
        if moment.now == london(working_days_after(CHECK_IN_DAYS[SNOOZED - 1], 1)):
            clock.move_to(london(working_days_after(CHECK_IN_DAYS[SNOOZED - 1], 1), 15))
            for party in parties:
                if party.snoozes:
                    await snooze_check_in(bot, party, SNOOZED)
        if moment.now == london(END_DECISION_ASKS[1]):
            clock.move_to(london(END_DECISION_ASKS[1], 11))
            for party in parties:
                if party.confirms:
                    await confirm_return(bot, party)

    # The debrief, held on the end date, completes each secondment; a month on, the follow-up.
    clock.move_to(london(END, 10))
    for party in parties:
        await record_debrief(bot, party)
    follow_up = Moment(
        london(FOLLOW_UP_DAY),
        to_employees(parties, NudgeKind.FOLLOW_UP),
        Counter({NudgeKind.FOLLOW_UP: len(parties)}),
    )
    sent = await check_moment(bot, sweepers, pair, follow_up)
    sent_by = [sent_by[0] + sent[0], sent_by[1] + sent[1]]
    swept_at.append(follow_up.now)

    # Over the whole life: no message twice, each nudge marked sent once and audited once.
    unknown_never_twice(sends(sweepers.slack.calls))
    nudges = await rows(bot.sessions, Nudge)
    sent_nudges = [n for n in nudges if n.sent_at is not None]
    waiting = [n for n in nudges if n.sent_at is None and n.cancelled_at is None]
    assert [(n.kind, n.due_at) for n in waiting if n.due_at <= follow_up.now] == []
    assert {(n.attempts, n.claimed_until, n.last_error) for n in sent_nudges} == {(1, None, None)}
    # The sweepers sent all but what the people's own changes said, sent right after them.
    by_sweeps = [
        n for n in sent_nudges if any(t <= sent_at(n) < t + TICKS * TICK for t in swept_at)
    ]
    assert sum(sent_by) == len(by_sweeps)
    assert {n.kind for n in sent_nudges if n not in by_sweeps} <= SAID
    audited = Counter(
        (e.secondment_id, e.action, e.detail["recipient_id"], e.detail["sequence"])
        for e in await rows(bot.sessions, AuditEvent, AuditEvent.action.startswith("nudge_sent_"))
    )
    # What a change said has the change's own audit event; the nudges, one each when sent.
    assert audited == Counter(
        (n.secondment_id, f"nudge_sent_{n.kind}", n.recipient_id, n.sequence)
        for n in sent_nudges
        if n.kind not in SAID
    )
    assert set(audited.values()) == {1}
    # The silent nudges did their work once: each secondment started once, and every check-in
    # left unanswered was marked missed once.
    started = await rows(bot.sessions, AuditEvent, AuditEvent.action == "started")
    assert Counter(e.secondment_id for e in started) == Counter(p.id for p in parties)
    missed = await rows(bot.sessions, AuditEvent, AuditEvent.action == "check_in_missed")
    unanswered = len(parties) * len(CHECK_IN_DAYS) - len([p for p in parties if p.answers])
    assert len(missed) == len({(e.secondment_id, e.detail["sequence"]) for e in missed})
    assert len(missed) == unanswered
    assert len(await rows(bot.sessions, CheckIn, CheckIn.missed_at.is_not(None))) == unanswered


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_sweeper_killed_mid_batch_leaves_the_rest_to_the_other_once_its_lease_ends(
    bot: Harness, sweepers: Sweepers, concurrency: int
) -> None:
    parties = await approved_secondments(bot, 12)
    victim = parties[4].employee  # the process dies as it is about to welcome this one

    def welcomes_victim(method: str, body: dict[str, Any]) -> bool:
        return method == "chat.postMessage" and body.get("channel") == victim

    dying = sweepers.start(DyingClient(sweepers.slack.api_url, welcomes_victim), concurrency)
    other = sweepers.start(concurrency=concurrency)
    start = london(START)

    killed = False
    try:
        await dying.sweep(start)
    except* ProcessKilled:  # raised by one of the sends on their way at once
        killed = True
    assert killed

    before_death = Counter(message_of(c) for c in sends(sweepers.slack.calls))
    assert before_death  # it had sent part of its batch ...
    assert (victim, NudgeKind.START_WELCOME) not in before_death  # ... but not the rest
    nudges = await rows(bot.sessions, Nudge, Nudge.due_at == start, Nudge.kind.not_in(SAID))
    held = [n for n in nudges if n.sent_at is None]
    assert held
    assert {(n.claimed_until, n.cancelled_at) for n in held} == {(start + LEASE, None)}

    # Restarted, it sweeps again beside the other; while the lease lasts, nobody sends its
    # claims. (What the starts it marked said in the threads is nobody's claim: that goes.)
    pair = (dying, other)
    said_in_threads = 0
    for now in (start + MINUTE, start + LEASE):
        swept = await sweepers.together(pair, now)
        said_in_threads += sum(swept.sent)
        assert {what for _, what in swept.messages} <= {"started_reply", "thread_update"}, now
    after_lease = await sweepers.together(pair, start + LEASE + SECOND)

    assert sum(after_lease.sent) + said_in_threads == len(held) + 2 * len(parties) - len(
        [c for c in before_death if c[1] in ("started_reply", "thread_update")]
    )
    assert (victim, NudgeKind.START_WELCOME) in after_lease.messages
    everything = Counter(message_of(c) for c in sends(sweepers.slack.calls))
    expected = at_the_start(parties)
    assert set(everything) == set(expected), (
        set(everything) - set(expected),
        set(expected) - set(everything),
    )  # none lost
    # A message on its way when the process died is found where it went, by its metadata,
    # and not sent again: nothing arrives twice, however many were on their way.
    assert everything == expected
    unknown_never_twice(sends(sweepers.slack.calls))
    nudges = await rows(bot.sessions, Nudge, Nudge.due_at == start, Nudge.kind.not_in(SAID))
    assert len(nudges) == 4 * len(parties)
    assert {(n.attempts, n.claimed_until) for n in nudges} == {(1, None)}
    assert {n.sent_at for n in nudges if n.id in {h.id for h in held}} == {start + LEASE + SECOND}
    audited = await rows(bot.sessions, AuditEvent, AuditEvent.action.startswith("nudge_sent_"))
    assert sorted(e.detail["sequence"] for e in audited) == [1] * len(nudges)
    assert len({(e.secondment_id, e.action, e.detail["recipient_id"]) for e in audited}) == len(
        nudges
    )


class StallingClient(AsyncWebClient):
    """A Web API client whose first message hangs until released: a slow or rate-limited Slack,
    or a paused process, outliving the sweep's lease."""

    def __init__(self, base_url: str) -> None:
        super().__init__(token=BOT_TOKEN, base_url=base_url, retry_handlers=retry_handlers())
        self.stalled, self.resume = asyncio.Event(), asyncio.Event()

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        if api_method == "chat.postMessage" and not self.stalled.is_set():
            self.stalled.set()
            await self.resume.wait()
        return await super().api_call(api_method, **kwargs)


async def test_a_sweeper_that_outlives_its_lease_sends_nothing_the_other_has_claimed(
    bot: Harness, sweepers: Sweepers
) -> None:
    parties = await approved_secondments(bot, 3)
    slow = StallingClient(sweepers.slack.api_url)
    stalling, other = sweepers.start(slow), sweepers.start()
    start = london(START)

    first = asyncio.create_task(stalling.sweep(start))
    await slow.stalled.wait()
    sent_by_other = await other.sweep(start + LEASE + SECOND)  # the stalled lease has run out
    slow.resume.set()
    sent_by_stalling = await first

    # Only the message already on its way when the lease ran out can arrive twice (the other
    # looked for it before it arrived); everything else in the stalled batch was left to the
    # sweeper that claimed it.
    everything = Counter(message_of(c) for c in sends(sweepers.slack.calls))
    twice = [message for message, count in everything.items() if count > 1]
    assert len(twice) <= 1
    assert set(everything) == set(at_the_start(parties))
    # Each marks only what it sent: together, every nudge and what each start said (a note in
    # its thread, the parent re-drawn), once; anything both had sent would show above, twice.
    assert sent_by_stalling + sent_by_other == 6 * len(parties)
    nudges = await rows(bot.sessions, Nudge, Nudge.due_at == start, Nudge.kind.not_in(SAID))
    assert {(n.attempts, n.claimed_until, n.claim_token) for n in nudges} == {(1, None, None)}
