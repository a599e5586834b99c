"""What the API hands out about comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class ScoreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    language: str
    sentiment: str
    sentiment_confidence: float
    harm: float
    harm_tier: str
    harmful: bool
    vulgar: bool
    vulgar_words: list[dict[str, Any]]
    topic: str
    topic_confidence: float
    competitors: list[str]
    model_version: str
    scored_at: datetime


class CommentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    profile_id: str
    platform_id: str
    post_id: int | None
    post_platform_id: str | None = None
    parent_id: int | None
    parent_platform_id: str | None
    author_id: str | None
    author_name: str | None
    author_is_staff: bool
    message: str
    rating: int | None
    source: str
    created_at: datetime
    received_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    score: ScoreRead | None = None


class CommentPage(BaseModel):
    items: list[CommentRead]
    next_cursor: str | None
