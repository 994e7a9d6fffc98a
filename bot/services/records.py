"""A secondment's rows made into its immutable `SecondmentRecord`: the terms in force, each
side with its latest decision, a proposal under decision, the exception asked with the terms, and
what the policy notes about them. Pure over rows already read (bot/services/loading.py reads them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields

from bot.domain.block_reasons import BlockDetails, BlockReason, Condition
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
from bot.domain.states import Outcome, Side, SideState
from bot.domain.terms import Terms
from bot.models import CheckIn, Decision, Escalation, Secondment, TermsVersion


def terms_of(row: TermsVersion) -> Terms:
    """The terms a version's row holds."""
    # The terms table has a column for every Terms field, under the same name.
    return Terms(**{field.name: getattr(row, field.name) for field in fields(Terms)})


def to_record(
    row: Secondment,
    decisions: Mapping[Side, Decision],
    escalations: Sequence[Escalation],
    check_ins: Sequence[CheckIn],
    policy: Policy,
    questions_open: bool = False,
) -> SecondmentRecord:
    """The record of a secondment's row (with its terms), given the latest decision on each
    decided side, its open escalations and its check-ins."""
    terms = terms_of(_version(row, row.terms_version))
    return SecondmentRecord(
        id=row.id,
        team_id=row.team_id,
        employee_id=row.employee_id,
        status=row.status,
        terms_version=row.terms_version,
        terms=terms,
        home=_side(row, Side.HOME, decisions),
        host=_side(row, Side.HOST, decisions),
        notes=tuple(policy_notes(terms, policy)),
        round=row.round,
        round_started_at=row.round_started_at,
        open_escalations=tuple(
            EscalationInfo(e.kind, e.raised_by, e.created_at) for e in escalations
        ),
        objectives=_objectives(row),
        check_in_weeks=row.check_in_weeks or policy.check_in_every_weeks,
        check_ins=tuple(
            CheckInInfo(c.sequence, c.answer, c.answered_at, c.missed_at) for c in check_ins
        ),
        outcome=row.outcome,
        proposal=_proposal(row, policy),
        return_confirmed=_return_confirmed(row),
        channel_id=row.channel_id,
        thread_ts=row.thread_ts,
        thread_url=row.thread_url,
        created_at=row.created_at,
        questions_open=questions_open,
        exception=_exception(_version(row, _proposal_version(row) or row.terms_version)),
    )


def _version(row: Secondment, version: int) -> TermsVersion:
    return next(t for t in row.terms if t.version == version)


def _proposal_version(row: Secondment) -> int | None:
    """The version an extension or permanent move proposes, when one is under decision."""
    if row.proposal_kind and row.proposal_version and row.proposed_by:
        return row.proposal_version
    return None


def _proposal(row: Secondment, policy: Policy) -> Proposal | None:
    """An extension or permanent move under decision, with what the policy notes about it."""
    version = _proposal_version(row)
    if version is None or row.proposal_kind is None or row.proposed_by is None:
        return None
    proposed = _version(row, version)
    return Proposal(
        row.proposal_kind,
        version,
        terms_of(proposed),
        row.proposed_by,
        proposed.change_note,
        tuple(
            note for note in [return_rights_note(terms_of(proposed), policy)] if note is not None
        ),
    )


def _side(row: Secondment, side: Side, decisions: Mapping[Side, Decision]) -> SideRecord:
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


def _objectives(row: Secondment) -> AgreedObjectives | None:
    if row.agreed_objectives and row.objectives_set_by and row.objectives_set_at:
        return AgreedObjectives(row.agreed_objectives, row.objectives_set_by, row.objectives_set_at)
    return None


def _return_confirmed(row: Secondment) -> ReturnConfirmed | None:
    if row.return_confirmed_by and row.return_confirmed_at:
        return ReturnConfirmed(row.return_confirmed_by, row.return_confirmed_at)
    return None


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
