"""The pure Block Kit builders: a stored `SecondmentRecord` or a refusal in, a message or view out.

Every built message and view goes through `check_message` / `check_view`, which serialise it with
slack_sdk (its models enforce most of Slack's limits on `to_dict()`) and check the limits it does
not: the block count, section field length and a non-empty `text` fallback. Records are built
directly for each state of the approval thread: pending, one side approved, blocked, approved.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.domain.block_reasons import (
    CONDITIONS_NOTE_MAX,
    EXPLANATION_MAX,
    BlockDetails,
    BlockReason,
    Condition,
)
from bot.domain.checkins import CheckInAnswered
from bot.domain.decisions import DecisionMade, DecisionRef
from bot.domain.errors import (
    AfterEndDate,
    AlreadyAnswered,
    AlreadyDecided,
    AlreadyEscalated,
    AlreadyStarted,
    EndSettled,
    ExceptionAlreadyDecided,
    HrNotConfigured,
    NoLongerPending,
    NotBlocked,
    NotFound,
    NotUnderway,
    NotYourSide,
    OnlyHr,
    OnlyThesePeople,
    OverrideNotAllowed,
    PartOfTheRequest,
    ProposalOpen,
    Refusal,
    StillOpen,
    TermsChanged,
    TooEarly,
    UnreadableReference,
)
from bot.domain.hr_rules import HrRules
from bot.domain.kinds import CheckInAnswer, EscalationKind
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.record import (
    DecisionInfo,
    Proposal,
    ReturnConfirmed,
    SecondmentRecord,
    SideRecord,
)
from bot.domain.request_form import RequestForm, validate_request
from bot.domain.states import (
    DecisionKind,
    EndOutcome,
    Outcome,
    ProposalKind,
    Side,
    SideState,
    Status,
)
from bot.domain.terms import (
    LONG_TEXT_MAX,
    MAX_HANDOVER_WEEKS,
    MAX_TIME_COMMITMENT,
    MEDIUM_TEXT_MAX,
    MIN_TIME_COMMITMENT,
    SHORT_TEXT_MAX,
    Kind,
    ReturnArrangement,
    Terms,
)
from bot.slack.builders.block_modal import build_block_modal
from bot.slack.builders.checkins import build_check_in_thanks
from bot.slack.builders.end_of_term import (
    build_end_decision_ask,
    build_extension_modal,
    build_permanent_modal,
)
from bot.slack.builders.messages import Message
from bot.slack.builders.refusals import build_refusal, build_refusal_view
from bot.slack.builders.replies import build_help, build_request_confirmation, build_thread_failed
from bot.slack.builders.request_modal import build_request_modal
from bot.slack.builders.status import build_list, build_status
from bot.slack.builders.thread import (
    build_approved_announcement,
    build_decision_reply,
    build_request_message,
)
from bot.slack.ids import Action, BlockField, Callback, RequestField
from tests.support.samples import TERMS

EMPLOYEE, HOME, HOST, OUTSIDER = "UEMPLOYEE", "UHOME", "UHOST", "UOUTSIDER"
CREATED = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
HOME_DECIDED = CREATED + timedelta(hours=2)
HOST_DECIDED = CREATED + timedelta(days=1)
THREAD_URL = "https://example.slack.com/archives/C1/p1800000000000001"

BLOCK = BlockDetails(
    reason=BlockReason.COVER,
    explanation="We have no cover for the on-call rota until March.",
    conditions=(Condition.LATER_START, Condition.HANDOVER),
    conditions_note="Start on 1 March after a four-week handover.",
)


# --- records in every state -------------------------------------------------------------------


def side(
    which: Side,
    state: SideState = SideState.PENDING,
    *,
    at: datetime | None = None,
    block: BlockDetails | None = None,
) -> SideRecord:
    manager = HOME if which is Side.HOME else HOST
    decided = state is not SideState.PENDING
    return SideRecord(
        side=which,
        manager_id=manager,
        delegate_id=None,
        state=state,
        decided_by=manager if decided else None,
        decided_at=(at or CREATED) if decided else None,
        decision=DecisionInfo(DecisionKind.DECIDED, manager, None, block) if decided else None,
    )


def record(
    status: Status = Status.PENDING,
    home: SideRecord | None = None,
    host: SideRecord | None = None,
    *,
    terms: Terms = TERMS,
    number: int = 7,
    version: int = 3,
    notes: tuple[str, ...] = (),
    thread_url: str | None = THREAD_URL,
) -> SecondmentRecord:
    return SecondmentRecord(
        id=number,
        team_id="T1",
        employee_id=EMPLOYEE,
        status=status,
        terms_version=version,
        terms=terms,
        home=home or side(Side.HOME),
        host=host or side(Side.HOST),
        notes=notes,
        round=1,
        round_started_at=CREATED,
        open_escalations=(),
        objectives=None,
        check_in_weeks=2,
        check_ins=(),
        outcome=None,
        proposal=None,
        return_confirmed=None,
        channel_id="C1",
        thread_ts="1800000000.000001",
        thread_url=thread_url,
        created_at=CREATED,
    )


def pending(**kwargs: Any) -> SecondmentRecord:
    return record(Status.PENDING, **kwargs)


def home_approved(**kwargs: Any) -> SecondmentRecord:
    home = side(Side.HOME, SideState.APPROVED, at=HOME_DECIDED)
    return record(Status.PENDING, home, **kwargs)


def blocked(block: BlockDetails = BLOCK, **kwargs: Any) -> SecondmentRecord:
    home = side(Side.HOME, SideState.BLOCKED, at=HOME_DECIDED, block=block)
    return record(Status.BLOCKED, home, **kwargs)


def approved(**kwargs: Any) -> SecondmentRecord:
    home = side(Side.HOME, SideState.APPROVED, at=HOME_DECIDED)
    host = side(Side.HOST, SideState.APPROVED, at=HOST_DECIDED)
    return record(Status.APPROVED, home, host, **kwargs)


def proposing(kind: ProposalKind = ProposalKind.EXTEND, **kwargs: Any) -> SecondmentRecord:
    """Active, with a proposal from the host manager (who so approves their side)."""
    base = record(Status.ACTIVE)
    new_terms = (
        dataclasses.replace(base.terms, end_date=date(2028, 3, 31))
        if kind is ProposalKind.EXTEND
        else dataclasses.replace(base.terms, return_arrangement=ReturnArrangement.PERMANENT_MOVE)
    )
    host = dataclasses.replace(
        side(Side.HOST, SideState.APPROVED, at=HOST_DECIDED),
        decision=DecisionInfo(DecisionKind.PROPOSED, HOST, None, None),
    )
    proposal = Proposal(kind, 5, new_terms, HOST, "The launch moved.", ("A policy note.",))
    rec = record(Status.PROPOSAL_PENDING, None, host, **kwargs)
    return dataclasses.replace(rec, proposal=proposal)


def proposal_blocked(**kwargs: Any) -> SecondmentRecord:
    rec = proposing(**kwargs)
    home = side(Side.HOME, SideState.BLOCKED, at=HOME_DECIDED, block=BLOCK)
    return dataclasses.replace(rec, status=Status.PROPOSAL_BLOCKED, home=home)


def active(**kwargs: Any) -> SecondmentRecord:
    return dataclasses.replace(approved(**kwargs), status=Status.ACTIVE)


STATES = {
    "pending": pending,
    "home_approved": home_approved,
    "blocked": blocked,
    "approved": approved,
    "active": active,
    "proposal_pending": proposing,
    "proposal_blocked": proposal_blocked,
}


# --- checks shared by every builder -----------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _check_limits(blocks: list[dict[str, Any]]) -> None:
    """Slack's limits that slack_sdk's models do not check when serialising."""
    for block in blocks:
        if block["type"] == "section":
            assert "text" in block or "fields" in block
            assert len(block.get("text", {}).get("text", "")) <= 3000
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        for node in _walk(block):
            if node.get("type") in {"mrkdwn", "plain_text"}:
                assert node["text"], f"empty text object in {block}"


def check_message(message: Message) -> list[dict[str, Any]]:
    """Serialise a message as it is sent and check it against Slack's limits."""
    assert message.text.strip(), "every message needs a text fallback"
    assert len(message.blocks) <= 50
    blocks = [b.to_dict() for b in message.blocks]
    _check_limits(blocks)
    assert message.as_kwargs() == {"text": message.text, "blocks": blocks}
    return blocks


