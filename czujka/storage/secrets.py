"""Secrets czujka makes for itself once (the VAPID key, the calendar key), shared by every process through
the database, and the one way a bearer secret (API token, session, one-tap link) is kept: its hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from czujka.storage.base import Base, UTCDateTime, utcnow
from czujka.storage.engine import session_scope


class ServiceSecret(Base):
    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def service_secret(sessions: sessionmaker[Session], name: str, make: Callable[[], str]) -> str:
    """The stored secret `name`, made with `make` and stored on first use; when two processes make it at
    once, the first one stored wins and both use it."""
    with session_scope(sessions) as session:
        row = session.get(ServiceSecret, name)
        if row is not None:
            return row.value
    value = make()
    try:
        with session_scope(sessions, write=True) as session:
            session.add(ServiceSecret(name=name, value=value))
    except IntegrityError:
        with session_scope(sessions) as session:
            return session.get(ServiceSecret, name).value  # type: ignore[union-attr]
    return value


def hash_token(token: str) -> str:
    """What is stored of a bearer secret: a leaked database does not let anyone sign in or acknowledge."""
    return hashlib.sha256(token.encode()).hexdigest()
