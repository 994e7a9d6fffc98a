"""Reading what HR's report needs: three queries whatever the number of secondments.

1. The secondments in the filter, each with its terms in force and, from the audit trail, when
   it started and how many extensions were agreed (aggregated in SQL).
2. Their decisions, five small columns each (a request has a handful of decisions).
3. Their check-ins, counted in SQL per secondment (a long secondment has dozens).

The figures are computed from these rows by bot.domain.report, where the definitions live.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from bot.db import Sessions
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
STARTED, EXTENSION_AGREED = "started", "extension_agreed"
# HR's exceptions to its rules (bot/services/exceptions.py).
ASKED, GRANTED, REFUSED = "exception_asked", "exception_granted", "exception_refused"


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


async def load_report(
    sessions: Sessions,
    *,
    team_id: str,
    wanted: ReportFilter,
    actor_is_hr: bool,
    now: datetime,
) -> Report:
    """HR's report over the secondments its filter picks."""
    check_is_hr(actor_is_hr, REPORT_ACTION)
    audit = (
        select(
            AuditEvent.secondment_id,
            func.min(case((AuditEvent.action == STARTED, AuditEvent.at))).label("started_at"),
            func.count(case((AuditEvent.action == EXTENSION_AGREED, 1))).label("extensions"),
            func.count(case((AuditEvent.action == ASKED, 1))).label("asked"),
            func.count(case((AuditEvent.action == GRANTED, 1))).label("granted"),
            func.count(case((AuditEvent.action == REFUSED, 1))).label("refused"),
        )
        .where(
            # Only the filter's secondments: the trail is long (every nudge sent is in it).
            AuditEvent.secondment_id.in_(_ids(team_id, wanted)),
            AuditEvent.action.in_([STARTED, EXTENSION_AGREED, ASKED, GRANTED, REFUSED]),
        )
        .group_by(AuditEvent.secondment_id)
        .subquery()
    )
    requests = (
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
    decisions = select(
        Decision.secondment_id,
        Decision.side,
        Decision.outcome,
        Decision.reason,
        Decision.created_at,
    ).where(Decision.secondment_id.in_(_ids(team_id, wanted)))
    answered = CheckIn.answer.is_not(None)
    check_ins = (
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
    async with sessions.begin() as session:
        request_rows = [RequestRow(*row) for row in await session.execute(requests)]
        decision_rows = [DecisionRow(*row) for row in await session.execute(decisions)]
        counts = {row[0]: CheckIns(*row[1:]) for row in await session.execute(check_ins)}
    return compile_report(wanted, now, request_rows, decision_rows, counts)
