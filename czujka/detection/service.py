"""Runs every detector over newly scored comments and turns alarms into signals and incidents.

`Detectors` is the pure part — detectors in memory, fed one scored comment at a time — used alike by the
service (which loads and saves their state in `detector_state`) and by the scenario benchmark. Surge
detectors see each profile's comments as 10-minute buckets and also judge the bucket still open, so a
burst is caught within minutes; thread and burst detectors see each comment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment
from czujka.config import Settings
from czujka.detection.base import SURGE_P_VALUE, unnamed_author
from czujka.detection.detectors.coordinated import CoordinatedDetector, Opinion
from czujka.detection.detectors.quarrel import QuarrelDetector, Reply
from czujka.detection.detectors.red_flag import RedFlagDetector
from czujka.detection.detectors.surge import CountSurge, ShareSurge
from czujka.incidents.flows import SignalIn, auto_resolve, open_or_attach
from czujka.incidents.models import DetectorState, SeriesBucket

BUCKET = timedelta(minutes=10)
MAX_GAP_BUCKETS = 7 * 24 * 6
EVIDENCE_PER_BUCKET = 50
REPEAT_SIGNAL = timedelta(hours=1)
REPEAT_THREAD_SIGNAL = timedelta(minutes=10)
SURGES = (("volume_surge", "total"), ("negative_surge", "negative"), ("harm_surge", "harmful"))


@dataclass(slots=True)
class Scored:
    """A scored comment as the detectors see it."""

    id: int
    profile_id: str
    created_at: datetime
    author: str
    is_staff: bool
    root_id: int
    is_reply: bool
    text: str
    rating: int | None
    sentiment: str
    harm: float
    harmful: bool
    vulgar: bool
    topic: str
    topic_confidence: float
    competitors: list[str]
    new_account: bool = False

    def as_reply(self) -> Reply:
        """This comment as one turn of its thread, for the quarrel detector."""
        return Reply(
            self.id,
            self.author,
            self.created_at,
            self.is_staff,
            self.sentiment == "negative",
            self.harm,
            self.vulgar,
        )


def bucket_start(at: datetime) -> datetime:
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % int(BUCKET.total_seconds()), UTC)


class ProfileSurges:
    """The surge detectors of one profile and its open bucket."""

    def __init__(self, timezone: str, holidays: str | None, p_value: float = SURGE_P_VALUE):
        common: dict[str, Any] = {
            "bucket": BUCKET,
            "window_buckets": 3,
            "long_windows": (12, 36),
            "alpha": p_value,
            "warmup_buckets": 7 * 24 * 6,  # surges need a week of learning; other detectors work at once
            # No page on fewer than three comments by three people in the window, however unusual at night.
            "min_count": 3,
            "min_authors": 3,
            "timezone": timezone,
            "holidays": holidays,
        }
        self.counts = {kind: CountSurge(**common) for kind, _ in SURGES}
        self.share = ShareSurge(window_buckets=3)
        self.open: datetime | None = None
        self.tally = {"total": 0, "negative": 0, "harmful": 0}
        self.ids: dict[str, list[int]] = {"total": [], "negative": [], "harmful": []}
        self.authors: dict[str, list[str]] = {"total": [], "negative": [], "harmful": []}
        self.last_signal: dict[str, str] = {}

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
            "counts": {k: d.state() for k, d in self.counts.items()},
            "share": self.share.state(),
            "open": self.open.isoformat() if self.open else None,
            "tally": self.tally,
            "ids": self.ids,
            "authors": self.authors,
            "last_signal": self.last_signal,
        }

    def restore(self, state: dict[str, Any]) -> ProfileSurges:
        for kind, saved in state["counts"].items():
            self.counts[kind].restore(saved)
        self.share.restore(state["share"])
        self.open = datetime.fromisoformat(state["open"]) if state["open"] else None
        self.tally, self.ids, self.last_signal = state["tally"], state["ids"], state["last_signal"]
        # Saved before authors were kept: each comment of the open bucket counts as its own author.
        self.authors = state.get("authors") or {
            k: [unnamed_author(i) for i in v] for k, v in self.ids.items()
        }
        return self


class Detectors:
    """All detectors, in memory, keyed by profile and thread; `load` supplies saved state (or None)."""

    def __init__(
        self,
        zone_of: Callable[[str], str],
        load: Callable[[str], dict[str, Any] | None] | None = None,
        root_of: Callable[[int], Reply | None] | None = None,
        holidays: str | None = "PL",
        p_value_of: Callable[[str], float] | None = None,
    ):
        self.zone_of = zone_of
        self.p_value_of = p_value_of or (lambda profile_id: SURGE_P_VALUE)
        self.load = load or (lambda key: None)
        self.root_of = root_of or (lambda root_id: None)
        self.holidays = holidays
        self.live: dict[str, Any] = {}
        self.red_flags = RedFlagDetector()
        self.last_sent: dict[str, tuple[datetime, float]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Detectors:
        """Detectors for the configured profiles: each in its time zone, at its surge threshold."""
        return cls(settings.timezone_of, p_value_of=settings.surge_p_value_of)

    def _throttled(self, key: str, at: datetime, score: float) -> bool:
        """A thread or burst that keeps alarming sends a signal when it starts, when its score rises by a
        tenth, and every ten minutes — not one per comment (a burst of a thousand would mean a thousand)."""
        last = self.last_sent.get(key)
        if last and at - last[0] < REPEAT_THREAD_SIGNAL and score < last[1] + 0.1:
            return True
        self.last_sent[key] = (at, score)
        return False

    def _get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.live:
            detector = make()
            saved = self.load(key)
            self.live[key] = detector.restore(saved) if saved else detector
        return self.live[key]

    def surges(self, profile_id: str) -> ProfileSurges:
        return self._get(
            f"{profile_id}:surges",
            lambda: ProfileSurges(self.zone_of(profile_id), self.holidays, self.p_value_of(profile_id)),
        )

    def feed(self, c: Scored) -> list[SignalIn]:
        signals = self.surges(c.profile_id).add(c)
        red = self.red_flags.update(c.id, c.text, c.topic, c.topic_confidence).alarm
        if red:
            signals.append(
                SignalIn(
                    c.profile_id,
                    "red_flag",
                    f"{c.profile_id}:red_flag:{c.root_id}",
                    red.score,
                    c.created_at,
                    red.reason,
                    list(red.evidence),
                    c.topic,
                )
            )
        if c.is_reply:
            signals.extend(self._quarrel(c))
        if not c.is_staff:
            signals.extend(self._coordinated(c))
        return signals

    def _quarrel(self, c: Scored) -> list[SignalIn]:
        key = f"{c.profile_id}:quarrel:{c.root_id}"
        detector: QuarrelDetector = self._get(key, QuarrelDetector)
        if not detector.replies:
            root = self.root_of(c.root_id)
            if root is not None:
                detector.update(root)
        detector.update(c.as_reply())
        alarm = detector.alarm
        if alarm is None or self._throttled(key, c.created_at, alarm.score):
            return []
        return [
            SignalIn(
                c.profile_id, "quarrel", key, alarm.score, c.created_at, alarm.reason, list(alarm.evidence)
            )
        ]

    def _coordinated(self, c: Scored) -> list[SignalIn]:
        detector: CoordinatedDetector = self._get(f"{c.profile_id}:coordinated", CoordinatedDetector)
        opinion = Opinion(c.id, c.author, c.created_at, c.text, c.new_account, c.rating, bool(c.competitors))
        alarm = detector.update(opinion).alarm
        if alarm is None or self._throttled(f"{c.profile_id}:coordinated", c.created_at, alarm.score):
            return []
        return [
            SignalIn(
                c.profile_id,
                "coordinated",
                f"{c.profile_id}:coordinated",
                alarm.score,
                c.created_at,
                alarm.reason,
                list(alarm.evidence),
            )
        ]

    def tick(self, now: datetime, profile_ids: list[str]) -> list[SignalIn]:
        """Close buckets up to `now` (quiet nights count as zeros)."""
        return [s for p in profile_ids for s in self.surges(p).advance(bucket_start(now), p)]

    def states(self) -> dict[str, dict[str, Any]]:
        return {key: detector.state() for key, detector in self.live.items()}


def scored_comments(session: Session, ids: list[int]) -> list[Scored]:
    parent = aliased(Comment)
    rows = session.execute(
        select(Comment, CommentScore, parent.parent_id)
        .join(CommentScore, CommentScore.comment_id == Comment.id)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.id.in_(ids))
    ).all()
    out = []
    for comment, score, grandparent in rows:
        root = grandparent or comment.parent_id or comment.id
        author = author_key(comment.author_id, comment.author_name, comment.id)
        out.append(
            Scored(
                comment.id,
                comment.profile_id,
                comment.created_at,
                author,
                comment.author_is_staff,
                root,
                comment.parent_id is not None,
                comment.message,
                comment.rating,
                score.sentiment,
                score.harm,
                score.harmful,
                score.vulgar,
                score.topic,
                score.topic_confidence,
                list(score.competitors or []),
            )
        )
    return sorted(out, key=lambda c: (c.created_at, c.id))


def author_key(author_id: str | None, author_name: str | None, comment_id: int) -> str:
    """Who wrote a comment, for telling authors apart: the source's id, else the name it shows."""
    return author_id or author_name or unnamed_author(comment_id)


