"""Moderation in the API: the review queue and its decisions, hide/unhide/delete by hand, a comment's trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from czujka.moderation import review, service
from czujka.moderation.models import ModerationAction
from czujka.web.deps import (
    ERRORS,
    MAX_ID,
    ProfileFilter,
    Responder,
    RuntimeDep,
    SessionDep,
    Viewer,
    ensure_comment_seen,
    refusal,
    seen_comments,
    visible_profiles,
)

router = APIRouter(prefix="/api", tags=["moderation"], responses=ERRORS)
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The comment's id in czujka.")]
Verb = Literal["hide", "unhide", "delete"]


class ActionRead(BaseModel):
    id: int
    comment_id: int
    platform_id: str
    verb: str
    source: str
    reason: str
    state: Literal["pending", "sending", "done", "gone", "failed"]
    dry_run: bool
    answer: str | None
    error_code: str | None
    created_at: datetime
    done_at: datetime | None
    review: str | None
    reviewed_by: str | None


class ReviewIn(BaseModel):
    comment_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=500)
    decision: Literal["keep", "unhide", "delete"]


def read(action: ModerationAction) -> ActionRead:
    return ActionRead.model_validate(action, from_attributes=True)


@router.get("/moderation/queue")
def get_queue(
    session: SessionDep,
    runtime: RuntimeDep,
    token: Responder,
    profile: ProfileFilter = None,
    rule: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Comments a rule hid or deleted and comments hidden elsewhere, waiting for a person."""
    items = review.queue_items(
        session, rule=rule, limit=limit, profiles=visible_profiles(runtime, token, profile)
    )
    return {"count": len(items), "items": items}


@router.post("/moderation/review")
def post_review(body: ReviewIn, runtime: RuntimeDep, token: Responder) -> dict[str, Any]:
    """Keep hidden, unhide or delete queue items, one or many at once."""
    with runtime.graph_http() as http:
        outcome = review.review(
            runtime.sessions,
            settings=runtime.settings,
            http=http,
            comment_ids=seen_comments(runtime, token, body.comment_ids),
            decision=body.decision,
            actor=f"token:{token.name}",
        )
    return {"results": {str(k): v for k, v in outcome.items()}}


def _act(runtime, token, comment_id: int, verb: str, key: str | None) -> JSONResponse:
    ensure_comment_seen(runtime, token, comment_id)
    try:
        with runtime.graph_http() as http:
            action = service.manual(
                runtime.sessions,
                settings=runtime.settings,
                http=http,
                comment_id=comment_id,
                verb=verb,
                actor=f"token:{token.name}",
                key=f"api:{key}" if key else None,
            )
    except service.ModerationRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None
    status = {"done": 200, "gone": 200, "pending": 202, "failed": 502}.get(action.state, 200)
    return JSONResponse(read(action).model_dump(mode="json"), status_code=status)


KeyHeader = Annotated[
    str | None,
    Header(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$", description="One key per attempt."),
]
ACTED = {
    202: {"model": ActionRead, "description": "Meta asked to wait: the action is retried from the outbox."},
    502: {"model": ActionRead, "description": "Meta refused: `error_code` and `answer` say why."},
    409: refusal("The profile has no token or is not on Facebook or Instagram."),
}


@router.post("/comments/{comment_id}/hide", response_model=ActionRead, responses=ACTED)
def hide(comment_id: CommentId, runtime: RuntimeDep, token: Responder, idempotency_key: KeyHeader = None):
    """Hide the comment on the platform (its author and their friends still see it)."""
    return _act(runtime, token, comment_id, "hide", idempotency_key)


@router.post("/comments/{comment_id}/unhide", response_model=ActionRead, responses=ACTED)
def unhide(comment_id: CommentId, runtime: RuntimeDep, token: Responder, idempotency_key: KeyHeader = None):
    """Show a hidden comment again."""
    return _act(runtime, token, comment_id, "unhide", idempotency_key)


@router.post("/comments/{comment_id}/delete", response_model=ActionRead, responses=ACTED)
def delete(comment_id: CommentId, runtime: RuntimeDep, token: Responder, idempotency_key: KeyHeader = None):
    """Delete the comment on the platform (it cannot be undone there; czujka keeps its text)."""
    return _act(runtime, token, comment_id, "delete", idempotency_key)


@router.get("/comments/{comment_id}/moderation", response_model=list[ActionRead])
def trail(comment_id: CommentId, session: SessionDep, runtime: RuntimeDep, token: Viewer) -> list[ActionRead]:
    """Every moderation action on the comment: who or which rule, why, when, and the platform's answer."""
    ensure_comment_seen(runtime, token, comment_id)
    return [read(a) for a in review.history(session, comment_id)]
