"""Public holidays: the calendar the HOLIDAYS setting names, from the `holidays` library, which
the working-day rules (bot/domain/calendar.py) skip as they skip weekends.

A calendar is named as the library names them, a country and, for a region's own days, its
subdivision: `GB-ENG` (England: the Boxing Day substitute, no St Andrew's Day), `US-CA`,
`DE-BY`. The library works out each year's dates when first asked, Easter included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays


@dataclass(frozen=True, slots=True)
class PublicHolidays:
    """The days off of one calendar ("" for none): `day in calendar`."""

    code: str = ""

    def __contains__(self, day: object) -> bool:
        return bool(self.code) and isinstance(day, date) and day in _calendar(self.code)


def calendar_problem(code: str) -> str | None:
    """Why `code` names no calendar the library has, in plain words; None when it does."""
    country, _, region = code.partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported:
        return f"{country or code!r} is not a country code the holidays library knows"
    if region and region not in supported[country]:
        known = ", ".join(f"{country}-{r}" for r in sorted(supported[country])[:6])
        return f"{region!r} is not a region of {country} (for example {known})"
    return None


@cache
def _calendar(code: str) -> holidays.HolidayBase:
    # One object per calendar for the process: it fills in each year once, when first asked.
    country, _, region = code.partition("-")
    return holidays.country_holidays(country, subdiv=region or None)
