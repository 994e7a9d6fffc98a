"""A secondment's timeline (bot/domain/key_dates.py) read from the database: the few columns
of the secondment and its terms in force that its key dates are computed from. Shared by the
App Home's coming dates and the calendar feeds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_

from bot.domain.key_dates import Timeline
from bot.domain.policy import Policy
from bot.models import Secondment, TermsVersion

# Selected beside whatever else a query needs, joined with `in_force()`.
TIMELINE_COLUMNS = (
    Secondment.id,
    Secondment.employee_id,
    TermsVersion.role_title,
    TermsVersion.host_team,
    TermsVersion.start_date,
    TermsVersion.end_date,
    Secondment.check_in_weeks,
)


def in_force() -> ColumnElement[bool]:
    """Joins a secondment to the version of its terms in force."""
    return and_(
        TermsVersion.secondment_id == Secondment.id,
        TermsVersion.version == Secondment.terms_version,
    )


def timeline_of(row: Any, policy: Policy) -> Timeline:
    """The timeline of a row holding `TIMELINE_COLUMNS`; the policy's interval where the
    secondment has none of its own."""
    return Timeline(
        row.id,
        row.employee_id,
        row.role_title,
        row.host_team,
        row.start_date,
        row.end_date,
        row.check_in_weeks or policy.check_in_every_weeks,
    )
