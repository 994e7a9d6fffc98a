"""Turning Slack payloads into typed values: slash-command text and submitted modal state."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.absences import AbsenceForm
from bot.domain.block_form import BlockForm
from bot.domain.conditions import ConditionsForm
from bot.domain.debriefs import DebriefForm
from bot.domain.report import BadFilter, FilterProblem, ReportFilter, check_range
from bot.domain.request_form import RequestForm
from bot.slack.ids import (
    AwayField,
    BlockField,
    ConditionsField,
    DebriefField,
    EarlyEndField,
    FollowUpField,
    ProposalField,
    RequestField,
)

# With "escape channels, users and links" on (see the manifest) a mention arrives as <@U123|name>.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")


@dataclass(frozen=True, slots=True)
class CommandLine:
    """A slash command's text: its subcommand and the rest."""

    subcommand: str
    argument: str


# What JSON can carry and a database cannot store: NUL (PostgreSQL's text refuses it) and a lone
# half of a surrogate pair (not UTF-8 at all). Typed text is kept, with these dropped or replaced.
_NUL = "\x00"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` as typed, without NUL characters and with any lone surrogate shown as U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text.replace(_NUL, ""))


def parse_command(text: str | None) -> CommandLine:
    """`/secondment` text as its subcommand (lower case) and argument."""
    words = clean(text or "").strip().split(maxsplit=1)
    if not words:
        return CommandLine("", "")
    return CommandLine(words[0].lower(), words[1].strip() if len(words) > 1 else "")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(text: str) -> date | None:
    """A YYYY-MM-DD date; date.fromisoformat alone would also take 20270104 and 2027-W01-1."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2027-02-30
        return None


def parse_report_filter(text: str) -> ReportFilter | BadFilter:
    """`[from YYYY-MM-DD] [to YYYY-MM-DD] [team <host team>]`: the dates in either order, the
    team last, since a team's name may have spaces."""
    words = text.split()
    given: dict[str, str] = {}
    while words:
        keyword = words.pop(0).lower()
        if keyword not in ("from", "to", "team"):
            return BadFilter(FilterProblem.UNKNOWN_WORD, keyword)
        if keyword in given:
            return BadFilter(FilterProblem.REPEATED, keyword)
        if not words:
            return BadFilter(FilterProblem.MISSING_VALUE, keyword)
        given[keyword] = " ".join(words) if keyword == "team" else words[0]
        words = [] if keyword == "team" else words[1:]
    dates: dict[str, date] = {}
    for keyword in ("from", "to"):
        if keyword in given:
            parsed = _iso_date(given[keyword])
            if parsed is None:
                return BadFilter(FilterProblem.NOT_A_DATE, given[keyword])
            dates[keyword] = parsed
    date_from, date_to = dates.get("from"), dates.get("to")
    team = given.get("team")
    # Slack sends &, < and > in command text as HTML entities.
    if team is not None:
        team = team.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return check_range(date_from, date_to) or ReportFilter(date_from, date_to, team)


def first_mention(text: str) -> str | None:
    """The Slack id of the first person mentioned in `text`, if any."""
    match = MENTION.search(text)
    return match.group(1) if match else None


def parse_number(text: str) -> int | None:
    """A request number as typed (`12` or `#12`); None for anything else, "²" included."""
    match = re.fullmatch(r"#?([0-9]{1,9})", text.strip())
    return int(match.group(1)) if match else None


def _element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = values.get(block_id)
    element = block.get(block_id) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}


def _text(values: dict[str, Any], block_id: str) -> str | None:
    element = _element(values, block_id)
    value = element.get("value")
    return clean(value) if isinstance(value, str) else None


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    option = _element(values, block_id).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None


def _chosen(values: dict[str, Any], block_id: str) -> list[str]:
    """The values of the options ticked in a checkbox group (none when it holds no list)."""
    options = _element(values, block_id).get("selected_options")
    if not isinstance(options, list):
        return []
    return [o["value"] for o in options if isinstance(o, dict) and isinstance(o.get("value"), str)]


