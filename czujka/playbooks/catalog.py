"""Which playbook fits an incident, and a template filled in for the comment being answered.

The shipped defaults (`defaults.toml`) come first; the shop's own playbooks (`[[playbooks]]` in czujka.toml,
or files in `playbooks/` beside it) replace a default of the same id, or of the same kind and topic.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_time, get_time_format

from czujka.config import ProfileConfig, Settings
from czujka.playbooks.config import PlaybookConfig, TemplateConfig
from czujka.words import N_, gettext

DEFAULTS = Path(__file__).parent / "defaults.toml"
# How much a match on kind or topic counts when choosing. A legal or safety topic outranks everything;
# for the surges (many comments, one cause) the topic says more than the kind; for a quarrel, a coordinated
# attack or abuse, the kind says what to do.
TOPIC_WEIGHT = {"legal-safety": 4.0}
KIND_WEIGHT = {"negative_surge": 0.5, "volume_surge": 0.5}
NIGHT_FROM, MORNING = 22, 9  # a reply promised for the night is promised for the next morning instead
# "on Wednesday" as the catalog says it (Polish needs its own preposition and case: "w środę", "we wtorek").
WEEKDAYS = (
    N_("on Monday"),
    N_("on Tuesday"),
    N_("on Wednesday"),
    N_("on Thursday"),
    N_("on Friday"),
    N_("on Saturday"),
    N_("on Sunday"),
)


@lru_cache(maxsize=1)
def default_playbooks() -> tuple[PlaybookConfig, ...]:
    data = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    return tuple(PlaybookConfig.model_validate(p) for p in data["playbooks"])


def catalog(settings: Settings) -> list[PlaybookConfig]:
    """Defaults, with the shop's own replacing those of the same id or the same kind and topic."""
    own = list(settings.playbooks)
    taken_ids = {p.id for p in own}
    taken_keys = {(p.kind, p.topic) for p in own}
    kept = [p for p in default_playbooks() if p.id not in taken_ids and (p.kind, p.topic) not in taken_keys]
    return own + kept


def choose(settings: Settings, kind: str, topic: str | None) -> PlaybookConfig:
    """The best-fitting playbook: its kind and topic must match where it names them."""
    best: tuple[float, int, PlaybookConfig] | None = None
    for order, playbook in enumerate(catalog(settings)):
        if playbook.kind not in (None, kind) or playbook.topic not in (None, topic):
            continue
        score = (KIND_WEIGHT.get(kind, 2.0) if playbook.kind else 0.0) + (
            TOPIC_WEIGHT.get(topic or "", 1.0) if playbook.topic else 0.0
        )
        if best is None or score > best[0]:
            best = (score, order, playbook)
    if best is None:  # a shop replaced "general" with something narrower: fall back on the shipped one
        return next(p for p in default_playbooks() if p.kind is None and p.topic is None)
    return best[2]


def find(settings: Settings, playbook_id: str) -> PlaybookConfig | None:
    return next((p for p in catalog(settings) if p.id == playbook_id), None)


def reply_by(now: datetime, minutes: int, zone: str, language: str) -> str:
    """A concrete time the shop will come back by: `minutes` from now, rounded up to a quarter hour, and
    never in the night (then 9:00 the next morning)."""
    local = now.astimezone(ZoneInfo(zone)) + timedelta(minutes=minutes)
    local = (local + timedelta(minutes=(-local.minute) % 15)).replace(second=0, microsecond=0)
    if local.hour >= NIGHT_FROM or local.hour < MORNING - 1:
        morning = local if local.hour < MORNING else local + timedelta(days=1)
        local = morning.replace(hour=MORNING, minute=0)
    today = now.astimezone(ZoneInfo(zone)).date()
    days = (local.date() - today).days
    # "9:00" as a Polish reply says it, "2:45 pm" in English: the locale's short time without a leading zero
    pattern = get_time_format("short", locale=language).pattern.replace("HH", "H").replace("hh", "h")
    clock = format_time(local, pattern, locale=language).lower().replace("\u202f", " ")
    if days == 0:
        return gettext("today by %(time)s", language, time=clock)
    if days == 1:
        return gettext("tomorrow by %(time)s", language, time=clock)
    return gettext(
        "%(day)s by %(time)s", language, day=gettext(WEEKDAYS[local.weekday()], language), time=clock
    )


@dataclass(frozen=True, slots=True)
class Filling:
    """What fills a template's placeholders."""

    author: str | None
    responder: str | None
    profile: ProfileConfig | None
    now: datetime
    zone: str


def channel(profile: ProfileConfig | None, language: str) -> str:
    if profile is not None and profile.contact:
        return profile.contact.get(language)
    return gettext("in a private message", language)


def shop_name(profile: ProfileConfig | None) -> str:
    if profile is None:
        return ""
    return re.sub(r"\s*\((facebook|instagram|fb|ig)\)\s*$", "", profile.name, flags=re.IGNORECASE)


def fill(template: TemplateConfig, playbook: PlaybookConfig, filling: Filling) -> str:
    """The template with every placeholder filled; one left without a value disappears cleanly."""
    values = {
        "author": (filling.author or "").split(" ")[0],
        "responder": filling.responder or "",
        "shop": shop_name(filling.profile),
        "channel": channel(filling.profile, template.language),
        "by": reply_by(filling.now, playbook.reply_within_minutes, filling.zone, template.language),
    }
    text = template.text.format(**values)
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)  # "Dzień dobry ," when there is no name
    text = re.sub(r"(^|[.!?]\s)[,;:]\s*", r"\1", text)  # "{author}, rozumiem" at the start with no name
    text = re.sub(r",\s*$|\s{2,}", lambda m: "" if m.group().startswith(",") else " ", text)
    text = text.strip()
    return text[:1].upper() + text[1:]
