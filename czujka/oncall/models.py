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


class DutyChange(Base):
    """A shift taken or handed over from the dashboard: an override kept in the database, used by the
    escalator without a restart, with who made it and, where the schedule asks for it, who approved it."""

    __tablename__ = "duty_changes"
    __table_args__ = (Index("ix_duty_changes_end", "schedule_id", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[str] = mapped_column(String(64))  # who is on duty during it
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(12))  # active, pending, rejected, cancelled
    made_by: Mapped[str] = mapped_column(String(100))  # the dashboard user
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