def check_view(view: View) -> dict[str, Any]:
    built = view.to_dict()
    assert built["type"] == "modal"
    assert 0 < len(built["blocks"]) <= 100
    _check_limits(built["blocks"])
    return built


def all_text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(
        node["text"]
        for node in _walk(blocks)
        if node.get("type") in {"mrkdwn", "plain_text"} and isinstance(node.get("text"), str)
    )


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def decision_buttons(blocks: list[dict[str, Any]], which: Side) -> dict[str, dict[str, Any]]:
    """The buttons of one side's undecided decision, by action_id."""
    return block_buttons(blocks, f"decide_{which.value}")


def block_buttons(blocks: list[dict[str, Any]], block_id: str) -> dict[str, dict[str, Any]]:
    found = [b for b in blocks if b.get("block_id") == block_id]
    return {e["action_id"]: e for block in found for e in block["elements"]}


SIDE_ACTIONS = {Action.APPROVE, Action.BLOCK, Action.CONDITIONS, Action.DELEGATE}
EMPLOYEE_ACTIONS = {Action.PROPOSE_CHANGE, Action.WITHDRAW}


def side_text(blocks: list[dict[str, Any]], which: Side) -> str:
    """What the message says about one side: the section naming the role in bold, and the
    sections after it (the reason of a block) up to the next side or non-section block."""
    labels = {side: f"*{side.role.capitalize()}*" for side in Side}
    sections = [
        b["text"]["text"] if b["type"] == "section" and "text" in b else None for b in blocks
    ]
    (start,) = [i for i, text in enumerate(sections) if text and labels[which] in text]
    texts = [sections[start]]
    for text in sections[start + 1 :]:
        if text is None or any(label in text for label in labels.values()):
            break
        texts.append(text)
    return "\n".join(t for t in texts if t)


def when(moment: datetime) -> str:
    """The start of Slack's date token for a moment: every reader sees it in their timezone."""
    return f"<!date^{int(moment.timestamp())}^"


