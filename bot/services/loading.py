"""Loading secondments from the database into immutable `SecondmentRecord`s, in a fixed number of
queries however many are loaded.

One secondment is read in one query (the row, every version of its terms, its open escalations
and the latest decision on each side); its check-ins only when it can have them. A service that
changes a secondment reads it once as a `Loaded`, brings it into step and builds the record from
it, giving the decision it has just made rather than reading it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased, joinedload

from bot.domain.block_reasons import BlockDetails, BlockReason, Condition
from bot.domain.permissions import check_can_see
from bot.domain.policy import Policy, policy_notes, return_rights_note
from bot.domain.record import (
    AgreedObjectives,
    CheckInInfo,
    DecisionInfo,
    EscalationInfo,
    ExceptionRecord,
    Proposal,
    ReturnConfirmed,
    SecondmentRecord,
    SideRecord,
)
from bot.domain.states import Outcome, Side, SideState, Status
from bot.domain.terms import Terms
from bot.models import (
    CheckIn,
    Decision,
    Escalation,
    KnownPerson,
    Nudge,
    Secondment,
    TermsVersion,
)
from bot.services.outbox import must_wait, remember_waits

# Check-ins are recorded only once a secondment has started (answered, snoozed or missed while
# it is under way; the follow-up once it is complete): before that there are none to read.
STARTED = frozenset({*(s for s in Status if s.is_underway), Status.COMPLETED})


@dataclass(frozen=True, slots=True)
class Loaded:
    """A secondment as read for a change: the row with every version of its terms, its open
    escalations (oldest first), its check-ins (by sequence), and the timezones remembered for
    its people as they were when it was read (None where none is). `decisions` holds the latest
    decision on each side decided when it was read, on the terms then being decided
    (`decisions_on`); a side decided since is read when the record is built."""

    row: Secondment
    open_escalations: tuple[Escalation, ...]
    check_ins: tuple[CheckIn, ...]
    timezones: Mapping[str, str | None] = field(default_factory=dict)
    decisions: Mapping[Side, Decision] = field(default_factory=dict)
    decisions_on: tuple[int, frozenset[Side]] | None = None
    questions_open: bool = False


def _decided(row: Secondment) -> list[Side]:
    """The sides whose record shows a decision: the others are still to be decided."""
    return [side for side in Side if row.state_of(side) is not SideState.PENDING]


def terms_of(row: TermsVersion) -> Terms:
    """One stored version of the terms, as the domain's Terms."""
    # The terms table has a column for every Terms field, under the same name.
    return Terms(**{field.name: getattr(row, field.name) for field in fields(Terms)})


def _decision_info(decision: Decision) -> DecisionInfo:
    block = None
    if decision.outcome is Outcome.BLOCKED and decision.reason is not None:
        block = BlockDetails(
            reason=BlockReason(decision.reason),
            explanation=decision.explanation or "",
            conditions=tuple(Condition(c) for c in decision.conditions or ()),
            conditions_note=decision.conditions_note,
        )
    justification = decision.explanation if block is None else None
    return DecisionInfo(
        decision.kind, decision.decided_by, decision.on_behalf_of, block, justification
    )


def to_record(
    row: Secondment,
    decisions: dict[Side, Decision],
    escalations: Sequence[Escalation],
    check_ins: Sequence[CheckIn],
    policy: Policy,
    questions_open: bool = False,
) -> SecondmentRecord:
    """The secondment's record, from its row and the rows that belong to it."""
    current = next(t for t in row.terms if t.version == row.terms_version)
    terms = terms_of(current)
    proposal = None
    proposed = current
    if row.proposal_kind and row.proposal_version and row.proposed_by:
        proposed = next(t for t in row.terms if t.version == row.proposal_version)
        proposal = Proposal(
            row.proposal_kind,
            row.proposal_version,
            terms_of(proposed),
            row.proposed_by,
            proposed.change_note,
            tuple(
                note
                for note in [return_rights_note(terms_of(proposed), policy)]
                if note is not None
            ),
        )

    def side(side: Side) -> SideRecord:
        """One manager's side of the record."""
        state = row.state_of(side)
        decision = decisions.get(side) if state is not SideState.PENDING else None
        return SideRecord(
            side=side,
            manager_id=row.manager_of(side),
            delegate_id=row.delegate_of(side),
            state=state,
            decided_by=row.decided_by(side),
            decided_at=row.decided_at(side),
            decision=_decision_info(decision) if decision else None,
            to_hr_at=row.to_hr_at(side),
        )

    return SecondmentRecord(
        id=row.id,
        team_id=row.team_id,
        employee_id=row.employee_id,
        status=row.status,
        terms_version=row.terms_version,
        terms=terms,
        home=side(Side.HOME),
        host=side(Side.HOST),
        notes=tuple(policy_notes(terms, policy)),
        round=row.round,
        round_started_at=row.round_started_at,
        open_escalations=tuple(
            EscalationInfo(e.kind, e.raised_by, e.created_at) for e in escalations
        ),
        objectives=(
            AgreedObjectives(row.agreed_objectives, row.objectives_set_by, row.objectives_set_at)
            if row.agreed_objectives and row.objectives_set_by and row.objectives_set_at
            else None
        ),
        check_in_weeks=row.check_in_weeks or policy.check_in_every_weeks,
        check_ins=tuple(
            CheckInInfo(c.sequence, c.answer, c.answered_at, c.missed_at) for c in check_ins
        ),
        outcome=row.outcome,
        proposal=proposal,
        return_confirmed=(
            ReturnConfirmed(row.return_confirmed_by, row.return_confirmed_at)
            if row.return_confirmed_by and row.return_confirmed_at
            else None
        ),
        channel_id=row.channel_id,
        thread_ts=row.thread_ts,
        thread_url=row.thread_url,
        created_at=row.created_at,
        questions_open=questions_open,
        exception=_exception(proposed),
    )


