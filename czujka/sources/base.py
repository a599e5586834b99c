"""What every source hands to storage: plain events about posts and comments.

Sources parse their own formats into these; storage never sees a platform's payload shape, only
the raw copy kept for audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal, Protocol

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


class Source(Protocol):
    """A way comments of a profile arrive; `name` labels the ingest log and each stored comment."""

    name: str

    def parse(self, body: bytes) -> Batch: ...


def parse_time(value: Any, local: tzinfo | None = None) -> datetime | None:
    """Meta sends Unix seconds in webhooks and ISO 8601 (`+0000`) in the Graph API; files send either.

    A time without an offset is read in `local` (the profile's zone) when given, else refused.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_time(int(text))
        if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
            text = text[:-2] + ":" + text[-2:]
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 time or Unix seconds: {value!r}") from None
        if parsed.tzinfo is None and local is not None:
            parsed = parsed.replace(tzinfo=local)
        if parsed.tzinfo is None:
            raise ValueError(f"time without a UTC offset: {value!r}")
        return parsed.astimezone(UTC)
    raise ValueError(f"not a time: {value!r}")
