"""Every action_id, callback_id and block_id the bot uses, in one place.

Input blocks in the request modal are named after the `Terms` field they fill, so a validation
error for a field lands on its block without a mapping table.
"""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    SECONDMENT = "/secondment"


class Action(StrEnum):
    APPROVE = "decision_approve"
    BLOCK = "decision_block"
    OPEN_THREAD = "open_thread"


class Callback(StrEnum):
    REQUEST = "secondment_request"
    BLOCK = "block_reason"


class RequestField(StrEnum):
    HOME_MANAGER = "home_manager"
    HOST_MANAGER = "host_manager"
    KIND = "kind"
    HOST_TEAM = "host_team"
    ROLE_TITLE = "role_title"
    RESPONSIBILITIES = "responsibilities"
    OBJECTIVES = "objectives"
    START_DATE = "start_date"
    END_DATE = "end_date"
    TIME_COMMITMENT = "time_commitment"
    REPORTING_LINE = "reporting_line"
    PAY_AND_BENEFITS = "pay_and_benefits"
    RETURN_ARRANGEMENT = "return_arrangement"
    COVERAGE_PLAN = "coverage_plan"
    HANDOVER_WEEKS = "handover_weeks"


class BlockField(StrEnum):
    REASON = "reason"
    EXPLANATION = "explanation"
    CONDITIONS = "conditions"
    CONDITIONS_NOTE = "conditions_note"
