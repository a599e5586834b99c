"""Connecting Facebook and Instagram from the dashboard (admins): Facebook Login, picking the Pages, the
connected profiles with the health of each channel, and disconnecting.

Meta is called outside any transaction; the request's own session only reads. The user token lives sealed
in the login attempt while the admin picks Pages, and is forgotten once they have.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from czujka.clients.service import ClientError, create_client
from czujka.logs import get_logger
from czujka.runtime import Runtime
from czujka.sources import connect as meta
from czujka.sources.connections import (
    ConnectionRefused,
    connect_pages,
    disconnect,
    finish_attempt,
    picking,
    read_pages,
    start_attempt,
)
from czujka.sources.graph import GraphError, TokenExpired
from czujka.sources.health import channel_status
from czujka.sources.service import backfill
from czujka.storage.engine import session_scope
from czujka.storage.vault import VaultError
from czujka.web.deps import RuntimeDep, SessionDep
from czujka.web.errors import SECURITY_HEADERS
from czujka.web.session import AdminAction, AdminPage
from czujka.web.templating import render
from czujka.words import N_, gettext

router = APIRouter(include_in_schema=False)
log = get_logger(__name__)


@router.get("/connect", response_class=HTMLResponse)
def connect_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: AdminPage,
    done: Annotated[str | None, Query(max_length=2000)] = None,
):
    now = datetime.now(UTC)
    rows = channel_status(session, runtime.settings, connected=runtime.connected_ids, now=now)
    zone = ZoneInfo(runtime.settings.timezone)
    for row in rows:
        at = row["last_delivery_at"]
        row["last_delivery_local"] = (
            datetime.fromisoformat(at).astimezone(zone).strftime("%d.%m %H:%M") if at else None
        )
    ready = runtime.settings.meta_app_id is not None and runtime.settings.meta_app_secret is not None
    response = render(
        request,
        "connect.html",
        {
            "user": user,
            "active": "connect",
            "rows": rows,
            "ready": ready,
            "callback": meta.redirect_uri(runtime.settings),
            "done": [d for d in (done or "").split(",") if d],
            "clients": runtime.settings.all_clients if runtime.settings.agency else [],
            "client_names": {c.id: c.name for c in runtime.settings.all_clients},
        },
    )
    # The connect button's form goes on to Facebook Login's dialog: this page alone may send a form there.
    login = urlsplit(runtime.settings.meta_login_url)
    response.headers["Content-Security-Policy"] = SECURITY_HEADERS["Content-Security-Policy"].replace(
        "form-action 'self'", f"form-action 'self' {login.scheme}://{login.netloc}"
    )
    return response


@router.post("/connect/clients")
def add_client(
    runtime: RuntimeDep,
    session: SessionDep,
    user: AdminAction,
    name: Annotated[str, Form(min_length=1, max_length=200)],
):
    """A new client on the dashboard; its profiles are connected next, choosing it on the pick page."""
    try:
        create_client(
            session,
            name=name,
            known=runtime.settings.all_clients,
            actor=f"user:{user.user.username}",
            now=datetime.now(UTC),
        )
    except ClientError as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    runtime.sync_profiles()
    return RedirectResponse("/connect#clients-h", status_code=303)


@router.post("/connect/meta/start")
def start(runtime: RuntimeDep, session: SessionDep, user: AdminAction):
    """A fresh `state`, then off to Facebook Login's dialog."""
    state = start_attempt(session, user_id=user.user.id, now=datetime.now(UTC))
    session.commit()
    try:
        return RedirectResponse(meta.dialog_url(runtime.settings, state), status_code=303)
    except meta.ConnectError:
        return RedirectResponse("/connect", status_code=303)


@router.get("/connect/meta/callback", response_class=HTMLResponse)
def callback(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: AdminPage,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    error_reason: Annotated[str | None, Query(max_length=200)] = None,
):
    now = datetime.now(UTC)
    session.commit()  # the steps below take short transactions of their own, and Meta is called between them
    try:
        with session_scope(runtime.sessions, write=True) as own:
            attempt_id = finish_attempt(own, state=state, user_id=user.user.id, now=now).state_hash
    except ConnectionRefused:
        return _problem(
            request, user, N_("This Facebook sign-in is unknown, expired or already used. Start again."), 400
        )
    if error or not code:
        key = (
            N_("Facebook sign-in was cancelled; nothing was connected.")
            if error_reason == "user_denied" or error == "access_denied"
            else N_("Facebook did not answer as it should; nothing was connected. Try again in a moment.")
        )
        return _problem(request, user, key, 400)
    try:
        with httpx.Client(timeout=30) as http:
            token = meta.exchange_code(runtime.settings, code, http)
            pages, granted = read_pages(runtime.settings, token, http)
        sealed = runtime.vault.seal(token)
    except TokenExpired:
        return _problem(
            request,
            user,
            N_("Facebook rejected the token (code 190); nothing was connected. Log in again."),
            400,
        )
    except (GraphError, meta.ConnectError, VaultError, httpx.HTTPError) as exc:
        log.warning("facebook login failed", error=type(exc).__name__)
        return _problem(
            request,
            user,
            N_("Facebook did not answer as it should; nothing was connected. Try again in a moment."),
            502,
        )
    with session_scope(runtime.sessions, write=True) as own:
        attempt = picking(own, attempt_id=attempt_id, user_id=user.user.id, now=now, fresh=True)
        attempt.token_sealed = sealed
        attempt.pages = [p.listing() for p in pages]
        attempt.granted = sorted(granted)
    return RedirectResponse(f"/connect/meta/pick/{attempt_id}", status_code=303)