def _date(values: dict[str, Any], block_id: str) -> date | None:
    raw = _element(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _user(values: dict[str, Any], block_id: str) -> str | None:
    value = _element(values, block_id).get("selected_user")
    return value if isinstance(value, str) else None


def parse_request_form(values: dict[str, Any]) -> RequestForm:
    """The request form's answers, as typed."""
    F = RequestField
    return RequestForm(
        home_manager_id=_user(values, F.HOME_MANAGER),
        host_manager_id=_user(values, F.HOST_MANAGER),
        kind=_selected(values, F.KIND),
        host_team=_text(values, F.HOST_TEAM),
        role_title=_text(values, F.ROLE_TITLE),
        responsibilities=_text(values, F.RESPONSIBILITIES),
        objectives=_text(values, F.OBJECTIVES),
        start_date=_date(values, F.START_DATE),
        end_date=_date(values, F.END_DATE),
        time_commitment=_text(values, F.TIME_COMMITMENT),
        reporting_line=_text(values, F.REPORTING_LINE),
        pay_and_benefits=_text(values, F.PAY_AND_BENEFITS),
        return_arrangement=_selected(values, F.RETURN_ARRANGEMENT),
        coverage_plan=_text(values, F.COVERAGE_PLAN),
        handover_weeks=_text(values, F.HANDOVER_WEEKS),
        check_in_weeks=_text(values, F.CHECK_IN_WEEKS),
        exception_reason=_text(values, F.EXCEPTION_REASON),
    )


def parse_change(values: dict[str, Any]) -> tuple[RequestForm, str | None]:
    """The employee's changed terms (a change has no manager fields) and their note."""
    note = (_text(values, RequestField.CHANGE_NOTE) or "").strip()
    return parse_request_form(values), note or None


def parse_conditions_form(values: dict[str, Any]) -> ConditionsForm:
    """The conditions form's answers, as typed."""
    F = ConditionsField
    return ConditionsForm(
        start_date=_date(values, F.START_DATE),
        handover_weeks=_text(values, F.HANDOVER_WEEKS),
        end_date=_date(values, F.END_DATE),
        time_commitment=_text(values, F.TIME_COMMITMENT),
        note=_text(values, F.NOTE),
    )


def parse_away_form(values: dict[str, Any]) -> AbsenceForm:
    """The time-away form's answers: its days and the delegate chosen."""
    return AbsenceForm(
        _date(values, AwayField.FIRST_DAY),
        _date(values, AwayField.LAST_DAY),
        _user(values, AwayField.DELEGATE),
    )


def parse_chosen_user(values: dict[str, Any]) -> str | None:
    """The person chosen in the delegate form, if any."""
    return _user(values, FollowUpField.DELEGATE)


def parse_objectives(values: dict[str, Any]) -> str:
    """The objectives as typed, trimmed."""
    return (_text(values, FollowUpField.OBJECTIVES) or "").strip()


def parse_check_in(values: dict[str, Any]) -> tuple[str | None, bool]:
    """The employee's optional note, and whether they share a summary with the home manager."""
    note = (_text(values, FollowUpField.CHECK_IN_NOTE) or "").strip() or None
    return note, "share" in _chosen(values, FollowUpField.CHECK_IN_SHARE)


def parse_debrief(values: dict[str, Any]) -> DebriefForm:
    """The debrief form's answers, as typed."""
    F = DebriefField
    return DebriefForm(
        achieved=_text(values, F.ACHIEVED),
        skills_gained=_text(values, F.SKILLS_GAINED),
        bring_back=_text(values, F.BRING_BACK),
        home_role_changes=_text(values, F.HOME_ROLE_CHANGES),
        next_step=_text(values, F.NEXT_STEP),
    )


def parse_early_end(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """The early-end form's reason and notice in weeks, as typed."""
    return _text(values, EarlyEndField.REASON), _text(values, EarlyEndField.NOTICE_WEEKS)


def parse_proposal(values: dict[str, Any]) -> tuple[date | None, str | None, str | None]:
    """The new end date (absent on a permanent move), the note of a proposal, and why HR
    should allow an extension outside its rules."""
    return (
        _date(values, ProposalField.END_DATE),
        _text(values, ProposalField.NOTE),
        _text(values, RequestField.EXCEPTION_REASON),
    )


def parse_text(values: dict[str, Any]) -> str:
    """A note form's text, trimmed."""
    return (_text(values, FollowUpField.TEXT) or "").strip()


def parse_block_form(values: dict[str, Any]) -> BlockForm:
    """The block form's answers: the reason, the words and the conditions chosen."""
    return BlockForm(
        reason=_selected(values, BlockField.REASON),
        explanation=_text(values, BlockField.EXPLANATION),
        conditions=tuple(_chosen(values, BlockField.CONDITIONS)),
        conditions_note=_text(values, BlockField.CONDITIONS_NOTE),
    )


@dataclass(frozen=True, slots=True)
class RevokedTokens:
    """Slack's word that tokens were revoked: whose user tokens, and whether the bot's."""

    user_ids: list[str]
    bot: bool


def parse_revoked_tokens(event: dict[str, Any]) -> RevokedTokens:
    """`tokens_revoked`: whose user tokens went, and whether the bot's did."""
    tokens = event.get("tokens")
    tokens = tokens if isinstance(tokens, dict) else {}
    oauth = tokens.get("oauth")
    user_ids = [u for u in oauth if isinstance(u, str)] if isinstance(oauth, list) else []
    return RevokedTokens(user_ids, bool(tokens.get("bot")))


def parse_deactivated(event: dict[str, Any]) -> str | None:
    """The Slack id of the member a `user_change` event says is deactivated; None for any other
    change."""
    user = event.get("user")
    if not isinstance(user, dict) or user.get("deleted") is not True:
        return None
    person = user.get("id")
    return person if isinstance(person, str) and MEMBER_ID.fullmatch(person) else None
