"""The moderation outbox: every hide, unhide, delete and flag, by a rule or a person, with the platform's
answer; it is also the audit trail and the review queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, UTCDateTime, utcnow

# pending → sending → done | gone (already removed on the platform) | failed ; dry runs and flags: done
# without a call. A review (keep, unhide, delete) is written on the action it decides.
VERBS = ("hide", "unhide", "delete", "flag", "keep")


class ModerationAction(Base):
    __tablename__ = "moderation_actions"
    __table_args__ = (
        Index("ix_moderation_due", "state", "send_after"),
        Index("ix_moderation_comment", "comment_id"),
        Index("ix_moderation_rule", "source", "comment_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[str] = mapped_column(String(200))
    verb: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(100))  # "rule:ID", "user:NAME", "token:NAME"
    reason: Mapped[str] = mapped_column(Text)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    comment_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the comment was written
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)  # what the platform said
    error_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review: Mapped[str | None] = mapped_column(String(10))  # kept | unhidden | deleted
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
