"""Creating a secondment request and recording where its approval thread lives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.db import Sessions
from bot.domain.hr_rules import PolicyException
from bot.domain.kinds import NudgeKind
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import SideState, Status
from bot.domain.terms import Terms
from bot.models import Secondment, TermsVersion
from bot.services.audit import record_event
from bot.services.exception_asked import exception_columns, record_exception_asked
from bot.services.loading import Loaded, load_secondment, record_of
from bot.services.nudges import reconcile_nudges
from bot.services.outbox import (
    Announce,
    Outgoing,
    remember_waits,
    said,
    write_outbox,
)
from bot.services.people import remember_people
from bot.services.replanning import replan


@dataclass(frozen=True, slots=True)
class NewRequest:
    """A validated request as submitted. `key` identifies the submission (the Slack view)."""

    key: str
    team_id: str
    employee_id: str
    home_manager_id: str
    host_manager_id: str
    terms: Terms
    people: tuple[Person, ...] = ()  # as Slack described them at submission, for their timezones
    check_in_weeks: int | None = None  # None: the workspace's default
    unchecked: tuple[str, ...] = ()  # named people Slack did not describe in time
    exception: PolicyException | None = None  # asked of HR, with terms outside its rules


@dataclass(frozen=True, slots=True)
class RequestCreated:
    """The request's record, and whether this submission created it."""

    record: SecondmentRecord
    is_new: bool


async def create_request(
    sessions: Sessions, request: NewRequest, *, policy: Policy, now: datetime
) -> RequestCreated:
    """Store a new request with version 1 of its terms, both sides awaiting a decision.

    Submitting the same request key again returns the request it created the first time, so a
    retried submission never makes a second request.
    """
    try:
        return RequestCreated(await _insert(sessions, request, policy, now), is_new=True)
    except IntegrityError:
        async with sessions.begin() as session:
            first = await load_secondment(
                session,
                Secondment.request_key == request.key,
                Secondment.team_id == request.team_id,
            )
            assert first is not None, "the only unique key on a new request is its key"
            return RequestCreated(await record_of(session, first, policy), is_new=False)


async def _insert(
    sessions: Sessions, request: NewRequest, policy: Policy, now: datetime
) -> SecondmentRecord:
    """The request stored, its nudges planned and its thread's opening written to the outbox."""
    async with sessions.begin() as session:
        row = _new_secondment(request, now)
        session.add(row)
        await session.flush()
        record_event(
            session,
            secondment_id=row.id,
            actor_id=request.employee_id,
            action="requested",
            terms_version=1,
            at=now,
            home_manager_id=request.home_manager_id,
            host_manager_id=request.host_manager_id,
        )
        if request.exception:
            record_exception_asked(session, row.id, request.employee_id, 1, request.exception, now)
        await remember_people(session, request.team_id, request.people, now)
        # Nothing else is stored for it yet (no nudges, nor escalations to close), and Slack
        # has just given the people's timezones.
        created = Loaded(row, open_escalations=(), check_ins=())
        await reconcile_nudges(
            session,
            created,
            policy,
            now,
            known_tz={person.id: person.tz for person in request.people},
            new=True,
        )
        # The approval thread is opened by the outbox, so a Slack outage cannot lose it.
        # People Slack could not describe in time are checked first, by the same row.
        check = {"check": list(request.unchecked)} if request.unchecked else None
        opening = Outgoing(NudgeKind.THREAD_OPEN, payload=check)
        await write_outbox(session, row.id, [opening], now, terms_version=1)
        return await record_of(session, created, policy)


def _new_secondment(request: NewRequest, now: datetime) -> Secondment:
    """The request's row, with version 1 of its terms, both sides awaiting a decision (and HR,
    for an exception to its rules asked)."""
    terms = TermsVersion(
        version=1,
        created_by=request.employee_id,
        created_at=now,
        **asdict(request.terms),
        **exception_columns(request.exception),
    )
    return Secondment(
        request_key=request.key,
        team_id=request.team_id,
        employee_id=request.employee_id,
        home_manager_id=request.home_manager_id,
        host_manager_id=request.host_manager_id,
        status=Status.PENDING,
        terms_version=1,
        home_state=SideState.PENDING,
        host_state=SideState.PENDING,
        round=1,
        round_started_at=now,
        check_in_weeks=request.check_in_weeks,
        hr_state=SideState.PENDING if request.exception else None,
        created_at=now,
        updated_at=now,
        terms=[terms],
    )


@dataclass(frozen=True, slots=True)
class ThreadAttached:
    """The record with its thread."""

    record: SecondmentRecord


async def people_checked(
    sessions: Sessions,
    *,
    record: SecondmentRecord,
    people: Iterable[Person],
    policy: Policy,
    now: datetime,
) -> None:
    """The people Slack described only after the form was answered: their timezones are
    remembered, and the request's nudges planned again in them."""
    async with sessions.begin() as session:
        await remember_people(session, record.team_id, people, now)
        await replan(session, record.id, policy, now)


async def attach_thread(
    sessions: Sessions,
    *,
    record: SecondmentRecord,
    channel_id: str,
    thread_ts: str,
    thread_url: str | None,
    announce: Announce[ThreadAttached],
    now: datetime,
) -> bool:
    """Remember the approval thread, and say so; False if a thread was remembered already (only
    the first counts, so a retry never forks it)."""
    async with sessions.begin() as session:
        attached = (
            await session.execute(
                update(Secondment)
                .where(Secondment.id == record.id, Secondment.thread_ts.is_(None))
                .values(channel_id=channel_id, thread_ts=thread_ts, thread_url=thread_url)
                .returning(Secondment.id)
                .execution_options(synchronize_session=False)
            )
        ).first()
        if attached is None:
            return False
        # Whether what this says must wait (bot/services/outbox.py), known without asking: the
        # workspace is not paused, since Slack has just taken the thread's post (a pause
        # recorded in the moment since is met by the send itself: Slack refuses it, and the
        # message waits for the resume); anything said in the thread waits for the usual
        # claim, behind what changes made meanwhile may have said there.
        remember_waits(session, record.id, (False, True))
        record_event(
            session,
            secondment_id=record.id,
            actor_id=record.employee_id,
            action="thread_opened",
            terms_version=record.terms_version,
            at=now,
            channel_id=channel_id,
            thread_ts=thread_ts,
        )
        # What anyone did on the posted buttons before now is drawn in the thread by what
        # their change said, which waited in the outbox behind the thread.
        with_thread = replace(
            record, channel_id=channel_id, thread_ts=thread_ts, thread_url=thread_url
        )
        await said(session, announce, ThreadAttached(with_thread), record.id, now)
    return True
