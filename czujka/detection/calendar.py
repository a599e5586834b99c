"""Hour-of-week slots that know public holidays: a holiday is read as a Sunday."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from czujka.days import is_holiday

SLOTS = 7 * 24
SUNDAY = 6


def slot_of(at: datetime, zone: ZoneInfo, country: str | None = "PL") -> int:
    """0 … 167: Monday 00:00–01:00 local is 0; a public holiday takes Sunday's slots."""
    local = at.astimezone(zone)
    weekday = SUNDAY if is_holiday(local.date(), country) else local.weekday()
    return weekday * 24 + local.hour
