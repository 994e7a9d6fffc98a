"""The employee withdrawing a request before the secondment starts."""

from __future__ import annotations

from sqlalchemy import update

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.errors import NoLongerPending, TermsChanged
from bot.domain.people import zone_of
from bot.domain.permissions import check_can_withdraw
from bot.domain.record import SecondmentRecord
from bot.domain.states import Status
from bot.models import Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.people import timezones
from bot.services.replanning import replan

OPEN = [s.value for s in Status if s.is_open]


async def withdraw(
    sessions: Sessions, *, actor: Actor, secondment_id: int, announce: Announce[SecondmentRecord]
) -> SecondmentRecord:
    """Withdraw the request; its reminders are cancelled and open escalations closed with it."""
    async with sessions.begin() as session:
        record = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        tz = (await timezones(session, actor.team_id, [actor.user_id])).get(actor.user_id)
        check_can_withdraw(record, actor.user_id, actor.now.astimezone(zone_of(tz)).date())
        t = Secondment.__table__.c
        result = await session.execute(
            update(Secondment)
            .where(
                t.id == secondment_id,
                t.employee_id == actor.user_id,
                t.status.in_(OPEN),
                # The start date checked above belongs to this version of the terms.
                t.terms_version == record.terms_version,
            )
            .values(
                {t.status: Status.WITHDRAWN.value, t.updated_at: actor.now, t.closed_at: actor.now}
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            now_stored = await load_record(session, actor.team_id, secondment_id, actor.policy)
            assert now_stored is not None
            if not now_stored.status.is_open:
                raise NoLongerPending(now_stored.status)
            raise TermsChanged(record.terms_version, now_stored.terms_version)
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor.user_id,
            action="withdrawn",
            terms_version=record.terms_version,
            at=actor.now,
        )
        await replan(session, secondment_id, actor.policy, actor.now)
        withdrawn = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert withdrawn is not None
        return await said(session, announce, withdrawn, secondment_id, actor.now)
