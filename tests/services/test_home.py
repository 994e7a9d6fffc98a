"""The App Home's reads, at the service: a fixed number of queries however many secondments
there are, and each section exactly the viewer's."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_sessions
from bot.domain.block_reasons import BlockReason
from bot.domain.home_view import Home, HomeSection
from bot.domain.key_dates import DateKind
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.states import (
    DecisionKind,
    EndOutcome,
    Outcome,
    ProposalKind,
    Side,
    SideState,
    Status,
)
from bot.models import Decision, Secondment, TermsVersion
from bot.services.home import load_home
from bot.services.loading import load_record
from bot.services.people import remember_people
from tests.support.actors import as_actor
from tests.support.harness import EMPLOYEE, HOME, HOST
from tests.support.samples import TERMS
from tests.support.seeds import Spec, counting, seed
from tests.support.standin import TEAM_ID
from tests.support.summaries import summary_of

NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
LIMITS = dict.fromkeys(HomeSection, 5)
DEPUTY = "UDEPUTY"


async def _home(
    engine: AsyncEngine,
    user_id: str,
    *,
    hr: bool = False,
    limits: dict[HomeSection, int] = LIMITS,
    now: datetime = NOW,
) -> Home:
    return await load_home(
        make_sessions(engine),
        limits=limits,
        actor=as_actor(user_id, team=TEAM_ID, now=now, policy=Policy(), is_hr=hr),
    )


def _mix(count: int, offset: int = 0) -> list[Spec]:
    statuses = [Status.PENDING, Status.BLOCKED, Status.APPROVED, Status.ACTIVE]
    return [
        Spec(
            EMPLOYEE if n % 4 == 0 else f"UE{n}",
            statuses[n % 4],
            escalated=n % 2 == 0,
            missed=True,
        )
        for n in range(offset, offset + count)
    ]


async def test_the_home_costs_the_same_queries_with_a_hundred_secondments_or_a_thousand(
    engine: AsyncEngine,
) -> None:
    await seed(make_sessions(engine), _mix(100))
    with counting(engine) as few:
        small = await _home(engine, HOME, hr=True)
    await seed(make_sessions(engine), _mix(900, offset=100))
    with counting(engine) as many:
        large = await _home(engine, HOME, hr=True)

    assert len(many) == len(few)
    assert small.hr is not None and large.hr is not None
    assert (small.hr.open.total, large.hr.open.total) == (100, 1000)
    assert len(large.hr.open.items) == len(large.decisions.items) == 5


async def test_decisions_wait_for_whoever_decides_each_side(engine: AsyncEngine) -> None:
    await seed(
        make_sessions(engine),
        [
            Spec(EMPLOYEE, Status.PENDING),  # both sides wait
            Spec(EMPLOYEE, Status.PENDING, home_delegate=DEPUTY),  # the home side is DEPUTY's
            Spec(EMPLOYEE, Status.PENDING, home_state=SideState.APPROVED),  # home has decided
            Spec(EMPLOYEE, Status.PROPOSAL_PENDING),  # a proposal waits like a request
            Spec(EMPLOYEE, Status.BLOCKED, home_state=SideState.BLOCKED),  # nothing to decide
            Spec(EMPLOYEE, Status.APPROVED),
        ],
    )

    waiting = {}
    for user in (HOME, HOST, DEPUTY, EMPLOYEE):
        decisions = (await _home(engine, user)).decisions
        waiting[user] = [(p.secondment.id, p.side) for p in decisions.items]
        assert decisions.total == len(waiting[user])

    assert waiting[HOME] == [(1, Side.HOME), (4, Side.HOME)]
    assert waiting[HOST] == [(1, Side.HOST), (2, Side.HOST), (3, Side.HOST), (4, Side.HOST)]
    assert waiting[DEPUTY] == [(2, Side.HOME)]
    assert waiting[EMPLOYEE] == []


async def test_no_hr_sections_are_read_for_someone_who_is_not_hr(engine: AsyncEngine) -> None:
    await seed(make_sessions(engine), _mix(8))

    assert (await _home(engine, HOME, hr=False)).hr is None


def _decided(
    secondment_id: int,
    side: Side,
    version: int,
    reason: BlockReason | None = None,
) -> Decision:
    """A decision on a side: a block when it has a reason, else an approval."""
    return Decision(
        secondment_id=secondment_id,
        side=side,
        terms_version=version,
        outcome=Outcome.BLOCKED if reason else Outcome.APPROVED,
        kind=DecisionKind.DECIDED,
        decided_by=HOME if side is Side.HOME else HOST,
        reason=reason,
        explanation="Why" if reason else None,
        created_at=NOW,
    )


async def test_each_item_says_what_the_secondments_record_says(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    approved, blocked = SideState.APPROVED, SideState.BLOCKED
    ids = await seed(
        sessions,
        [
            Spec(EMPLOYEE, Status.PENDING, home_delegate=DEPUTY),
            Spec(EMPLOYEE, Status.BLOCKED, home_state=blocked),
            Spec(EMPLOYEE, Status.BLOCKED, home_state=approved, host_state=blocked),
            Spec(EMPLOYEE, Status.PROPOSAL_BLOCKED, home_state=approved, host_state=blocked),
            Spec(EMPLOYEE, Status.BLOCKED, host_state=blocked),  # no reason recorded
            Spec(EMPLOYEE, Status.ACTIVE, approved, approved, outcome=EndOutcome.PERMANENT),
        ],
    )
    reblocked, proposing = ids[2], ids[3]
    async with sessions.begin() as session:
        session.add_all(
            [
                _decided(ids[1], Side.HOME, 1, BlockReason.COVER),
                _decided(reblocked, Side.HOME, 1),
                _decided(reblocked, Side.HOST, 1, BlockReason.WORKLOAD),
                _decided(reblocked, Side.HOST, 1, BlockReason.TIMING),  # the latest counts
                # A block of the terms in force, then of the proposal being decided.
                _decided(proposing, Side.HOST, 1, BlockReason.NOT_A_FIT),
                _decided(proposing, Side.HOME, 2),
                _decided(proposing, Side.HOST, 2, BlockReason.CONTINUITY),
                TermsVersion(
                    secondment_id=proposing,
                    version=2,
                    **dataclasses.asdict(dataclasses.replace(TERMS, end_date=date(2027, 12, 31))),
                    created_by=HOME,
                    created_at=NOW,
                ),
            ]
        )
        await session.execute(
            update(Secondment)
            .where(Secondment.id == proposing)
            .values(proposal_kind=ProposalKind.EXTEND, proposal_version=2, proposed_by=HOME)
        )
        await session.execute(
            update(Secondment).where(Secondment.id == ids[0]).values(thread_url="https://t/1")
        )
    everything = dict.fromkeys(HomeSection, 10)

    hr = (await _home(engine, HOME, hr=True, limits=everything)).hr
    mine = (await _home(engine, EMPLOYEE, limits=everything)).mine.items

    assert hr is not None
    async with sessions.begin() as session:
        records = [await load_record(session, TEAM_ID, id_, Policy()) for id_ in reversed(ids)]
    expected = tuple(summary_of(record) for record in records if record is not None)
    assert hr.open.items == mine == expected
    assert [g.block_reason for g in expected][1:5] == [
        None,
        BlockReason.CONTINUITY,
        BlockReason.TIMING,
        BlockReason.COVER,
    ]
    assert expected[2].deciding_version == 2


async def test_the_dates_coming_up_are_those_after_today_where_the_viewer_is(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessions(engine)
    end = date(2027, 1, 5)
    await seed(sessions, [Spec(EMPLOYEE, Status.ACTIVE, start=date(2026, 12, 1), end=end)])
    async with sessions.begin() as session:
        people = [Person(HOME, tz="Pacific/Honolulu"), Person(HOST, tz="Pacific/Auckland")]
        await remember_people(session, TEAM_ID, people, NOW)
    evening = datetime(2027, 1, 4, 20, 0, tzinfo=UTC)  # already 5 January in Auckland
    early = datetime(2027, 1, 5, 5, 0, tzinfo=UTC)  # still 4 January in Honolulu

    async def ends(user_id: str, now: datetime) -> list[date]:
        home = await _home(engine, user_id, now=now)
        return [d.on for d in home.dates.items if d.kind is DateKind.END]

    assert await ends(EMPLOYEE, evening) == [end]  # no timezone known: UTC
    assert await ends(HOST, evening) == []
    assert await ends(HOME, early) == [end]
    assert await ends(EMPLOYEE, early) == []
