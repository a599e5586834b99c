"""A labelled suite of generated weeks to measure detection: small and large shops, crises of every kind at
different hours (nights, weekends, a public holiday), and crisis-free weeks with busy normal peaks.

Each scenario is two weeks of ordinary history (what a running czujka would have learnt) and one week
that is measured. Comments come already scored (sentiment, harm, vulgarity, topic), so this measures the
detectors, not the analysis.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from czujka.days import is_holiday
from czujka.detection.base import SURGE_P_VALUE
from czujka.detection.detectors.quarrel import Reply
from czujka.detection.series import BUCKET
from czujka.detection.service import Detectors
from czujka.detection.signals import Scored, SignalIn

WARSAW = ZoneInfo("Europe/Warsaw")
WEEK_ONE = datetime(2026, 10, 26, tzinfo=WARSAW)  # history starts on a Monday; the measured week has 11 Nov
DAY_SHAPE = [
    0.1,
    0.05,
    0.03,
    0.03,
    0.05,
    0.1,
    0.3,
    0.6,
    0.9,
    1.0,
    1.0,
    0.95,
    0.9,
    0.9,
    0.85,
    0.85,
    0.9,
    0.95,
    1.0,
    1.0,
    0.9,
    0.7,
    0.45,
    0.25,
]
WORDS = (
    "sklep dostawa paczka jabłka miód chleb kurier zamówienie super dzięki pytanie cena promocja kawa "
    "ser warzywa owoce przepis smak świeże polecam weekend sobota prezent koszyk"
).split()
CRISIS_SPAN = timedelta(hours=12)  # incidents opened this long after onset belong to the same crisis
SURGE_KINDS = {
    "negative_surge": {"negative_surge", "harm_surge"},
    "harm_surge": {"harm_surge", "negative_surge"},
    "quarrel": {"quarrel"},
    "coordinated": {"coordinated"},
    "red_flag": {"red_flag"},
}


@dataclass
class Scenario:
    name: str
    peak_per_hour: float
    crisis: str | None
    onset: datetime | None
    busy_peaks: bool = False
    comments: list[Scored] = field(default_factory=list)


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.counts = np.random.default_rng(seed)  # how many comments a bucket gets: Poisson draws
        self.next_id = 0

    def comment(self, at: datetime, profile: str = "shop", **kw: Any) -> Scored:
        self.next_id += 1
        ident = self.next_id
        text = kw.pop("text", None) or " ".join(
            self.rng.choice(WORDS) for _ in range(self.rng.randint(4, 12))
        )
        base: dict[str, Any] = {
            "author": f"u{self.rng.randrange(10**6)}",
            "is_staff": False,
            "root_id": ident,
            "is_reply": False,
            "rating": None,
            "sentiment": "neutral",
            "harm": 0.05,
            "harmful": False,
            "vulgar": False,
            "topic": "other",
            "topic_confidence": 0.6,
            "competitors": [],
        }
        base.update(kw)
        return Scored(ident, profile, at, text=text, **base)

    def ordinary(self, at: datetime) -> Scored:
        roll = self.rng.random()
        sentiment = "negative" if roll < 0.25 else "positive" if roll < 0.7 else "neutral"
        harmful = self.rng.random() < 0.015
        return self.comment(
            at,
            sentiment=sentiment,
            harmful=harmful,
            harm=0.7 if harmful else 0.1,
            vulgar=self.rng.random() < 0.01,
            topic="delivery" if roll < 0.1 else "other",
        )


def _traffic(b: _Builder, start: datetime, days: int, peak: float, busy: bool) -> list[Scored]:
    out = []
    step = BUCKET
    for i in range(int(days * 24 * 60 / 10)):
        at = start + i * step
        local = at.astimezone(WARSAW)
        day_off = local.weekday() >= 5 or is_holiday(local.date(), "PL")  # people shop less on holidays too
        factor = DAY_SHAPE[local.hour] * (0.8 if day_off else 1.0)
        if busy and local.weekday() == 0 and 9 <= local.hour < 12:
            factor *= 2.5  # a busy Monday morning after a newsletter
        rate = peak * factor / 6
        for _ in range(int(b.counts.poisson(rate))):
            comment = b.ordinary(at + timedelta(seconds=b.rng.randrange(600)))
            out.append(comment)
            out += _ordinary_thread(b, comment)
    return out


def _ordinary_thread(b: _Builder, opening: Scored) -> list[Scored]:
    """Most comments get no answer; some get the shop's answer and a few a word back from the customer,
    unhappy customers included. Quarrel detection must stay quiet on these."""
    if b.rng.random() >= 0.2:
        return []
    at = opening.created_at + timedelta(minutes=b.rng.uniform(3, 120))
    thread = dict(root_id=opening.id, is_reply=True, topic=opening.topic)
    replies = [b.comment(at, author="sklep", is_staff=True, sentiment="neutral", **thread)]
    if b.rng.random() < 0.4:
        at += timedelta(minutes=b.rng.uniform(1, 60))
        sentiment = opening.sentiment if b.rng.random() < 0.5 else "positive"
        replies.append(b.comment(at, author=opening.author, sentiment=sentiment, **thread))
    return replies


def _crisis(b: _Builder, kind: str, onset: datetime, peak: float) -> list[Scored]:
    out = []
    if kind in ("negative_surge", "harm_surge"):
        hours = 6 if kind == "negative_surge" else 3
        rate = max(8.0, 3 * peak) if kind == "negative_surge" else max(6.0, 1.5 * peak)
        at = onset
        while at < onset + timedelta(hours=hours):
            at += timedelta(minutes=b.rng.expovariate(rate / 60))
            harmful = kind == "harm_surge"
            out.append(
                b.comment(
                    at,
                    sentiment="negative",
                    harmful=harmful,
                    harm=0.8 if harmful else 0.3,
                    vulgar=harmful and b.rng.random() < 0.6,
                    topic="delivery",
                )
            )
    elif kind == "quarrel":
        root = b.comment(onset, author="klientka", sentiment="negative", topic="delivery")
        out.append(root)
        at = onset
        for i in range(10):
            at += timedelta(minutes=b.rng.randint(1, 3))
            staff = i % 2 == 0
            out.append(
                b.comment(
                    at,
                    author="sklep" if staff else "klientka",
                    is_staff=staff,
                    root_id=root.id,
                    is_reply=True,
                    sentiment="negative",
                    harm=0.3 + 0.04 * i,
                )
            )
    elif kind == "coordinated":
        core = "Ocena 1/5. Nie polecam, oszuści, towar nigdy nie dotarł. Lepiej zamawiać w Koszyk24!"
        at = onset
        for i in range(12):
            at += timedelta(minutes=b.rng.randint(1, 3))
            text = core.replace("Ocena", b.rng.choice(["Ocena", "Moja ocena", "OCENA"])) + "!" * (i % 3)
            out.append(
                b.comment(
                    at, text=text, sentiment="negative", rating=1, new_account=True, competitors=["Koszyk24"]
                )
            )
    elif kind == "red_flag":
        out.append(
            b.comment(
                onset,
                text="Po waszej kiełbasie syn w szpitalu, zatrucie. Zgłaszam do sanepidu.",
                sentiment="negative",
                topic="legal-safety",
                topic_confidence=0.95,
            )
        )
    return out


def build_suite(weeks: int = 48, seed: int = 2026) -> list[Scenario]:
    """Crisis weeks of every kind at varied hours, and crisis-free weeks (every fourth, some busy)."""
    rng = random.Random(seed)
    kinds = ["negative_surge", "harm_surge", "quarrel", "coordinated", "red_flag"]
    hours = [(2, 23), (4, 3), (5, 14), (6, 20), (2, 12), (0, 10), (3, 1), (5, 22)]  # (weekday, hour)
    suite = []
    for i in range(weeks):
        if i % 4 == 3:  # crisis-free: small and large shops in turn, busy Mondays in two of every three
            peak = 4.0 if i % 8 == 3 else 80.0
            size = "small" if peak < 10 else "large"
            suite.append(Scenario(f"{size}-quiet-{i}", peak, None, None, busy_peaks=i // 4 % 3 != 2))
            continue
        peak = 4.0 if i % 2 == 0 else 80.0
        size = "small" if peak < 10 else "large"
        kind = kinds[i % len(kinds)]
        day, hour = hours[rng.randrange(len(hours))]
        onset = WEEK_ONE + timedelta(weeks=2, days=day, hours=hour, minutes=rng.randrange(60))
        suite.append(Scenario(f"{size}-{kind}-{onset:%a-%H%M}", peak, kind, onset))
    return suite


def generate(scenario: Scenario, seed: int) -> tuple[list[Scored], list[Scored]]:
    """All comments in time order, and the crisis's own comments among them."""
    b = _Builder(seed)
    comments = _traffic(b, WEEK_ONE, 21, scenario.peak_per_hour, scenario.busy_peaks)
    crisis = []
    if scenario.crisis and scenario.onset:
        crisis = _crisis(b, scenario.crisis, scenario.onset.astimezone(WARSAW), scenario.peak_per_hour)
    return sorted(comments + crisis, key=lambda c: (c.created_at, c.id)), crisis


