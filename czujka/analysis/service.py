"""Scoring stored comments: in batches, off the ingest path, and again after a model change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from czujka.analysis.models import CommentScore
from czujka.analysis.scorer import Item
from czujka.comments.models import Comment, CommentHistory
from czujka.detection.service import Detectors, detect, save_states
from czujka.logs import get_logger
from czujka.runtime import Runtime
from czujka.storage.base import utcnow
from czujka.storage.engine import session_scope

BATCH = 256
SAVE_EVERY_SECONDS = 60.0
log = get_logger(__name__)


def _items(runtime: Runtime, rows: list[tuple[int, str, str]]) -> list[Item]:
    settings = runtime.settings
    items = []
    for _, profile_id, message in rows:
        profile = settings.profile(profile_id)
        competitors = tuple(profile.competitors) if profile else ()
        items.append(Item(message, competitors, "pl" if settings.language == "pl" else "en"))
    return items


def _pending():
    """Comments without a score, or whose text changed after they were scored."""
    edited_since = (
        select(CommentHistory.id)
        .where(
            CommentHistory.comment_id == Comment.id,
            CommentHistory.verb == "edited",
            CommentHistory.recorded_at > CommentScore.scored_at,
        )
        .exists()
    )
    return (
        select(Comment.id, Comment.profile_id, Comment.message)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .where(or_(CommentScore.comment_id.is_(None), edited_since))
    )


def score_batch(runtime: Runtime, *, limit: int = BATCH) -> int:
    """Score up to `limit` pending comments; returns how many were scored.

    The models run outside any transaction, so webhooks keep storing while a batch is scored; the
    scores and what the detectors make of them are then written in one short transaction."""
    with session_scope(runtime.sessions) as session:
        rows = [tuple(r) for r in session.execute(_pending().order_by(Comment.id).limit(limit)).all()]
    if not rows:
        return 0
    scores = runtime.analyzer.score(_items(runtime, rows))
    now = utcnow()
    values = []
    for (comment_id, _, _), score in zip(rows, scores, strict=True):
        data = score.as_dict()
        data.pop("sentiment_probabilities")
        values.append({"comment_id": comment_id, "scored_at": now, **data})
    ids = [r[0] for r in rows]
    with session_scope(runtime.sessions) as session:
        session.execute(delete(CommentScore).where(CommentScore.comment_id.in_(ids)))
        session.execute(insert(CommentScore), values)
        _detect(runtime, session, ids=ids)
    runtime.escalate_signal.set()  # an incident may have opened: the escalator need not wait for its tick
    return len(rows)


def _detect(runtime: Runtime, session: Session, *, ids: list[int], now: datetime | None = None) -> None:
    """Detection with the runtime's in-memory detectors; their state reaches the database every minute."""
    settings = runtime.settings
    if runtime.detectors is None:
        runtime.detectors = Detectors.from_settings(settings)
    save = time.monotonic() - runtime.detectors_saved_at >= SAVE_EVERY_SECONDS
    detect(session, settings, comment_ids=ids, now=now, detectors=runtime.detectors, save=save)
    if save:
        runtime.detectors_saved_at = time.monotonic()


def score_pending(runtime: Runtime, *, on_batch: Callable[[int], None] | None = None) -> int:
    """Score every comment still without a score, a batch at a time; detector state saved at the end."""
    total = 0
    while True:
        done = score_batch(runtime)
        if not done:
            break
        total += done
        if on_batch:
            on_batch(done)
    if total and runtime.detectors is not None:
        with session_scope(runtime.sessions) as session:
            save_states(session, runtime.detectors)
        runtime.detectors_saved_at = time.monotonic()
    return total


def rescore(runtime: Runtime, *, on_batch: Callable[[int], None] | None = None) -> int:
    """Drop every score and compute them again (after a model or lexicon change)."""
    with session_scope(runtime.sessions) as session:
        session.execute(delete(CommentScore))
    return score_pending(runtime, on_batch=on_batch)


def unscored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_pending().subquery())) or 0


def score_forever(runtime: Runtime, stop: threading.Event, *, tick: bool = True) -> None:
    """The scoring and detection loop of `czujka serve`: woken by each stored delivery, and every few
    seconds anyway; `tick` also closes quiet buckets and resolves quiet incidents by the wall clock."""
    runtime.analyzer.load()
    while not stop.is_set():
        runtime.heartbeats["scorer"] = datetime.now(UTC)
        try:
            score_pending(runtime)
            if tick:
                with session_scope(runtime.sessions) as session:
                    _detect(runtime, session, ids=[], now=datetime.now(UTC))
        except Exception:  # a bad batch must not stop scoring for good; it is logged and retried
            log.exception("scoring failed")
            stop.wait(5)
        runtime.score_signal.wait(timeout=2)
        runtime.score_signal.clear()