def _root(session: Session, root_id: int) -> Reply | None:
    row = session.execute(
        select(
            Comment.id,
            Comment.author_id,
            Comment.author_name,
            Comment.created_at,
            Comment.author_is_staff,
            CommentScore.sentiment,
            CommentScore.harm,
            CommentScore.vulgar,
        )
        .join(CommentScore, CommentScore.comment_id == Comment.id)
        .where(Comment.id == root_id)
    ).first()
    return (
        None
        if row is None
        else Reply(
            row[0], author_key(row[1], row[2], row[0]), row[3], row[4], row[5] == "negative", row[6], row[7]
        )
    )


def _count(session: Session, c: Scored) -> None:
    start = bucket_start(c.created_at)
    row = session.get(SeriesBucket, (c.profile_id, start))
    if row is None:
        row = SeriesBucket(profile_id=c.profile_id, start=start, total=0, negative=0, harmful=0, vulgar=0)
        session.add(row)
    row.total += 1
    row.negative += c.sentiment == "negative"
    row.harmful += c.harmful
    row.vulgar += c.vulgar


def detect(
    session: Session,
    settings: Settings,
    *,
    comment_ids: list[int],
    now: datetime | None = None,
    quiet: timedelta | None = None,
    detectors: Detectors | None = None,
    save: bool = True,
) -> list[SignalIn]:
    """Feed newly scored comments to the detectors; open or attach incidents; resolve quiet ones.

    A long-running process passes its own `detectors` so their state stays in memory between batches
    (restoring a burst detector means re-hashing its window) and saves it now and then (`save`)."""

    def load(key: str) -> dict[str, Any] | None:
        row = session.get(DetectorState, key)
        return row.state if row else None

    if detectors is None:
        detectors = Detectors.from_settings(settings)
    detectors.load = load
    detectors.root_of = lambda root_id: _root(session, root_id)
    signals: list[SignalIn] = []
    for comment in scored_comments(session, comment_ids) if comment_ids else []:
        _count(session, comment)
        signals.extend(detectors.feed(comment))
    if now is not None:
        signals.extend(detectors.tick(now, [p.id for p in settings.profiles]))
    for signal in signals:
        open_or_attach(session, signal=signal)
    if save:
        save_states(session, detectors)
    # Quiet is measured by the wall clock when ticking, else by the newest comment seen (replays, imports).
    clock = now or max((s.at for s in signals), default=None) or _newest(session, comment_ids)
    if clock is not None:
        auto_resolve(session, now=clock, quiet=quiet or timedelta(hours=settings.incident_quiet_hours))
    return signals


def save_states(session: Session, detectors: Detectors) -> None:
    saved_at = datetime.now(UTC)
    for key, state in detectors.states().items():
        row = session.get(DetectorState, key)
        if row is None:
            session.add(DetectorState(key=key, state=state, updated_at=saved_at))
        else:
            row.state, row.updated_at = state, saved_at


def _newest(session: Session, comment_ids: list[int]) -> datetime | None:
    if not comment_ids:
        return None
    return session.scalar(select(func.max(Comment.created_at)).where(Comment.id.in_(comment_ids)))