def run_scenario(scenario: Scenario, seed: int, surge_p_value: float = SURGE_P_VALUE) -> dict[str, Any]:
    comments, crisis = generate(scenario, seed)
    seen: dict[int, Scored] = {}

    def root_of(root_id: int) -> Reply | None:
        """As the service does from the database: the comment that opened the thread, if it came."""
        c = seen.get(root_id)
        return None if c is None else c.as_reply()

    detectors = Detectors(lambda _: "Europe/Warsaw", root_of=root_of, p_value_of=lambda _: surge_p_value)
    measured_from = WEEK_ONE + timedelta(weeks=2)
    signals: list[SignalIn] = []
    started = time.perf_counter()
    next_tick = comments[0].created_at + BUCKET
    for c in comments:
        while c.created_at >= next_tick:
            signals += detectors.tick(next_tick, ["shop"])
            next_tick += BUCKET
        seen[c.id] = c
        signals += detectors.feed(c)
    elapsed = time.perf_counter() - started
    incidents = _incidents([s for s in signals if s.at >= measured_from])
    result: dict[str, Any] = {
        "name": scenario.name,
        "crisis": scenario.crisis,
        "comments": len(comments),
        "seconds": elapsed,
        "incidents": len(incidents),
    }
    if scenario.crisis and scenario.onset:
        wanted = SURGE_KINDS[scenario.crisis]
        hits = [
            at for kind, at in incidents if kind in wanted and at >= scenario.onset - timedelta(minutes=1)
        ]
        result["detected"] = bool(hits)
        result["latency_min"] = (min(hits) - scenario.onset).total_seconds() / 60 if hits else None
        # No detector may page on fewer than three comments, so the third one is the earliest fair moment.
        third = sorted(c.created_at for c in crisis)[min(2, len(crisis) - 1)]
        result["third_comment_min"] = (third - scenario.onset).total_seconds() / 60
        window = (scenario.onset - timedelta(minutes=1), scenario.onset + CRISIS_SPAN)
        related = [kind for kind, at in incidents if window[0] <= at <= window[1]]
        result["related"] = len([k for k in related if k not in wanted])  # e.g. a volume surge beside it
        false = [(kind, at) for kind, at in incidents if not window[0] <= at <= window[1]]
    else:
        false = incidents
    result["false"] = len(false)
    result["false_at"] = [f"{kind} {at.astimezone(WARSAW):%a %d %H:%M}" for kind, at in false]
    return result


