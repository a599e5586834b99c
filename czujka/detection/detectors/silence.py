"""Silence: how improbable it is that nothing arrived since `quiet_from`, given the profile's own hours.

Each hour-of-week slot's rate is uncertain, so its history is a gamma posterior (the slot's count `k` over
`e` hours seen, with no prior). The chance of no comment in `w` hours of that slot is then negative
binomial, `(e / (e + w)) ** k`, and the slots of the quiet window multiply. A busy page quiet for an hour
on a Saturday evening is improbable; a small shop's quiet night, or a slot never seen, is not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from czujka.detection.calendar import SLOTS, slot_of

HOUR = timedelta(hours=1)


def slot_hours(start: datetime, end: datetime, zone: ZoneInfo, country: str | None) -> np.ndarray:
    """Hours spent in each hour-of-week slot between `start` and `end`."""
    hours = np.zeros(SLOTS)
    at = start
    while at < end:
        top = at.replace(minute=0, second=0, microsecond=0) + HOUR
        step = min(top, end)
        hours[slot_of(at, zone, country)] += (step - at) / HOUR
        at = step
    return hours


def slot_counts(buckets: Iterable[tuple[datetime, int]], zone: ZoneInfo, country: str | None) -> np.ndarray:
    counts = np.zeros(SLOTS)
    for start, total in buckets:
        counts[slot_of(start, zone, country)] += total
    return counts


def log10_p_silent(counts: np.ndarray, seen: np.ndarray, quiet: np.ndarray) -> float:
    """log10 of the chance of no comment in the `quiet` hours, from `counts` over `seen` hours a slot."""
    used = (seen > 0) & (quiet > 0) & (counts > 0)
    if not used.any():
        return 0.0
    e, w, k = seen[used], quiet[used], counts[used]
    return float(np.sum(k * np.log10(e / (e + w))))


def expected(counts: np.ndarray, seen: np.ndarray, quiet: np.ndarray) -> float:
    """How many comments the quiet hours would usually have brought."""
    used = seen > 0
    return float(np.sum(counts[used] / seen[used] * quiet[used]))


def is_silent(log10_p: float, p_value: float) -> bool:
    return log10_p < math.log10(p_value)
