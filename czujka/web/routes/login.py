"""Signing in and out of the dashboard."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from czujka.auth.users import end_session, sign_out_everywhere, start_session, verify_login
from czujka.web.deps import SessionDep
from czujka.web.session import (
    CLIENT_COOKIE,
    COOKIE,
    DEVICE_COOKIE,
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    ViewerAction,
    language_of,
    new_login_csrf,
    safe_next,
    secure_cookies,
)
from czujka.web.templating import render
from czujka.words import N_

LOGIN_PROBLEMS = {
    "wrong": N_("Wrong user name or password."),
    "wait": N_(
        "Too many wrong passwords for this account. From a new device, try again in %(seconds)s s; on a "
        "device you signed in with before, you can sign in right away."
    ),
    "disabled": N_("This account is disabled."),
}
router = APIRouter(include_in_schema=False)


def _login_page(
    request: Request, *, next_path: str, error: str | None = None, status: int = 200, wait_seconds: int = 0
):
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    request.state.language = language_of(request)
    response = render(
        request,
        "login.html",
        {"csrf": token, "next": safe_next(next_path), "error": error, "wait_seconds": wait_seconds},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        max_age=3600,
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return _login_page(request, next_path=next)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
):
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf):
        return _login_page(
            request, next_path=next, error=N_("The form expired; please try again."), status=403
        )
    if not request.app.state.login_limiter.allow(request.client.host if request.client else "?"):
        return _login_page(
            request,
            next_path=next,
            error=N_("Too many sign-in attempts from this address. Try again in a few minutes."),
            status=429,
        )
    now = datetime.now(UTC)
    device = request.cookies.get(DEVICE_COOKIE, "")
    result = verify_login(
        session,
        username=username,
        password=password,
        now=now,
        known_device=known_device(request, device, username),
    )
    if result.user is None:  # the failed attempt is committed with the answer: it counts towards the wait
        status = 429 if result.problem == "wait" else 401
        page = _login_page(
            request,
            next_path=next,
            error=LOGIN_PROBLEMS.get(result.problem or "", LOGIN_PROBLEMS["wrong"]),
            status=status,
            wait_seconds=result.wait_seconds,
        )
        if result.wait_seconds:
            page.headers["Retry-After"] = str(result.wait_seconds)
        return page
    old = request.cookies.get(COOKIE)
    if old:  # whatever session id the browser brought is dropped: a fresh one is minted (no fixation)
        end_session(session, session_id=old)
    session_id = start_session(
        session, user=result.user, now=now, user_agent=request.headers.get("user-agent")
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        max_age=14 * 24 * 3600,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    response.set_cookie(
        DEVICE_COOKIE,
        device_mark(request, result.user.username),
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        max_age=400 * 24 * 3600,
        path="/login",
    )
    return response


def device_mark(request: Request, username: str) -> str:
    """What a device keeps to show it signed in as `username` before: a keyed hash, no secret in it."""
    key = request.app.state.device_key.encode()
    return hmac.new(key, username.strip().lower().encode(), hashlib.sha256).hexdigest()


def known_device(request: Request, mark: str, username: str) -> bool:
    return bool(mark) and hmac.compare_digest(mark, device_mark(request, username))


@router.post("/logout")
def logout(session: SessionDep, signed_in: ViewerAction):
    end_session(session, session_id=signed_in.session_id)
    return _sign_out_response()


@router.post("/logout-everywhere")
def logout_everywhere(session: SessionDep, signed_in: ViewerAction):
    """Ends every session of this user: on the lost phone too."""
    sign_out_everywhere(session, user_id=signed_in.user.id)
    return _sign_out_response()


def _sign_out_response() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/client")
def switch_client(request: Request, id: str = "", next: str = "/"):
    """The agency's client switcher: one client's pages, or (no id) every client the user may see."""
    response = RedirectResponse(safe_next(next), status_code=303)
    settings = request.app.state.runtime.settings
    if id and settings.client(id) is not None:
        response.set_cookie(
            CLIENT_COOKIE, id, samesite="lax", max_age=30 * 24 * 3600, path="/", httponly=True
        )
    else:
        response.delete_cookie(CLIENT_COOKIE, path="/")
    return response


@router.get("/language/{language}")
def switch_language(language: str, next: str = "/"):
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in ("pl", "en"):
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="lax", max_age=365 * 24 * 3600, path="/")
    return response
