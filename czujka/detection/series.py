"""Each profile's comments as a series of 10-minute buckets: what is stored for the charts, and the surge
detectors that judge every bucket (also the one still open, so a burst is caught within minutes).

Surges count customers' comments only, never the shop's own answers, and page on no fewer than three comments
by three people in the window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from czujka.detection.base import BUCKET, SURGE_P_VALUE, unnamed_author
from czujka.detection.detectors.surge import CountSurge, ShareSurge
from czujka.detection.models import SeriesBucket
from czujka.detection.signals import Scored, SignalIn

MAX_GAP_BUCKETS = 7 * 24 * 6
EVIDENCE_PER_BUCKET = 50
REPEAT_SIGNAL = timedelta(hours=1)
SURGES = (("volume_surge", "total"), ("negative_surge", "negative"), ("harm_surge", "harmful"))


def bucket_start(at: datetime) -> datetime:
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % int(BUCKET.total_seconds()), UTC)


class ProfileSurges:
    """The surge detectors of one profile and its open bucket."""

    def __init__(self, timezone: str, holidays: str | None, p_value: float = SURGE_P_VALUE):
        common: dict[str, Any] = {"alpha": p_value, "timezone": timezone, "holidays": holidays}
        self.counts = {kind: CountSurge(**common) for kind, _ in SURGES}
        self.share = ShareSurge()
        self.open: datetime | None = None
        self.tally = {"total": 0, "negative": 0, "harmful": 0}
        self.ids: dict[str, list[int]] = {"total": [], "negative": [], "harmful": []}
        self.authors: dict[str, list[str]] = {"total": [], "negative": [], "harmful": []}
        self.last_signal: dict[str, str] = {}
        self.closed = False  # a bucket closed since the baselines were last saved

    def add(self, c: Scored) -> list[SignalIn]:
        signals = self.advance(bucket_start(c.created_at), c.profile_id)
        if self.open is None or bucket_start(c.created_at) < self.open:
            return signals  # late comment: counted in the series, not in live detection
        if c.is_staff:
            return signals  # the shop's own answers are not opinions about it: a busy moderator is no surge
        flags = {"total": True, "negative": c.sentiment == "negative", "harmful": c.harmful or c.vulgar}
        for series, flagged in flags.items():
            if flagged:
                self.tally[series] += 1
                if len(self.ids[series]) < EVIDENCE_PER_BUCKET:
                    self.ids[series].append(c.id)
                    self.authors[series].append(c.author)
        elapsed = (c.created_at - self.open) / BUCKET
        for kind, series in SURGES:
            if flags[series]:
                alarm = self.counts[kind].peek(
                    self.tally[series],
                    self.open,
                    elapsed,
                    tuple(self.ids[series]),
                    tuple(self.authors[series]),
                )
                signals.extend(self._signal(kind, alarm, c.created_at, c.profile_id, partial=True))
        return signals

    def advance(self, to: datetime, profile_id: str) -> list[SignalIn]:
        """Close every bucket before `to`, feeding the detectors (empty buckets count as zero)."""
        if self.open is None:
            self.open = to
            return []
        signals: list[SignalIn] = []
        closed = 0
        while self.open < to:
            signals.extend(self._close(profile_id))
            self.open += BUCKET
            closed += 1
            if closed >= MAX_GAP_BUCKETS:
                self.open = to
        return signals

    def _close(self, profile_id: str) -> list[SignalIn]:
        at = self.open + BUCKET  # type: ignore[operator]
        for kind, series in SURGES:
            self.counts[kind].update(
                self.tally[series],
                self.open,  # type: ignore[arg-type]
                tuple(self.ids[series]),
                tuple(self.authors[series]),
            )
        self.share.update(self.tally["negative"], self.tally["total"])
        signals = []
        for kind, _ in SURGES:
            signals.extend(self._signal(kind, self.counts[kind].alarm, at, profile_id, partial=False))
        self.closed = True
        self.tally = dict.fromkeys(self.tally, 0)
        self.ids = {k: [] for k in self.ids}
        self.authors = {k: [] for k in self.authors}
        return signals

    def _signal(
        self, kind: str, alarm: Any, at: datetime, profile_id: str, *, partial: bool
    ) -> list[SignalIn]:
        if alarm is None:
            return []
        if kind == "negative_surge" and not self._negative_share_up(partial):
            return []  # many comments, the usual share of negative ones: busy, not a crisis
        last = self.last_signal.get(kind)
        if last and at - datetime.fromisoformat(last) < REPEAT_SIGNAL:
            return []
        self.last_signal[kind] = at.isoformat()
        return [
            SignalIn(
                profile_id, kind, f"{profile_id}:{kind}", alarm.score, at, alarm.reason, list(alarm.evidence)
            )
        ]

    def _negative_share_up(self, partial: bool) -> bool:
        """The window's share of negative comments is clearly above the usual share."""
        window = list(self.share.recent)
        if partial:
            window = [*window[1:], (self.tally["negative"], self.tally["total"])]
        flagged, total = sum(f for f, _ in window), sum(t for _, t in window)
        return self.share.alarm is not None or (total > 0 and flagged / total >= self.share.share + 0.15)

    def state(self) -> dict[str, Any]:
        return {
            **self.baseline_state(),
            **self.bucket_state(),
        }

    def baseline_state(self) -> dict[str, Any]:
        return {"counts": {k: d.state() for k, d in self.counts.items()}, "share": self.share.state()}

    def bucket_state(self) -> dict[str, Any]:
        return {
            "open": self.open.isoformat() if self.open else None,
            "tally": self.tally,
            "ids": self.ids,
            "authors": self.authors,
            "last_signal": self.last_signal,
        }

    def restore(self, state: dict[str, Any]) -> ProfileSurges:
        for kind, saved in state.get("counts", {}).items():  # no baselines saved yet: no bucket closed
            self.counts[kind].restore(saved)
        if "share" in state:
            self.share.restore(state["share"])
        self.open = datetime.fromisoformat(state["open"]) if state["open"] else None
        self.tally, self.ids, self.last_signal = state["tally"], state["ids"], state["last_signal"]
        # Saved before authors were kept: each comment of the open bucket counts as its own author.
        self.authors = state.get("authors") or {
            k: [unnamed_author(i) for i in v] for k, v in self.ids.items()
        }
        return self


