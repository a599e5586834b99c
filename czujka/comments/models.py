"""Tables of profiles, posts, comments, their history and the raw ingestion log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, JSONDoc, UTCDateTime, utcnow


class Profile(Base):
    """A watched account; the rows mirror czujka.toml so comments keep a home when the file changes."""

    __tablename__ = "profiles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    platform_id: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("profile_id", "platform_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"))
    platform_id: Mapped[str] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    permalink: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)


class Comment(Base):
    """What someone wrote under a post; the text is never dropped, even when deleted or hidden."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("profile_id", "platform_id"),
        Index("ix_comments_profile_created", "profile_id", "created_at"),
        Index("ix_comments_parent_platform", "profile_id", "parent_platform_id"),
        Index("ix_comments_post", "post_id"),
        Index("ix_comments_received", "received_at"),
        # The review queue's "hidden elsewhere" part, counted on every refresh of the Now page: only the few
        # hidden comments are in this index.
        Index(
            "ix_comments_hidden",
            "profile_id",
            "hidden_at",
            sqlite_where=text("hidden_at IS NOT NULL"),
            postgresql_where=text("hidden_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"))
    platform_id: Mapped[str] = mapped_column(String(200))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    parent_platform_id: Mapped[str | None] = mapped_column(String(200))
    author_id: Mapped[str | None] = mapped_column(String(200))
    author_name: Mapped[str | None] = mapped_column(String(300))
    author_is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)


class CommentHistory(Base):
    """Every edit, removal, hide and unhide, with the text as it was before an edit."""

    __tablename__ = "comment_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    verb: Mapped[str] = mapped_column(String(20))
    previous_message: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(100))


class IngestLog(Base):
    """Each delivery, poll page or import as it arrived, so nothing a source sent is lost or unexplained."""

    __tablename__ = "ingest_log"
    __table_args__ = (
        Index("ix_ingest_log_digest", "source", "digest"),
        # One original per body and source: a copy delivered at the same moment conflicts and is retried,
        # and then logged as a duplicate of the first (never applied twice).
        Index(
            "uq_ingest_log_original",
            "source",
            "digest",
            unique=True,
            sqlite_where=text("duplicate_of IS NULL"),
            postgresql_where=text("duplicate_of IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    ignored: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[list[str] | None] = mapped_column(JSONDoc)


class CommentQueue(Base):
    """The work still to do on a comment after it is stored: `score` (analysis), then `detect` (the
    detectors, the series, the moderation rules); the row goes when both are done.

    Ingest puts new and edited comments here in the same transaction that stores them, so nothing stored is
    ever forgotten. A scorer claims rows for a while (`claimed_by`, `claimed_until`): a claim that dies with
    its worker is taken again when it runs out, and a claim taken over, or cleared by a new edit, writes
    nothing. `reason` says what detection does with it: `new` (count it, feed every detector), `edited`
    (the red flags and the moderation rules again), `rescore` (a model changed: scores only)."""

    __tablename__ = "comment_queue"
    __table_args__ = (
        Index("ix_comment_queue_stage", "stage", "comment_id"),
        Index("ix_comment_queue_profile", "profile_id", "stage", "comment_id"),
    )

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(8))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