def _problem(request: Request, user, key: str, status: int):
    return render(
        request,
        "connect_problem.html",
        {"user": user, "active": "connect", "message_key": key},
        status_code=status,
    )


@router.get("/connect/meta/pick/{attempt_id}", response_class=HTMLResponse)
def pick_page(attempt_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, user: AdminPage):
    try:
        attempt = picking(session, attempt_id=attempt_id[:64], user_id=user.user.id, now=datetime.now(UTC))
    except ConnectionRefused:
        return _problem(
            request, user, N_("The list of Pages has expired (after 30 minutes). Start again."), 410
        )
    pages = attempt.pages or []
    platforms = {"facebook"} | ({"instagram"} if any(p.get("instagram") for p in pages) else set())
    missing = meta.missing_permissions(attempt.granted or [], platforms)
    language = user.language
    return render(
        request,
        "connect_pick.html",
        {
            "user": user,
            "active": "connect",
            "attempt_id": attempt.state_hash,
            "pages": pages,
            "clients": runtime.settings.clients,
            "missing": [(name, gettext(meta.PERMISSIONS[name].cost, language)) for name in missing],
        },
    )


@router.post("/connect/meta/pick/{attempt_id}")
def pick(
    attempt_id: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: AdminAction,
    page: Annotated[list[str] | None, Form(max_length=100)] = None,
    client: Annotated[str | None, Form(max_length=64)] = None,
):
    now = datetime.now(UTC)
    clients = [c.id for c in runtime.settings.clients]
    if clients and client not in clients:
        raise HTTPException(422, "choose the client the Pages belong to")
    session.commit()  # as in the callback: short transactions of their own, Meta between them
    try:
        with session_scope(runtime.sessions) as own:
            sealed = (
                picking(own, attempt_id=attempt_id[:64], user_id=user.user.id, now=now).token_sealed or ""
            )
    except ConnectionRefused:
        return _problem(
            request, user, N_("The list of Pages has expired (after 30 minutes). Start again."), 410
        )
    if not page:
        return RedirectResponse(f"/connect/meta/pick/{attempt_id}", status_code=303)
    try:
        with httpx.Client(timeout=30) as http:
            pages, granted = read_pages(runtime.settings, runtime.vault.open(sealed), http)
            result = connect_pages(
                runtime.sessions,
                runtime.settings,
                runtime.vault,
                pages=pages,
                granted=granted,
                chosen=page,
                in_files=runtime.file_profiles,
                http=http,
                actor=f"user:{user.user.username}",
                now=now,
                client=client if clients else None,
            )
    except TokenExpired:
        return _problem(
            request,
            user,
            N_("Facebook rejected the token (code 190); nothing was connected. Log in again."),
            400,
        )
    except (GraphError, VaultError, httpx.HTTPError) as exc:
        log.warning("connecting pages failed", error=type(exc).__name__)
        return _problem(
            request,
            user,
            N_("Facebook did not answer as it should; nothing was connected. Try again in a moment."),
            502,
        )
    with session_scope(runtime.sessions, write=True) as own:
        own.delete(
            picking(own, attempt_id=attempt_id[:64], user_id=user.user.id, now=now)
        )  # the user token is not kept once the Pages are picked
    runtime.sync_profiles()
    ids = [p.id for p in result.profiles]
    new = [p for p in runtime.settings.profiles if p.id in ids]
    threading.Thread(target=_backfill, args=(runtime, new), name="backfill", daemon=True).start()
    return RedirectResponse("/connect?done=" + ",".join(ids), status_code=303)


def _backfill(runtime: Runtime, profiles: list) -> None:
    """The last days of the new profiles, polled beside the request; the scorer picks them up."""
    try:
        with httpx.Client(timeout=30) as http:
            backfill(runtime.sessions, runtime.settings, profiles, http=http)
        runtime.score_signal.set()
    except Exception:  # logged: the poller catches up at its next round
        log.exception("backfill failed", profiles=[p.id for p in profiles])


@router.post("/connect/profiles/{profile_id}/disconnect")
def disconnect_profile(
    profile_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, user: AdminAction
):
    session.commit()  # as above
    try:
        with httpx.Client(timeout=20) as http:
            disconnect(
                runtime.sessions,
                runtime.settings,
                runtime.vault,
                profile_id=profile_id[:64],
                http=http,
                now=datetime.now(UTC),
            )
    except ValueError:
        return _problem(request, user, N_("This profile was not connected here."), 404)
    runtime.sync_profiles()
    return RedirectResponse("/connect", status_code=303)