# --- build_request_message: the parent message in every state ---------------------------------


@pytest.mark.parametrize("state", STATES)
def test_request_message_serialises_in_every_state(state: str) -> None:
    message = build_request_message(STATES[state]())

    blocks = check_message(message)

    assert "#7" in message.text
    assert blocks[0]["type"] == "header"
    assert "Secondment request #7" in blocks[0]["text"]["text"]


def test_pending_request_has_approve_and_block_on_both_sides() -> None:
    rec = pending()

    blocks = check_message(build_request_message(rec))

    for which in Side:
        found = decision_buttons(blocks, which)
        assert set(found) == SIDE_ACTIONS
        expected = DecisionRef(rec.id, which, rec.terms_version).encode()
        assert {b["value"] for b in found.values()} == {expected}
        assert DecisionRef.decode(expected) == DecisionRef(7, which, 3)
        assert "awaiting decision" in side_text(blocks, which)
    assert set(block_buttons(blocks, "employee")) == EMPLOYEE_ACTIONS
    assert len(buttons(blocks)) == 2 * len(SIDE_ACTIONS) + len(EMPLOYEE_ACTIONS)


def test_pending_request_shows_the_written_terms() -> None:
    blocks = check_message(build_request_message(pending()))
    text = all_text(blocks)

    for expected in (
        "<@UEMPLOYEE>",
        "Analytics engineer",
        "Data Platform",
        "Mon 1 Feb 2027 to Fri 30 Jul 2027",
        f"({TERMS.days} days)",
        "60% of full time",
        "The host manager",  # reporting line left empty
        TERMS.pay_and_benefits,
        ReturnArrangement.SAME_ROLE.label,
        "2 weeks before the start",
        TERMS.responsibilities,
        TERMS.objectives,
        TERMS.coverage_plan,
        Status.PENDING.label,
        "terms version 3",
    ):
        assert expected in text, expected


def test_request_message_without_a_handover_leaves_the_handover_out() -> None:
    terms = dataclasses.replace(TERMS, handover_weeks=None)

    text = all_text(check_message(build_request_message(pending(terms=terms))))

    assert "Handover period" not in text


def test_request_message_shows_policy_notes() -> None:
    rec = pending(notes=("External secondments involve another organisation.",))

    blocks = check_message(build_request_message(rec))

    contexts = [b for b in blocks if b["type"] == "context"]
    assert any("another organisation" in all_text([c]) for c in contexts)


def test_side_approved_has_no_buttons_and_says_who_and_when() -> None:
    blocks = check_message(build_request_message(home_approved()))

    assert decision_buttons(blocks, Side.HOME) == {}
    assert set(decision_buttons(blocks, Side.HOST)) == SIDE_ACTIONS
    home = side_text(blocks, Side.HOME)
    assert "*approved* by <@UHOME>" in home
    assert when(HOME_DECIDED) in home
    assert "awaiting decision" in side_text(blocks, Side.HOST)


def test_blocked_request_offers_only_the_ways_forward_and_shows_the_reason() -> None:
    blocks = check_message(build_request_message(blocked()))

    assert decision_buttons(blocks, Side.HOME) == decision_buttons(blocks, Side.HOST) == {}
    assert set(block_buttons(blocks, "reconsider_home")) == {
        Action.RECONSIDER,
        Action.CONDITIONS,
        Action.DELEGATE,
    }
    assert block_buttons(blocks, "reconsider_host") == {}
    assert set(block_buttons(blocks, "way_forward")) == {Action.RESPOND, Action.ASK_HR}
    assert set(block_buttons(blocks, "employee")) == EMPLOYEE_ACTIONS
    home = side_text(blocks, Side.HOME)
    assert "*blocked* by <@UHOME>" in home
    assert when(HOME_DECIDED) in home
    assert BlockReason.COVER.label in home
    assert BLOCK.explanation in home
    assert "a later start date, a handover period" in home
    assert BLOCK.conditions_note is not None
    assert BLOCK.conditions_note in home
    assert "on hold while the request is blocked" in side_text(blocks, Side.HOST)
    assert Status.BLOCKED.label in all_text(blocks)


def test_approved_request_has_no_decision_buttons() -> None:
    blocks = check_message(build_request_message(approved()))

    # Before the start, the employee can still propose changes or withdraw.
    assert {b["action_id"] for b in buttons(blocks)} == EMPLOYEE_ACTIONS
    assert when(HOST_DECIDED) in side_text(blocks, Side.HOST)
    assert Status.APPROVED.label in all_text(blocks)


# --- escaping and limits ----------------------------------------------------------------------

HOSTILE = "R&D <@U1> lead"
HOSTILE_ESCAPED = "R&amp;D &lt;@U1&gt; lead"


def hostile_terms() -> Terms:
    return dataclasses.replace(
        TERMS,
        host_team=HOSTILE,
        role_title=HOSTILE,
        responsibilities=HOSTILE,
        objectives=HOSTILE,
        coverage_plan=HOSTILE,
        reporting_line=HOSTILE,
        pay_and_benefits=HOSTILE,
    )


HOSTILE_BLOCK = BlockDetails(
    reason=BlockReason.OTHER,
    explanation=f"Because {HOSTILE}, honestly.",
    conditions=(Condition.SHORTER_TERM,),
    conditions_note=HOSTILE,
)


