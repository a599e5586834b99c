"""The on-call part of czujka.toml: people and experts, schedules, escalation policies and routes.

Read once with the rest of the settings; every cross-reference (a rotation naming a person, a step naming a
schedule, a route naming a policy) is checked here so a typo is a start-up error, not a silent night.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from czujka.notifications.channels import WEBPUSH, file_target
from czujka.oncall.windows import WeeklyWindows, WindowError, parse_windows
from czujka.validators import check_timezone, resolve_secret
from czujka.vocabulary import EXPERT_TOPICS, KINDS, TOPIC_ALIASES

ID = r"^[a-z0-9][a-z0-9_.-]{0,62}$"


def _windows(values: list[str]) -> list[str]:
    try:
        parse_windows(values)
    except WindowError as exc:
        raise ValueError(str(exc)) from None
    return values


@lru_cache(maxsize=1024)
def parse_local_time(text: str, zone: str) -> datetime:
    """`2026-11-28 20:00` in the zone, or a time with its own offset. Cached: schedules ask for the same few
    layer and override times at every point they evaluate."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time (write 'YYYY-MM-DD HH:MM')") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonConfig(_Strict):
    """Someone who can be paged: on a rotation, in a role, or an expert for some topics."""

    id: str = Field(pattern=ID)
    name: str = Field(min_length=1)
    client: str | None = None  # the client this person works for; unset: the agency (every client)
    roles: list[str] = Field(default_factory=list)
    language: Literal["pl", "en"] | None = None
    timezone: str | None = None
    channels: list[SecretStr] = Field(default_factory=list)
    low_urgency_channels: list[SecretStr] | None = None
    channel_delay_minutes: float = Field(5.0, ge=0, le=240)
    phone: str | None = None
    email: str | None = None
    expert_in: list[str] = Field(default_factory=list)
    reachable: list[str] = Field(default_factory=list)

    @field_validator("channels", "low_urgency_channels", mode="before")
    @classmethod
    def _channels(cls, values: list[str] | None) -> list[str] | None:
        if values is None:
            return None
        out = []
        for i, raw in enumerate(values):
            value = resolve_secret(raw)
            if not isinstance(value, str) or not (value == WEBPUSH or "://" in value):
                shown = raw if isinstance(raw, str) and raw.startswith("env:") else f"channel {i + 1}"
                raise ValueError(f"{shown}: not an Apprise URL (scheme://…) nor 'webpush'")
            if value.startswith("file://"):
                file_target(value)  # its message names the problem and shows the right form
            out.append(value)
        return out

    @field_validator("expert_in")
    @classmethod
    def _topics(cls, values: list[str]) -> list[str]:
        out = []
        for value in values:
            topic = TOPIC_ALIASES.get(value, value)
            if topic not in EXPERT_TOPICS:
                raise ValueError(f"unknown topic {value!r} (known: {', '.join(EXPERT_TOPICS)})")
            out.append(topic)
        return out

    _reachable = field_validator("reachable")(_windows)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @cached_property
    def reachable_windows(self) -> WeeklyWindows:
        return parse_windows(self.reachable)

    def rule(self, urgency: str) -> list[tuple[int, str, float]]:
        """(channel number, address, minutes after the page) in the order this person wants them."""
        urls = [c.get_secret_value() for c in self.channels]
        if urgency == "low" and self.low_urgency_channels is not None:
            urls = [c.get_secret_value() for c in self.low_urgency_channels]
        return [(i, url, i * self.channel_delay_minutes) for i, url in enumerate(urls)]


def channel_label(url: str) -> str:
    """What a channel is, without its secrets: the scheme, or 'webpush'."""
    return url.split("://", 1)[0] if "://" in url else url


class LayerConfig(_Strict):
    """A rotation: people taking turns of `length`, active in weekly windows."""

    name: str = Field(min_length=1)
    rotation: list[str] = Field(min_length=1)
    length: str = "1w"
    start: str
    end: str | None = None
    windows: list[str] = Field(default_factory=list)
    on_holidays: Literal["on", "off", "all_day", "weekend"] = "on"

    _windows = field_validator("windows")(_windows)

    @field_validator("length")
    @classmethod
    def _length(cls, value: str) -> str:
        if not re.fullmatch(r"\d+[hdw]", value.strip()) or int(value.strip()[:-1]) == 0:
            raise ValueError(f"{value!r} is not a turn length (write Nh, Nd or Nw, e.g. '1w')")
        return value.strip()

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            parse_local_time(value, "UTC")
        return value

    @cached_property
    def turn(self) -> timedelta:
        n, unit = int(self.length[:-1]), self.length[-1]
        return {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]

    @cached_property
    def active_windows(self) -> WeeklyWindows:
        return parse_windows(self.windows)


