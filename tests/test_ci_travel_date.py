"""CI's time-travel date (.ci/travel_date.py): about 13 months ahead, on a day that has tripped
date code before. The clock changes are checked against the tz database, not the script's rules."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "travel_date.py"
ZONES = (ZoneInfo("Europe/London"), ZoneInfo("America/New_York"))


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("travel_date", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _clocks_change(day: date) -> bool:
    start = datetime.combine(day, time(), UTC)
    end = start + timedelta(days=1)
    return any(start.astimezone(z).utcoffset() != end.astimezone(z).utcoffset() for z in ZONES)


def _tricky(day: date) -> bool:
    return (day.month, day.day) in {(2, 29), (12, 31)} or _clocks_change(day)


def test_a_run_in_december_2026_travels_to_the_end_of_2027(script: ModuleType) -> None:
    assert script.travel_date(date(2026, 12, 5)) == date(2027, 12, 31)
    assert script.travel_date(date(2027, 1, 20)) == date(2028, 2, 29)


def test_every_start_date_travels_about_13_months_to_a_tricky_day(script: ModuleType) -> None:
    today = date(2026, 1, 1)
    while today < date(2031, 1, 1):
        landed = script.travel_date(today)
        # 395 days give or take half the longest stretch without a tricky day (late March to
        # late October).
        assert abs(landed - today - timedelta(days=395)) <= timedelta(days=110), (today, landed)
        assert _tricky(landed), (today, landed)
        today += timedelta(days=1)


@pytest.mark.parametrize("today", [date(2027, 3, 1), date(2027, 6, 15), date(2029, 11, 20)])
def test_no_tricky_day_is_nearer_the_13_months(script: ModuleType, today: date) -> None:
    target = today + timedelta(days=395)
    landed = script.travel_date(today)
    distance = abs(landed - target).days
    nearer = [target + timedelta(days=n) for n in range(-distance + 1, distance)]
    assert not [day for day in nearer if _tricky(day)], landed