def assert_escaped(blocks: list[dict[str, Any]]) -> None:
    text = all_text(blocks)
    assert HOSTILE_ESCAPED in text
    assert "<@U1>" not in text
    assert "R&D" not in text


@pytest.mark.parametrize("state", STATES)
def test_request_message_escapes_user_text(state: str) -> None:
    factory = STATES[state]
    kwargs: dict[str, Any] = {"terms": hostile_terms()}
    if state == "blocked":
        kwargs["block"] = HOSTILE_BLOCK

    blocks = check_message(build_request_message(factory(**kwargs)))

    assert_escaped(blocks)
    # Every user-written field is shown, escaped.
    assert all_text(blocks).count(HOSTILE_ESCAPED) >= 7


def test_blocked_request_escapes_the_explanation_and_note() -> None:
    blocks = check_message(build_request_message(blocked(block=HOSTILE_BLOCK)))

    home = side_text(blocks, Side.HOME)
    assert f"Because {HOSTILE_ESCAPED}, honestly." in home
    assert home.count(HOSTILE_ESCAPED) == 2


def longest_terms() -> Terms:
    return dataclasses.replace(
        TERMS,
        host_team="h" * SHORT_TEXT_MAX,
        role_title="r" * SHORT_TEXT_MAX,
        responsibilities="s" * LONG_TEXT_MAX,
        objectives="o" * LONG_TEXT_MAX,
        coverage_plan="c" * LONG_TEXT_MAX,
        reporting_line="l" * MEDIUM_TEXT_MAX,
        pay_and_benefits="p" * MEDIUM_TEXT_MAX,
        handover_weeks=MAX_HANDOVER_WEEKS,
    )


LONGEST_BLOCK = BlockDetails(
    reason=BlockReason.NOT_A_FIT,
    explanation="e" * EXPLANATION_MAX,
    conditions=tuple(Condition),
    conditions_note="n" * CONDITIONS_NOTE_MAX,
)


@pytest.mark.parametrize("state", STATES)
def test_every_text_at_its_maximum_still_fits_slack(state: str) -> None:
    kwargs: dict[str, Any] = {"terms": longest_terms(), "number": 10**9, "version": 10**6}
    if state == "blocked":
        kwargs["block"] = LONGEST_BLOCK
    notes = tuple(f"Note {i}: " + "x" * 300 for i in range(3))
    rec = STATES[state](notes=notes, **kwargs)

    for message in (
        build_request_message(rec),
        build_status(rec, HOME),
        build_list([rec] * 20, 21, EMPLOYEE),
        build_approved_announcement(rec),
        build_request_confirmation(rec),
    ):
        blocks = check_message(message)
        assert len(json.dumps(blocks)) < 50_000
    # The full texts are kept, not cut, where they fit in a section.
    text = all_text(check_message(build_request_message(rec)))
    for kept in ("s" * LONG_TEXT_MAX, "o" * LONG_TEXT_MAX, "c" * LONG_TEXT_MAX, "l" * 500):
        assert kept in text
    check_view(build_block_modal(rec, Side.HOST, "x" * 3000, 20))


def test_decision_reply_with_the_longest_block_still_fits_slack() -> None:
    rec = blocked(block=LONGEST_BLOCK, terms=longest_terms())

    message = build_decision_reply(DecisionMade(rec, Side.HOME, Outcome.BLOCKED, HOME, 3))

    blocks = check_message(message)
    assert "e" * EXPLANATION_MAX in all_text(blocks)


# --- build_decision_reply and build_approved_announcement -------------------------------------


def test_decision_reply_for_an_approval() -> None:
    made = DecisionMade(home_approved(), Side.HOME, Outcome.APPROVED, HOME, 3)

    message = build_decision_reply(made)

    text = all_text(check_message(message))
    assert "<@UHOME> approved the *home manager* side" in text
    assert Side.HOME.duty in text
    assert "terms version 3" in text
    assert "Reason" not in text


def test_decision_reply_for_a_block_gives_the_reason_and_conditions() -> None:
    made = DecisionMade(blocked(block=HOSTILE_BLOCK), Side.HOME, Outcome.BLOCKED, HOME, 3)

    message = build_decision_reply(made)

    blocks = check_message(message)
    text = all_text(blocks)
    assert "<@UHOME> blocked the *home manager* side" in text
    assert f"*Reason:* {BlockReason.OTHER.label}" in text
    assert "a shorter term" in text
    assert "<@UEMPLOYEE>, this reason is recorded" in text
    assert_escaped(blocks)
    assert "<@U1>" not in message.text


def test_approved_announcement() -> None:
    rec = approved(terms=hostile_terms())

    message = build_approved_announcement(rec)

    blocks = check_message(message)
    text = all_text(blocks)
    assert "Secondment #7 is *approved*" in text
    assert "terms version 3" in text
    assert "<@UEMPLOYEE>" in text
    assert_escaped(blocks)
    assert "<@U1>" not in message.text


# --- replies ----------------------------------------------------------------------------------

