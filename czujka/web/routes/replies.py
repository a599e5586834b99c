"""Dashboard pages for answering: the reply page (templates, the check as one types, send), the check
fragment, and a lead's page to send, edit or reject a waiting reply."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from czujka.comments.models import Comment
from czujka.config import Settings
from czujka.incidents.models import Incident
from czujka.incidents.service import incident_topic
from czujka.playbooks import service
from czujka.playbooks.errors import message_of
from czujka.playbooks.models import Reply
from czujka.web.dashboard import actor_name
from czujka.web.deps import MAX_ID, IncidentId, RuntimeDep, SessionDep
from czujka.web.responding import may_approve, reply_context, responder_name
from czujka.web.session import Forbidden, Page, ResponderAction, SignedIn, ViewerAction
from czujka.web.templating import render
from czujka.words import N_

router = APIRouter(include_in_schema=False)
Draft = Annotated[str, Form(max_length=service.MAX_TEXT)]


def _incident_and_comment(
    session: Session, incident_id: int, comment_id: int, settings: Settings, user: SignedIn
) -> tuple[Incident, Comment]:
    """The incident and its comment, if they exist and belong to a client this user may see."""
    incident = session.get(Incident, incident_id)
    comment = session.get(Comment, comment_id) if 1 <= comment_id <= MAX_ID else None
    if (
        incident is None
        or comment is None
        or comment.profile_id != incident.profile_id
        or not user.sees(settings, incident.profile_id)
    ):
        raise HTTPException(404, "no such comment in this incident")
    return incident, comment


def _reply_page(
    request, runtime, session, user: SignedIn, incident, comment, *, template=None, draft=None, error=None
):
    now = datetime.now(UTC)
    context = reply_context(
        session,
        runtime.settings,
        runtime.reply_checker,
        comment=comment,
        kind=incident.kind,
        topic=incident_topic(session, incident),
        language=user.language,
        template_id=template,
        responder=responder_name(runtime.settings, user.user.username, user.user.person_id),
        now=now,
    )
    if draft is not None:
        context["draft"] = draft
    return render(
        request,
        "reply.html",
        {
            "user": user,
            "active": "incidents",
            "incident": incident,
            "key": secrets.token_urlsafe(18),  # one key per attempt: a double tap sends once
            "error": error,
            **context,
        },
        status_code=200 if error is None else 502,
    )


@router.get("/incidents/{incident_id}/reply/{comment_id}", response_class=HTMLResponse)
def reply_page(
    incident_id: IncidentId,
    comment_id: int,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: Page,
    template: str | None = None,
):
    if not user.may("responder"):
        raise Forbidden("responder")
    incident, comment = _incident_and_comment(session, incident_id, comment_id, runtime.settings, user)
    return _reply_page(request, runtime, session, user, incident, comment, template=template)


@router.post("/incidents/{incident_id}/reply/{comment_id}")
def send_reply(
    incident_id: IncidentId,
    comment_id: int,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
    text: Draft,
    key: Annotated[str, Form(min_length=8, max_length=100)],
    template: Annotated[str, Form(max_length=64)] = "",
    private: Annotated[bool, Form()] = False,
):
    incident, comment = _incident_and_comment(session, incident_id, comment_id, runtime.settings, user)
    session.commit()  # the reply service takes short transactions of its own, and Meta is called between them
    author = service.Author(f"user:{user.user.username}", user.user.person_id, (user.user.role,))
    try:
        outcome = service.submit(
            runtime.sessions,
            settings=runtime.settings,
            checker=runtime.reply_checker,
            http=runtime.graph_http,
            comment_id=comment.id,
            text=text,
            private=private,
            key=f"web:{key}",
            author=author,
            language=user.language,
            template_id=template or None,
            incident_id=incident.id,
        )
    except service.ReplyRefused as exc:
        return _reply_page(request, runtime, session, user, incident, comment, draft=text, error=str(exc))
    reply = outcome.reply
    if reply.state in ("failed", "unknown"):
        words = message_of(reply.error_code, reply.error, user.language)
        return _reply_page(request, runtime, session, user, incident, comment, draft=text, error=words)
    return RedirectResponse(f"/incidents/{incident_id}?reply={reply.id}#reply-outcome", status_code=303)


@router.post("/fragments/reply-check", response_class=HTMLResponse)
def check_fragment(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ViewerAction,
    text: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    comment_id: Annotated[int, Form(ge=1, le=MAX_ID)] = 0,
    private: Annotated[bool, Form()] = False,
):
    """The check on the draft as typed; htmx posts it on every pause."""
    earlier = 0
    comment = session.get(Comment, comment_id) if comment_id else None
    if comment is not None and user.sees(runtime.settings, comment.profile_id):
        earlier = service.staff_public_replies(session, service.thread_root(session, comment))
    result = (
        runtime.reply_checker.check(
            text, language=user.language, staff_public_replies=earlier, private=private
        )
        if text.strip()
        else None
    )
    return render(request, "_reply_check.html", {"user": user, "result": result})


def _waiting_reply(session: Session, reply_id: int, settings: Settings, user: SignedIn) -> Reply:
    reply = session.get(Reply, reply_id) if 1 <= reply_id <= MAX_ID else None
    if reply is None or not user.sees(settings, reply.profile_id):
        raise HTTPException(404, "no such reply")
    return reply


@router.get("/replies/{reply_id}", response_class=HTMLResponse)
def approval_page(reply_id: int, request: Request, runtime: RuntimeDep, session: SessionDep, user: Page):
    reply = _waiting_reply(session, reply_id, runtime.settings, user)
    allowed = may_approve(
        runtime.settings,
        role=user.user.role,
        person_id=user.user.person_id,
        reply=reply,
        now=datetime.now(UTC),
    )
    from czujka.playbooks.reply_check import MESSAGES, message

    return render(
        request,
        "approval.html",
        {
            "user": user,
            "active": "incidents",
            "reply": reply,
            "author": actor_name(runtime.settings, reply.author),
            "comment": session.get(Comment, reply.comment_id),
            "reasons": [message(c, user.language) for c in reply.check_reasons if c in MESSAGES],
            "allowed": allowed,
            "error_words": message_of(reply.error_code, reply.error, user.language),
        },
    )


@router.post("/replies/{reply_id}/{decision}")
def decide(
    reply_id: int,
    decision: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
    text: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
):
    if decision not in ("approve", "reject"):
        raise HTTPException(404, "no such decision")
    reply = _waiting_reply(session, reply_id, runtime.settings, user)
    if not may_approve(
        runtime.settings,
        role=user.user.role,
        person_id=user.user.person_id,
        reply=reply,
        now=datetime.now(UTC),
    ):
        raise Forbidden("lead")
    session.commit()  # as above: the decision and the send are short transactions of their own
    try:
        service.decide(
            runtime.sessions,
            settings=runtime.settings,
            http=runtime.graph_http,
            reply_id=reply_id,
            actor=f"user:{user.user.username}",
            approve=decision == "approve",
            note=note.strip(),
            text=text or None,
        )
    except service.ReplyRefused as exc:
        return render(
            request,
            "error.html",
            {"message": N_("This cannot be done in the incident's state."), "detail": str(exc)},
            status_code=409,
        )
    return RedirectResponse(f"/replies/{reply_id}", status_code=303)
