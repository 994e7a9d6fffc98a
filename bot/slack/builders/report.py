"""HR's report: the message with the figures, the CSV with one row per secondment, and the
usage reply for a filter the bot cannot read. Pure: they render a bot.domain.report.Report.

The message has a fixed number of blocks and fields whatever the number of secondments (about a
dozen blocks, at most eight fields a section), and the only text a person typed in it, the team
filter, is escaped and cut, so it stays within Slack's limits.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, SectionBlock

from bot.domain.counts import count_of
from bot.domain.report import BadFilter, CheckIns, FilterProblem, Report, ReportFilter, Spread
from bot.domain.states import Side
from bot.slack.builders.messages import Message
from bot.slack.builders.text import day, escape, md, plain

USAGE = (
    "`/secondment report [from YYYY-MM-DD] [to YYYY-MM-DD] [team &lt;host team&gt;]` — for HR: "
    "figures on the secondment requests made in those dates (UTC, both days included) whose "
    "host team contains that text, as a message here and a CSV in your DMs with me. "
    "Each part is optional; `team` comes last. "
    "Example: `/secondment report from 2027-01-01 to 2027-03-31 team data platform`"
)
TEAM_ROOM = 150  # the team filter, escaped, as shown back

FOOTNOTE = (
    "*How these are counted.* Requests made in the date range (UTC days); host team of the "
    "terms in force. *Block rate:* requests blocked at least once before the start; blocks by "
    "reason count each block on a request. *Time to first decision:* from the request being "
    "made to that side's first approve or block, on any version of the terms, in hours of "
    "elapsed time; sides with no decision are left out. *Term length:* start to end date of "
    "the terms in force, both days counted, for secondments approved or later. *Extended:* at "
    "least one extension agreed. *Check-ins:* regular check-ins only; missed means never "
    "answered; the answered rate is answered / (answered + missed)."
)

CSV_COLUMNS = (
    "id",
    "status",
    "host_team",
    "role",
    "requested_at_utc",
    "start_date",
    "end_date",
    "days",
    "outcome",
    "extended",
    "hours_to_home_decision",
    "hours_to_host_decision",
    "blocks",
    "block_reasons",
    "proposal_blocks",
    "check_ins_answered",
    "check_ins_missed",
    "check_ins_concerns",
    "check_ins_need_help",
    "hr_exceptions_asked",
    "hr_exceptions_granted",
    "hr_exceptions_refused",
)
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): such a
# cell gets a leading apostrophe, which spreadsheets show as text and do not display.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    shown = f"{value:,.1f}".removesuffix(".0")
    return f"{shown}{unit}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _secondments(count: int) -> str:
    return count_of(count, "secondment")


def describe_filter(wanted: ReportFilter) -> str:
    """The filter in words, as mrkdwn (the team text escaped)."""
    parts = []
    if wanted.date_from and wanted.date_to:
        parts.append(f"Requests made {day(wanted.date_from)} to {day(wanted.date_to)}")
    elif wanted.date_from:
        parts.append(f"Requests made on or after {day(wanted.date_from)}")
    elif wanted.date_to:
        parts.append(f"Requests made up to {day(wanted.date_to)}")
    else:
        parts.append("All requests")
    if wanted.team:
        parts.append(f"host team containing “{escape(wanted.team, TEAM_ROOM)}”")
    return ", ".join(parts)


def _section(title: str, fields: list[str], text: str = "") -> SectionBlock:
    return SectionBlock(
        text=md(f"*{title}*" + (f"\n{text}" if text else "")),
        fields=[md(f) for f in fields] if fields else None,
    )


def _decision_field(side: Side, figures: Spread, total: int) -> str:
    return (
        f"{side.role.capitalize()}: median *{_number(figures.median, ' h')}*\n"
        f"{figures.count:,} decided, {total - figures.count:,} with no decision"
    )


def _check_in_fields(check_ins: CheckIns) -> list[str]:
    return [
        f"Answered: *{check_ins.answered:,}*",
        f"Missed: *{check_ins.missed:,}*",
        f"Some concerns: *{check_ins.concerns:,}*",
        f"Need help: *{check_ins.need_help:,}*",
        f"Answered rate: *{_percent(check_ins.answered_rate)}*",
    ]


def build_report(report: Report, *, upload_error: str | None) -> Message:
    """The figures; `upload_error` is Slack's error when the CSV could not be sent."""
    total, days, outcomes = report.total, report.term_days, report.outcomes
    blocks: list[Block] = [
        HeaderBlock(text=plain("Secondment report")),
        ContextBlock(
            elements=[
                md(
                    f"{describe_filter(report.wanted)}: *{_secondments(total)}* · generated "
                    f"{report.generated_at:%Y-%m-%d %H:%M} UTC"
                )
            ]
        ),
        _section("By status", [f"{s.label}: *{n:,}*" for s, n in report.by_status.items()]),
        _section(
            "Blocks",
            [f"{reason.label}: *{n:,}*" for reason, n in report.blocks_by_reason.items()],
            f"Block rate *{_percent(report.block_rate)}*: {report.blocked_requests:,} of "
            f"{count_of(total, 'request')} blocked at least once. Blocks of end-of-term proposals: "
            f"{report.proposal_blocks:,}. By reason:",
        ),
        _section(
            "Time to first decision",
            [_decision_field(s, report.hours_to_decision[s], total) for s in Side],
        ),
        _section(
            "Term length (approved or later)",
            [],
            f"Median *{_number(days.median, ' days')}*, shortest {_number(days.minimum)}, "
            f"longest {_number(days.maximum)}, over {_secondments(days.count)}.",
        ),
        _section(
            "Outcomes",
            [
                f"Returned: *{outcomes.returned:,}*",
                f"Extended: *{outcomes.extended:,}*",
                f"Moved permanently: *{outcomes.permanent:,}*",
                f"Ended early: *{outcomes.ended_early:,}*",
            ],
        ),
        _section("Check-ins", _check_in_fields(report.check_ins)),
        _section(
            "Exceptions to HR's rules",
            [
                f"Asked: *{report.exceptions.asked:,}*",
                f"Granted: *{report.exceptions.granted:,}*",
                f"Refused: *{report.exceptions.refused:,}*",
            ],
        ),
        ContextBlock(elements=[md(FOOTNOTE)]),
    ]
    if upload_error is None:
        note = "The CSV, one row per secondment, is in your DMs with me."
    else:
        note = (
            f":warning: I couldn't upload the CSV to your DMs (Slack said "
            f"`{escape(upload_error, 100)}`). The report above still stands; run the command "
            "again to try the CSV once more."
        )
    blocks.append(SectionBlock(text=md(note)))
    return Message(text=f"Secondment report: {_secondments(total)}", blocks=blocks)


