"""The App Home's reads, at the service: a fixed number of queries however many secondments
there are, and each section exactly the viewer's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_sessions
from bot.domain.policy import Policy
from bot.domain.states import Side, SideState, Status
from bot.services.home import Home, HomeSection, load_home
from tests.support.harness import EMPLOYEE, HOME, HOST
from tests.support.seeds import Spec, counting, seed
from tests.support.standin import TEAM_ID

NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
LIMITS = dict.fromkeys(HomeSection, 5)
DEPUTY = "UDEPUTY"


async def _home(engine: AsyncEngine, user_id: str, *, hr: bool = False) -> Home:
    return await load_home(
        make_sessions(engine),
        team_id=TEAM_ID,
        user_id=user_id,
        viewer_is_hr=hr,
        limits=LIMITS,
        policy=Policy(),
        now=NOW,
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
        waiting[user] = [(p.record.id, p.side) for p in decisions.items]
        assert decisions.total == len(waiting[user])

    assert waiting[HOME] == [(1, Side.HOME), (4, Side.HOME)]
    assert waiting[HOST] == [(1, Side.HOST), (2, Side.HOST), (3, Side.HOST), (4, Side.HOST)]
    assert waiting[DEPUTY] == [(2, Side.HOME)]
    assert waiting[EMPLOYEE] == []


async def test_no_hr_sections_are_read_for_someone_who_is_not_hr(engine: AsyncEngine) -> None:
    await seed(make_sessions(engine), _mix(8))

    assert (await _home(engine, HOME, hr=False)).hr is None
