"""Public holidays, shared by the surge baselines (a holiday reads as a Sunday) and the on-call schedules
(a layer may be off, or on all day, on a holiday)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays  # loaded on first use: it is slow to import and most commands never ask

    return frozenset(holidays.country_holidays(country, years=year))


def is_holiday(day: date, country: str | None) -> bool:
    """Whether `day` is a public holiday in `country` (an ISO code such as "PL"); never for no country."""
    return bool(country) and day in _holidays(country, day.year)  # type: ignore[arg-type]
