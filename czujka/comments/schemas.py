"""What the API hands out about a comment itself (its scores are analysis's: see `comments/views.py`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CommentFields(BaseModel):
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
