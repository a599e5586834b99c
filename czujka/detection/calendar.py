"""Hour-of-week slots that know public holidays: a holiday is read as a Sunday."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SLOTS = 7 * 24
SUNDAY = 6


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def is_holiday(day: date, country: str | None) -> bool:
    return bool(country) and day in _holidays(country, day.year)  # type: ignore[arg-type]


def slot_of(at: datetime, zone: ZoneInfo, country: str | None = "PL") -> int:
    """0 … 167: Monday 00:00–01:00 local is 0; a public holiday takes Sunday's slots."""
    local = at.astimezone(zone)
    weekday = SUNDAY if is_holiday(local.date(), country) else local.weekday()
    return weekday * 24 + local.hour
