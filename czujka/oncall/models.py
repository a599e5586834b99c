"""Escalation state per incident, kept in the database so any worker can continue it after a crash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, UTCDateTime, utcnow


class Escalation(Base):
    """Where an incident's chain of command stands; `fencing` grows with every step a worker takes."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_due", "status", "next_step_at"),)

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    policy_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # active, stopped, finished, unrouted, not_paged
    step: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)
    next_step_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    severity: Mapped[int] = mapped_column(Integer)  # the severity this run was started for
    fencing: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoopHeartbeat(Base):
    """The last time each background loop of each process finished a round; /api/health reads it."""

    __tablename__ = "loop_heartbeats"

    loop: Mapped[str] = mapped_column(String(40), primary_key=True)
    worker: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
