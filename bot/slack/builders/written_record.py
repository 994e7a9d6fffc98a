"""The written record of one secondment as a readable Markdown document, and the reply that
says where it went. Pure: it renders what bot.services.written_record loaded, nothing more.

People appear by their Slack id (the document is read outside Slack, where a mention would
not resolve); dates and times are in UTC and say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime

from slack_sdk.models.blocks import SectionBlock

from bot.domain.block_reasons import BlockReason, Condition
from bot.domain.kinds import FOLLOW_UP_SEQUENCE, CheckInAnswer
from bot.domain.record import SecondmentRecord
from bot.domain.states import SideState, Status
from bot.domain.terms import ReturnArrangement, Terms
from bot.services.written_record import WrittenRecord
from bot.slack.builders.messages import Message
from bot.slack.builders.terms import LABELS, value_text
from bot.slack.builders.text import md

LONG_TEXTS = ("responsibilities", "objectives", "coverage_plan")


@dataclass(frozen=True, slots=True)
class Document:
    """A file to upload: its name, its title in Slack, and what it holds."""

    filename: str
    title: str
    content: str


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _plain(text: str | None) -> str:
    """User text as a Markdown block quote, so nothing typed can become a heading or a list."""
    if not text:
        return "> —"
    return "\n".join(f"> {line}" for line in text.splitlines())


def _terms(terms: Terms) -> list[str]:
    lines = []
    for field in fields(Terms):
        value = getattr(terms, field.name)
        label = f"- **{LABELS[field.name]}:**"
        if type(value) is not str:  # dates, numbers, choices: as the thread shows them
            lines.append(f"{label} {value_text(field.name, value)}")
        elif field.name in LONG_TEXTS:
            lines += [label, _indent(_plain(value))]
        else:
            lines.append(f"{label} {value}")
    return lines


def build_written_record(written: WrittenRecord, generated_at: datetime) -> Document:
    """The written record of one secondment, as a Markdown document."""
    record = written.record
    out: list[str] = [
        f"# Secondment #{record.id}: the written record",
        "",
        f"- **Employee:** {record.employee_id}",
        f"- **Home manager:** {record.home.manager_id}",
        f"- **Host manager:** {record.host.manager_id}",
        f"- **Status:** {record.status.label}",
        f"- **Outcome:** {record.outcome.label if record.outcome else '—'}",
        f"- **Terms in force:** version {record.terms_version}",
        *_exception_line(record),
        f"- **Requested:** {_when(record.created_at)}",
        f"- **Exported:** {_when(generated_at)} for {written.viewer_id}",
        "",
        "## The terms, every version",
    ]
    for entry in written.versions:
        out += [
            "",
            f"### Version {entry.version}, written by {entry.created_by} on "
            f"{_when(entry.created_at)}",
        ]
        if entry.change_note:
            # A permanent move's note is its arrangement in writing, not a reason.
            permanent = entry.terms.return_arrangement is ReturnArrangement.PERMANENT_MOVE
            out += ["", "The arrangement:" if permanent else "Why:", _plain(entry.change_note)]
        if entry.exception_rules and entry.exception_reason:
            out += [
                "",
                f"Outside HR's rules: {entry.exception_rules}",  # the bot's own words
                "",
                "Exception asked of HR, because:",
                _plain(entry.exception_reason),
            ]
        out += ["", *_terms(entry.terms)]
    out += ["", "## Decisions"]
    if not written.decisions:
        out += ["", "None yet."]
    for decision in written.decisions:
        behalf = f" on behalf of {decision.on_behalf_of}" if decision.on_behalf_of else ""
        out += [
            "",
            f"- {_when(decision.created_at)}: **{decision.side}** side, version "
            f"{decision.terms_version}: **{decision.outcome}** ({decision.kind}) by "
            f"{decision.decided_by}{behalf}",
        ]
        if decision.reason:
            out.append(f"  - Reason: {BlockReason(decision.reason).label}")
        if decision.explanation:
            label = "Explanation" if decision.reason else "Justification"
            out += [f"  - {label}:", _indent(_plain(decision.explanation))]
        if decision.conditions:
            wanted = ", ".join(Condition(c).label for c in decision.conditions)
            out.append(f"  - Would work with: {wanted}")
        if decision.conditions_note:
            out += ["  - Conditions note:", _indent(_plain(decision.conditions_note))]
    out += ["", "## Notes in the thread"]
    if not written.notes:
        out += ["", "None."]
    for note in written.notes:
        out += ["", f"- {note.kind} by {note.author_id}:", _indent(_plain(note.text))]
    out += ["", "## Escalations to HR"]
    if not written.escalations:
        out += ["", "None."]
    for escalation in written.escalations:
        who = escalation.raised_by or "the bot"
        resolved = _when(escalation.resolved_at) if escalation.resolved_at else "open"
        out += [
            "",
            f"- {_when(escalation.created_at)}: {escalation.kind} raised by {who} "
            f"(version {escalation.terms_version}); resolved: {resolved}",
        ]
        if escalation.message:
            out.append(_indent(_plain(escalation.message)))
    out += ["", "## Objectives agreed at the start"]
    objectives = record.objectives
    if objectives is None:
        out += ["", "Not recorded."]
    else:
        out += [
            "",
            f"Recorded by {objectives.set_by} on {_when(objectives.set_at)}:",
            _plain(objectives.text),
        ]
    out += ["", "## Check-ins"]
    if not written.check_ins:
        out += ["", "None yet."]
    for check_in in written.check_ins:
        name = (
            "Follow-up after the return"
            if check_in.sequence == FOLLOW_UP_SEQUENCE
            else (f"Check-in {check_in.sequence}")
        )
        if check_in.answer:
            state = (
                f"{CheckInAnswer(check_in.answer).label}, answered {_when(check_in.answered_at)}"
            )
        elif check_in.missed_at:
            state = f"missed ({_when(check_in.missed_at)})"
        else:
            state = "not answered yet"
        out += ["", f"- {name}: {state}"]
        if check_in.note:
            out.append(_indent(_plain(check_in.note)))
        elif check_in.note_withheld:
            out.append("  - (The employee's note was not shared with you.)")
    out += ["", "## Return debrief"]
    debrief = written.debrief
    if debrief is None:
        out += ["", "Not recorded yet."]
    else:
        out += ["", f"Recorded by {debrief.recorded_by} on {_when(debrief.recorded_at)}."]
        for label, text in (
            ("What was achieved", debrief.achieved),
            ("Skills gained", debrief.skills_gained),
            ("What to bring back", debrief.bring_back),
            ("What the home role should change", debrief.home_role_changes),
            ("The next step the employee wants", debrief.next_step),
        ):
            out += ["", f"**{label}**", _plain(text)]
    out += [
        "",
        "## Audit trail",
        "",
        "| When (UTC) | Who | What | Version | Detail |",
        "|---|---|---|---|---|",
    ]
    for event in written.audit:
        detail = json.dumps(event.detail, ensure_ascii=False, sort_keys=True, default=str)
        out.append(
            f"| {_when(event.at)} | {event.actor_id} | {event.action} | "
            f"{event.terms_version or '—'} | {_cell(detail)} |"
        )
    return Document(
        filename=f"secondment-{record.id}-record.md",
        title=f"Secondment #{record.id}: the written record",
        content="\n".join(out) + "\n",
    )


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def _cell(text: str) -> str:
    """A table cell: one line, and no pipe to end the cell early."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _exception_line(record: SecondmentRecord) -> list[str]:
    """HR's decision on the exception asked with the terms being decided, if one was."""
    exception = record.exception
    if exception is None:
        return []
    if exception.state is SideState.PENDING:
        if record.status is Status.WITHDRAWN:
            return ["- **HR's exception to its rules:** asked; no decision needed (withdrawn)"]
        return ["- **HR's exception to its rules:** asked, awaiting HR's decision"]
    verb = "granted" if exception.state is SideState.APPROVED else "refused"
    line = f"- **HR's exception to its rules:** {verb} by {exception.decided_by} on "
    line += _when(exception.decided_at)
    if exception.note:
        line += f": {_plain(exception.note)}"
    return [line]


def build_export_sent(record_id: int) -> Message:
    """The reply once the written record is in the person's DM."""
    text = (
        f"📄 The written record of secondment #{record_id} is in your direct messages with me: "
        "every version of the terms, the decisions and their reasons, the check-ins, the "
        "debrief and the audit trail."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_export_failed(record_id: int, error: str) -> Message:
    """The reply when the written record could not be uploaded."""
    text = (
        f"I couldn't upload the written record of secondment #{record_id} ({error}). Nothing "
        "has changed; please try `/secondment export` again in a moment."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])
