"""Sample domain values shared by the pure tests; vary them with `dataclasses.replace`."""

from __future__ import annotations

from datetime import date

from bot.domain.terms import Kind, ReturnArrangement, Terms

START = date(2027, 2, 1)

TERMS = Terms(
    kind=Kind.INTERNAL,
    host_team="Data Platform",
    role_title="Analytics engineer",
    responsibilities="Build the reporting pipeline with the platform team.",
    objectives="Ship the quarterly dashboard.",
    start_date=START,
    end_date=date(2027, 7, 30),
    time_commitment=60,
    reporting_line=None,
    pay_and_benefits="Unchanged, paid by the home employer",
    return_arrangement=ReturnArrangement.SAME_ROLE,
    coverage_plan="Sam covers the support rota.",
    handover_weeks=2,
)
