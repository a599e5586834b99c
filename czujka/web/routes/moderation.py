"""The dashboard's review queue ("Ukryte" / "Hidden"): what a rule hid or deleted and what was hidden
elsewhere, with keep, unhide and delete one at a time or in bulk."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from czujka.moderation import review, service
from czujka.web.deps import MAX_ID, ProfileFilter, RuntimeDep, SessionDep, comments_in_scope
from czujka.web.session import Forbidden, Page, ResponderAction
from czujka.web.templating import render
from czujka.words import N_

router = APIRouter(include_in_schema=False)


@router.get("/hidden", response_class=HTMLResponse)
def hidden_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: Page,
    profile: ProfileFilter = None,
    rule: str | None = None,
):
    if not user.may("responder"):
        raise Forbidden("responder")
    items = review.queue_items(
        session, profile=profile or None, rule=rule or None, profiles=user.profiles(runtime.settings)
    )
    for item in items:  # shown in the profile's own time
        at = datetime.fromisoformat(item["acted_at"]) if item["acted_at"] else None
        zone = ZoneInfo(runtime.settings.timezone_of(item["profile_id"]))
        item["acted_local"] = at.astimezone(zone) if at else None
        item["written_local"] = datetime.fromisoformat(item["created_at"]).astimezone(zone)
    names = {p.id: p.name for p in runtime.settings.profiles if user.sees(runtime.settings, p.id)}
    return render(
        request,
        "hidden.html",
        {
            "user": user,
            "active": "hidden",
            "items": items,
            "profiles": names,
            "rules": [r.id for r in runtime.settings.moderation_rules],
            "profile": profile or "",
            "rule": rule or "",
        },
    )


@router.post("/hidden/review")
def review_hidden(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
    decision: Annotated[str, Form(pattern="^(keep|unhide|delete)$")],
    comment: Annotated[list[int], Form()],
    back: Annotated[str, Form(max_length=300)] = "/hidden",
):
    ids = comments_in_scope(session, runtime.settings, user.scope, [c for c in comment if 1 <= c <= MAX_ID])
    session.commit()  # the review takes its own transactions, and calls Meta between them
    with runtime.graph_http() as http:
        review.review(
            runtime.sessions,
            settings=runtime.settings,
            http=http,
            comment_ids=ids,
            decision=decision,
            actor=f"user:{user.user.username}",
        )
    return RedirectResponse(back if back.startswith("/hidden") else "/hidden", status_code=303)


@router.post("/comments/{comment_id}/moderate")
def moderate_comment(
    comment_id: int,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
    verb: Annotated[str, Form(pattern="^(hide|unhide|delete)$")],
    back: Annotated[str, Form(max_length=300)] = "/",
):
    """A responder hides, unhides or deletes a comment from the dashboard, on the platform."""
    if not 1 <= comment_id <= MAX_ID or not comments_in_scope(
        session, runtime.settings, user.scope, [comment_id]
    ):
        raise HTTPException(404, "no such comment")
    session.commit()  # the action takes its own transactions, and calls Meta between them
    try:
        with runtime.graph_http() as http:
            service.manual(
                runtime.sessions,
                settings=runtime.settings,
                http=http,
                comment_id=comment_id,
                verb=verb,
                actor=f"user:{user.user.username}",
            )
    except service.ModerationRefused as exc:
        return render(
            request,
            "error.html",
            {"message": N_("This cannot be done in the incident's state."), "detail": str(exc)},
            status_code=exc.status,
        )
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)
