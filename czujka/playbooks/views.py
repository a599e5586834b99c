"""Replies and playbooks in the API: send a reply, check a draft, decide on a waiting reply, read a playbook."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from czujka import vocabulary
from czujka.auth.models import ApiToken
from czujka.comments.models import Comment
from czujka.playbooks import catalog, service
from czujka.playbooks.errors import message_of
from czujka.playbooks.models import Reply
from czujka.web.deps import (
    ERRORS,
    MAX_ID,
    Admin,
    Responder,
    RuntimeDep,
    Text,
    Viewer,
    ensure_comment_seen,
    hidden_from,
    refusal,
)

router = APIRouter(prefix="/api", tags=["replies"], responses=ERRORS)
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The comment's id in czujka.")]
ReplyId = Annotated[int, Path(ge=1, le=MAX_ID, description="The reply's id in czujka.")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="One key per attempt: the same key again answers with the first attempt, never sends twice.",
    ),
]
Kind = Literal[tuple(vocabulary.KINDS)]  # type: ignore[valid-type]
Topic = Literal[tuple(vocabulary.TOPICS)]  # type: ignore[valid-type]


class ReplyIn(BaseModel):
    text: Text = Field(min_length=1, max_length=service.MAX_TEXT)
    private: bool = Field(False, description="Facebook only: a private message to the comment's author.")
    template: str | None = Field(None, max_length=64, description="The playbook template it started from.")


class CheckIn(BaseModel):
    text: Text = Field(max_length=service.MAX_TEXT)
    lang: Literal["pl", "en"] | None = None
    comment_id: int | None = Field(None, ge=1, le=MAX_ID, description="Counts the staff's answers there.")
    private: bool = False


class ReasonRead(BaseModel):
    code: str
    message: str


class CheckRead(BaseModel):
    risky: bool
    reasons: list[ReasonRead]


class ReplyRead(BaseModel):
    id: int
    comment_id: int
    incident_id: int | None
    state: Literal["pending_approval", "sending", "sent", "failed", "unknown", "rejected"]
    sent: bool
    waiting_for_approval: bool
    private: bool
    text: str
    author: str
    platform_id: str | None
    check: list[str] = Field(description="The reply check's reason codes when it was submitted.")
    error_code: str | None = None
    error: str | None = None
    replayed: bool = Field(False, description="True when this idempotency key had been used already.")
    created_at: datetime
    sent_at: datetime | None


class DecisionIn(BaseModel):
    note: Text = Field("", max_length=2000)
    text: Text | None = Field(
        None, max_length=service.MAX_TEXT, description="The reply as the lead edited it."
    )


def read(reply: Reply, *, replayed: bool = False) -> ReplyRead:
    return ReplyRead(
        id=reply.id,
        comment_id=reply.comment_id,
        incident_id=reply.incident_id,
        state=reply.state,  # type: ignore[arg-type]
        sent=reply.state == "sent",
        waiting_for_approval=reply.state == "pending_approval",
        private=reply.private,
        text=reply.text,
        author=reply.author,
        platform_id=reply.platform_id,
        check=list(reply.check_reasons or []),
        error_code=reply.error_code,
        error=message_of(reply.error_code, reply.error, "en"),
        replayed=replayed,
        created_at=reply.created_at,
        sent_at=reply.sent_at,
    )


def _answer(reply: Reply, replayed: bool = False) -> JSONResponse:
    status = {"sent": 200, "pending_approval": 202, "failed": 502, "unknown": 504}.get(reply.state, 200)
    return JSONResponse(read(reply, replayed=replayed).model_dump(mode="json"), status_code=status)


def _refused(exc: service.ReplyRefused) -> HTTPException:
    if exc.status == 422:
        return HTTPException(422, [{"loc": ["body"], "msg": str(exc), "type": "value_error"}])
    return HTTPException(exc.status, str(exc))


def token_author(token: ApiToken) -> service.Author:
    return service.Author(actor=f"token:{token.name}", person_id=None, roles=(token.role,))


@router.post(
    "/comments/{comment_id}/reply",
    response_model=ReplyRead,
    responses={
        202: {"model": ReplyRead, "description": "The reply waits for a lead's approval."},
        502: {"model": ReplyRead, "description": "Meta refused the reply; `error` says why in plain words."},
        504: {"model": ReplyRead, "description": "Meta's answer was lost: the reply may be posted."},
        409: refusal("The profile cannot be replied on, or the idempotency key was used for another reply."),
    },
)
def post_reply(
    comment_id: CommentId,
    body: ReplyIn,
    runtime: RuntimeDep,
    token: Responder,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Send a reply under the comment's thread (or privately, on Facebook) with the profile's token. A reply
    the profile's approval rules hold answers 202 and waits; a viewer token gets 403."""
    ensure_comment_seen(runtime, token, comment_id)
    try:
        outcome = service.submit(
            runtime.sessions,
            settings=runtime.settings,
            checker=runtime.reply_checker,
            http=runtime.graph_http,
            comment_id=comment_id,
            text=body.text,
            private=body.private,
            key=idempotency_key or f"api:{secrets.token_urlsafe(18)}",
            author=token_author(token),
            language="en",
            template_id=body.template,
        )
    except service.ReplyRefused as exc:
        raise _refused(exc) from None
    return _answer(outcome.reply, outcome.replayed)