_PROBLEMS = {
    FilterProblem.UNKNOWN_WORD: "I don't know `{word}` here.",
    FilterProblem.MISSING_VALUE: "`{word}` needs a value after it.",
    FilterProblem.REPEATED: "`{word}` is given twice.",
    FilterProblem.NOT_A_DATE: "`{word}` is not a date; write it as YYYY-MM-DD.",
    FilterProblem.FROM_AFTER_TO: "`{word}` is backwards: `from` must be on or before `to`.",
}


def build_report_usage(bad: BadFilter) -> Message:
    """What is wrong with the filter HR typed, and how to write one."""
    problem = _PROBLEMS[bad.problem].format(word=escape(bad.word, 60).replace("`", "'"))
    text = f"{problem}\n{USAGE}"
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def report_filename(report: Report) -> str:
    """The report's CSV file name, dated the day it was made."""
    return f"secondment-report-{report.generated_at:%Y-%m-%d}.csv"


def report_comment(report: Report) -> str:
    """The words that come with the report's CSV file."""
    return (
        f"The secondment report as CSV, one row per secondment. {describe_filter(report.wanted)}."
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _utc(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def build_report_csv(report: Report) -> str:
    """One row per secondment, in id order, under a header row of CSV_COLUMNS."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in report.lines:
        request, check_ins = line.request, line.check_ins
        row = (
            request.id,
            request.status.value,
            request.host_team,
            request.role_title,
            _utc(request.requested_at),
            request.start_date.isoformat(),
            request.end_date.isoformat(),
            request.days,
            request.outcome.value if request.outcome else "",
            "yes" if line.extended else "no",
            _hours(line.hours_to_decision[Side.HOME]),
            _hours(line.hours_to_decision[Side.HOST]),
            line.request_blocks,
            " ".join(reason.value for reason in line.block_reasons),
            line.proposal_blocks,
            check_ins.answered,
            check_ins.missed,
            check_ins.concerns,
            check_ins.need_help,
            request.exceptions_asked,
            request.exceptions_granted,
            request.exceptions_refused,
        )
        writer.writerow(_cell(value) for value in row)
    return out.getvalue()
