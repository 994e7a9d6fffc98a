"""Every action_id, callback_id and block_id the bot uses, in one place.

Input blocks are named after the field they fill, so a validation error for a field lands on
its block without a mapping table.
"""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    """The slash command the bot answers."""

    SECONDMENT = "/secondment"


class Subcommand(StrEnum):
    """The first word after `/secondment`: each has its answer in `ANSWERS`
    (bot/slack/listeners/commands.py), a line in the help and a word in the manifest's hint."""

    REQUEST = "request"
    AWAY = "away"
    LIST = "list"
    STATUS = "status"
    CALENDAR = "calendar"
    CHECKINS = "checkins"
    EXPORT = "export"
    ERASE = "erase"
    REPORT = "report"
    HELP = "help"


class Event(StrEnum):
    """The Events API events the bot listens to."""

    APP_HOME_OPENED = "app_home_opened"
    APP_UNINSTALLED = "app_uninstalled"
    TOKENS_REVOKED = "tokens_revoked"
    MESSAGE = "message"  # message.im: typed in the bot's own DM
    USER_CHANGE = "user_change"  # a member's profile or account changed (deactivated, say)


class Action(StrEnum):
    """The action ids of the bot's buttons and menus, each telling its listener what was clicked."""

    # A side's decider, on a DecisionRef.
    APPROVE = "decision_approve"
    BLOCK = "decision_block"
    RECONSIDER = "decision_reconsider"
    CONDITIONS = "decision_conditions"
    DELEGATE = "decision_delegate"
    # After a block, and for the employee, on a RequestRef.
    RESPOND = "block_respond"
    ASK_HR = "block_ask_hr"
    PROPOSE_CHANGE = "terms_propose_change"
    WITHDRAW = "request_withdraw"
    # HR, on a RequestRef or (override) a DecisionRef.
    HR_VIEW = "hr_view"
    HR_NOTE = "hr_note"
    HR_OVERRIDE = "hr_override"
    # Once approved, on a RequestRef.
    RECORD_OBJECTIVES = "record_objectives"
    # A check-in, on a CheckInRef.
    CHECK_IN_ON_TRACK = "check_in_on_track"
    CHECK_IN_CONCERNS = "check_in_concerns"
    CHECK_IN_NEED_HELP = "check_in_need_help"
    CHECK_IN_SNOOZE = "check_in_snooze"
    # The end, on a RequestRef.
    RECORD_DEBRIEF = "record_debrief"
    END_EARLY = "end_early"
    # The end-of-term decision, on a RequestRef of the terms in force.
    CONFIRM_RETURN = "end_confirm_return"
    PROPOSE_EXTENSION = "end_propose_extension"
    PROPOSE_PERMANENT = "end_propose_permanent"
    # HR, erasing one person's data once confirmed, on their user id.
    ERASE_PERSON = "hr_erase_person"
    # Link buttons: Slack reports the click even though the client opens the URL.
    OPEN_THREAD = "open_thread"
    # The App Home: one section shows more, on a "<section>:<limit>" value.
    HOME_SHOW_MORE = "home_show_more"
    # A person's calendar link: asked for from the approval (on the secondment's id), and
    # reset (on the version of the link shown).
    CALENDAR_SUBSCRIBE = "calendar_subscribe"
    CALENDAR_RESET = "calendar_reset"
    # HR, on an exception to its rules, on a RequestRef of the terms being decided.
    EXCEPTION_GRANT = "exception_grant"
    EXCEPTION_REFUSE = "exception_refuse"
    # A person's time away: the App Home's button opens the form; Cancel, on an absence's id.
    AWAY_OPEN = "away_open"
    AWAY_CANCEL = "away_cancel"


class HomeBlock(StrEnum):
    """Block ids on the App Home, each followed by what the block is about (a view's block ids
    must be unique, and the Home lists many requests)."""

    DECIDE = "home_decide"  # + _<secondment id>_<side>
    SHOW_MORE = "home_more"  # + _<section>
    AWAY = "away"  # + _<absence id>: one entry of the time-away form's list


class Callback(StrEnum):
    """The callback ids of the bot's modals, each telling its listener which form was submitted."""

    REQUEST = "secondment_request"
    BLOCK = "block_reason"
    CONDITIONS = "approve_with_conditions"
    DELEGATE = "delegate_side"
    RESPOND = "respond_to_block"
    ASK_HR = "ask_hr_review"
    CHANGE = "change_terms"
    HR_NOTE = "hr_note"
    HR_OVERRIDE = "hr_override"
    OBJECTIVES = "record_objectives"
    CHECK_IN = "check_in"
    DEBRIEF = "return_debrief"
    END_EARLY = "end_early"
    PROPOSE_EXTENSION = "propose_extension"
    PROPOSE_PERMANENT = "propose_permanent"
    EXCEPTION_REFUSE = "exception_refuse"
    AWAY = "time_away"


class RequestField(StrEnum):
    """The fields of the request form (and the changed-terms form)."""

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
    CHECK_IN_WEEKS = "check_in_weeks"
    CHANGE_NOTE = "change_note"
    EXCEPTION_REASON = "exception_reason"


class BlockField(StrEnum):
    """The fields of the form a manager blocks with."""

    REASON = "reason"
    EXPLANATION = "explanation"
    CONDITIONS = "conditions"
    CONDITIONS_NOTE = "conditions_note"


class ConditionsField(StrEnum):
    """The fields of the form a manager approves with conditions with."""

    START_DATE = "start_date"
    HANDOVER_WEEKS = "handover_weeks"
    END_DATE = "end_date"
    TIME_COMMITMENT = "time_commitment"
    NOTE = "note"


class DebriefField(StrEnum):
    """The fields of the return debrief's form."""

    ACHIEVED = "achieved"
    SKILLS_GAINED = "skills_gained"
    BRING_BACK = "bring_back"
    HOME_ROLE_CHANGES = "home_role_changes"
    NEXT_STEP = "next_step"


class EarlyEndField(StrEnum):
    """The fields of the form that ends a secondment early."""

    REASON = "reason"
    NOTICE_WEEKS = "notice_weeks"


class ProposalField(StrEnum):
    """The fields of the form that proposes an extension or a permanent move."""

    END_DATE = "end_date"
    NOTE = "note"


class AwayField(StrEnum):
    """The fields of the time-away form."""

    FIRST_DAY = "first_day"
    LAST_DAY = "last_day"
    DELEGATE = "delegate"


class FollowUpField(StrEnum):
    """The fields of the small forms a button opens: a delegate, a reply, objectives, a note."""

    DELEGATE = "delegate"
    TEXT = "text"
    OBJECTIVES = "objectives"
    CHECK_IN_NOTE = "check_in_note"
    CHECK_IN_SHARE = "check_in_share"
