"""Which changes the HR system hears of, how long a failed event waits, and the signature a
receiver checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.events_out import event_type, retry_after, signature


@pytest.mark.parametrize(
    "action",
    [
        "requested",
        "home_approved",
        "host_blocked",
        "home_reconsidered",
        "host_block_overridden",
        "approved",
        "terms_changed",
        "withdrawn",
        "home_delegated",
        "escalated_block_review",
        "started",
        "check_in_answered",
        "check_in_missed",
        "extend_proposed",
        "extension_agreed",
        "permanent_move_agreed",
        "return_confirmed",
        "ended_early",
        "debriefed_and_completed",
    ],
)
def test_a_change_of_state_is_an_event_named_for_it(action: str) -> None:
    assert event_type(action) == f"secondment.{action}"


@pytest.mark.parametrize(
    "action",
    [
        "thread_opened",
        "nudge_sent_check_in",
        "nudge_sent_decision_reminder",
        "nudge_undeliverable",
        "note_hr_note",
        "home_delegate_checking",
        "host_delegation_refused",
        "anonymised",
        "retention_deleted",
    ],
)
def test_deliveries_words_and_data_protection_are_no_events(action: str) -> None:
    assert event_type(action) is None


def test_a_failed_event_waits_twice_as_long_each_time_up_to_an_hour() -> None:
    waits = [retry_after(n) for n in range(1, 12)]

    assert waits[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert waits[-1] == timedelta(hours=1)
    assert retry_after(10_000) == timedelta(hours=1)


def test_the_signature_is_hmac_sha256_in_hex() -> None:
    # RFC 4231, test case 2.
    assert signature("Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
