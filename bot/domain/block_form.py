"""The Block form's rules: a manager's block is stored only with a reason and an explanation long
enough for the employee to act on: a block always carries its reason (docs/DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.block_reasons import (
    CONDITIONS_NOTE_MAX,
    EXPLANATION_MAX,
    BlockDetails,
    BlockReason,
    Condition,
)
from bot.domain.field_checks import FieldChecker, FieldErrors
from bot.domain.policy import Policy


@dataclass(frozen=True, slots=True)
class BlockForm:
    """A submitted block as typed: its reason, explanation and the conditions that would help."""

    reason: str | None = None
    explanation: str | None = None
    conditions: tuple[str, ...] = field(default_factory=tuple)
    conditions_note: str | None = None


def validate_block(form: BlockForm, policy: Policy) -> BlockDetails | FieldErrors:
    """A block's details, or what to change: every block carries a reason the employee reads."""
    check = FieldChecker()
    reason: BlockReason | None = None
    if not form.reason:
        check.fail("reason", "Choose the main reason.")
    else:
        try:
            reason = BlockReason(form.reason)
        except ValueError:
            check.fail("reason", "Choose one of the reasons.")
    explanation = check.text("explanation", form.explanation, EXPLANATION_MAX)
    if explanation and len(explanation) < policy.block_reason_min_chars:
        check.fail(
            "explanation",
            f"Explain in at least {policy.block_reason_min_chars} characters: the employee and "
            "the host manager will read this.",
        )
    conditions: list[Condition] = []
    for value in form.conditions:
        try:
            conditions.append(Condition(value))
        except ValueError:
            check.fail("conditions", "Choose from the listed conditions.")
    note = check.text("conditions_note", form.conditions_note, CONDITIONS_NOTE_MAX, required=False)
    if check.errors:
        return check.errors
    assert reason is not None
    return BlockDetails(
        reason=reason,
        explanation=explanation,
        conditions=tuple(conditions),
        conditions_note=note or None,
    )
