"""What every source hands to storage: plain events about posts and comments.

Sources parse their own formats into these; storage never sees a platform's payload shape, only the raw copy
kept for audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

CommentVerb = Literal["add", "edited", "remove", "hide", "unhide"]
PostVerb = Literal["add", "edited", "remove"]


@dataclass(slots=True)
class CommentEvent:
    profile_id: str
    platform_id: str
    verb: CommentVerb
    occurred_at: datetime
    post_platform_id: str | None = None
    parent_platform_id: str | None = None
    author_id: str | None = None
    author_name: str | None = None
    author_is_staff: bool = False
    message: str | None = None
    created_at: datetime | None = None
    rating: int | None = None
    raw: dict[str, Any] | None = None


@dataclass(slots=True)
class PostEvent:
    profile_id: str
    platform_id: str
    verb: PostVerb
    occurred_at: datetime
    message: str | None = None
    created_at: datetime | None = None
    permalink: str | None = None
    raw: dict[str, Any] | None = None


Event = CommentEvent | PostEvent


@dataclass(slots=True)
class Batch:
    """One delivery, poll page or file, parsed: events to store, and notes on what was skipped and why."""

    events: list[Event] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