def _incidents(signals: list[SignalIn], quiet: timedelta = timedelta(hours=3)) -> list[tuple[str, datetime]]:
    """(kind, opened at) of the incidents the signals would open: one per dedup key until it is quiet."""
    last: dict[str, datetime] = {}
    opened = []
    for s in sorted(signals, key=lambda s: s.at):
        if s.dedup_key not in last or s.at - last[s.dedup_key] > quiet:
            opened.append((s.kind, s.at))
        last[s.dedup_key] = s.at
    return opened


def scenario_seed(suite_seed: int, index: int) -> int:
    """Each scenario's own traffic; suites of different seeds share none (seed + index would)."""
    return suite_seed * 1000 + index


def run_suite(weeks: int = 48, seed: int = 2026, surge_p_value: float = SURGE_P_VALUE) -> dict[str, Any]:
    """Scenarios run side by side, one per core; each times only its own detectors. `surge_p_value` is
    the profile setting of that name: the trade between earlier surge incidents and false ones."""
    suite = build_suite(weeks, seed)
    with ProcessPoolExecutor(max_workers=min(len(suite), os.cpu_count() or 1)) as pool:
        seeds = [scenario_seed(seed, i) for i in range(len(suite))]
        rows = list(pool.map(run_scenario, suite, seeds, [surge_p_value] * len(suite)))
    crises = [r for r in rows if r["crisis"]]
    quiet = [r for r in rows if not r["crisis"]]

    def median(kinds: set[str], size: str = "", key: str = "latency_min") -> float | None:
        values = [
            r[key]
            for r in crises
            if r["crisis"] in kinds and r["name"].startswith(size) and r[key] is not None
        ]
        return statistics.median(values) if values else None

    surges = {"negative_surge", "harm_surge"}

    comments = sum(r["comments"] for r in rows)
    return {
        "surge_p_value": surge_p_value,
        "rows": rows,
        "crises": len(crises),
        "detected": sum(1 for r in crises if r["detected"]),
        "median_minutes_surges": median(surges),
        "median_minutes_surges_small": median(surges, "small-"),
        "median_minutes_surges_large": median(surges, "large-"),
        "median_minutes_surges_third_comment": median(surges, key="third_comment_min"),
        "median_minutes_surges_small_third_comment": median(surges, "small-", "third_comment_min"),
        "median_minutes_quarrel_red_flag": median({"quarrel", "red_flag"}),
        "median_minutes_coordinated": median({"coordinated"}),
        "quiet_weeks": len(quiet),
        "false_incidents_quiet_weeks": sum(r["false"] for r in quiet),
        "false_incidents_crisis_weeks": sum(r["false"] for r in crises),
        "related_incidents_crisis_weeks": sum(r["related"] for r in crises),
        "ms_per_comment": 1000 * sum(r["seconds"] for r in rows) / comments,
        "comments": comments,
    }
