"""What a moderation rule is, as `[[moderation_rules]]` in czujka.toml writes it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from czujka import vocabulary
from czujka.analysis.normalize import fold
from czujka.oncall.windows import DAYS, WindowError, parse_windows

Action = Literal["hide", "delete", "flag"]
MOMENT = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}):(\d{2})$")


def weekly_moment(text: str) -> tuple[int, int, int]:
    """`mon 08:30` as (weekday, hour, minute)."""
    found = MOMENT.match(text.strip().lower())
    if not found or int(found.group(2)) > 23 or int(found.group(3)) > 59:
        raise ValueError(f"{text!r} is not a day and a time such as 'mon 08:30'")
    return DAYS.index(found.group(1)), int(found.group(2)), int(found.group(3))


def last_moment(text: str, zone: str, now: datetime) -> datetime:
    """The most recent `text` (`mon 08:30`, local to `zone`) at or before `now`."""
    weekday, hour, minute = weekly_moment(text)
    local = now.astimezone(ZoneInfo(zone))
    moment = (local - timedelta(days=(local.weekday() - weekday) % 7)).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )
    return moment if moment <= local else moment - timedelta(days=7)


class ModerationRuleConfig(BaseModel):
    """Acts on a customer's comment as soon as it is scored, when `when` holds and every condition given
    matches (conditions left out match anything; a rule needs at least one)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    profiles: list[str] | None = None  # None: every profile
    when: str | list[str] = "nobody_on_duty"  # "always", "nobody_on_duty", or weekly windows
    vulgar: bool | None = None
    harm_at_least: float | None = Field(None, ge=0, le=1)
    keywords: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    coordinated: bool | None = None
    links: bool | None = None
    action: Action = "hide"
    max_per_hour: int = Field(60, ge=1, le=10_000)
    dry_run: bool = False

    @field_validator("when")
    @classmethod
    def _when(cls, when: str | list[str]) -> str | list[str]:
        if when in ("always", "nobody_on_duty"):
            return when
        windows = [when] if isinstance(when, str) else when
        try:
            parse_windows(windows)
        except WindowError as exc:
            raise ValueError(f"when: {exc} (or write 'always' or 'nobody_on_duty')") from None
        return windows

    @field_validator("topics")
    @classmethod
    def _topics(cls, topics: list[str]) -> list[str]:
        out = []
        for topic in topics:
            topic = vocabulary.TOPIC_ALIASES.get(topic, topic)
            if topic not in vocabulary.TOPICS:
                raise ValueError(f"unknown topic {topic!r} (known: {', '.join(vocabulary.TOPICS)})")
            out.append(topic)
        return out

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, keywords: list[str]) -> list[str]:
        for word in keywords:
            if not fold(word).strip():
                raise ValueError(f"keyword {word!r} has no letters or digits to match")
        return keywords

    @model_validator(mode="after")
    def _some_condition(self) -> ModerationRuleConfig:
        if not (
            self.vulgar is not None
            or self.harm_at_least is not None
            or self.keywords
            or self.topics
            or self.coordinated is not None
            or self.links is not None
        ):
            raise ValueError(
                f"rule {self.id!r} has no condition: it would act on every comment "
                "(give vulgar, harm_at_least, keywords, topics, coordinated or links)"
            )
        return self
