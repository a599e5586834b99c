"""Creating clients on the dashboard and reading them back beside czujka.toml's."""

from __future__ import annotations

from datetime import datetime

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.clients.models import ClientRow
from czujka.config import IMPLICIT_CLIENT, ClientConfig


class ClientError(ValueError):
    """A client that cannot be created; the message says why."""


def stored_clients(session: Session) -> list[ClientConfig]:
    return [
        ClientConfig(id=r.id, name=r.name, timezone=r.timezone, language=r.language)  # type: ignore[arg-type]
        for r in session.scalars(select(ClientRow).order_by(ClientRow.created_at, ClientRow.id))
    ]


def create_client(
    session: Session, *, name: str, known: list[ClientConfig], actor: str, now: datetime
) -> ClientConfig:
    """A new client named `name`, with an id made from it that no other client (nor the implicit one) has."""
    name = " ".join(name.split())
    if not name:
        raise ClientError("the client needs a name")
    if len(name) > 200:
        raise ClientError("a client's name has at most 200 characters")
    if any(c.name.casefold() == name.casefold() for c in known):
        raise ClientError(f"a client named {name!r} exists already")
    base = slugify(name, max_length=50, word_boundary=True) or "client"
    taken = {c.id for c in known} | {IMPLICIT_CLIENT} | set(session.scalars(select(ClientRow.id)))
    client_id, number = base, 2
    while client_id in taken:
        client_id, number = f"{base}-{number}", number + 1
    session.add(ClientRow(id=client_id, name=name, created_by=actor, created_at=now))
    session.flush()
    return ClientConfig(id=client_id, name=name)
