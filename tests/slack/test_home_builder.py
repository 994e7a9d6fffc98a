"""The App Home builder and its limits, pure: a `Home` in, a view out, checked against Slack's
limits; and whatever limits arrive from Slack (private_metadata, a button's value) read back to
ones that fit in 100 blocks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.domain.decisions import DecisionRef
from bot.domain.home_view import (
    Completed,
    Home,
    HomeSection,
    HrHome,
    MissedCheckIn,
    OpenEscalation,
    PendingDecision,
    Shown,
)
from bot.domain.key_dates import DateKind, KeyDate, Timeline
from bot.domain.kinds import EscalationKind
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.domain.summary import SecondmentSummary
from bot.domain.terms import SHORT_TEXT_MAX
from bot.slack.builders.home import TITLES, build_home
from bot.slack.builders.home_limits import (
    DEFAULT_LIMITS,
    ITEM_BLOCKS,
    ITEM_BUDGET,
    decode_limits,
    encode_limits,
    most,
    show_more,
)
from bot.slack.ids import Action
from tests.slack.test_builders import (
    EMPLOYEE,
    HOME,
    _check_limits,
    active,
    all_text,
    blocked,
    buttons,
    hostile_terms,
    pending,
    proposing,
)
from tests.support.summaries import summary_of

VIEWER = HOME
AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
LOTS = 10_000


def check_home(view: View) -> dict[str, Any]:
    """Serialise the Home as it is published and check it against Slack's limits."""
    built = view.to_dict()
    assert built["type"] == "home"
    assert 0 < len(built["blocks"]) <= 100
    assert len(built["private_metadata"]) <= 3000
    ids = [b["block_id"] for b in built["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)), "a view's block ids must be unique"
    _check_limits(built["blocks"])
    return built


def numbered(record: SecondmentRecord, count: int) -> list[SecondmentSummary]:
    return [summary_of(dataclasses.replace(record, id=n)) for n in range(1, count + 1)]


def key_date(number: int) -> KeyDate:
    timeline = Timeline(number, EMPLOYEE, "Analyst", "Data", date(2027, 2, 1), date(2027, 7, 30), 2)
    return KeyDate(date(2027, 3, 1), DateKind.CHECK_IN, timeline, 3)


def full_home(
    limits: dict[HomeSection, int], hr: bool = True, record: SecondmentRecord | None = None
) -> Home:
    """Every section as full as the limits allow, with many more items behind each."""

    def shown(items: list[Any]) -> Shown[Any]:
        return Shown(tuple(items), LOTS)

    records = numbered(record or pending(), max(limits.values()))
    hr_home = HrHome(
        open=shown(records[: limits[HomeSection.HR_OPEN]]),
        escalations=shown(
            [
                OpenEscalation(r, EscalationKind.BLOCK_REVIEW, EMPLOYEE, AT)
                for r in records[: limits[HomeSection.HR_ESCALATIONS]]
            ]
        ),
        missed=shown([MissedCheckIn(r, 2, AT) for r in records[: limits[HomeSection.HR_MISSED]]]),
        completed=shown([Completed(r, 1) for r in records[: limits[HomeSection.HR_COMPLETED]]]),
    )
    return Home(
        mine=shown(records[: limits[HomeSection.MINE]]),
        decisions=shown(
            [PendingDecision(r, Side.HOME) for r in records[: limits[HomeSection.DECISIONS]]]
        ),
        dates=shown([key_date(n) for n in range(limits[HomeSection.DATES])]),
        hr=hr_home if hr else None,
        managed=shown(records[: limits[HomeSection.MANAGED]]),
        hosted=shown(records[: limits[HomeSection.HOSTED]]),
    )


def empty_home(hr: HrHome | None = None) -> Home:
    return Home(Shown((), 0), Shown((), 0), Shown((), 0), hr)


def section_blocks(built: dict[str, Any], section: HomeSection) -> list[dict[str, Any]]:
    blocks = built["blocks"]
    (start,) = [
        i
        for i, b in enumerate(blocks)
        if b["type"] == "header" and b["text"]["text"] == TITLES[section]
    ]
    end = next(i for i in range(start, len(blocks)) if blocks[i]["type"] == "divider")
    return list(blocks[start + 1 : end])


# --- the view -------------------------------------------------------------------------------


def test_an_empty_home_has_the_personal_sections_each_saying_so() -> None:
    built = check_home(build_home(empty_home(), DEFAULT_LIMITS, VIEWER))

    headers = [b["text"]["text"] for b in built["blocks"] if b["type"] == "header"]
    assert headers == [
        "Your secondments",
        "Waiting for your decision",
        "Secondments I manage",
        "Secondments I host",
        "Coming up",
    ]
    text = all_text(built["blocks"])
    assert "You have no secondments as employee" in text
    assert "Nothing is waiting for your decision." in text
    assert "You are HR" not in text
    assert not buttons(built["blocks"])
    # The greeting's own button enters time away.
    assert built["blocks"][0]["accessory"]["action_id"] == Action.AWAY_OPEN
    assert decode_limits(built["private_metadata"]) == DEFAULT_LIMITS


def test_an_hr_home_adds_the_four_hr_sections() -> None:
    hr = HrHome(Shown((), 0), Shown((), 0), Shown((), 0))

    built = check_home(build_home(empty_home(hr), DEFAULT_LIMITS, VIEWER))

    headers = [b["text"]["text"] for b in built["blocks"] if b["type"] == "header"]
    assert headers == [TITLES[s] for s in HomeSection]
    assert "You are HR" in all_text(built["blocks"])


@pytest.mark.parametrize("section", list(HomeSection))
def test_the_home_stays_within_100_blocks_with_any_section_at_its_most(
    section: HomeSection,
) -> None:
    limits = show_more(encode_limits(DEFAULT_LIMITS), f"{section.value}:{LOTS}")
    assert limits[section] == most(section)

    built = check_home(build_home(full_home(limits), limits, VIEWER))

    shown = section_blocks(built, section)
    assert len([b for b in shown if b["type"] == "section"]) == most(section)
    assert f"Showing the first {most(section)} of {LOTS:,}." in all_text(shown)
    assert not [b for b in buttons(shown) if b["action_id"] == Action.HOME_SHOW_MORE]


@pytest.mark.parametrize("section", list(HomeSection))
def test_the_longest_titles_all_made_of_escaped_characters_still_fit(
    section: HomeSection,
) -> None:
    terms = dataclasses.replace(
        pending().terms, role_title="&" * SHORT_TEXT_MAX, host_team="<" * SHORT_TEXT_MAX
    )
    limits = {**DEFAULT_LIMITS, section: most(section)}

    check_home(build_home(full_home(limits, record=pending(terms=terms)), limits, VIEWER))


def test_each_section_with_more_offers_ten_blocks_more() -> None:
    built = check_home(build_home(full_home(DEFAULT_LIMITS), DEFAULT_LIMITS, VIEWER))

    values = [b["value"] for b in buttons(built["blocks"]) if b["action_id"] == "home_show_more"]
    assert values == [
        "mine:15",
        "decisions:10",
        "managed:15",
        "hosted:15",
        "dates:15",
        "hr_open:15",
        "hr_completed:15",
        "hr_escalations:15",
        "hr_missed:15",
    ]
    assert all_text(built["blocks"]).count(f"Showing 5 of {LOTS:,}.") == len(HomeSection)


def test_a_pending_decision_carries_the_threads_own_buttons_with_a_block_id_of_its_own() -> None:
    home = dataclasses.replace(
        empty_home(),
        decisions=Shown(
            (
                PendingDecision(summary_of(dataclasses.replace(pending(), id=7)), Side.HOME),
                PendingDecision(summary_of(dataclasses.replace(pending(), id=8)), Side.HOME),
                PendingDecision(summary_of(dataclasses.replace(proposing(), id=9)), Side.HOME),
            ),
            3,
        ),
    )

    built = check_home(build_home(home, DEFAULT_LIMITS, VIEWER))

    by_block = {
        b["block_id"]: {e["action_id"]: e["value"] for e in b["elements"]}
        for b in built["blocks"]
        if b["type"] == "actions"
    }
    ref = DecisionRef(7, Side.HOME, 3).encode()
    assert by_block["home_decide_7_home"] == {
        Action.APPROVE: ref,
        Action.BLOCK: ref,
        Action.CONDITIONS: ref,
    }
    assert by_block["home_decide_8_home"][Action.APPROVE] == DecisionRef(8, Side.HOME, 3).encode()
    # A proposal is decided on its own version, and is not reshaped with conditions.
    proposal = DecisionRef(9, Side.HOME, 5).encode()
    assert by_block["home_decide_9_home"] == {Action.APPROVE: proposal, Action.BLOCK: proposal}
    assert "This decides an extension (terms version 5)" in all_text(built["blocks"])


def test_a_delegate_is_told_on_whose_behalf_and_gets_no_link_to_a_thread_they_are_not_in() -> None:
    record = pending()
    delegated = dataclasses.replace(
        record, home=dataclasses.replace(record.home, delegate_id="UDEPUTY")
    )
    home = dataclasses.replace(
        empty_home(), decisions=Shown((PendingDecision(summary_of(delegated), Side.HOME),), 1)
    )

    built = check_home(build_home(home, DEFAULT_LIMITS, "UDEPUTY"))

    (item,) = [b for b in section_blocks(built, HomeSection.DECISIONS) if b["type"] == "section"]
    assert "on behalf of <@UHOME>" in item["text"]["text"]
    assert "accessory" not in item


def test_each_secondment_says_where_it_stands() -> None:
    home = dataclasses.replace(
        empty_home(),
        mine=Shown(
            tuple(summary_of(r) for r in (pending(), blocked(), active(thread_url=None))), 3
        ),
    )

    built = check_home(build_home(home, DEFAULT_LIMITS, EMPLOYEE))

    items = [b for b in section_blocks(built, HomeSection.MINE) if b["type"] == "section"]
    assert "waiting for <@UHOME> (home manager) and <@UHOST> (host manager)" in str(items[0])
    assert "Blocked by the home manager: Cover or backfill." in str(items[1])
    assert "Active." in str(items[2])
    assert [("accessory" in i) for i in items] == [True, True, False]


def test_user_text_is_escaped_everywhere_on_the_home() -> None:
    record = summary_of(pending(terms=hostile_terms()))
    timeline = Timeline(7, EMPLOYEE, "<!here> & <b>", "<@U999>", date(2027, 2, 1), AT.date(), 2)
    home = Home(
        mine=Shown((record,), 1),
        decisions=Shown((PendingDecision(record, Side.HOME),), 1),
        dates=Shown((KeyDate(AT.date(), DateKind.END, timeline),), 1),
        hr=HrHome(
            Shown((record,), 1),
            Shown((OpenEscalation(record, EscalationKind.NO_DECISION, None, AT),), 1),
            Shown((MissedCheckIn(record, 0, AT),), 1),
        ),
    )

    built = check_home(build_home(home, DEFAULT_LIMITS, VIEWER))

    text = all_text(built["blocks"])
    for raw in ("<!here>", "<@U999>", "<b>"):
        assert raw not in text
    assert "&lt;!here&gt; &amp; &lt;b&gt;" in text
    assert "raised by the bot" in text and "The follow-up after the return went unanswered" in text


# --- the limits read back from Slack --------------------------------------------------------


@pytest.mark.parametrize(
    "metadata",
    [
        "",
        "mine=abc",
        "mine=-5",
        "mine=²",
        "mine=" + "9" * 5000,
        "nonsense=3,=,,==",
        "x" * 3000,
        ",".join(f"{s.value}=99" for s in HomeSection),
    ],
)
def test_limits_from_any_metadata_are_within_the_budget(metadata: str) -> None:
    limits = decode_limits(metadata)

    assert set(limits) == set(HomeSection)
    assert all(DEFAULT_LIMITS[s] <= n <= most(s) for s, n in limits.items())
    assert sum(ITEM_BLOCKS[s] * n for s, n in limits.items()) <= ITEM_BUDGET


def test_limits_that_would_not_fit_together_fall_back_to_the_defaults() -> None:
    every_section_at_its_most = ",".join(f"{s.value}={most(s)}" for s in HomeSection)

    assert decode_limits(every_section_at_its_most) == DEFAULT_LIMITS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mine:15", {HomeSection.MINE: 15, HomeSection.DATES: 6}),  # both fit: both kept
        ("mine:9999", {HomeSection.MINE: most(HomeSection.MINE)}),  # the rest reset to fit
        ("mine:1", {HomeSection.MINE: DEFAULT_LIMITS[HomeSection.MINE], HomeSection.DATES: 6}),
        ("hr_open:x", {HomeSection.DATES: 6}),  # unreadable: as the Home was
        ("nonsense:20", {HomeSection.DATES: 6}),
        ("", {HomeSection.DATES: 6}),
    ],
)
def test_show_more_raises_one_section_keeping_the_others_when_they_fit(
    value: str, expected: dict[HomeSection, int]
) -> None:
    shown = encode_limits({**DEFAULT_LIMITS, HomeSection.DATES: 6})

    assert show_more(shown, value) == {**DEFAULT_LIMITS, **expected}


def test_limits_survive_the_round_trip_through_the_view() -> None:
    limits = {**DEFAULT_LIMITS, HomeSection.HR_MISSED: 11, HomeSection.DECISIONS: 7}

    assert decode_limits(encode_limits(limits)) == limits
