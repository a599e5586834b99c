"""The scores of each comment, one row per comment, with the model version that gave them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, JSONDoc, UTCDateTime, utcnow


class CommentScore(Base):
    __tablename__ = "comment_scores"
    __table_args__ = (Index("ix_comment_scores_flags", "vulgar", "harmful"),)

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_confidence: Mapped[float] = mapped_column(Float)
    harm: Mapped[float] = mapped_column(Float)
    harm_tier: Mapped[str] = mapped_column(String(10))
    harmful: Mapped[bool] = mapped_column(Boolean)
    vulgar: Mapped[bool] = mapped_column(Boolean)
    vulgar_words: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    topic: Mapped[str] = mapped_column(String(20))
    topic_confidence: Mapped[float] = mapped_column(Float)
    competitors: Mapped[list[str]] = mapped_column(JSONDoc)
    model_version: Mapped[str] = mapped_column(String(200))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