REFUSALS: dict[str, tuple[Refusal, list[str]]] = {
    "not_found": (NotFound(12), ["#12", "`/secondment list`"]),
    "not_your_side": (NotYourSide(Side.HOST, HOST), ["Only <@UHOST>", "host manager side"]),
    "not_your_side_but_hrs": (
        NotYourSide(Side.HOST, HOST, hr_decides=True),
        ["Only HR can decide the host manager side", "account is deactivated"],
    ),
    "part_of_the_request": (
        PartOfTheRequest(Side.HOST),
        ["You are part of this request", "someone else in HR decides its host manager side"],
    ),
    "already_approved": (
        AlreadyDecided(Side.HOME, SideState.APPROVED, HOME, HOME_DECIDED),
        ["<@UHOME> approved the home manager side", when(HOME_DECIDED)],
    ),
    "already_blocked": (
        AlreadyDecided(Side.HOST, SideState.BLOCKED, HOST, HOST_DECIDED),
        ["<@UHOST> blocked the host manager side", when(HOST_DECIDED)],
    ),
    "no_longer_pending": (NoLongerPending(Status.APPROVED), ["it is approved"]),
    "exception_refused_already": (
        ExceptionAlreadyDecided(False, HOME, HOME_DECIDED),
        ["already decided: <@UHOME> refused it", when(HOME_DECIDED)],
    ),
    "no_longer_pending_blocked": (NoLongerPending(Status.BLOCKED), ["it is blocked"]),
    "terms_changed": (TermsChanged(2, 4), ["you saw version 2", "current one is 4"]),
    "not_your_side_delegated": (
        NotYourSide(Side.HOME, HOME, "UDELEGATE"),
        ["Only <@UHOME> or <@UDELEGATE>", "home"],
    ),
    "only_these_people": (
        OnlyThesePeople("respond to the block", (EMPLOYEE, HOST, "UX")),
        ["Only <@UEMPLOYEE>, <@UHOST> or <@UX> can respond to the block"],
    ),
    "only_hr": (OnlyHr("override a block"), ["Only HR can override a block."]),
    "override_not_allowed": (OverrideNotAllowed(), ["switched off by this workspace's policy"]),
    "not_blocked": (NotBlocked(Side.HOST), ["The host manager side is not blocked"]),
    "already_started": (AlreadyStarted(date(2027, 2, 1)), ["started on Mon 1 Feb 2027"]),
    "already_escalated": (
        AlreadyEscalated(EscalationKind.BLOCK_REVIEW, HOST, HOST_DECIDED),
        ["HR already has this (review of a block)", "<@UHOST> raised it on", when(HOST_DECIDED)],
    ),
    "already_answered": (
        AlreadyAnswered(3, HOME_DECIDED),
        ["already answered check-in 3", when(HOME_DECIDED)],
    ),
    "not_underway": (
        NotUnderway(4, Status.PENDING),
        ["only while the secondment is under way; #4 is awaiting decisions"],
    ),
    "too_early": (TooEarly(date(2027, 7, 23)), ["opens on Fri 23 Jul 2027"]),
    "proposal_pending": (
        ProposalOpen(ProposalKind.EXTEND, HOST, Status.PROPOSAL_PENDING),
        ["<@UHOST> proposed an extension", "awaiting the managers' decisions"],
    ),
    "proposal_blocked": (
        ProposalOpen(ProposalKind.PERMANENT, EMPLOYEE, Status.PROPOSAL_BLOCKED),
        ["proposed a permanent move, and it is blocked"],
    ),
    "end_settled_by_outcome": (
        EndSettled(EndOutcome.PERMANENT),
        ["already settled: moved permanently"],
    ),
    "return_already_confirmed": (
        EndSettled(None, HOME, HOME_DECIDED),
        ["<@UHOME> already confirmed the return", when(HOME_DECIDED)],
    ),
    "after_end_date": (AfterEndDate(date(2027, 7, 30)), ["ended on Fri 30 Jul 2027"]),
    "still_open": (StillOpen((3, 9)), ["still part of open secondments (#3, #9)"]),
    "hr_not_configured": (HrNotConfigured(), ["HR is not set up", "contact HR directly"]),
    "already_escalated_by_the_bot": (
        AlreadyEscalated(EscalationKind.NO_DECISION, None, HOST_DECIDED),
        ["the bot raised it"],
    ),
    "unreadable_reference": (
        UnreadableReference(),
        ["not one I can act on", "Nothing was changed", "`/secondment list`"],
    ),
    "other": (Refusal(), ["I can't do that."]),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_refusal_says_why(name: str) -> None:
    refusal, expected = REFUSALS[name]

    message = build_refusal(refusal)

    text = all_text(check_message(message))
    assert message.text == text
    for part in expected:
        assert part in text


def test_refusal_types_are_all_covered() -> None:
    covered = {type(refusal) for refusal, _ in REFUSALS.values()}

    assert covered == {Refusal, *Refusal.__subclasses__()}


@pytest.mark.parametrize("name", REFUSALS)
def test_refusal_view_shows_the_same_refusal_in_a_modal(name: str) -> None:
    refusal, expected = REFUSALS[name]

    view = check_view(build_refusal_view(refusal))

    assert view["title"]["text"] == "Nothing changed"
    assert "submit" not in view
    assert all_text(view["blocks"]) == build_refusal(refusal).text
    for part in expected:
        assert part in all_text(view["blocks"])


def test_list_when_empty_says_how_to_start() -> None:
    message = build_list([], 0, EMPLOYEE)

    text = all_text(check_message(message))
    assert "no secondments yet" in text
    assert "`/secondment request`" in text


def test_list_shows_each_secondment_with_the_viewers_role() -> None:
    records = [pending(number=3), blocked(number=2), approved(number=1, terms=hostile_terms())]

    message = build_list(records, 3, HOME)

    blocks = check_message(message)
    assert message.text == "Your secondments: 3"
    rows = [b["text"]["text"] for b in blocks if b["type"] == "section"][1:]
    assert len(rows) == 3
    for row, rec in zip(rows, records, strict=True):
        assert f"*#{rec.id}*" in row
        assert rec.status.label in row
        assert "(you: home manager)" in row
    assert_escaped(blocks)
    assert "Showing the latest" not in all_text(blocks)


def test_list_with_more_than_shown_says_so() -> None:
    records = [pending(number=n) for n in range(20, 0, -1)]

    blocks = check_message(build_list(records, 21, EMPLOYEE))

    assert "Showing the latest 20 of more." in all_text(blocks)
    assert "(you: employee)" in all_text(blocks)


@pytest.mark.parametrize("state", STATES)
def test_status_shows_the_secondment_in_full(state: str) -> None:
    rec = STATES[state]()

    message = build_status(rec, HOST)

    blocks = check_message(message)
    text = all_text(blocks)
    assert message.text == f"Secondment #7: {rec.status.label}"
    assert TERMS.coverage_plan in text
    assert "• Home manager <@UHOME>" in text
    assert "• Host manager <@UHOST>" in text
    assert "You are the host manager · terms version 3" in text
    assert [b["url"] for b in buttons(blocks)] == [THREAD_URL]


def test_status_of_a_blocked_secondment_gives_the_reason_escaped() -> None:
    rec = blocked(block=HOSTILE_BLOCK, terms=hostile_terms())

    blocks = check_message(build_status(rec, OUTSIDER))

    text = all_text(blocks)
    assert f"{BlockReason.OTHER.label}: Because {HOSTILE_ESCAPED}" in text
    assert when(HOME_DECIDED) in text
    assert "You are viewing this as HR" in text  # only HR sees a request it is not part of
    assert_escaped(blocks)


def test_status_without_a_thread_has_no_button() -> None:
    blocks = check_message(build_status(pending(thread_url=None), EMPLOYEE))

    assert buttons(blocks) == []


def test_help_lists_the_commands() -> None:
    message = build_help()

    text = all_text(check_message(message))
    for command in ("request", "list", "status <number>", "help"):
        assert f"`/secondment {command}`" in text
    assert "I don't know" not in text


def test_help_for_an_unknown_subcommand_names_it() -> None:
    message = build_help("frobnicate")

    text = all_text(check_message(message))
    assert text.startswith("I don't know `frobnicate`.")
    assert "`/secondment status <number>`" in text


def test_help_for_a_very_long_unknown_subcommand_is_cut() -> None:
    message = build_help("x" * 5000)

    text = all_text(check_message(message))
    assert f"`{'x' * 50}`" in text
    assert "x" * 51 not in text


def test_request_confirmation_names_both_managers_and_links_the_thread() -> None:
    message = build_request_confirmation(pending())

    blocks = check_message(message)
    assert "request #7" in message.text
    assert "<@UHOME> (home manager)" in message.text
    assert "<@UHOST> (host manager)" in message.text
    (button,) = buttons(blocks)
    assert button["url"] == THREAD_URL
    assert button["action_id"] == Action.OPEN_THREAD


def test_request_confirmation_without_a_thread_has_no_button() -> None:
    assert buttons(check_message(build_request_confirmation(pending(thread_url=None)))) == []


def test_thread_failed_says_nothing_is_lost() -> None:
    message = build_thread_failed(pending(), "channel_not_found")

    text = all_text(check_message(message))
    assert "#7 is saved" in text
    assert "`channel_not_found`" in text
    assert "`/secondment status 7`" in text
    assert "<@UHOME>" in text
    assert "<@UHOST>" in text


def test_a_fault_of_the_bots_own_is_not_put_in_slacks_mouth() -> None:
    text = all_text(check_message(build_thread_failed(pending(), "bot_error")))

    assert "the bot hit a fault of its own" in text
    assert "Slack said" not in text
    assert "accounts are active" not in text  # nothing for the employee to check
    assert "ask HR for help" in text


# --- the request modal ------------------------------------------------------------------------


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_request_modal_serialises() -> None:
    view = check_view(build_request_modal())

    assert view["callback_id"] == Callback.REQUEST
    assert view["submit"]["text"] == "Send request"


def test_request_modal_inputs_are_the_request_fields() -> None:
    fields = inputs(check_view(build_request_modal(rules=HrRules(max_term_months=24))))

    assert set(fields) == {f.value for f in RequestField} - {RequestField.CHANGE_NOTE}
    # Without HR's rules there is no exception to ask for.
    assert RequestField.EXCEPTION_REASON not in inputs(check_view(build_request_modal()))
    # The parser reads values[block_id][block_id]: each action_id must equal its block_id.
    for block_id, block in fields.items():
        assert block["element"]["action_id"] == block_id


def test_request_modal_has_a_block_for_every_terms_field() -> None:
    fields = inputs(check_view(build_request_modal()))

    assert {f.name for f in dataclasses.fields(Terms)} <= set(fields)


def test_request_modal_optional_fields_match_the_validation() -> None:
    fields = inputs(check_view(build_request_modal()))
    optional = {block_id for block_id, block in fields.items() if block.get("optional")}

    # The check-in interval is optional too: empty means the workspace's default.
    assert optional == {
        RequestField.REPORTING_LINE,
        RequestField.HANDOVER_WEEKS,
        RequestField.CHECK_IN_WEEKS,
    }
    # Validation requires everything the modal requires, except the fields the modal prefills
    # and validation defaults (pay and time commitment) ...
    empty = validate_request(
        RequestForm(),
        employee=Person(EMPLOYEE),
        people={},
        today=date(2027, 1, 4),
        policy=Policy(),
    )
    assert isinstance(empty, dict)
    prefilled = {RequestField.PAY_AND_BENEFITS, RequestField.TIME_COMMITMENT}
    assert set(empty) == set(fields) - optional - prefilled
    for block_id in prefilled:
        assert fields[block_id]["element"]["initial_value"]


def test_request_modal_limits_match_the_validation() -> None:
    fields = inputs(check_view(build_request_modal()))
    F = RequestField

    limits = {
        F.HOST_TEAM: SHORT_TEXT_MAX,
        F.ROLE_TITLE: SHORT_TEXT_MAX,
        F.RESPONSIBILITIES: LONG_TEXT_MAX,
        F.OBJECTIVES: LONG_TEXT_MAX,
        F.COVERAGE_PLAN: LONG_TEXT_MAX,
        F.REPORTING_LINE: MEDIUM_TEXT_MAX,
        F.PAY_AND_BENEFITS: MEDIUM_TEXT_MAX,
    }
    for block_id, limit in limits.items():
        assert fields[block_id]["element"]["max_length"] == limit, block_id
    commitment = fields[F.TIME_COMMITMENT]["element"]
    assert (commitment["min_value"], commitment["max_value"]) == (
        str(MIN_TIME_COMMITMENT),
        str(MAX_TIME_COMMITMENT),
    )
    assert fields[F.HANDOVER_WEEKS]["element"]["max_value"] == str(MAX_HANDOVER_WEEKS)
    kinds = [o["value"] for o in fields[F.KIND]["element"]["options"]]
    returns = [o["value"] for o in fields[F.RETURN_ARRANGEMENT]["element"]["options"]]
    assert kinds == [k.value for k in Kind]
    assert returns == [r.value for r in ReturnArrangement.on_request()]


def test_request_modal_prefills_the_host_manager() -> None:
    fields = inputs(check_view(build_request_modal(HOST)))

    assert fields[RequestField.HOST_MANAGER]["element"]["initial_user"] == HOST
    assert "initial_user" not in fields[RequestField.HOME_MANAGER]["element"]


def test_request_modal_without_a_host_manager_leaves_it_empty() -> None:
    fields = inputs(check_view(build_request_modal()))

    assert "initial_user" not in fields[RequestField.HOST_MANAGER]["element"]


# --- the block modal --------------------------------------------------------------------------


def test_block_modal() -> None:
    ref = DecisionRef(7, Side.HOME, 3).encode()

    view = check_view(build_block_modal(pending(terms=hostile_terms()), Side.HOME, ref, 25))

    assert view["callback_id"] == Callback.BLOCK
    assert view["private_metadata"] == ref
    assert_escaped(view["blocks"])
    assert "*home manager* side of request #7" in all_text(view["blocks"])
    fields = inputs(view)
    assert list(fields) == [f.value for f in BlockField]
    for block_id, block in fields.items():
        assert block["element"]["action_id"] == block_id
    optional = {block_id for block_id, block in fields.items() if block.get("optional")}
    assert optional == {BlockField.CONDITIONS, BlockField.CONDITIONS_NOTE}
    reasons = [o["value"] for o in fields[BlockField.REASON]["element"]["options"]]
    conditions = [o["value"] for o in fields[BlockField.CONDITIONS]["element"]["options"]]
    assert reasons == [r.value for r in BlockReason]
    assert conditions == [c.value for c in Condition]
    explanation = fields[BlockField.EXPLANATION]
    assert explanation["element"]["min_length"] == 25
    assert explanation["element"]["max_length"] == EXPLANATION_MAX
    assert "At least 25 characters" in explanation["hint"]["text"]
    assert fields[BlockField.CONDITIONS_NOTE]["element"]["max_length"] == CONDITIONS_NOTE_MAX


def test_text_heavy_with_characters_slack_escapes_is_cut_to_fit_not_rejected() -> None:
    # Escaping turns & into &amp; and < into &lt;: text within the typed limits can grow past
    # Slack's, so the builder cuts it (never inside an entity) rather than fail to post.
    heavy = dataclasses.replace(
        TERMS,
        reporting_line="<" * MEDIUM_TEXT_MAX,
        responsibilities=("Own the A->B migration & R&D backlog. " * 70)[:LONG_TEXT_MAX],
    )
    blocks = check_message(build_request_message(blocked(terms=heavy)))

    text = all_text(blocks)
    assert "&lt;" * 400 in text and "<<" not in text
    assert "…" in text
    assert not re.search(r"&[a-z]*…", text), "an entity was cut in half"


def test_the_notification_text_escapes_user_text() -> None:
    hostile = dataclasses.replace(TERMS, role_title="<!channel> R&D", host_team="<https://x|y>")

    message = build_request_message(pending(terms=hostile))

    assert "&lt;!channel&gt; R&amp;D" in message.text
    assert "<!channel>" not in message.text and "<https://x" not in message.text


# --- the end-of-term decision ------------------------------------------------------------------


def test_an_active_secondment_offers_the_end_of_term_choices_and_ending_early() -> None:
    blocks = check_message(build_request_message(active()))

    assert set(block_buttons(blocks, "end_of_term")) == {
        Action.CONFIRM_RETURN,
        Action.PROPOSE_EXTENSION,
        Action.PROPOSE_PERMANENT,
    }
    assert set(block_buttons(blocks, "underway")) == {Action.END_EARLY}
    assert "unless an extension or a permanent move is agreed" in all_text(blocks)


def test_a_proposal_is_decided_on_its_own_version_without_conditions() -> None:
    rec = proposing()

    blocks = check_message(build_request_message(rec))
    text = all_text(blocks)

    home = decision_buttons(blocks, Side.HOME)
    assert set(home) == {Action.APPROVE, Action.BLOCK, Action.DELEGATE}
    assert {b["value"] for b in home.values()} == {DecisionRef(7, Side.HOME, 5).encode()}
    assert decision_buttons(blocks, Side.HOST) == {}
    assert "proposed and approved" in side_text(blocks, Side.HOST)
    assert "Proposed by <@UHOST>: an extension* (terms version 5)" in text
    assert "→ Fri 31 Mar 2028" in text and "The launch moved." in text
    assert "A policy note." in text
    assert block_buttons(blocks, "end_of_term") == {}  # settled by the managers first


def test_a_blocked_proposal_shows_the_reason_and_every_way_forward() -> None:
    blocks = check_message(build_request_message(proposal_blocked()))
    text = all_text(blocks)

    assert set(block_buttons(blocks, "reconsider_home")) == {Action.RECONSIDER, Action.DELEGATE}
    assert BLOCK.explanation in text
    assert "propose something else, or confirm the planned return" in text
    assert set(block_buttons(blocks, "way_forward")) == {Action.RESPOND, Action.ASK_HR}
    assert Action.CONFIRM_RETURN in block_buttons(blocks, "end_of_term")


def test_a_permanent_proposal_shows_the_new_arrangement() -> None:
    text = all_text(check_message(build_request_message(proposing(ProposalKind.PERMANENT))))

    assert "a permanent move" in text
    assert ReturnArrangement.PERMANENT_MOVE.label in text


@pytest.mark.parametrize("again", [False, True])
def test_the_end_of_term_question_names_the_end_and_the_return_rights_date(again: bool) -> None:
    message = build_end_decision_ask(active(), again, date(2028, 1, 31), 12)

    text = all_text(check_message(message))
    assert ("Still undecided" in message.text) is again
    assert "on or after Mon 31 Jan 2028" in text
    assert "needs both managers' approval" in text


def test_the_extension_and_permanent_forms_serialise() -> None:
    extension = check_view(build_extension_modal(active(), date(2028, 1, 31), 12))
    permanent = check_view(build_permanent_modal(active()))

    assert extension["callback_id"] == Callback.PROPOSE_EXTENSION
    assert permanent["callback_id"] == Callback.PROPOSE_PERMANENT
    note = next(b for b in permanent["blocks"] if b.get("block_id") == "note")
    assert note.get("optional") is not True


def test_status_shows_a_proposal_and_a_confirmed_return() -> None:
    proposal = all_text(check_message(build_status(proposing(), EMPLOYEE)))
    confirmed = dataclasses.replace(active(), return_confirmed=ReturnConfirmed(HOME, HOST_DECIDED))
    returned = all_text(check_message(build_status(confirmed, EMPLOYEE)))

    assert "Proposed by <@UHOST>: an extension" in proposal
    assert f"return confirmed by <@UHOME> on {when(HOST_DECIDED)}" in returned


@pytest.mark.parametrize(
    ("answer", "shared", "heard"),
    [
        (CheckInAnswer.ON_TRACK, False, "It is recorded; nobody is notified."),
        (CheckInAnswer.ON_TRACK, True, f"recorded as On track. A summary went to <@{HOME}>."),
        (CheckInAnswer.CONCERNS, True, f"(host manager) will see it. A summary went to <@{HOME}>."),
    ],
)
def test_the_check_in_thanks_never_says_nobody_hears_what_was_shared(
    answer: CheckInAnswer, shared: bool, heard: str
) -> None:
    answered = CheckInAnswered(pending(), 1, answer, None, shared, datetime(2027, 1, 4, tzinfo=UTC))

    text = build_check_in_thanks(answered).text

    assert text.endswith(heard), text
    assert not ("nobody" in text and "summary" in text)
