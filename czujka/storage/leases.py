"""Leases with a fencing id: work that must have one owner at a time among several processes.

A lease is a row: who holds it, until when, and a fence that grows by one at every take-over. The owner
renews it inside the very transaction that writes the work it guards (`renew` locks the row on PostgreSQL
until commit), so a process that lost its lease — it stalled past the expiry and another took over — finds
its fence gone and writes nothing. Every worker process registers itself in `workers`, so the others know
how many share the work and `/api/health` can say who owns what.

Times are the workers' own clocks: keep them in sync (NTP), and keep the lease well above any skew.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, delete, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from czujka.storage.base import Base, JSONDoc, UTCDateTime
from czujka.storage.dialect import insert_ignoring_duplicates


class Lease(Base):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    fence: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerRow(Base):
    """One running process that takes work: seen at every renewal, gone when it stops or stops renewing."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    roles: Mapped[list[str]] = mapped_column(JSONDoc)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


def worker_id() -> str:
    """Unique per process start: a restarted process with the same pid is another worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take(session: Session, *, name: str, holder: str, ttl: timedelta, now: datetime) -> int | None:
    """Take the lease if it is free or expired; its new fence, or None when another holds it."""
    fence = _take(session, name, holder, ttl, now)
    if fence is None and session.get(Lease, name) is None:
        insert_ignoring_duplicates(session, Lease, [{"name": name, "fence": 0}], "name")
        fence = _take(session, name, holder, ttl, now)
    return fence


def _take(session: Session, name: str, holder: str, ttl: timedelta, now: datetime) -> int | None:
    return session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder.is_(None), Lease.expires_at < now))
        .values(holder=holder, fence=Lease.fence + 1, expires_at=now + ttl, taken_at=now)
        .returning(Lease.fence)
    ).scalar_one_or_none()


def renew(
    session: Session, *, held: dict[str, int], holder: str, ttl: timedelta, now: datetime
) -> dict[str, int]:
    """Extend the leases still ours (same holder, same fence); returns those, with their fences. The rows
    stay locked until the transaction ends, so nobody takes them over while it writes."""
    if not held:
        return {}
    rows = session.execute(
        update(Lease)
        .where(Lease.name.in_(sorted(held)), Lease.holder == holder)
        .values(expires_at=now + ttl)
        .returning(Lease.name, Lease.fence)
    ).all()
    return {name: fence for name, fence in rows if held.get(name) == fence}


def release(session: Session, *, names: Iterable[str], holder: str) -> None:
    """Give leases up at once (a worker leaving, or handing work to a newcomer): no wait for the expiry."""
    names = sorted(names)
    if names:
        session.execute(
            update(Lease)
            .where(Lease.name.in_(names), Lease.holder == holder)
            .values(holder=None, expires_at=None)
        )


def holders(session: Session, *, prefix: str, now: datetime) -> dict[str, str]:
    """The live holder of each lease named `prefix…`."""
    rows = session.execute(
        select(Lease.name, Lease.holder).where(
            Lease.name.startswith(prefix), Lease.holder.is_not(None), Lease.expires_at >= now
        )
    ).all()
    return {name.removeprefix(prefix): holder for name, holder in rows if holder}


def seen(session: Session, *, worker: str, roles: list[str], started_at: datetime, now: datetime) -> None:
    """Register the worker, or say it is still alive."""
    found = session.execute(update(WorkerRow).where(WorkerRow.id == worker).values(seen_at=now)).rowcount
    if not found:
        host, pid = worker.split(":")[0], int(worker.split(":")[1])
        session.execute(
            insert(WorkerRow),
            {
                "id": worker,
                "host": host,
                "pid": pid,
                "roles": roles,
                "started_at": started_at,
                "seen_at": now,
            },
        )


def alive(session: Session, *, within: timedelta, now: datetime) -> list[dict[str, Any]]:
    """Workers seen within `within`, oldest first."""
    rows = session.scalars(
        select(WorkerRow).where(WorkerRow.seen_at >= now - within).order_by(WorkerRow.started_at)
    ).all()
    return [
        {
            "id": r.id,
            "host": r.host,
            "pid": r.pid,
            "roles": list(r.roles),
            "started_at": r.started_at,
            "seen_at": r.seen_at,
        }
        for r in rows
    ]


def leave(session: Session, *, worker: str, forget_before: datetime) -> None:
    """A worker stopping: its row goes, with those of workers long dead."""
    session.execute(delete(WorkerRow).where(or_(WorkerRow.id == worker, WorkerRow.seen_at < forget_before)))
