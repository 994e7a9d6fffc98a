"""The checks on an exception asked of HR, on any form that asks one (a request, changed terms,
an extension): it must be needed, grantable here, and say why (docs/DESIGN.md, decision 14).
"""

from __future__ import annotations

from bot.domain.field_checks import FieldChecker
from bot.domain.hr_rules import PolicyException
from bot.domain.policy import Policy
from bot.domain.terms import LONG_TEXT_MAX


def check_exception(
    broken: list[str], reason: str | None, policy: Policy, check: FieldChecker
) -> PolicyException | None:
    """The exception asked with `reason` for terms that break the rules `broken` (none asked:
    None); a problem with it goes on the `exception_reason` field."""
    reason = check.text("exception_reason", reason, LONG_TEXT_MAX, required=False)
    if not reason:
        return None
    if not broken:
        check.fail(
            "exception_reason",
            "These dates keep within HR's rules, so there is no exception to ask for. Leave "
            "this empty.",
        )
    elif not policy.hr_configured:
        check.fail("exception_reason", "No one is set up as HR here to grant an exception.")
    elif len(reason) < policy.block_reason_min_chars:
        check.fail(
            "exception_reason",
            f"Say why in at least {policy.block_reason_min_chars} characters: HR decides on this.",
        )
    return None if check.errors else PolicyException(" ".join(broken), reason)


def outside_the_rules(broken: list[str], policy: Policy, remedy: str) -> str:
    """The end date's error when it breaks HR's rules and no exception is asked."""
    way_out = f"{remedy}, or ask HR for an exception below and say why."
    return " ".join([*broken, way_out if policy.hr_configured else f"{remedy}."])
