"""Surges in a real-valued series (a metric, mention counts every five minutes): the detector that
`czujka bench nab` scores on the Numenta Anomaly Benchmark.

Each value is a surprise twice over: against the overall level and the hour-of-week slot's (trusted by how
well each has predicted lately), and against the nearest earlier stretch of the same shape. Each surprise is
judged by `SurpriseLikelihood`, so a series that is always noisy does not page and a calm one that errs does.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime
from typing import Any, Self
from zoneinfo import ZoneInfo

import numpy as np
from scipy.special import ndtr

from czujka.detection.base import Alarm
from czujka.detection.calendar import SLOTS, slot_of
from czujka.words import phrase


class SurpriseLikelihood:
    """How unusual the last `short` surprises are against the last `long` ones (an "anomaly likelihood"):
    a detector whose errors are always large is not alarming, a quiet one that suddenly errs is."""

    def __init__(self, short: int = 2, long: int = 1000):
        self.short = short
        self.history: deque[float] = deque(maxlen=long)

    def add(self, surprise: float) -> None:
        self.history.append(surprise)

    @property
    def score(self) -> float:
        if len(self.history) < 2 * self.short:
            return 0.0
        history = np.fromiter(self.history, dtype=float)
        recent = history[-self.short :].mean()
        return float(ndtr((recent - history.mean()) / (history.std() + 1e-6)))


class ShapeMemory:
    """The last `length` values as a shape, and how far it lies from the nearest shape seen before (the
    last `capacity` of them, overlapping ones left out): a stretch that never happened is news even when
    every single value in it is ordinary, such as a daily peak that does not come or noise that stops."""

    def __init__(self, length: int = 10, capacity: int = 3000):
        self.length = length
        self.capacity = capacity
        self.shapes = np.zeros((capacity, length))
        self.stored = 0  # shapes stored so far (the ring buffer holds the last `capacity`)
        self.window: deque[float] = deque(maxlen=length)

    def update(self, value: float) -> float | None:
        """Add one value; the distance (root mean square) of the new shape to its nearest earlier one."""
        self.window.append(value)
        if len(self.window) < self.length:
            return None
        shape = np.fromiter(self.window, dtype=float)
        filled = min(self.stored, self.capacity)
        nearest = None
        if self.stored > 2 * self.length:
            distances = ((self.shapes[:filled] - shape) ** 2).sum(axis=1)
            overlapping = (self.stored - 1 - np.arange(self.length - 1)) % self.capacity
            distances[overlapping] = np.inf
            nearest = math.sqrt(float(distances.min()) / self.length)
        self.shapes[self.stored % self.capacity] = shape
        self.stored += 1
        return nearest

    def state(self) -> dict[str, Any]:
        filled = min(self.stored, self.capacity)
        return {"shapes": self.shapes[:filled].tolist(), "stored": self.stored, "window": list(self.window)}

    def restore(self, state: dict[str, Any]) -> None:
        shapes = np.asarray(state["shapes"], dtype=float).reshape(-1, self.length)
        self.shapes[: len(shapes)] = shapes
        self.stored = int(state["stored"])
        self.window.extend(state["window"])


class ValueSurge:
    """The same seasonal idea for real-valued series (benchmarks, metrics). Two surprises per value: how
    far it sits from its expected level (two-sided), and how far the last few values lie from any stretch
    seen before. Each surprise becomes a likelihood that the recent values keep being unusual, so one odd
    point scores less than a sustained change; the score is the larger of the two.

    The expected level blends the overall level and the hour-of-week slot's, each trusted in inverse
    proportion to its recent squared error: a series without a weekly rhythm is not judged by noisy slot
    means, one with a strong rhythm is judged by its slot. A value beyond everything seen so far (by more
    than `extreme_margin` of that range) scores in full at once: no history makes a record high ordinary,
    not even an alarm a moment ago. Each alarm the series has raised makes the next one need stronger
    evidence (the tail probability is multiplied by one plus the alarms so far, a multiple-testing
    correction): a series that keeps surprising its model is noisier than its history says."""

    def __init__(
        self,
        half_life: float = 2000.0,
        short: int = 5,
        long: int = 1000,
        shape_length: int = 10,
        shape_memory: int = 3000,
        extreme_margin: float = 0.05,
        timezone: str = "UTC",
        holidays: str | None = None,
        warmup: int = 150,
        alarm_level: float = 0.999,
        refractory: int = 100,
    ):
        self.alarm_level = alarm_level
        self.refractory = refractory
        self.half_life = half_life
        self.rate = 1 - 0.5 ** (1 / half_life)  # forgetting per value: a value's weight halves in half_life
        self.short = short
        self.long = long
        self.shape_length = shape_length
        self.shape_memory = shape_memory
        self.extreme_margin = extreme_margin
        self.zone = ZoneInfo(timezone)
        self.holidays = holidays
        self.warmup = warmup
        self._reset()

    def _reset(self) -> None:
        self.mean = 0.0
        self.var = 0.0
        self.slot_mean = np.zeros(SLOTS)
        self.slot_seen = np.zeros(SLOTS)
        self.misses = np.zeros(2)  # mean squared errors of the overall and the slot's level, decayed
        self.compared = 0
        self.seen = 0
        self.level_surprises = SurpriseLikelihood(self.short, self.long)
        self.shape_surprises = SurpriseLikelihood(self.short, self.long)
        self.shapes = ShapeMemory(self.shape_length, self.shape_memory)
        self.lowest = math.inf
        self.highest = -math.inf
        self.score = 0.0
        self.quiet = 0  # updates left in the refractory period after an alarm
        self.alarms = 0

    @property
    def alarm(self) -> Alarm | None:
        return Alarm(self.score, (), phrase("unusual values")) if self.score >= self.alarm_level else None

    def update(self, value: float, at: datetime) -> Self:
        slot = slot_of(at, self.zone, self.holidays)
        self.seen += 1
        if self.seen == 1:
            self.mean = value
        level = self.expected_level(slot)
        if self.slot_seen[slot] >= 3:
            self.compared += 1
            misses = (value - np.array([self.mean, self.slot_mean[slot]])) ** 2
            self.misses += max(self.rate, 1 / self.compared) * (misses - self.misses)
        spread = math.sqrt(self.var) + 1e-9 + 1e-3 * abs(self.mean)
        z = abs(value - level) / spread
        self.level_surprises.add(-math.log10(max(2 * (1 - float(ndtr(z))), 1e-300)))
        nearest = self.shapes.update(value)
        if nearest is not None:
            self.shape_surprises.add(math.log1p(nearest / spread))
        unusual = (
            max(self.level_surprises.score, self.shape_surprises.score) if self.seen > self.warmup else 0.0
        )
        self.score = max(0.0, 1 - (1 - unusual) * (1 + self.alarms))
        record = self.seen > self.warmup and self._beyond_range(value)
        if record:
            self.score = 1.0
        self.lowest, self.highest = min(self.lowest, value), max(self.highest, value)
        if self.quiet and not record:  # one episode, one alarm (but a new record is news even then)
            self.quiet -= 1
            self.score = min(self.score, 0.5)
        elif self.score >= self.alarm_level:
            self.quiet = self.refractory
            self.alarms += 1
        delta = value - self.mean
        self.mean += self.rate * delta
        self.var = (1 - self.rate) * (self.var + self.rate * delta * delta)
        self.slot_seen[slot] += 1
        beta = max(self.rate * 20, 1 / self.slot_seen[slot])
        self.slot_mean[slot] += beta * (value - self.slot_mean[slot])
        return self

    def expected_level(self, slot: int) -> float:
        """The overall level and the slot's, each trusted in inverse proportion to its recent squared error."""
        if self.slot_seen[slot] < 3 or not self.compared:
            return self.mean
        trust = 1 / (self.misses + 1e-12)
        return float(trust @ np.array([self.mean, self.slot_mean[slot]]) / trust.sum())

    def _beyond_range(self, value: float) -> bool:
        margin = self.extreme_margin * (self.highest - self.lowest)
        return margin > 0 and not self.lowest - margin <= value <= self.highest + margin

    def state(self) -> dict[str, Any]:
        return {
            "range": [self.lowest, self.highest] if self.seen else None,  # JSON has no infinity
            "mean": self.mean,
            "var": self.var,
            "slot_mean": self.slot_mean.tolist(),
            "quiet": self.quiet,
            "alarms": self.alarms,
            "slot_seen": self.slot_seen.tolist(),
            "misses": self.misses.tolist(),
            "compared": self.compared,
            "seen": self.seen,
            "level_surprises": list(self.level_surprises.history),
            "shape_surprises": list(self.shape_surprises.history),
            "shapes": self.shapes.state(),
        }

    def restore(self, state: dict[str, Any]) -> Self:
        self._reset()
        self.mean, self.var, self.seen, self.quiet = (
            state["mean"],
            state["var"],
            state["seen"],
            state["quiet"],
        )
        self.slot_mean = np.asarray(state["slot_mean"])
        self.slot_seen = np.asarray(state["slot_seen"])
        self.level_surprises.history.extend(state["level_surprises"])
        self.shape_surprises.history.extend(state["shape_surprises"])
        self.shapes.restore(state["shapes"])
        self.alarms = state.get("alarms", 0)  # state saved before alarms were counted
        if "misses" in state:
            self.misses, self.compared = np.asarray(state["misses"]), state["compared"]
        if state.get("range"):
            self.lowest, self.highest = state["range"]
        return self
