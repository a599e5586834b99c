"""Dashboard users: argon2 passwords, lockout after repeated failures, server-side sessions.

Sessions live in the database, so signing out everywhere is one delete, a stolen cookie dies with its row,
and a session id is always minted fresh at sign-in (no fixation).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from czujka.auth.models import User, WebSession
from czujka.auth.service import ROLES
from czujka.storage.secrets import hash_token

HASHER = PasswordHasher()
MAX_FAILED = 5  # wrong passwords in a row before new devices must wait between tries
FIRST_WAIT = timedelta(seconds=15)  # doubles with each further wrong password …
LONGEST_WAIT = timedelta(minutes=5)  # … up to this
SESSION_DAYS = 14
IDLE = timedelta(days=2)
SEEN_EVERY = timedelta(minutes=5)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


@cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong name costs as long as a wrong password.
    Made at the first such sign-in, not at import (hashing takes a fifth of a second)."""
    return HASHER.hash("czujka-no-such-user")


class UserError(ValueError):
    """A user command that cannot be done; the message says why."""


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")


def add_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str,
    person_id: str | None = None,
    language: str | None = None,
    clients: list[str] | None = None,
) -> User:
    if not USERNAME.match(username):
        raise UserError(f"{username!r}: a user name is 2–63 lower-case letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if language not in (None, "pl", "en"):
        raise UserError(f"unknown language {language!r}: pl or en")
    check_password(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"a user {username!r} exists already")
    user = User(
        username=username,
        role=role,
        password_hash=HASHER.hash(password),
        person_id=person_id,
        language=language,
        clients=clients,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def set_password(session: Session, *, username: str, password: str) -> None:
    """A new password also signs the user out everywhere and lifts a lockout."""
    check_password(password)
    user = get_user(session, username)
    user.password_hash, user.failed_logins, user.locked_until = HASHER.hash(password), 0, None
    sign_out_everywhere(session, user_id=user.id)


def disable_user(session: Session, *, username: str, now: datetime) -> None:
    user = get_user(session, username)
    user.disabled_at = now
    sign_out_everywhere(session, user_id=user.id)


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User | None
    problem: str | None = None  # "wrong", "wait", "disabled"
    wait_seconds: int = 0


def wait_after(failures: int) -> timedelta:
    """How long a new device waits before its next try after `failures` wrong passwords in a row."""
    if failures < MAX_FAILED:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - MAX_FAILED, 16), LONGEST_WAIT)


def verify_login(
    session: Session, *, username: str, password: str, now: datetime, known_device: bool = False
) -> LoginResult:
    """Check a sign-in. Wrong passwords make the next try from a new device wait, longer each time, but
    never lock the account: whoever knows a username cannot lock the person on duty out, and a device that
    signed in as this user before has its password checked at once, however many tries strangers made."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        _verify(_dummy_hash(), password)
        return LoginResult(None, "wrong")
    if not known_device and user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, "wait", max(1, int((user.locked_until - now).total_seconds() + 0.999)))
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        pause = wait_after(user.failed_logins)
        if pause:
            user.locked_until = now + pause
            return LoginResult(None, "wait", int(pause.total_seconds()))
        return LoginResult(None, "wrong")
    if user.disabled_at is not None:
        return LoginResult(None, "disabled")
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return LoginResult(user)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(session: Session, *, user: User, now: datetime, user_agent: str | None) -> str:
    """A fresh session id (the cookie's value); only its hash is stored."""
    session_id = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=hash_token(session_id),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=SESSION_DAYS),
            user_agent=(user_agent or "")[:300],
        )
    )
    return session_id


def find_session(session: Session, *, session_id: str, now: datetime) -> tuple[WebSession, User] | None:
    row = session.get(WebSession, hash_token(session_id))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None or not _alive(row, now):
        return None
    return row, user


def _alive(row: WebSession, now: datetime) -> bool:
    return row.expires_at > now and row.last_seen_at + IDLE > now


def needs_upkeep(row: WebSession | None, now: datetime) -> bool:
    """Whether `session_upkeep` has anything to write: most requests need nothing written at all."""
    return row is not None and (not _alive(row, now) or now - row.last_seen_at > SEEN_EVERY)


def session_upkeep(session: Session, *, session_id: str, now: datetime) -> None:
    """Forget a session that ran out; note that a live one was seen (at most every few minutes)."""
    row = session.get(WebSession, hash_token(session_id))
    if row is None:
        return
    if not _alive(row, now):
        session.delete(row)
    elif now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now


def end_session(session: Session, *, session_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == hash_token(session_id)))


def sign_out_everywhere(session: Session, *, user_id: int) -> int:
    return session.execute(delete(WebSession).where(WebSession.user_id == user_id)).rowcount or 0


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
