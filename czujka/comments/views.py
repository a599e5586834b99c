"""The comment feed API: newest first, keyset-paginated so deep pages stay fast."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from czujka import vocabulary
from czujka.analysis.models import CommentScore
from czujka.analysis.schemas import ScoreRead
from czujka.comments.models import Comment, Post
from czujka.comments.schemas import CommentFields
from czujka.validators import check_moment
from czujka.web.deps import (
    ERRORS,
    MAX_ID,
    Moment,
    ProfileFilter,
    RuntimeDep,
    SessionDep,
    Text,
    Viewer,
    unprocessable,
    visible_profiles,
)

router = APIRouter(prefix="/api", tags=["comments"], responses=ERRORS)
Sentiment = Literal["negative", "neutral", "positive", "mixed"]
Topic = Literal[tuple(vocabulary.TOPICS)]  # type: ignore[valid-type]


class CommentRead(CommentFields):
    score: ScoreRead | None = None  # type: ignore[valid-type]


class CommentPage(BaseModel):
    items: list[CommentRead]
    next_cursor: str | None


def encode_cursor(created_at: datetime, comment_id: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{comment_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment, comment_id = check_moment(datetime.fromisoformat(at)), int(ident)
    except (ValueError, UnicodeDecodeError):
        raise unprocessable("cursor", "not a cursor this API handed out") from None
    if not 0 <= comment_id <= MAX_ID:
        raise unprocessable("cursor", "not a cursor this API handed out")
    return moment, comment_id


@dataclass
class ScoreFilter:
    """Filters on analysis scores; a comment not scored yet matches none of them."""

    vulgar: bool | None = None
    harmful: bool | None = None
    sentiment: str | None = None
    topic: str | None = None
    min_harm: float | None = None

    def apply(self, query: Select) -> Select:
        if self.vulgar is not None:
            query = query.where(CommentScore.vulgar.is_(self.vulgar))
        if self.harmful is not None:
            query = query.where(CommentScore.harmful.is_(self.harmful))
        if self.sentiment:
            query = query.where(CommentScore.sentiment == self.sentiment)
        if self.topic:
            query = query.where(CommentScore.topic == self.topic)
        if self.min_harm is not None:
            query = query.where(CommentScore.harm >= self.min_harm)
        return query


def list_comments(
    session: Session,
    *,
    profile: ProfileFilter = None,
    since: datetime | None = None,
    until: datetime | None = None,
    post: str | None = None,
    q: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    flags: ScoreFilter | None = None,
    profiles: list[str] | None = None,
) -> CommentPage:
    query = (
        select(Comment, Post.platform_id, CommentScore)
        .outerjoin(Post, Post.id == Comment.post_id)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
    )
    if flags:
        query = flags.apply(query)
    if profile:
        query = query.where(Comment.profile_id == profile)
    if profiles is not None:
        query = query.where(Comment.profile_id.in_(profiles))
    if since:
        query = query.where(Comment.created_at >= since)
    if until:
        query = query.where(Comment.created_at < until)
    if post:
        query = query.where(Post.platform_id == post)
    if q:
        query = query.where(Comment.message.icontains(q, autoescape=True))
    if cursor:
        at, ident = decode_cursor(cursor)
        query = query.where(or_(Comment.created_at < at, and_(Comment.created_at == at, Comment.id < ident)))
    rows = session.execute(
        query.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit + 1)
    ).all()
    items = []
    for comment, post_platform_id, score in rows[:limit]:
        item = CommentRead.model_validate(comment)
        item.post_platform_id = post_platform_id
        item.score = ScoreRead.model_validate(score) if score else None
        items.append(item)
    last = rows[limit - 1][0] if len(rows) > limit else None
    return CommentPage(items=items, next_cursor=encode_cursor(last.created_at, last.id) if last else None)


@router.get("/comments", response_model=CommentPage)
def get_comments(
    session: SessionDep,
    runtime: RuntimeDep,
    token: Viewer,
    profile: ProfileFilter = None,
    since: Annotated[Moment | None, Query(description="ISO time with offset")] = None,
    until: Annotated[Moment | None, Query(description="ISO time with offset")] = None,
    post: Annotated[Text | None, Query(max_length=200, description="the post's platform id")] = None,
    q: Annotated[Text | None, Query(max_length=200, description="text contained, any case")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    vulgar: bool | None = None,
    harmful: bool | None = None,
    sentiment: Annotated[Sentiment | None, Query()] = None,
    topic: Annotated[Topic | None, Query()] = None,
    min_harm: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> CommentPage:
    flags = ScoreFilter(vulgar, harmful, sentiment, topic, min_harm)
    return list_comments(
        session,
        profiles=visible_profiles(runtime, token, profile),
        since=since,
        until=until,
        post=post,
        q=q,
        limit=limit,
        cursor=cursor,
        flags=flags,
    )