def _exception(version: TermsVersion) -> ExceptionRecord | None:
    """The exception asked with a terms version, and HR's decision on it."""
    if not (version.exception_rules and version.exception_reason and version.exception_state):
        return None
    return ExceptionRecord(
        version.exception_rules,
        version.exception_reason,
        version.exception_state,
        version.exception_decided_by,
        version.exception_decided_at,
        version.exception_note,
    )


async def load_records(
    session: AsyncSession, rows: Sequence[Secondment], policy: Policy
) -> list[SecondmentRecord]:
    """Records for already-loaded rows (with terms): their latest decisions on the terms being
    decided (a proposal's, or else the current ones), open escalations and check-ins, in one
    query each, and none where no row can have any."""
    ids = [r.id for r in rows]
    decided = [r.id for r in rows if _decided(r)]
    started = [r.id for r in rows if r.status in STARTED]
    latest: dict[int, dict[Side, Decision]] = {}
    open_escalations: dict[int, list[Escalation]] = {}
    check_ins: dict[int, list[CheckIn]] = {}
    if decided:
        current = {r.id: _deciding(r) for r in rows}
        for decision in await session.scalars(
            select(Decision).where(Decision.secondment_id.in_(decided)).order_by(Decision.id)
        ):
            if decision.terms_version == current[decision.secondment_id]:
                latest.setdefault(decision.secondment_id, {})[decision.side] = decision
    if ids:
        for escalation in await session.scalars(
            select(Escalation)
            .where(Escalation.secondment_id.in_(ids), Escalation.resolved_at.is_(None))
            .order_by(Escalation.id)
        ):
            open_escalations.setdefault(escalation.secondment_id, []).append(escalation)
    if started:
        for check_in in await session.scalars(
            select(CheckIn).where(CheckIn.secondment_id.in_(started)).order_by(CheckIn.sequence)
        ):
            check_ins.setdefault(check_in.secondment_id, []).append(check_in)
    return [
        to_record(
            r, latest.get(r.id, {}), open_escalations.get(r.id, []), check_ins.get(r.id, []), policy
        )
        for r in rows
    ]


async def lock_secondment(session: AsyncSession, secondment_id: int) -> None:
    """Hold the secondment's row until the transaction ends (PostgreSQL; SQLite's writers take
    turns already), before reading it. A change that does not begin with a conditional UPDATE of
    the row takes this first, so that changes to one secondment see each other's result, and
    what they say is written in the order they were made (bot/services/outbox.py)."""
    await session.execute(
        select(Secondment.id).where(Secondment.id == secondment_id).with_for_update()
    )


async def load_secondment(session: AsyncSession, *where: ColumnElement[bool]) -> Loaded | None:
    """The one secondment matching `where`, read afresh: the row, its terms, its open
    escalations, its people's timezones and what its messages must wait for in one query (a
    row for each pair: a few versions, rarely more than one open escalation), and its
    check-ins once it has started."""
    found = (
        (await session.execute(_LOAD.where(*where).execution_options(populate_existing=True)))
        .unique()
        .all()
    )
    if not found:
        return None
    row = found[0][0]
    check_ins: Sequence[CheckIn] = ()
    if row.status in STARTED:
        check_ins = (
            await session.scalars(
                select(CheckIn).where(CheckIn.secondment_id == row.id).order_by(CheckIn.sequence)
            )
        ).all()
    paused, behind, questions_open, *people_tz = found[0][3:]
    # What a change's messages must wait for, as of this read (after the change took the row).
    remember_waits(session, row.id, (paused, behind))
    people = [getattr(row, person.key) for person in _PEOPLE]
    timezones = {
        person: tz for person, tz in zip(people, people_tz, strict=True) if person is not None
    }
    escalations = {e.id: e for _, e, *_ in found if e is not None}
    decisions = {d.side: d for _, _, d, *_ in found if d is not None}
    return Loaded(
        row,
        tuple(escalations.values()),
        tuple(check_ins),
        timezones,
        decisions,
        (_deciding(row), frozenset(_decided(row))),
        bool(questions_open),
    )


