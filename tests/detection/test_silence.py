"""Silence against the hour-of-week history: the pure functions, and their properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from czujka.detection.calendar import SLOTS
from czujka.detection.detectors import silence

WARSAW = ZoneInfo("Europe/Warsaw")
SAT_EVENING = 5 * 24 + 21  # Saturday 21:00-22:00


def test_slot_hours_split_at_the_hour_and_sum_to_the_span():
    start = datetime(2026, 11, 28, 20, 15, tzinfo=UTC)  # 21:15 in Warsaw, a Saturday
    hours = silence.slot_hours(start, start + timedelta(hours=2), WARSAW, "PL")
    assert hours.sum() == 2.0
    assert hours[SAT_EVENING] == 0.75 and hours[SAT_EVENING + 1] == 1.0 and hours[SAT_EVENING + 2] == 0.25


def test_a_busy_hour_gone_quiet_is_silent_and_a_quiet_night_is_not():
    counts, seen = np.zeros(SLOTS), np.full(SLOTS, 4.0)  # four weeks seen
    counts[SAT_EVENING] = 4 * 20  # twenty comments an hour on Saturday evenings
    counts[1 * 24 + 3] = 2  # two comments in four Tuesday nights at 3 a.m.
    evening, night = np.zeros(SLOTS), np.zeros(SLOTS)
    evening[SAT_EVENING], night[1 * 24 + 3] = 1.0, 1.0
    assert silence.is_silent(silence.log10_p_silent(counts, seen, evening), 0.001)
    assert not silence.is_silent(silence.log10_p_silent(counts, seen, night), 0.001)
    assert silence.expected(counts, seen, evening) == 20.0


def test_a_slot_never_seen_says_nothing():
    counts, seen, quiet = np.zeros(SLOTS), np.zeros(SLOTS), np.ones(SLOTS)
    counts[:] = 100
    assert silence.log10_p_silent(counts, seen, quiet) == 0.0


@given(
    st.lists(st.integers(0, 200), min_size=SLOTS, max_size=SLOTS),
    st.floats(0.5, 12),
    st.floats(0, 48),
    st.floats(0, 48),
)
def test_longer_silence_is_never_more_plausible(history, weeks, first, more):
    counts, seen = np.array(history, dtype=float), np.full(SLOTS, weeks)
    start = datetime(2026, 11, 23, tzinfo=UTC)
    shorter = silence.slot_hours(start, start + timedelta(hours=first), WARSAW, "PL")
    longer = silence.slot_hours(start, start + timedelta(hours=first + more), WARSAW, "PL")
    p_short = silence.log10_p_silent(counts, seen, shorter)
    p_long = silence.log10_p_silent(counts, seen, longer)
    assert p_long <= p_short + 1e-9 <= 1e-9
