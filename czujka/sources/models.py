"""What the sources keep: polling state per profile (a restart resumes where the last poll ended), the
connected profiles with their sealed tokens, Facebook Login round trips, and each channel's health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, JSONDoc, UTCDateTime, utcnow


class PollState(Base):
    __tablename__ = "poll_state"

    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_kind: Mapped[str | None] = mapped_column(String(40))


class ConnectedProfile(Base):
    """A Page or Instagram account connected from the dashboard or `czujka connect meta`; its token is
    kept sealed by the vault. Disconnecting wipes the token and keeps the row, so comments keep a home."""

    __tablename__ = "connected_profiles"
    __table_args__ = (UniqueConstraint("platform", "platform_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    platform_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(200))
    page_id: Mapped[str] = mapped_column(String(100))  # the Facebook Page whose token this is
    client_id: Mapped[str | None] = mapped_column(String(64))  # None: the implicit client of one shop
    token_sealed: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    permissions: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    tasks: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    connected_by: Mapped[str] = mapped_column(String(100))
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConnectAttempt(Base):
    """One Facebook Login round trip: its `state` (kept as a hash) binds the callback to the admin who
    started it; after the callback it holds the sealed user token and the Pages to pick from."""

    __tablename__ = "connect_attempts"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_sealed: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)  # ids, names, tasks: no tokens
    granted: Mapped[list[str] | None] = mapped_column(JSONDoc)


class ChannelHealth(Base):
    """What czujka knows of one profile's connection: deliveries, polls, the token, the webhooks, and the
    problem the channel watch last raised."""

    __tablename__ = "channel_health"

    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    watched_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_poll_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    poll_failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_kind: Mapped[str | None] = mapped_column(String(40))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_subcode: Mapped[int | None] = mapped_column(Integer)
    token_valid: Mapped[bool | None] = mapped_column(Boolean)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    missing_permissions: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    subscribed: Mapped[bool | None] = mapped_column(Boolean)
    was_subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    subscription_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    problem: Mapped[str | None] = mapped_column(String(40))
    problem_detail: Mapped[str | None] = mapped_column(Text)
    problem_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