def _deciding(row: Secondment) -> int:
    """The version of the terms being decided: a proposal's, or else the current ones."""
    return row.proposal_version or row.terms_version


def _latest_decisions() -> ScalarSelect[int]:
    """The ids of the latest decision on each side of the secondment read, on the terms being
    decided (a side not decided yet has none, or an old one the record leaves out)."""
    earlier = aliased(Decision)
    return (
        select(func.max(earlier.id))
        .where(
            earlier.secondment_id == Secondment.id,
            earlier.terms_version
            == func.coalesce(Secondment.proposal_version, Secondment.terms_version),
        )
        .group_by(earlier.side)
        .scalar_subquery()
    )


def _questions_open() -> ColumnElement[bool]:
    """Whether a question with buttons was posted for the secondment and not yet closed."""
    return (
        exists()
        .where(Nudge.secondment_id == Secondment.id, Nudge.posted_ts.is_not(None))
        .correlate(Secondment)
    )


# The people a secondment's nudges go to, whose timezones say when each falls due.
_PEOPLE = (
    Secondment.employee_id,
    Secondment.home_manager_id,
    Secondment.host_manager_id,
    Secondment.home_delegate_id,
    Secondment.host_delegate_id,
)


def _tz_of(person: InstrumentedAttribute[Any]) -> ScalarSelect[str | None]:
    return (
        select(KnownPerson.tz)
        .where(KnownPerson.team_id == Secondment.team_id, KnownPerson.user_id == person)
        .scalar_subquery()
    )


# Built once, for every load: building it (its aliases and subqueries) costs more than running it.
_LOAD = (
    select(
        Secondment,
        Escalation,
        Decision,
        *must_wait(Secondment.id),
        _questions_open(),
        *(_tz_of(person) for person in _PEOPLE),
    )
    .outerjoin(
        Escalation,
        and_(Escalation.secondment_id == Secondment.id, Escalation.resolved_at.is_(None)),
    )
    .outerjoin(
        Decision,
        # The first term lets the index on the secondment find its few decisions; the second
        # keeps the latest of each side.
        and_(Decision.secondment_id == Secondment.id, Decision.id.in_(_latest_decisions())),
    )
    .options(joinedload(Secondment.terms))
    .order_by(Escalation.id)
)


async def record_of(
    session: AsyncSession,
    loaded: Loaded,
    policy: Policy,
    *,
    decided: Mapping[Side, Decision] | None = None,
) -> SecondmentRecord:
    """The record of a loaded secondment. The latest decision behind each decided side is the
    one read with it, or given in `decided` (one just made, on the terms being decided); a side
    decided since it was read, or on other terms, is read now."""
    row = loaded.row
    version, read = loaded.decisions_on or (0, frozenset[Side]())
    if version != _deciding(row):
        read = frozenset()
    decisions = {side: loaded.decisions[side] for side in read if side in loaded.decisions}
    decisions |= decided or {}
    unread = [side for side in _decided(row) if side not in decisions and side not in read]
    if unread:
        for decision in await session.scalars(
            select(Decision)
            .where(
                Decision.secondment_id == row.id,
                Decision.terms_version == _deciding(row),
                Decision.side.in_(unread),
            )
            .order_by(Decision.id)
        ):
            decisions[decision.side] = decision
    return to_record(
        row, decisions, loaded.open_escalations, loaded.check_ins, policy, loaded.questions_open
    )


async def load_record(
    session: AsyncSession, team_id: str, secondment_id: int, policy: Policy
) -> SecondmentRecord | None:
    """The secondment's record, within this workspace; None if there is none."""
    loaded = await load_secondment(
        session, Secondment.id == secondment_id, Secondment.team_id == team_id
    )
    return None if loaded is None else await record_of(session, loaded, policy)


async def load_visible(
    session: AsyncSession,
    team_id: str,
    secondment_id: int,
    actor_id: str,
    policy: Policy,
    *,
    actor_is_hr: bool = False,
) -> SecondmentRecord:
    """The record, if `actor_id` may see it (bot.domain.permissions.check_can_see)."""
    record = await load_record(session, team_id, secondment_id, policy)
    return check_can_see(record, secondment_id, actor_id, actor_is_hr)
