"""The comment feed API: newest first, keyset-paginated so deep pages stay fast."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from czujka.comments.models import Comment, Post
from czujka.comments.schemas import CommentPage, CommentRead
from czujka.web.deps import SessionDep, Viewer

router = APIRouter(prefix="/api", tags=["comments"])


def encode_cursor(created_at: datetime, comment_id: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{comment_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), int(ident)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(422, "cursor: not a cursor this API handed out") from None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_comments(
    session: Session,
    *,
    profile: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    post: str | None = None,
    q: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> CommentPage:
    query = select(Comment, Post.platform_id).outerjoin(Post, Post.id == Comment.post_id)
    if profile:
        query = query.where(Comment.profile_id == profile)
    if since:
        query = query.where(Comment.created_at >= since)
    if until:
        query = query.where(Comment.created_at < until)
    if post:
        query = query.where(Post.platform_id == post)
    if q:
        query = query.where(Comment.message.ilike(_like(q), escape="\\"))
    if cursor:
        at, ident = decode_cursor(cursor)
        query = query.where(or_(Comment.created_at < at, and_(Comment.created_at == at, Comment.id < ident)))
    rows = session.execute(
        query.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit + 1)
    ).all()
    items = []
    for comment, post_platform_id in rows[:limit]:
        item = CommentRead.model_validate(comment)
        item.post_platform_id = post_platform_id
        items.append(item)
    last = rows[limit - 1][0] if len(rows) > limit else None
    return CommentPage(items=items, next_cursor=encode_cursor(last.created_at, last.id) if last else None)


@router.get("/comments", response_model=CommentPage)
def get_comments(
    session: SessionDep,
    _token: Viewer,
    profile: str | None = None,
    since: Annotated[datetime | None, Query(description="ISO time with offset")] = None,
    until: Annotated[datetime | None, Query(description="ISO time with offset")] = None,
    post: Annotated[str | None, Query(description="the post's platform id")] = None,
    q: Annotated[str | None, Query(max_length=200, description="text contained, any case")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> CommentPage:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(422, f"{name}: give a UTC offset, e.g. 2026-11-28T22:00:00+01:00")
    return list_comments(
        session, profile=profile, since=since, until=until, post=post, q=q, limit=limit, cursor=cursor
    )
