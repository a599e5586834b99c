"""Runs every detector over newly scored comments and hands on the signals they raise.

`Detectors` is the pure part — detectors in memory, fed one scored comment at a time — used alike by
`detect` (which loads and saves their state in `detector_state`) and by the scenario benchmark. Surges
see each profile's series (`series.py`); thread and burst detectors see each comment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment, CommentQueue
from czujka.config import Settings
from czujka.detection.base import SURGE_P_VALUE, unnamed_author
from czujka.detection.detectors.coordinated import CoordinatedDetector, Opinion
from czujka.detection.detectors.quarrel import QuarrelDetector, Reply
from czujka.detection.detectors.reach import ThreadReach
from czujka.detection.detectors.red_flag import RedFlagDetector
from czujka.detection.models import DetectorState
from czujka.detection.series import ProfileSurges, bucket_start, count
from czujka.detection.signals import Scored, SignalIn

REPEAT_THREAD_SIGNAL = timedelta(minutes=10)


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
        self.touched: set[str] = set()  # keys changed since their state was last saved

    @classmethod
    def from_settings(cls, settings: Settings) -> Detectors:
        """Detectors for the configured profiles: each in its time zone, at its surge threshold."""
        return cls(settings.timezone_of, p_value_of=settings.surge_p_value_of)

    def _throttled(self, profile_id: str, key: str, at: datetime, score: float) -> bool:
        throttle: Throttle = self._get(f"{profile_id}:throttle", Throttle)
        return throttle.throttled(key, at, score)

    def _get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.live:
            detector = make()
            saved = self.load(key)
            self.live[key] = detector.restore(saved) if saved else detector
        self.touched.add(key)
        return self.live[key]

    def forget(self, profile_ids: set[str]) -> None:
        """Drop these profiles' detectors from memory (another process took them, or a write failed): they
        are restored from their saved state when next needed."""
        prefixes = tuple(f"{p}:" for p in profile_ids)
        for key in [k for k in self.live if k.startswith(prefixes)]:
            del self.live[key]
            self.touched.discard(key)

    def surges(self, profile_id: str) -> ProfileSurges:
        """The open bucket is saved as `…:surges` with every batch, the baselines as `…:baseline` only when
        a bucket closed (they are most of the state, and change once in ten minutes)."""
        key = f"{profile_id}:surges"
        if key not in self.live:
            surges = ProfileSurges(self.zone_of(profile_id), self.holidays, self.p_value_of(profile_id))
            saved = self.load(key)
            if saved:  # state saved whole, before the baselines were kept apart, carries them inside
                surges.restore({**saved, **(self.load(f"{profile_id}:baseline") or {})})
            self.live[key] = surges
        self.touched.add(key)
        return self.live[key]

    def feed(self, c: Scored) -> list[SignalIn]:
        signals = self.surges(c.profile_id).add(c)
        red = self.red_flags.update(c.id, c.text, c.topic, c.topic_confidence).alarm
        reach: ThreadReach = self._get(f"{c.profile_id}:reach", ThreadReach)
        if red:
            reach.follow(c.root_id, c.created_at)
        spreading = reach.update(c.root_id, c.id, c.author, c.created_at).alarm
        if spreading:
            key = f"{c.profile_id}:red_flag:{c.root_id}"
            signals.append(
                SignalIn(c.profile_id, "red_flag", key, 1.0, c.created_at, spreading.reason, [c.id], c.topic)
            )
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
        if alarm is None or self._throttled(c.profile_id, key, c.created_at, alarm.score):
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
        if alarm is None or self._throttled(
            c.profile_id, f"{c.profile_id}:coordinated", c.created_at, alarm.score
        ):
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

    def recheck(self, c: Scored) -> list[SignalIn]:
        """An edited comment, already counted: only what its new words say (a red flag added later)."""
        red = self.red_flags.update(c.id, c.text, c.topic, c.topic_confidence).alarm
        if not red:
            return []
        key = f"{c.profile_id}:red_flag:{c.root_id}"
        return [SignalIn(c.profile_id, "red_flag", key, red.score, c.created_at, red.reason, [c.id], c.topic)]

    def tick(self, now: datetime, profile_ids: list[str]) -> list[SignalIn]:
        """Close buckets up to `now` (quiet nights count as zeros)."""
        signals = []
        for profile_id in profile_ids:
            key = f"{profile_id}:surges"
            moved = key in self.touched
            surges = self.surges(profile_id)
            before = surges.open
            signals += surges.advance(bucket_start(now), profile_id)
            if surges.open == before and not moved:
                self.touched.discard(key)  # nothing closed: nothing to save
        return signals

    def states(self, *, touched_only: bool = False) -> dict[str, dict[str, Any]]:
        keys = self.touched & self.live.keys() if touched_only else self.live.keys()
        states = {}
        for key in keys:
            detector = self.live[key]
            if isinstance(detector, ProfileSurges):
                states[key] = detector.bucket_state()
                if detector.closed or not touched_only:
                    states[key.removesuffix(":surges") + ":baseline"] = detector.baseline_state()
            else:
                states[key] = detector.state()
        return states

    def saved(self) -> None:
        """What `states(touched_only=True)` gave is written: nothing has moved since."""
        for key in self.touched & self.live.keys():
            if isinstance(self.live[key], ProfileSurges):
                self.live[key].closed = False
        self.touched.clear()


class Throttle:
    """A thread or burst that keeps alarming sends a signal when it starts, when its score rises by a
    tenth, and every ten minutes — not one per comment (a burst of a thousand would mean a thousand). Kept
    with each profile's detectors, so a worker taking the profile over throttles alike."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[datetime, float]] = {}

    def throttled(self, key: str, at: datetime, score: float) -> bool:
        last = self.last.get(key)
        if last and at - last[0] < REPEAT_THREAD_SIGNAL and score < last[1] + 0.1:
            return True
        self.last[key] = (at, score)
        return False

    def state(self) -> dict[str, Any]:
        return {key: [at.isoformat(), score] for key, (at, score) in self.last.items()}

    def restore(self, state: dict[str, Any]) -> Throttle:
        self.last = {key: (datetime.fromisoformat(at), score) for key, (at, score) in state.items()}
        return self


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