def count(session: Session, comments: list[Scored]) -> None:
    """Add comments to their profiles' stored series (what the charts draw and the baselines learn from),
    one read and one write per bucket touched, not per comment."""
    tallies: dict[tuple[str, datetime], list[int]] = {}
    for c in comments:
        tally = tallies.setdefault((c.profile_id, bucket_start(c.created_at)), [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += c.sentiment == "negative"
        tally[2] += c.harmful
        tally[3] += c.vulgar
    if not tallies:
        return
    keys = list(tallies)
    found = {
        (r.profile_id, r.start): r
        for r in session.scalars(
            select(SeriesBucket).where(tuple_(SeriesBucket.profile_id, SeriesBucket.start).in_(keys))
        )
    }
    for (profile_id, start), (total, negative, harmful, vulgar) in tallies.items():
        row = found.get((profile_id, start))
        if row is None:
            session.add(
                SeriesBucket(
                    profile_id=profile_id,
                    start=start,
                    total=total,
                    negative=negative,
                    harmful=harmful,
                    vulgar=vulgar,
                )
            )
        else:
            row.total += total
            row.negative += negative
            row.harmful += harmful
            row.vulgar += vulgar


def hourly(session: Session, profile_id: str, start: datetime, end: datetime) -> dict[datetime, list[int]]:
    """A profile's buckets summed per hour (UTC): [all, negative, harmful] comments; hours without any are
    left out."""
    rows = session.execute(
        select(SeriesBucket.start, SeriesBucket.total, SeriesBucket.negative, SeriesBucket.harmful).where(
            SeriesBucket.profile_id == profile_id, SeriesBucket.start >= start, SeriesBucket.start < end
        )
    ).all()
    hours: dict[datetime, list[int]] = defaultdict(lambda: [0, 0, 0])
    for at, total, negative, harmful in rows:
        cell = hours[at.replace(minute=0, second=0, microsecond=0)]
        cell[0] += total
        cell[1] += negative
        cell[2] += harmful
    return dict(hours)
