"""Staff replies sent (or waiting to be sent) through the platform, each with who wrote it and what the
reply check said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, JSONDoc, UTCDateTime, utcnow

# pending_approval → (approved) sending → sent | failed | unknown ; pending_approval → rejected
STATES = ("pending_approval", "sending", "sent", "failed", "unknown", "rejected")


class Reply(Base):
    """One attempt to answer one comment; `idempotency_key` is unique, so a retried request never sends
    twice. `unknown` means Meta's answer was lost: the reply may be on the page, so nobody resends blindly."""

    __tablename__ = "replies"
    __table_args__ = (Index("ix_replies_comment", "comment_id"), Index("ix_replies_state", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    profile_id: Mapped[str] = mapped_column(String(64))
    target_platform_id: Mapped[str] = mapped_column(String(200))  # the comment Meta is asked to answer
    text: Mapped[str] = mapped_column(Text)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    template_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(100))  # "user:anna" or "token:bot"
    person_id: Mapped[str | None] = mapped_column(String(64))
    check_reasons: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    platform_id: Mapped[str | None] = mapped_column(String(200))  # what Meta gave the reply
    reply_comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
