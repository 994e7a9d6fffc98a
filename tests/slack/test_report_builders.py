"""The report's pure parts in the Slack layer: reading the filter HR types, the message within
Slack's limits, and a CSV no spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.models.blocks import SectionBlock

from bot.domain.block_reasons import BlockReason
from bot.domain.report import (
    BadFilter,
    CheckIns,
    DecisionRow,
    FilterProblem,
    Report,
    ReportFilter,
    RequestRow,
    compile_report,
)
from bot.domain.states import EndOutcome, Outcome, Side, Status
from bot.slack.builders.report import (
    CSV_COLUMNS,
    USAGE,
    build_report,
    build_report_csv,
    build_report_usage,
    report_comment,
    report_filename,
)
from bot.slack.parsing import parse_report_filter

T0 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
NOW = datetime(2027, 6, 1, 8, 30, tzinfo=UTC)


def row(number: int, host_team: str = "Data Platform", role: str = "Analyst") -> RequestRow:
    return RequestRow(
        number,
        Status.ACTIVE,
        EndOutcome.PERMANENT,
        T0,
        T0 + timedelta(days=20),
        1,
        host_team,
        role,
        date(2027, 2, 1),
        date(2027, 7, 30),
    )


def report_of(requests: list[RequestRow], wanted: ReportFilter | None = None) -> Report:
    decisions = [
        DecisionRow(r.id, Side.HOME, Outcome.BLOCKED, BlockReason.COVER, T0 + timedelta(hours=5))
        for r in requests
    ] + [
        DecisionRow(r.id, Side.HOST, Outcome.APPROVED, None, T0 + timedelta(hours=1.25))
        for r in requests
    ]
    check_ins = {r.id: CheckIns(answered=2, missed=1, concerns=1, need_help=0) for r in requests}
    return compile_report(wanted or ReportFilter(), NOW, requests, decisions, check_ins)


# --- the filter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ReportFilter()),
        ("from 2027-01-01", ReportFilter(date_from=date(2027, 1, 1))),
        ("to 2027-03-31 FROM 2027-01-01", ReportFilter(date(2027, 1, 1), date(2027, 3, 31))),
        ("from 2027-01-01 to 2027-01-01", ReportFilter(date(2027, 1, 1), date(2027, 1, 1))),
        ("team  Data   Platform ", ReportFilter(team="Data Platform")),
        (
            "from 2027-01-01 team R&amp;D &lt;east&gt; to",
            ReportFilter(date_from=date(2027, 1, 1), team="R&D <east> to"),
        ),
    ],
)
def test_the_filter_is_read_from_the_command(text: str, expected: ReportFilter) -> None:
    assert parse_report_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("since 2027-01-01", BadFilter(FilterProblem.UNKNOWN_WORD, "since")),
        ("from", BadFilter(FilterProblem.MISSING_VALUE, "from")),
        ("team", BadFilter(FilterProblem.MISSING_VALUE, "team")),
        ("from 2027-01-01 from 2027-02-01", BadFilter(FilterProblem.REPEATED, "from")),
        ("from 2027-02-30", BadFilter(FilterProblem.NOT_A_DATE, "2027-02-30")),
        ("to 20270101", BadFilter(FilterProblem.NOT_A_DATE, "20270101")),
        ("to 2027-W01-1", BadFilter(FilterProblem.NOT_A_DATE, "2027-W01-1")),
        ("from 1/2/2027", BadFilter(FilterProblem.NOT_A_DATE, "1/2/2027")),
        (
            "from 2027-03-01 to 2027-02-28",
            BadFilter(FilterProblem.FROM_AFTER_TO, "from 2027-03-01 to 2027-02-28"),
        ),
    ],
)
def test_a_filter_that_cannot_be_read_says_what_is_wrong(text: str, expected: BadFilter) -> None:
    assert parse_report_filter(text) == expected


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (BadFilter(FilterProblem.UNKNOWN_WORD, "since"), "I don't know `since` here."),
        (BadFilter(FilterProblem.MISSING_VALUE, "team"), "`team` needs a value after it."),
        (BadFilter(FilterProblem.REPEATED, "to"), "`to` is given twice."),
        (BadFilter(FilterProblem.NOT_A_DATE, "2027-02-30"), "`2027-02-30` is not a date"),
        (
            BadFilter(FilterProblem.FROM_AFTER_TO, "from 2027-03-01 to 2027-02-28"),
            "`from 2027-03-01 to 2027-02-28` is backwards: `from` must be on or before `to`.",
        ),
        (BadFilter(FilterProblem.UNKNOWN_WORD, "<!here>`"), "I don't know `&lt;!here&gt;'` here."),
    ],
)
def test_the_usage_reply_names_the_problem_and_the_syntax(bad: BadFilter, says: str) -> None:
    message = build_report_usage(bad)

    assert message.text.startswith(says)
    assert USAGE in message.text
    for block in message.blocks:
        block.validate_json()


# --- the message --------------------------------------------------------------------------------


def test_the_message_shows_every_figure() -> None:
    report = report_of([row(1), row(2)], ReportFilter(date(2027, 1, 1), date(2027, 1, 31), "data"))

    message = build_report(report, upload_error=None)

    text = "\n".join(str(b.to_dict()) for b in message.blocks)
    for expected in (
        "Requests made Fri 1 Jan 2027 to Sun 31 Jan 2027, host team containing “data”: "
        "*2 secondments*",
        "Active: *2*",
        "Awaiting decisions: *0*",
        "Block rate *100.0%*: 2 of 2 requests blocked at least once",
        "Cover or backfill: *2*",
        "Home manager: median *5 h*",
        "Host manager: median *1.2 h*",
        "Median *180 days*, shortest 180, longest 180, over 2 secondments.",
        "Moved permanently: *2*",
        "Extended: *2*",
        "Answered rate: *66.7%*",
        "The CSV, one row per secondment, is in your DMs with me.",
    ):
        assert expected in text, expected
    assert message.text == "Secondment report: 2 secondments"


def test_a_failed_upload_is_said_and_the_figures_stay() -> None:
    message = build_report(report_of([row(1)]), upload_error="not_in_channel")

    last = message.blocks[-1]
    assert isinstance(last, SectionBlock) and last.text is not None
    assert "couldn't upload the CSV" in last.text.text and "`not_in_channel`" in last.text.text
    assert "The report above still stands" in last.text.text
    assert "Block rate *100.0%*" in str(message.blocks[3].to_dict())


def test_the_message_fits_slacks_limits_with_a_long_hostile_team_filter() -> None:
    wanted = ReportFilter(team="<!channel> & " * 300)
    report = report_of([row(n) for n in range(1, 1001)], wanted)

    message = build_report(report, upload_error="x" * 500)

    assert len(message.blocks) <= 50
    for block in message.blocks:
        block.validate_json()  # section text <= 3,000, <= 10 fields of <= 2,000 each
        if isinstance(block, SectionBlock) and block.fields:
            assert len(block.fields) <= 10
    assert "<!channel>" not in str([b.to_dict() for b in message.blocks])
    assert "<!channel>" not in report_comment(report)


def test_an_empty_report_shows_dashes_not_numbers() -> None:
    message = build_report(report_of([]), upload_error=None)

    text = str([b.to_dict() for b in message.blocks])
    assert "All requests: *0 secondments*" in text
    assert "Block rate *—*" in text and "median *—*" in text and "Answered rate: *—*" in text


# --- the CSV ------------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_secondment_with_the_key_columns() -> None:
    report = report_of([row(1), replace(row(2), outcome=None, extensions=0)])

    rows = list(csv.DictReader(io.StringIO(build_report_csv(report))))

    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0] == {
        "id": "1",
        "status": "active",
        "host_team": "Data Platform",
        "role": "Analyst",
        "requested_at_utc": "2027-01-04 10:00",
        "start_date": "2027-02-01",
        "end_date": "2027-07-30",
        "days": "180",
        "outcome": "permanent",
        "extended": "yes",
        "hours_to_home_decision": "5.0",
        "hours_to_host_decision": "1.2",
        "blocks": "1",
        "block_reasons": "cover",
        "proposal_blocks": "0",
        "check_ins_answered": "2",
        "check_ins_missed": "1",
        "check_ins_concerns": "1",
        "check_ins_need_help": "0",
        "hr_exceptions_asked": "0",
        "hr_exceptions_granted": "0",
        "hr_exceptions_refused": "0",
    }
    assert (rows[1]["id"], rows[1]["outcome"], rows[1]["extended"]) == ("2", "", "no")
    assert len(rows) == 2
    assert report_filename(report) == "secondment-report-2027-06-01.csv"


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Data = science", "Data = science"),
        ('R&D, "east"', 'R&D, "east"'),
    ],
)
def test_no_cell_can_start_a_formula(typed: str, cell: str) -> None:
    report = report_of([row(1, host_team=typed, role=typed)])

    (_, line) = list(csv.reader(io.StringIO(build_report_csv(report))))

    assert line[2] == line[3] == cell
