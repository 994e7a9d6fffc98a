"""Reading what HR's report needs: three queries whatever the number of secondments.

1. The secondments in the filter, each with its terms in force and, from the audit trail, when
   it started and how many extensions were agreed (aggregated in SQL).
2. Their decisions, five small columns each (a request has a handful of decisions).
3. Their check-ins, counted in SQL per secondment (a long secondment has dozens).

The figures are computed from these rows by bot.domain.report, where the definitions live.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, select

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.events_out import EventType
from bot.domain.kinds import FOLLOW_UP_SEQUENCE, CheckInAnswer
from bot.domain.permissions import check_is_hr
from bot.domain.report import (
    CheckIns,
    DecisionRow,
    Report,
    ReportFilter,
    RequestRow,
    compile_report,
)
from bot.models import AuditEvent, CheckIn, Decision, Secondment, TermsVersion
from bot.services.timelines import in_force

REPORT_ACTION = "run the secondment report"


def _in_filter(team_id: str, wanted: ReportFilter) -> list[ColumnElement[bool]]:
    """Conditions on secondments joined to their terms in force."""
    conditions = [Secondment.team_id == team_id]
    if wanted.date_from:
        conditions.append(Secondment.created_at >= datetime.combine(wanted.date_from, time(), UTC))
    if wanted.date_to:
        after = wanted.date_to + timedelta(days=1)
        conditions.append(Secondment.created_at < datetime.combine(after, time(), UTC))
    if wanted.team:
        # ILIKE on PostgreSQL; lower() LIKE lower() on SQLite, whose lower() folds ASCII only.
        conditions.append(TermsVersion.host_team.icontains(wanted.team, autoescape=True))
    return conditions


def _ids(team_id: str, wanted: ReportFilter) -> Select[int]:
    return select(Secondment.id).join(TermsVersion, in_force()).where(*_in_filter(team_id, wanted))


async def load_report(sessions: Sessions, *, actor: Actor, wanted: ReportFilter) -> Report:
    """HR's report over the secondments the filter picks: three reads, compiled in the domain."""
    check_is_hr(actor.is_hr, REPORT_ACTION)
    async with sessions.begin() as session:
        requests = await session.execute(_requests(actor.team_id, wanted))
        request_rows = [RequestRow(*row) for row in requests]
        decisions = await session.execute(_decisions(actor.team_id, wanted))
        decision_rows = [DecisionRow(*row) for row in decisions]
        check_ins = await session.execute(_check_ins(actor.team_id, wanted))
        counts = {row[0]: CheckIns(*row[1:]) for row in check_ins}
    return compile_report(wanted, actor.now, request_rows, decision_rows, counts)


def _audit_counts(team_id: str, wanted: ReportFilter) -> Subquery:
    """Per secondment: when it started, and how many extensions and exceptions it had."""
    action = AuditEvent.action
    return (
        select(
            AuditEvent.secondment_id,
            func.min(case((action == EventType.STARTED, AuditEvent.at))).label("started_at"),
            func.count(case((action == EventType.EXTENSION_AGREED, 1))).label("extensions"),
            func.count(case((action == EventType.EXCEPTION_ASKED, 1))).label("asked"),
            func.count(case((action == EventType.EXCEPTION_GRANTED, 1))).label("granted"),
            func.count(case((action == EventType.EXCEPTION_REFUSED, 1))).label("refused"),
        )
        .where(
            # Only the filter's secondments: the trail is long (every nudge sent is in it).
            AuditEvent.secondment_id.in_(_ids(team_id, wanted)),
            AuditEvent.action.in_(
                [
                    EventType.STARTED,
                    EventType.EXTENSION_AGREED,
                    EventType.EXCEPTION_ASKED,
                    EventType.EXCEPTION_GRANTED,
                    EventType.EXCEPTION_REFUSED,
                ]
            ),
        )
        .group_by(AuditEvent.secondment_id)
        .subquery()
    )


def _requests(team_id: str, wanted: ReportFilter) -> Select[*tuple[Any, ...]]:
    """A row per secondment the filter picks, as `RequestRow` takes it."""
    audit = _audit_counts(team_id, wanted)
    return (
        select(
            Secondment.id,
            Secondment.status,
            Secondment.outcome,
            Secondment.created_at,
            audit.c.started_at,
            func.coalesce(audit.c.extensions, 0),
            TermsVersion.host_team,
            TermsVersion.role_title,
            TermsVersion.start_date,
            TermsVersion.end_date,
            func.coalesce(audit.c.asked, 0),
            func.coalesce(audit.c.granted, 0),
            func.coalesce(audit.c.refused, 0),
        )
        .join(TermsVersion, in_force())
        .outerjoin(audit, audit.c.secondment_id == Secondment.id)
        .where(*_in_filter(team_id, wanted))
        .order_by(Secondment.id)
    )


def _decisions(team_id: str, wanted: ReportFilter) -> Select[*tuple[Any, ...]]:
    """Every decision on the secondments the filter picks, as `DecisionRow` takes it."""
    return select(
        Decision.secondment_id,
        Decision.side,
        Decision.outcome,
        Decision.reason,
        Decision.created_at,
    ).where(Decision.secondment_id.in_(_ids(team_id, wanted)))


def _check_ins(team_id: str, wanted: ReportFilter) -> Select[*tuple[Any, ...]]:
    """Per secondment: its check-ins answered, missed, with concerns and asking for help."""
    answered = CheckIn.answer.is_not(None)
    return (
        select(
            CheckIn.secondment_id,
            func.count(case((answered, 1))),
            func.count(case((and_(CheckIn.missed_at.is_not(None), ~answered), 1))),
            func.count(case((CheckIn.answer == CheckInAnswer.CONCERNS, 1))),
            func.count(case((CheckIn.answer == CheckInAnswer.NEED_HELP, 1))),
        )
        .where(
            CheckIn.secondment_id.in_(_ids(team_id, wanted)),
            CheckIn.sequence != FOLLOW_UP_SEQUENCE,
        )
        .group_by(CheckIn.secondment_id)
    )