class OverrideConfig(_Strict):
    person: str
    start: str
    end: str
    reason: str = ""

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_local_time(value, "UTC")
        return value


class ScheduleConfig(_Strict):
    id: str = Field(pattern=ID)
    name: str | None = None
    client: str | None = None  # unset: the agency's, shared by every client
    timezone: str | None = None
    holidays: str | None = "PL"
    layers: list[LayerConfig] = Field(default_factory=list)
    overrides: list[OverrideConfig] = Field(default_factory=list)
    # Who approves a shift taken or handed over on the dashboard (person:/role:/schedule:); empty: such a
    # change counts at once, and leads see it on the on-call page.
    approve_changes: list[str] = Field(default_factory=list)

    _approve_changes = field_validator("approve_changes")(lambda v: check_targets(v))

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("holidays")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if not value:
            return None
        import holidays

        if value.upper() not in holidays.list_supported_countries():
            raise ValueError(f"unknown country {value!r} for public holidays (e.g. 'PL')")
        return value.upper()

    @model_validator(mode="after")
    def _overrides_in_order(self) -> ScheduleConfig:
        zone = self.timezone or "UTC"
        for i, override in enumerate(self.overrides):
            if parse_local_time(override.end, zone) <= parse_local_time(override.start, zone):
                raise ValueError(f"overrides[{i}]: end is not after start")
        return self


def check_targets(values: list[str], *, experts: bool = False) -> list[str]:
    """Who a step, an approval or a digest reaches: `schedule:ID`, `person:ID`, `role:NAME` (and, for an
    escalation step, `experts`)."""
    for value in values:
        if not (experts and value == "experts") and not re.fullmatch(r"(schedule|person|role):\S+", value):
            also = " or experts" if experts else ""
            raise ValueError(f"{value!r}: a target is schedule:ID, person:ID, role:NAME{also}")
    return values


class StepConfig(_Strict):
    notify: list[str] = Field(min_length=1)
    wait_minutes: float = Field(15.0, ge=0, le=24 * 60)

    _targets = field_validator("notify")(lambda values: check_targets(values, experts=True))


class PolicyConfig(_Strict):
    id: str = Field(pattern=ID)
    name: str | None = None  # what people read on the timeline ("Weekend duty"); the id if unset
    client: str | None = None  # unset: the agency's, usable for every client
    repeat: int = Field(0, ge=0, le=10)
    repage_on_severity: bool = True
    steps: list[StepConfig] = Field(min_length=1)


class RouteConfig(_Strict):
    client: str | None = None
    profile: str | None = None
    kinds: list[str] | None = None
    min_severity: int = Field(1, ge=1, le=3)
    policy: str

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, values: list[str] | None) -> list[str] | None:
        for value in values or []:
            if value not in KINDS:
                raise ValueError(f"unknown incident kind {value!r} (known: {', '.join(KINDS)})")
        return values

    def matches(self, *, profile: str, kind: str, severity: int, client: str | None = None) -> bool:
        return (
            (self.profile is None or self.profile == profile)
            and (self.client is None or client is None or self.client == client)
            and (self.kinds is None or kind in self.kinds)
            and severity >= self.min_severity
        )


