"""Scoring stored comments: in batches, off the ingest path, and again after an edit or a model change.

The pipeline takes the pending comments (`pending`), scores them outside any transaction (`score`), so
webhooks keep storing while the models run, then writes the scores (`store`) and hands the same rows on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from czujka.analysis.models import CommentScore
from czujka.analysis.schemas import NOT_STORED
from czujka.analysis.scorer import Analyzer, Item, Score
from czujka.comments.models import Comment, CommentHistory
from czujka.config import Settings

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


def _pending_query():
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
        select(Comment.id)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .where(or_(CommentScore.comment_id.is_(None), edited_since))
    )


def pending(session: Session, *, limit: int = BATCH) -> list[Pending]:
    """Up to `limit` comments to score, oldest first."""
    parent = aliased(Comment)
    ids = _pending_query().order_by(Comment.id).limit(limit).subquery()
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
        .join(ids, ids.c.id == Comment.id)
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


def store(session: Session, *, rows: list[Pending], scores: list[Score], now: datetime) -> None:
    """Write one score row per comment, replacing an earlier one (after an edit)."""
    values = []
    for row, result in zip(rows, scores, strict=True):
        data = result.as_dict()
        for name in NOT_STORED:
            data.pop(name)
        values.append({"comment_id": row.id, "scored_at": now, **data})
    session.execute(delete(CommentScore).where(CommentScore.comment_id.in_([r.id for r in rows])))
    session.execute(insert(CommentScore), values)


def drop_scores(session: Session) -> None:
    """Forget every score, so all comments are scored again (after a model or lexicon change)."""
    session.execute(delete(CommentScore))


def unscored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_pending_query().subquery())) or 0
