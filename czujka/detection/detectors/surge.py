"""Surges against an hour-of-week baseline: counts of comments (volume, negative, harmful) and shares.

Counts are modelled as counts: the number in a window is negative-binomial around the baseline rate of
the window's hour-of-week slots (a public holiday reads as a Sunday), so 2 comments at 3 a.m. are judged
against a night's rate, and a minimum-evidence rule keeps tiny counts from paging anyone. The baseline
learns online with exponential forgetting and is not poisoned by surges: a window that alarms teaches
the baseline only what was expected of it.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta
from typing import Any, Self
from zoneinfo import ZoneInfo

import numpy as np
from scipy.special import betainc
from scipy.stats import betabinom

from czujka.detection.base import BUCKET, SURGE_P_VALUE, Alarm, unnamed_author
from czujka.detection.calendar import SLOTS, slot_of
from czujka.words import Phrase, phrase

LOG_P_FULL = 8.0  # a p-value of 1e-8 scores 1.0
# A closed or open bucket: (hour-of-week slot, count, evidence comment ids, the count expected before the
# bucket was learnt, who wrote the counted comments)
Bucket = tuple[int, float, tuple[int, ...], float, tuple[str, ...]]


def p_to_score(p: float) -> float:
    return float(min(1.0, max(0.0, -math.log10(max(p, 1e-300)) / LOG_P_FULL)))


class SeasonalRate:
    """Decayed counts and exposure per hour-of-week slot, shrunk towards the same hour on other days.

    That shrinkage is a gamma prior worth `prior_events` comments: a slot of a busy page stands on its own
    after a bucket or two, while a slot of a quiet page that saw no comment in two weeks is not yet
    believed to be silent (it would make the first three ordinary comments look like a surge).
    """

    def __init__(
        self,
        half_life_weeks: float = 4.0,
        prior_rate: float = 0.5,
        prior_weight: float = 2.0,
        buckets_per_hour: float = 4.0,
        prior_events: float = 2.0,
    ):
        self.half_life_weeks = half_life_weeks
        self.prior_rate = prior_rate
        self.prior_weight = prior_weight
        self.prior_events = prior_events
        self.buckets_per_hour = buckets_per_hour
        self._reset()

    def _reset(self) -> None:
        self.counts = np.zeros(SLOTS)
        self.exposure = np.zeros(SLOTS)
        self.hour_counts = np.zeros(24)  # the same hour on any day: what a new slot starts from
        self.hour_exposure = np.zeros(24)
        self.total_count = self.prior_rate * self.prior_weight
        self.total_exposure = self.prior_weight

    @property
    def _slot_decay(self) -> float:
        return 0.5 ** (1 / (self.half_life_weeks * self.buckets_per_hour))

    def rate(self, slot: int) -> float:
        """Expected count per bucket in `slot`: the slot's own rate, shrunk towards the same hour on other
        days, which is shrunk towards the overall rate (so the first Tuesday learns from Monday)."""
        overall = self.total_count / self.total_exposure
        hour = slot % 24
        weight = self.prior_weight  # hours differ a lot (night and day) and each has seven slots' data
        hourly = (self.hour_counts[hour] + weight * overall) / (self.hour_exposure[hour] + weight)
        # Days of the week differ less, and a slot of a quiet page has seen few comments: lean on the hour
        # for as many buckets as it takes to expect `prior_events` comments.
        weight = max(self.prior_weight, min(self.prior_events / max(hourly, 1e-9), 10_000.0))
        return (self.counts[slot] + weight * hourly) / (self.exposure[slot] + weight)

    def learn(self, slot: int, count: float) -> None:
        decay = self._slot_decay
        self.counts[slot] = self.counts[slot] * decay + count
        self.exposure[slot] = self.exposure[slot] * decay + 1
        hour_decay = decay ** (1 / 7)
        self.hour_counts[slot % 24] = self.hour_counts[slot % 24] * hour_decay + count
        self.hour_exposure[slot % 24] = self.hour_exposure[slot % 24] * hour_decay + 1
        overall = 0.5 ** (1 / (self.half_life_weeks * self.buckets_per_hour * SLOTS))
        self.total_count = self.total_count * overall + count
        self.total_exposure = self.total_exposure * overall + 1

    def state(self) -> dict[str, Any]:
        return {
            "counts": self.counts.tolist(),
            "exposure": self.exposure.tolist(),
            "hour_counts": self.hour_counts.tolist(),
            "hour_exposure": self.hour_exposure.tolist(),
            "total_count": self.total_count,
            "total_exposure": self.total_exposure,
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.counts = np.asarray(state["counts"], dtype=float)
        self.exposure = np.asarray(state["exposure"], dtype=float)
        self.hour_counts = np.asarray(state["hour_counts"], dtype=float)
        self.hour_exposure = np.asarray(state["hour_exposure"], dtype=float)
        self.total_count, self.total_exposure = state["total_count"], state["total_exposure"]


class CountSurge:
    """Alarms when the count in the last `window` is improbably high for its hours of the week.

    Feed it closed buckets with `update(count, at, evidence)`; `alarm` is set while the window surges.
    """

    def __init__(
        self,
        bucket: timedelta = BUCKET,
        window_buckets: int = 3,
        long_windows: tuple[int, ...] = (12, 36),
        alpha: float = SURGE_P_VALUE,
        # No page on fewer than three comments by three people in the window, however unusual at night.
        min_count: int = 3,
        min_authors: int = 3,
        min_ratio: float = 2.0,
        dispersion: float = 4.0,
        half_life_weeks: float = 4.0,
        warmup_buckets: int = 7 * 24 * 6,  # a week of learning before a surge pages anyone
        timezone: str = "Europe/Warsaw",
        holidays: str | None = "PL",
    ):
        self.bucket = bucket
        self.window_buckets = window_buckets
        self.long_windows = long_windows
        self.alpha = alpha
        self.min_count = min_count
        self.min_authors = min_authors
        self.min_ratio = min_ratio
        self.dispersion = dispersion
        self.half_life_weeks = half_life_weeks
        self.warmup_buckets = warmup_buckets
        self.zone = ZoneInfo(timezone)
        self.holidays = holidays
        self._reset()

    def _reset(self) -> None:
        self.baseline = SeasonalRate(self.half_life_weeks, buckets_per_hour=timedelta(hours=1) / self.bucket)
        # (slot, count, evidence comment ids, the count expected before this bucket was learnt, authors)
        self.recent: deque[Bucket] = deque(maxlen=max(self.window_buckets, *self.long_windows))
        self.seen = 0
        self.score = 0.0
        self.p_value = 1.0
        self._alarm: Alarm | None = None

    @property
    def alarm(self) -> Alarm | None:
        return self._alarm

    def expected(self, buckets: int | None = None) -> float:
        """What the baseline expected of the last `buckets`, each judged before it was learnt from."""
        window = list(self.recent)[-(buckets or self.window_buckets) :]
        return float(sum(r[3] for r in window))

    def tail(self, observed: float, expected: float, buckets: int) -> float:
        """P(N ≥ observed) for a negative binomial with this mean; variance = mean + mean²/size."""
        size = self.dispersion * buckets
        p = size / (size + max(expected, 1e-9))
        n = math.ceil(observed)
        # P(N ≥ n) = I_{1-p}(n, size), the regularised incomplete beta: the same as nbinom.sf(n - 1, size, p),
        # without scipy.stats' per-call overhead (this runs for every bucket of every profile).
        return 1.0 if n <= 0 else float(betainc(n, size, 1 - p))

    def update(
        self, count: float, at: datetime, evidence: tuple[int, ...] = (), authors: tuple[str, ...] = ()
    ) -> Self:
        """Close one bucket: judge the windows that end with it, then learn from it. A sudden burst shows
        in the short window; a crisis that builds up over hours in a long one. `authors` (who wrote the
        counted comments) feed the minimum-evidence rule when `min_authors` is set."""
        slot = slot_of(at, self.zone, self.holidays)
        self.recent.append((slot, count, evidence, self.baseline.rate(slot), authors))
        self.seen += 1
        self._alarm = self._judge(list(self.recent))
        # Learn what was expected rather than a surge, so a crisis does not become the new normal.
        self.baseline.learn(slot, self.baseline.rate(slot) if self._alarm else count)
        return self

    def peek(
        self,
        count: float,
        at: datetime,
        elapsed: float,
        evidence: tuple[int, ...] = (),
        authors: tuple[str, ...] = (),
    ) -> Alarm | None:
        """Judge the bucket still open at `at`, `elapsed` (0–1) of the way through, without learning:
        a burst is caught minutes after it starts rather than when its bucket closes."""
        slot = slot_of(at, self.zone, self.holidays)
        partial = (slot, count, evidence, self.baseline.rate(slot) * max(elapsed, 0.05), authors)
        kept = list(self.recent)
        if len(kept) == self.recent.maxlen:
            kept = kept[1:]
        return self._judge([*kept, partial], remember=False)

    def _judge(self, recent_all: list[Bucket], remember: bool = True) -> Alarm | None:
        windows = (self.window_buckets, *self.long_windows)
        alpha = self.alpha / len(windows)  # each window tested at alpha divided by their number
        best: tuple[float, int, float, float] | None = None
        lowest = 1.0
        for buckets in windows:
            recent = recent_all[-buckets:]
            observed = sum(r[1] for r in recent)
            expected = float(sum(r[3] for r in recent))
            if not remember and (observed < self.min_count or observed < self.min_ratio * expected):
                continue  # cannot alarm: spare the tail probability (this runs for every comment)
            p_value = self.tail(observed, expected, len(recent))
            lowest = min(lowest, p_value)
            if (
                self.seen > self.warmup_buckets
                and len(recent) == buckets
                and p_value < alpha
                and observed >= self.min_count
                and observed >= self.min_ratio * expected
                and (best is None or p_value < best[0])
                and self._enough_authors(recent)
            ):
                best = (p_value, buckets, observed, expected)
        if remember:
            self.p_value, self.score = lowest, p_to_score(lowest)
        if best is None:
            return None
        p_value, buckets, observed, expected = best
        return Alarm(
            p_to_score(p_value),
            tuple(i for r in recent_all[-buckets:] for i in r[2]),
            phrase(
                "%(observed).0f in %(window)s where about %(expected).1f is usual",
                observed=observed,
                window=self._window_text(buckets),
                expected=expected,
            ),
            {"observed": observed, "expected": expected, "p_value": p_value},
        )

    def _enough_authors(self, window: list[Bucket]) -> bool:
        """Three comments by one angry customer are a quarrel at most, not a surge of opinion."""
        if not self.min_authors:
            return True
        return len({a for r in window for a in r[4]}) >= self.min_authors

    def _window_text(self, buckets: int) -> Phrase:
        minutes = int(self.bucket.total_seconds() // 60) * buckets
        if minutes < 120:
            return phrase("%(minutes)s min", minutes=minutes)
        return phrase("%(hours)g h", hours=minutes / 60)

    def state(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.state(),
            "recent": [[r[0], r[1], list(r[2]), r[3], list(r[4])] for r in self.recent],
            "seen": self.seen,
        }

    def restore(self, state: dict[str, Any]) -> Self:
        self._reset()
        self.baseline.restore(state["baseline"])
        for slot, count, evidence, expected, *authors in state["recent"]:
            # State saved before authors were kept: each comment counts as its own author.
            who = tuple(authors[0]) if authors else tuple(unnamed_author(i) for i in evidence)
            self.recent.append((int(slot), float(count), tuple(evidence), float(expected), who))
        self.seen = int(state["seen"])
        return self


class ShareSurge:
    """Alarms when the share of flagged comments (e.g. negative among all) in the window is improbably
    high against its learned share, so a viral post with many happy comments is not a crisis."""

    def __init__(
        self,
        window_buckets: int = 3,
        alpha: float = 1e-3,
        min_flagged: int = 5,
        prior_strength: float = 20.0,
        prior_share: float = 0.15,
        half_life_buckets: float = 2000.0,
        concentration: float = 30.0,
    ):
        self.window_buckets = window_buckets
        self.alpha = alpha
        self.min_flagged = min_flagged
        self.prior_strength = prior_strength
        self.prior_share = prior_share
        self.half_life_buckets = half_life_buckets
        self.concentration = concentration
        self._reset()

    def _reset(self) -> None:
        self.flagged = self.prior_share * self.prior_strength
        self.total = self.prior_strength
        self.recent: deque[tuple[int, int]] = deque(maxlen=self.window_buckets)
        self.p_value = 1.0
        self._alarm: Alarm | None = None

    @property
    def share(self) -> float:
        return self.flagged / self.total

    @property
    def alarm(self) -> Alarm | None:
        return self._alarm

    def update(self, flagged: int, total: int) -> Self:
        self.recent.append((flagged, total))
        k = sum(f for f, _ in self.recent)
        n = sum(t for _, t in self.recent)
        share = min(max(self.share, 1e-3), 0.999)
        a, b = share * self.concentration, (1 - share) * self.concentration
        self.p_value = float(betabinom.sf(k - 1, n, a, b)) if n else 1.0
        alarming = n > 0 and k >= self.min_flagged and self.p_value < self.alpha
        self._alarm = (
            Alarm(
                p_to_score(self.p_value),
                (),
                phrase(
                    "%(flagged)s of %(total)s where %(share)d%% is usual",
                    flagged=k,
                    total=n,
                    share=round(share * 100),
                ),
                {"flagged": k, "total": n, "usual_share": share},
            )
            if alarming
            else None
        )
        decay = 0.5 ** (1 / self.half_life_buckets)
        if not alarming:
            self.flagged = self.flagged * decay + flagged
            self.total = self.total * decay + total
        return self

    def state(self) -> dict[str, Any]:
        return {"flagged": self.flagged, "total": self.total, "recent": [list(r) for r in self.recent]}

    def restore(self, state: dict[str, Any]) -> Self:
        self._reset()
        self.flagged, self.total = state["flagged"], state["total"]
        self.recent.extend((int(f), int(t)) for f, t in state["recent"])
        return self
