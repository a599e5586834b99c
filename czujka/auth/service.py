"""Bearer tokens for the API: shown once when created, stored only as a SHA-256 hash."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from czujka.auth.models import ApiToken
from czujka.storage.base import utcnow
from czujka.storage.secrets import hash_token

Role = Literal["viewer", "responder", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "responder", "admin")
TOKEN_PREFIX = "czk_"


def role_allows(role: str, needed: Role) -> bool:
    """Roles are ordered: an admin may do what a responder may, and a responder what a viewer may."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)  # type: ignore[arg-type]


def create_token(session: Session, *, name: str, role: Role, clients: list[str] | None = None) -> str:
    """A new token for `clients` (None: every client); only its hash is kept."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise ValueError(f"a token named {name!r} exists already; revoke it or pick another name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, role=role, clients=clients, token_hash=hash_token(token)))
    session.flush()
    return token


USED_EVERY = timedelta(minutes=1)  # how finely `last_used_at` is kept: one write a minute, not one a call


def authenticate(session: Session, *, token: str) -> ApiToken | None:
    """The valid, unrevoked token; reads only (see `mark_used`)."""
    return session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )


def mark_used(session: Session, *, token: ApiToken, now: datetime) -> None:
    """Note that the token was used, at most once a minute."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - USED_EVERY),
        )
        .values(last_used_at=now)
    )


def revoke_token(session: Session, *, name: str) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = utcnow()
    return True


def list_tokens(session: Session) -> list[dict[str, object]]:
    rows = session.scalars(select(ApiToken).order_by(ApiToken.id))
    return [
        {
            "name": r.name,
            "role": r.role,
            "clients": r.clients,
            "created_at": r.created_at.isoformat(),
            "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in rows
    ]
