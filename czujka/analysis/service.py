"""Scoring stored comments: in batches, off the ingest path, and again after an edit or a model change.

Ingest queues each new or edited comment (`comments.models.CommentQueue`). A worker claims a batch
(`claim`), reads it (`pending`), scores it outside any transaction (`score`), so webhooks keep storing while
the models run, then writes the scores of what it still holds (`store`) and passes them on to detection.
Several workers score side by side; none scores a comment another holds.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from czujka.analysis.models import CommentScore
from czujka.analysis.schemas import NOT_STORED
from czujka.analysis.scorer import Analyzer, Item, Score
from czujka.comments.models import Comment, CommentQueue
from czujka.config import Settings
from czujka.storage.base import UTCDateTime
from czujka.storage.dialect import skip_locked

BATCH = 256


@dataclass(slots=True)
class Pending:
    """A comment waiting for its score, with what the later stages need to know of it."""

    id: int
    profile_id: str
    message: str
    created_at: datetime
    author_id: str | None
    author_name: str | None
    author_is_staff: bool
    parent_id: int | None
    root_id: int  # the thread's opening comment (the comment itself when it opens one)
    rating: int | None


def claim(
    session: Session, *, claimant: str, lease: timedelta, now: datetime, limit: int = BATCH
) -> list[int]:
    """Claim up to `limit` queued comments to score, for `lease`: new and edited first, a rescore last,
    oldest first. Rows another worker holds are skipped (PostgreSQL) or wait for its commit (SQLite)."""
    free = or_(CommentQueue.claimed_until.is_(None), CommentQueue.claimed_until < now)
    ids = list(
        session.scalars(
            skip_locked(
                session,
                select(CommentQueue.comment_id)
                .where(CommentQueue.stage == "score", free)
                .order_by(CommentQueue.reason == "rescore", CommentQueue.comment_id)
                .limit(limit),
            )
        )
    )
    if ids:
        session.execute(
            update(CommentQueue)
            .where(CommentQueue.comment_id.in_(ids))
            .values(claimed_by=claimant, claimed_until=now + lease)
        )
    return ids


def pending(session: Session, ids: list[int]) -> list[Pending]:
    """The comments `ids`, as scoring and detection need them, in id order."""
    parent = aliased(Comment)
    rows = session.execute(
        select(
            Comment.id,
            Comment.profile_id,
            Comment.message,
            Comment.created_at,
            Comment.author_id,
            Comment.author_name,
            Comment.author_is_staff,
            Comment.parent_id,
            parent.parent_id,
            Comment.rating,
        )
        .where(Comment.id.in_(ids))
        .outerjoin(parent, parent.id == Comment.parent_id)
        .order_by(Comment.id)
    ).all()
    return [Pending(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or r[7] or r[0], r[9]) for r in rows]


def score(analyzer: Analyzer, settings: Settings, rows: list[Pending]) -> list[Score]:
    """The models' verdicts on each row, in order; reads nothing from the database."""
    items = []
    for row in rows:
        profile = settings.profile(row.profile_id)
        competitors = tuple(profile.competitors) if profile else ()
        items.append(Item(row.message, competitors, "pl" if settings.language == "pl" else "en"))
    return analyzer.score(items)


def store(
    session: Session, *, claimant: str, rows: list[Pending], scores: list[Score], now: datetime
) -> list[int]:
    """Write the scores of the rows still claimed by `claimant` and pass them on to detection (a rescore
    leaves the queue). A claim that ran out and was taken again, or that an edit voided, writes nothing.
    Returns the ids written."""
    ids = [r.id for r in rows]
    mine = (
        CommentQueue.comment_id.in_(ids),
        CommentQueue.stage == "score",
        CommentQueue.claimed_by == claimant,
    )
    kept = set(
        session.scalars(
            update(CommentQueue)
            .where(*mine, CommentQueue.reason != "rescore")
            .values(stage="detect", claimed_by=None, claimed_until=None)
            .returning(CommentQueue.comment_id)
        )
    )
    kept |= set(
        session.scalars(
            delete(CommentQueue)
            .where(*mine, CommentQueue.reason == "rescore")
            .returning(CommentQueue.comment_id)
        )
    )
    values = []
    for row, result in zip(rows, scores, strict=True):
        if row.id not in kept:
            continue
        data = result.as_dict()
        for name in NOT_STORED:
            data.pop(name)
        values.append({"comment_id": row.id, "scored_at": now, **data})
    if values:
        written = [v["comment_id"] for v in values]
        session.execute(delete(CommentScore).where(CommentScore.comment_id.in_(written)))
        session.execute(insert(CommentScore), values)
    return [v["comment_id"] for v in values]


def stored(session: Session, ids: list[int]) -> dict[int, Score]:
    """The stored scores of `ids`, as the analyzer gave them."""
    names = [f.name for f in fields(Score) if f.name not in NOT_STORED]
    rows = session.scalars(select(CommentScore).where(CommentScore.comment_id.in_(ids)))
    return {r.comment_id: Score(**{n: getattr(r, n) for n in names}) for r in rows}


def requeue_all(session: Session, *, now: datetime) -> int:
    """Queue every comment to be scored again (after a model or lexicon change); the scores stay until
    the new ones replace them, and nothing is counted or detected twice."""
    queued = select(
        Comment.id, Comment.profile_id, literal("score"), literal("rescore"), literal(now, UTCDateTime)
    )
    existing = select(CommentQueue.comment_id)
    statement = insert(CommentQueue).from_select(
        ["comment_id", "profile_id", "stage", "reason", "queued_at"],
        queued.where(Comment.id.not_in(existing)),
    )
    return session.execute(statement).rowcount or 0


@dataclass(slots=True)
class Backlog:
    waiting: int  # comments waiting to be scored
    oldest_at: datetime | None  # when the oldest of them was queued
    detecting: int  # scored, waiting for their profile's detectors


def backlog(session: Session) -> Backlog:
    """What is still to do, for monitors: a backlog that ages means too few workers (or none)."""
    rows = session.execute(
        select(CommentQueue.stage, func.count(), func.min(CommentQueue.queued_at))
        .where(CommentQueue.reason != "rescore")
        .group_by(CommentQueue.stage)
    ).all()
    by = {stage: (n, oldest) for stage, n, oldest in rows}
    waiting, oldest = by.get("score", (0, None))
    return Backlog(waiting, oldest, by.get("detect", (0, None))[0])


def unscored(session: Session) -> int:
    return session.scalar(select(func.count()).where(CommentQueue.stage == "score")) or 0
