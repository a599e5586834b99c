"""One comment as files and the generic webhook send it, checked field by field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from czujka.comments.events import CommentEvent
from czujka.config import Settings
from czujka.sources.base import check_id, parse_time

TRUE_WORDS = {"1", "true", "yes", "tak", "t", "y"}
FALSE_WORDS = {"0", "false", "no", "nie", "n", "f", ""}


@dataclass(slots=True)
class RowError:
    """Where a record went wrong: its line (or index), the field, and why."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


class CommentRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    profile: str | None = None
    id: str = Field(min_length=1, max_length=200)
    post: str | None = Field(None, max_length=200)
    parent: str | None = Field(None, max_length=200)
    author: str | None = Field(None, max_length=200)
    author_name: str | None = Field(None, max_length=300)
    is_staff: bool = False
    text: str = Field(max_length=100_000)
    time: str | int | float
    rating: int | None = Field(None, ge=1, le=5)
    verb: Literal["add", "edited", "remove", "hide", "unhide"] = "add"

    @field_validator("id", "post", "parent", "author", "profile", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip():
            return check_id(value.strip(), "the id")
        return None if value == "" else value

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("is_staff", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueError(f"expected true or false, got {value!r}")
        return value


def to_event(
    data: dict[str, Any],
    *,
    line: int,
    settings: Settings,
    source: str,
    default_profile: str | None = None,
) -> CommentEvent | list[RowError]:
    """A checked event, or every error of the record (never a value of a secret: records hold none)."""
    try:
        record = CommentRecord.model_validate(data)
    except ValidationError as exc:
        return [
            RowError(
                line, ".".join(str(p) for p in err["loc"]) or "row", err["msg"].removeprefix("Value error, ")
            )
            for err in exc.errors(include_input=False, include_url=False)
        ]
    profile_id = record.profile or default_profile
    if profile_id is None:
        return [RowError(line, "profile", "missing: name a profile id from czujka.toml")]
    if default_profile is not None and record.profile not in (None, default_profile):
        return [
            RowError(line, "profile", f"{record.profile!r} does not match the source {default_profile!r}")
        ]
    profile = settings.profile(profile_id)
    if profile is None:
        return [RowError(line, "profile", f"unknown profile {profile_id!r} (not in czujka.toml)")]
    try:
        created = parse_time(record.time, ZoneInfo(settings.timezone_of(profile_id)))
    except ValueError as exc:
        return [RowError(line, "time", str(exc))]
    if created is None:
        return [RowError(line, "time", "missing")]
    if created > datetime.now(UTC) + timedelta(days=366):
        return [RowError(line, "time", "more than a year in the future")]
    raw = {k: v for k, v in data.items() if v is not None}
    raw["source"] = source
    return CommentEvent(
        profile_id=profile.id,
        platform_id=record.id,
        verb=record.verb,
        occurred_at=created,
        post_platform_id=record.post,
        parent_platform_id=record.parent,
        author_id=record.author,
        author_name=record.author_name or record.author,
        author_is_staff=record.is_staff,
        message=record.text,
        created_at=created,
        rating=record.rating,
        raw=raw,
    )
