"""What retention leaves behind, without a database: the cut-off moment and scrubbed audit
details. Expected values are written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.retention import ERASED, retention_cutoff, scrub_detail


def test_the_cutoff_is_the_same_moment_the_given_years_before() -> None:
    assert retention_cutoff(datetime(2033, 5, 1, 12, tzinfo=UTC), 6) == datetime(
        2027, 5, 1, 12, tzinfo=UTC
    )
    # From 29 February, a year back is the 28th.
    assert retention_cutoff(datetime(2028, 2, 29, tzinfo=UTC), 1) == datetime(
        2027, 2, 28, tzinfo=UTC
    )


def test_a_scrubbed_detail_loses_the_person_and_when_theirs_their_words() -> None:
    detail = {
        "delegate_id": "U1",
        "previous_delegate_id": "U2",
        "explanation": "U1 is away",
        "people": ["U1", "U3"],
        "sequence": 2,
    }

    theirs = scrub_detail(detail, "U1", drop_text=True)
    others = scrub_detail(detail, "U1", drop_text=False)

    assert theirs == {
        "delegate_id": ERASED,
        "previous_delegate_id": "U2",
        "people": [ERASED, "U3"],
        "sequence": 2,
    }
    assert others["explanation"] == "erased is away" and others["delegate_id"] == ERASED
