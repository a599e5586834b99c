"""The outbox of pages, one-tap acknowledge links and browser push subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, JSONDoc, UTCDateTime, utcnow


class Notification(Base):
    """One page to one person on one channel; `dedup_key` is unique so a retried step never pages twice."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "send_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    page_key: Mapped[str] = mapped_column(String(200), index=True)  # the page this channel belongs to
    person_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(40))  # the scheme only: secrets stay in czujka.toml
    channel_number: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    via: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(20), default="incident")  # incident approval review digest
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)  # what a digest says, made when queued
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id", ondelete="CASCADE"))
    urgency: Mapped[str] = mapped_column(String(10))
    # Decided when the page is queued: the incident's topic then, and the experts reachable for it.
    topic: Mapped[str | None] = mapped_column(String(20))
    experts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending sending sent failed skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first handed to the channel
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AckLink(Base):
    """A one-tap acknowledge link: only the hash of its token is kept; it expires and works once."""

    __tablename__ = "ack_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PushSubscription(Base):
    """A browser that asked to receive a person's pages by Web Push."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