@router.post("/replies/check", response_model=CheckRead)
def check_draft(body: CheckIn, runtime: RuntimeDep, token: Viewer) -> dict[str, Any]:
    """The reply check on a draft, as the dashboard runs it on every pause in typing."""
    earlier = 0
    if body.comment_id is not None:
        ensure_comment_seen(runtime, token, body.comment_id)
        with runtime.sessions() as session:
            comment = session.get(Comment, body.comment_id)
            if comment is None:
                raise HTTPException(404, f"no comment {body.comment_id}")
            earlier = service.staff_public_replies(session, service.thread_root(session, comment))
    result = runtime.reply_checker.check(
        body.text, language=body.lang, staff_public_replies=earlier, private=body.private
    )
    return result.as_dict()


def _decide(runtime, reply_id: int, token: ApiToken, body: DecisionIn, approve: bool) -> JSONResponse:
    with runtime.sessions() as session:
        reply = session.get(Reply, reply_id)
        if reply is None or hidden_from(runtime, token, reply.profile_id):
            raise HTTPException(404, f"no reply {reply_id}")
    try:
        reply = service.decide(
            runtime.sessions,
            settings=runtime.settings,
            http=runtime.graph_http,
            reply_id=reply_id,
            actor=f"token:{token.name}",
            approve=approve,
            note=body.note.strip(),
            text=body.text,
        )
    except service.ReplyRefused as exc:
        raise _refused(exc) from None
    return _answer(reply)


@router.post("/replies/{reply_id}/approve", response_model=ReplyRead)
def approve_reply(reply_id: ReplyId, body: DecisionIn, runtime: RuntimeDep, token: Admin) -> JSONResponse:
    """Send a waiting reply (as edited in `text`, if given)."""
    return _decide(runtime, reply_id, token, body, True)


@router.post("/replies/{reply_id}/reject", response_model=ReplyRead)
def reject_reply(reply_id: ReplyId, body: DecisionIn, runtime: RuntimeDep, token: Admin) -> JSONResponse:
    """Reject a waiting reply, with a note for its author."""
    return _decide(runtime, reply_id, token, body, False)


@router.get("/playbooks")
def get_playbook(
    runtime: RuntimeDep,
    _token: Viewer,
    kind: Annotated[Kind, Query()],
    topic: Annotated[Topic | None, Query()] = None,
) -> dict[str, Any]:
    """The playbook czujka shows for an incident of this kind and topic."""
    return catalog.choose(runtime.settings, kind, topic).model_dump()