def detect(
    session: Session,
    settings: Settings,
    *,
    scored: list[Scored],
    edited: list[Scored] = (),  # type: ignore[assignment]
    now: datetime | None = None,
    profile_ids: list[str] | None = None,
    detectors: Detectors | None = None,
) -> list[SignalIn]:
    """Count newly scored comments into their series and feed them to the detectors, and recheck edited
    ones; with `now`, also close the buckets of `profile_ids` that ended by then (a quiet night counts as
    zeros). The state of every detector that moved is saved in the caller's transaction, with the series it
    counted, so a crash loses no learning and counts nothing twice. Returns the signals raised.

    A long-running process passes its own `detectors`, so their state stays in memory between batches
    (restoring a burst detector means re-hashing its window)."""

    def load(key: str) -> dict[str, Any] | None:
        row = session.get(DetectorState, key)
        return row.state if row else None

    if detectors is None:
        detectors = Detectors.from_settings(settings)
    detectors.load = load
    detectors.root_of = lambda root_id: _root(session, root_id)
    signals: list[SignalIn] = []
    count(session, scored)
    for comment in sorted(scored, key=lambda c: (c.created_at, c.id)):
        signals.extend(detectors.feed(comment))
    for comment in edited:
        signals.extend(detectors.recheck(comment))
    if now is not None:
        ids = profile_ids if profile_ids is not None else [p.id for p in settings.profiles]
        signals.extend(detectors.tick(now, ids))
    save_states(session, detectors)
    return signals


def ready(session: Session, *, profile_ids: list[str], limit: int) -> list[tuple[int, str]]:
    """Scored comments of these profiles waiting for detection, as (id, reason), in the order they were
    stored: a comment waits while an earlier one of its profile is still being scored, so the detectors
    see every profile's stream in one order however many workers score it. The rows stay locked until the
    transaction ends, so an edit arriving meanwhile queues the comment again afterwards."""
    queue, earlier = aliased(CommentQueue), aliased(CommentQueue)
    scoring_earlier = (
        select(earlier.comment_id)
        .where(
            earlier.profile_id == queue.profile_id,
            earlier.stage == "score",
            earlier.reason != "rescore",
            earlier.comment_id < queue.comment_id,
        )
        .exists()
    )
    rows = session.execute(
        select(queue.comment_id, queue.reason)
        .where(queue.stage == "detect", queue.profile_id.in_(profile_ids), ~scoring_earlier)
        .order_by(queue.comment_id)
        .limit(limit)
        .with_for_update(of=queue)
    ).all()
    return [(i, reason) for i, reason in rows]


def queued_profiles(session: Session, profile_ids: list[str]) -> set[str]:
    """Which of these profiles still have comments queued (to score or to detect): their buckets must not
    be closed by the clock before those comments are counted."""
    return set(
        session.scalars(
            select(CommentQueue.profile_id)
            .where(CommentQueue.profile_id.in_(profile_ids), CommentQueue.reason != "rescore")
            .distinct()
        )
    )


def detected(session: Session, ids: list[int]) -> None:
    """These comments went through detection: they leave the queue."""
    session.execute(
        delete(CommentQueue).where(CommentQueue.comment_id.in_(ids), CommentQueue.stage == "detect")
    )


def save_states(session: Session, detectors: Detectors) -> None:
    """Save the state of every detector that moved since the last save."""
    saved_at = datetime.now(UTC)
    states = detectors.states(touched_only=True)
    rows = {
        r.key: r for r in session.scalars(select(DetectorState).where(DetectorState.key.in_(list(states))))
    }
    for key, state in states.items():
        row = rows.get(key)
        if row is None:
            session.add(DetectorState(key=key, state=state, updated_at=saved_at))
        else:
            row.state, row.updated_at = state, saved_at
    detectors.saved()
