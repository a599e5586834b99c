"""What a playbook is, as `czujka.toml`, a file in `playbooks/` beside it, or the shipped defaults write it.

A playbook answers the responder's three questions at 11 p.m.: what do I do first, whom do I ask, and what
do I write. Steps are in Polish and English (a plain list is both); templates are in one language each.
"""

from __future__ import annotations

import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from czujka import vocabulary
from czujka.oncall.config import check_targets

PLACEHOLDERS = {
    "author": "the commenter's name",
    "by": "a concrete time by which the shop comes back, worked out from reply_within_minutes",
    "channel": 'where to write privately, read after "napisz do nas": the profile\'s `contact`, else a private message',
    "shop": "the profile's name",
    "responder": "the first name of the person replying",
}
ID = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def phrase(value: object) -> object:
    return {"pl": value, "en": value} if isinstance(value, str) else value


def _both(value: object) -> object:
    """A plain list of steps is used for both languages."""
    return {"pl": value, "en": value} if isinstance(value, list) else value


class Steps(_Strict):
    pl: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def get(self, language: str) -> list[str]:
        return (self.pl if language == "pl" else self.en) or self.pl or self.en


class Phrase(_Strict):
    """Words in Polish and English; a plain string is both."""

    pl: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)

    def get(self, language: str) -> str:
        return self.pl if language == "pl" else self.en


class TemplateConfig(_Strict):
    id: str = Field(pattern=ID)
    language: Literal["pl", "en"]
    name: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000)
    private: bool = False  # written for a private reply rather than under the post

    @field_validator("text")
    @classmethod
    def _placeholders(cls, text: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise ValueError(f"template text: {exc} (write a literal brace as {{{{ or }}}})") from None
        unknown = sorted(n for n in names if n not in PLACEHOLDERS)
        if unknown:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {{{unknown[0]}}} (known: {known})")
        return text


class PlaybookConfig(_Strict):
    """One playbook; `kind` and `topic` say which incidents it is for (left out: any)."""

    id: str = Field(pattern=ID)
    kind: str | None = None
    topic: str | None = None
    title: Phrase
    first: Steps = Field(default_factory=Steps)
    avoid: Steps = Field(default_factory=Steps)
    consult: list[str] = Field(default_factory=list)  # topics whose experts to call; empty: the incident's
    reply_within_minutes: int = Field(120, ge=5, le=7 * 24 * 60)
    templates: list[TemplateConfig] = Field(default_factory=list)

    _steps = field_validator("first", "avoid", mode="before")(_both)
    _title = field_validator("title", mode="before")(lambda v: phrase(v))

    @field_validator("kind")
    @classmethod
    def _kind(cls, kind: str | None) -> str | None:
        if kind is not None and kind not in vocabulary.KINDS:
            raise ValueError(f"unknown kind {kind!r} (known: {', '.join(vocabulary.KINDS)})")
        return kind

    @field_validator("topic")
    @classmethod
    def _topic(cls, topic: str | None) -> str | None:
        return None if topic is None else _known_topic(topic)

    @field_validator("consult")
    @classmethod
    def _consult(cls, topics: list[str]) -> list[str]:
        return [_known_topic(t) for t in topics]

    @model_validator(mode="after")
    def _unique_templates(self) -> PlaybookConfig:
        seen = set()
        for template in self.templates:
            if template.id in seen:
                raise ValueError(f"template id {template.id!r} is used twice")
            seen.add(template.id)
        return self


def _known_topic(topic: str) -> str:
    topic = vocabulary.TOPIC_ALIASES.get(topic, topic)
    if topic not in vocabulary.TOPICS:
        raise ValueError(f"unknown topic {topic!r} (known: {', '.join(vocabulary.EXPERT_TOPICS)})")
    return topic


class ApprovalConfig(_Strict):
    """Which replies of a profile wait for a lead before they go out, and who the leads are."""

    flagged: bool = True  # a reply the check flags waits
    roles: list[str] = Field(default_factory=list)  # every reply by a person with one of these roles waits
    leads: list[str] = Field(min_length=1)  # "person:ID", "role:NAME" or "schedule:ID": paged at low urgency

    _targets = field_validator("leads")(check_targets)
