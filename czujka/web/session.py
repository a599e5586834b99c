"""Who is signed in to the dashboard, what they may do, and the CSRF check on every form.

The session cookie is HttpOnly and SameSite=Lax (Secure when czujka is served over HTTPS); its value is a
random id whose hash keys a row in `web_sessions`, together with that session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from czujka.auth.models import User, WebSession
from czujka.auth.scope import Scope, scope_of
from czujka.auth.service import Role, role_allows
from czujka.auth.users import find_session, needs_upkeep, session_upkeep
from czujka.config import Settings
from czujka.storage.engine import session_scope
from czujka.storage.secrets import hash_token
from czujka.web.deps import SAFE_METHODS, SessionDep

COOKIE = "czujka_session"
LOGIN_CSRF_COOKIE = "czujka_login_csrf"
DEVICE_COOKIE = "czujka_device"  # this browser signed in as that user before (see routes/login.py)
LANGUAGE_COOKIE = "czujka_lang"
CLIENT_COOKIE = "czujka_client"  # the client an agency user chose to look at; none: all of theirs
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """Raised by page dependencies; answered with a redirect to /login."""

    def __init__(self, next_path: str):
        self.next_path = next_path


class Forbidden(Exception):
    """The signed-in user's role does not allow this; answered with a 403 page."""

    def __init__(self, needed: str):
        self.needed = needed


class CsrfFailed(Exception):
    """A form or request without the session's CSRF token; answered with a 403 page."""


@dataclass
class SignedIn:
    user: User
    web_session: WebSession
    session_id: str
    language: str
    chosen: str | None = None  # the client picked in the switcher, one the user may see

    def may(self, role: Role) -> bool:
        """Administering the install (users, connections) is for agency-wide admins: a client's admin
        administers only what the client's pages offer."""
        return role_allows(self.user.role, role) and (role != "admin" or self.user.clients is None)

    @property
    def scope(self) -> Scope:
        """The clients this user may see."""
        return scope_of(self.user.clients)

    def profiles(self, settings: Settings) -> list[str] | None:
        """The profiles whose things the pages show: the chosen client's, else every one the user may see
        (None: every profile)."""
        if self.chosen is not None:
            return settings.profiles_of(frozenset({self.chosen}))
        return self.scope.profiles(settings)

    def sees(self, settings: Settings, profile_id: str | None) -> bool:
        return self.scope.sees_profile(settings, profile_id)

    def shows(self, client: str | None) -> bool:
        """Whether on-call things of `client` (None: the agency's, shared) belong on this user's pages now:
        the chosen client's, else every client's the user may see."""
        if client is None:
            return True
        return client == self.chosen if self.chosen else self.scope.sees_client(client)


def secure_cookies(request: Request) -> bool:
    settings = request.app.state.runtime.settings
    return settings.public_url.startswith("https://") or request.url.scheme == "https"


def language_of(request: Request, user: User | None = None) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in ("pl", "en"):
        return chosen
    if user is not None and user.language in ("pl", "en"):
        return user.language
    return request.app.state.runtime.settings.language


def current_user(request: Request, session: SessionDep) -> SignedIn | None:
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    now = datetime.now(UTC)
    found = find_session(session, session_id=session_id, now=now)
    row = session.get(WebSession, hash_token(session_id))
    if needs_upkeep(row, now):
        if request.method in SAFE_METHODS:  # a GET only reads: the upkeep is a short write of its own
            with session_scope(request.app.state.runtime.sessions, write=True) as writer:
                session_upkeep(writer, session_id=session_id, now=now)
        else:  # this request already holds the write lock (see `get_session`)
            session_upkeep(session, session_id=session_id, now=now)
    if found is None:
        return None
    row, user = found
    signed_in = SignedIn(user, row, session_id, language_of(request, user))
    chosen = request.cookies.get(CLIENT_COOKIE)
    settings = request.app.state.runtime.settings
    if chosen and settings.client(chosen) is not None and signed_in.scope.sees_client(chosen):
        signed_in.chosen = chosen
    request.state.language = signed_in.language
    return signed_in


def page_user(role: Role = "viewer"):
    """A page dependency: the signed-in user with at least `role`, else a redirect to sign in (or 403)."""

    def check(request: Request, signed_in: Annotated[SignedIn | None, Depends(current_user)]) -> SignedIn:
        if signed_in is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(path)
        if not signed_in.may(role):
            raise Forbidden(role)
        return signed_in

    return check


async def check_csrf(request: Request, signed_in: SignedIn) -> None:
    """The token must come with every state-changing request: a form field or the htmx header."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, signed_in.web_session.csrf_token):
        raise CsrfFailed()


def actor_user(role: Role):
    """A dependency for dashboard actions: signed in, allowed, and carrying the CSRF token."""

    allowed = page_user(role)

    # The dependency is a default value, not in the annotation: annotations are strings here and could not
    # see `allowed`, a local name.
    async def check(request: Request, signed_in: SignedIn = Depends(allowed)) -> SignedIn:
        await check_csrf(request, signed_in)
        return signed_in

    return check


def safe_next(path: str | None) -> str:
    """Only paths on this site: never `//evil.example` or an absolute URL."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def login_url(next_path: str) -> str:
    return f"/login?next={quote(safe_next(next_path), safe='/')}"


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


class LoginRateLimit:
    """At most `limit` sign-in attempts per client address in `window` seconds (in this process)."""

    def __init__(self, limit: int = 20, window: float = 300.0):
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._seen.setdefault(client, deque())
            while hits and hits[0] < now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._seen) > 10_000:  # forget idle addresses
                for key in [k for k, v in self._seen.items() if not v]:
                    del self._seen[key]
            return True


Page = Annotated[SignedIn, Depends(page_user("viewer"))]
ViewerAction = Annotated[SignedIn, Depends(actor_user("viewer"))]
ResponderAction = Annotated[SignedIn, Depends(actor_user("responder"))]
AdminAction = Annotated[SignedIn, Depends(actor_user("admin"))]
AdminPage = Annotated[SignedIn, Depends(page_user("admin"))]