def check_references(
    *,
    people: list[PersonConfig],
    schedules: list[ScheduleConfig],
    policies: list[PolicyConfig],
    routes: list[RouteConfig],
    profiles: set[str],
    targets: dict[str, list[str]] | None = None,
) -> list[str]:
    """Every reference that points nowhere, as 'where: reason'."""
    problems: list[str] = []
    for name, items in (("people", people), ("schedules", schedules), ("escalation_policies", policies)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(f"{name}[{i}]: id {item.id!r} is used twice")
            seen.add(item.id)
    person_ids = {p.id for p in people}
    roles = {r for p in people for r in p.roles}
    for i, schedule in enumerate(schedules):
        for j, layer in enumerate(schedule.layers):
            problems += [
                f"schedules[{i}].layers[{j}].rotation: unknown person {who!r}"
                for who in layer.rotation
                if who not in person_ids
            ]
        problems += [
            f"schedules[{i}].overrides[{j}].person: unknown person {o.person!r}"
            for j, o in enumerate(schedule.overrides)
            if o.person not in person_ids
        ]
    known = {"schedule": {s.id for s in schedules}, "person": person_ids, "role": roles}
    for i, policy in enumerate(policies):
        for j, step in enumerate(policy.steps):
            for target in step.notify:
                kind, _, ref = target.partition(":")
                if target != "experts" and ref not in known[kind]:
                    problems.append(f"escalation_policies[{i}].steps[{j}]: no {kind} {ref!r}")
    for where, values in (targets or {}).items():  # approval leads, review leads
        for target in values:
            kind, _, ref = target.partition(":")
            if ref not in known[kind]:
                problems.append(f"{where}: no {kind} {ref!r}")
    policy_ids = {p.id for p in policies}
    for i, route in enumerate(routes):
        if route.policy not in policy_ids:
            problems.append(f"routes[{i}].policy: no escalation policy {route.policy!r}")
        if route.profile is not None and route.profile not in profiles:
            problems.append(f"routes[{i}].profile: no profile {route.profile!r}")
    return problems


def check_clients(
    *,
    clients: set[str],
    profile_clients: dict[str, str],
    people: list[PersonConfig],
    schedules: list[ScheduleConfig],
    policies: list[PolicyConfig],
    routes: list[RouteConfig],
    leads: dict[str, tuple[str | None, list[str]]] | None = None,
) -> list[str]:
    """In agency mode: every client named exists, and nothing pages one client's people for another client's
    incident. People, schedules and policies without a client are the agency's, shared by all; `role:` and
    `experts` targets are narrowed to the incident's client when it pages, so only names and schedules that
    belong to a client can cross over."""
    problems: list[str] = []
    for name, items in (("people", people), ("schedules", schedules), ("escalation_policies", policies)):
        for i, item in enumerate(items):
            if item.client is not None and item.client not in clients:
                problems.append(
                    f"{name}[{i}].client: no client {item.client!r} (known: {', '.join(sorted(clients))})"
                )
    for i, route in enumerate(routes):
        if route.client is not None and route.client not in clients:
            problems.append(f"routes[{i}].client: no client {route.client!r}")
    person_client = {p.id: p.client for p in people}
    schedule_owners: dict[str, set[str]] = {}
    for i, schedule in enumerate(schedules):
        members = {w for layer in schedule.layers for w in layer.rotation} | {
            o.person for o in schedule.overrides
        }
        owners = {c for w in members if (c := person_client.get(w)) is not None}
        if schedule.client is not None:
            strangers = sorted(w for w in members if person_client.get(w) not in (None, schedule.client))
            if strangers:
                problems.append(
                    f"schedules[{i}]: {', '.join(strangers)} work for another client than {schedule.client!r}"
                )
            owners |= {schedule.client}
        schedule_owners[schedule.id] = owners

    def owners_of(targets: list[str]) -> dict[str, set[str]]:
        """Which clients' people each target pages whatever the incident (role: and experts are narrowed)."""
        found: dict[str, set[str]] = {}
        for target in targets:
            kind, _, ref = target.partition(":")
            if kind == "person" and person_client.get(ref) is not None:
                found[target] = {person_client[ref]}  # type: ignore[index]
            elif kind == "schedule" and schedule_owners.get(ref):
                found[target] = schedule_owners[ref]
        return found

    policy_owners: dict[str, dict[str, set[str]]] = {}
    for i, policy in enumerate(policies):
        owned = owners_of([t for step in policy.steps for t in step.notify])
        policy_owners[policy.id] = owned
        for target, owners in owned.items():
            if policy.client is not None and owners - {policy.client}:
                problems.append(
                    f"escalation_policies[{i}]: {target} belongs to {', '.join(sorted(owners))}, not to the "
                    f"policy's client {policy.client!r}"
                )
    served_by = [
        (f"routes[{i}]", r.policy, _served(r, clients, profile_clients)) for i, r in enumerate(routes)
    ]
    if any(p.id == "default" for p in policies):
        served_by.append(("the 'default' escalation policy (used when no route matches)", "default", clients))
    policy_client = {p.id: p.client for p in policies}
    for where, policy_id, served in served_by:
        own = policy_client.get(policy_id)
        if own is not None and served - {own}:
            problems.append(
                f"{where}: incidents of {', '.join(sorted(served - {own}))} would go to client {own!r}'s "
                f"escalation policy {policy_id!r}"
            )
        for target, owners in policy_owners.get(policy_id, {}).items():
            for client in sorted(served):
                if owners - {client}:
                    problems.append(
                        f"{where}: escalation policy {policy_id!r} would page {target} "
                        f"({', '.join(sorted(owners))}) for an incident of client {client!r}"
                    )
                    break
    for where, (client, targets) in (leads or {}).items():
        for target, owners in owners_of(targets).items():
            if client is not None and owners - {client}:
                problems.append(
                    f"{where}: {target} belongs to {', '.join(sorted(owners))}, not to {client!r}"
                )
    return problems


def _served(route: RouteConfig, clients: set[str], profile_clients: dict[str, str]) -> set[str]:
    """The clients whose incidents a route can take."""
    if route.profile is not None:
        return {profile_clients[route.profile]} if route.profile in profile_clients else set()
    if route.client is not None:
        return {route.client}
    return set(clients)
