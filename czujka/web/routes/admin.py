"""Admin pages: users, disabling them and signing them out everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from czujka.auth.users import UserError, disable_user, list_users, sign_out_everywhere
from czujka.web.deps import SessionDep
from czujka.web.session import AdminAction, AdminPage
from czujka.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: AdminPage):
    return render(request, "users.html", {"user": user, "active": "users", "users": list_users(session)})


@router.post("/admin/users/{username}/disable")
def disable(username: str, session: SessionDep, user: AdminAction):
    try:
        disable_user(session, username=username, now=datetime.now(UTC))
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/sign-out")
def sign_out(username: str, session: SessionDep, user: AdminAction):
    from czujka.auth.users import get_user

    try:
        sign_out_everywhere(session, user_id=get_user(session, username).id)
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/admin/users", status_code=303)
