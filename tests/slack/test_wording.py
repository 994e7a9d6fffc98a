"""Words that read right: capitalised sentences, right plurals, optional fields marked once (Slack
marks them), and labels that say what a note is."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import InputBlock
from slack_sdk.models.views import View

from bot.domain.kinds import CheckInAnswer
from bot.domain.states import Side
from bot.domain.terms import ReturnArrangement
from bot.domain.written_record import VersionEntry, WrittenRecord
from bot.slack.builders.block_modal import build_block_modal
from bot.slack.builders.checkins import build_check_in_modal
from bot.slack.builders.debrief import build_debrief_modal
from bot.slack.builders.end_of_term import build_end_decision_ask
from bot.slack.builders.replies import build_interval_set
from bot.slack.builders.status import build_status
from bot.slack.builders.written_record import build_written_record
from bot.slack.refs import CheckInRef
from tests.slack.test_builders import active, pending
from tests.support.samples import TERMS

AT = datetime(2027, 1, 4, 10, tzinfo=UTC)


@pytest.mark.parametrize("again", [False, True])
def test_the_end_of_term_question_starts_each_sentence_with_a_capital(again: bool) -> None:
    text = build_end_decision_ask(active(), again, date(2028, 1, 31), 12).text
    sentences = text.removeprefix("🗓️ ").split(". ")
    assert [s[0].isupper() for s in sentences] == [True] * len(sentences), text


@pytest.mark.parametrize(("weeks", "said"), [(1, "every week"), (3, "every 3 weeks")])
def test_the_check_in_interval_reads_right_in_the_singular_and_plural(
    weeks: int, said: str
) -> None:
    record = dataclasses.replace(active(), check_in_weeks=weeks)
    assert f"go out {said} from" in build_interval_set(record).text
    assert "1 weeks" not in str(build_status(record, record.employee_id).as_kwargs())


MODALS: dict[str, Callable[[], View]] = {
    "block": lambda: build_block_modal(pending(), Side.HOME, "x", 20),
    "check-in": lambda: build_check_in_modal(active(), CheckInRef(1, 1, CheckInAnswer.CONCERNS)),
    "debrief": lambda: build_debrief_modal(active()),
}


@pytest.mark.parametrize("name", MODALS)
def test_optional_inputs_are_not_marked_optional_again(name: str) -> None:
    """Slack shows "(optional)" beside every optional input itself."""
    inputs = [b for b in MODALS[name]().blocks if isinstance(b, InputBlock)]
    optional = [b for b in inputs if b.optional]
    assert optional, "each of these forms has an optional input"
    labels: list[Any] = [b.label.text for b in optional if b.label is not None]
    assert [label for label in labels if "optional" in label.lower()] == []


@pytest.mark.parametrize(
    ("arrangement", "label"),
    [(ReturnArrangement.PERMANENT_MOVE, "The arrangement:"), (ReturnArrangement.SAME_ROLE, "Why:")],
)
def test_a_versions_note_is_labelled_for_what_it_is(
    arrangement: ReturnArrangement, label: str
) -> None:
    version = VersionEntry(
        2,
        dataclasses.replace(TERMS, return_arrangement=arrangement),
        "U0HOST",
        AT,
        "Senior analyst, grade 7, reporting to the data lead.",
    )
    written = WrittenRecord(active(), "U0HR", [version], [], [], [], [], None, [])
    content = build_written_record(written, AT).content
    assert f"\n{label}\n> Senior analyst, grade 7" in content
    assert ({"The arrangement:", "Why:"} - {label}).pop() not in content
