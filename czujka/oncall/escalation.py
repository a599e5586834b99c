"""The chain of command as a pure state machine, the route that picks a policy, and who a step reaches.

`next_action(policy, state, now)` says what to do next (notify, wait, or stop) and the state after it; the
worker persists that state, so a restart continues where the escalation stood. Each step's deadline follows
the previous step's deadline, not the moment the worker got to it, so a late worker does not stretch the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from czujka.config import Settings
from czujka.oncall.config import PersonConfig, PolicyConfig, channel_label
from czujka.oncall.schedule import who_is_on_duty
from czujka.vocabulary import TOPICS
from czujka.words import Joined, Phrase, joined, phrase


@dataclass(frozen=True, slots=True)
class EscalationState:
    step: int = 0  # the step to run next
    round: int = 0  # 0 the first pass; up to the policy's repeat
    due_at: datetime | None = None  # None: due now
    acknowledged: bool = False
    finished: bool = False


@dataclass(frozen=True, slots=True)
class Action:
    kind: Literal["notify", "wait", "stop"]
    state: EscalationState  # the state after this action
    targets: tuple[str, ...] = ()
    step: int = 0
    round: int = 0
    until: datetime | None = None  # for wait: when the next step is due


def next_action(policy: PolicyConfig, state: EscalationState, now: datetime) -> Action:
    if state.acknowledged or state.finished:
        return Action("stop", state)
    if state.due_at is not None and state.due_at > now:
        return Action("wait", state, until=state.due_at)
    step = policy.steps[state.step]
    base = state.due_at or now
    following, following_round = state.step + 1, state.round
    if following == len(policy.steps):
        following, following_round = 0, state.round + 1
    finished = following_round > policy.repeat
    after = EscalationState(
        step=following,
        round=following_round,
        due_at=None if finished else base + timedelta(minutes=step.wait_minutes),
        finished=finished,
    )
    return Action("notify", after, tuple(step.notify), state.step, state.round)


def acknowledged(state: EscalationState) -> EscalationState:
    return replace(state, acknowledged=True)


def route_policy(settings: Settings, *, profile: str, kind: str, severity: int) -> PolicyConfig | None:
    """The first matching route's policy; else a policy named 'default'; else none (nobody is paged)."""
    client = settings.client_of(profile)
    for route in settings.routes:
        if route.matches(profile=profile, kind=kind, severity=severity, client=client):
            return settings.policy(route.policy)
    return settings.policy("default")


def experts_for(
    settings: Settings, topic: str | None, at: datetime, *, client: str | None = None
) -> list[PersonConfig]:
    """People expert in the topic who can be reached at `at` in their own time zone; for a client's
    incident, only the agency's experts and the client's own."""
    if not topic:
        return []
    found = []
    for person in settings.people:
        if topic not in person.expert_in or not serves(person, client):
            continue
        local = at.astimezone(ZoneInfo(person.timezone))
        if person.reachable_windows.contains(local.weekday(), local.hour * 60 + local.minute):
            found.append(person)
    return found


@dataclass(frozen=True, slots=True)
class Recipient:
    person: PersonConfig
    via: str  # the target that reached them: schedule:duty, role:ceo, experts…


def serves(person: PersonConfig, client: str | None) -> bool:
    """Whether the person may be paged for this client's incident: the agency's people serve every client."""
    return client is None or person.client in (None, client)


def client_for(settings: Settings, profile_id: str) -> str | None:
    """The client whose people an incident of this profile may page (None for a single shop: everybody)."""
    return settings.client_of(profile_id) if settings.agency else None


def recipients(
    settings: Settings,
    targets: tuple[str, ...] | list[str],
    *,
    topic: str | None,
    at: datetime,
    client: str | None = None,
) -> tuple[list[Recipient], list[Phrase]]:
    """The people a step reaches (each once, in order) and notes on targets that reached nobody. For a
    client's incident, `role:` and `experts` reach only the agency's people and the client's own (names
    and schedules are checked when the configuration is read)."""
    out: dict[str, Recipient] = {}
    notes: list[Phrase] = []
    for target in targets:
        kind, _, ref = target.partition(":")
        if target == "experts":
            people = experts_for(settings, topic, at, client=client)
            if not people:
                notes.append(phrase("no expert for %(topic)s can be reached now", topic=_topic(topic)))
        elif kind == "schedule":
            schedule = settings.schedule(ref)
            duty = who_is_on_duty(schedule, at) if schedule else None
            people = [p for pid in (duty.people if duty else ()) if (p := settings.person(pid))]
            if not people:
                notes.append(
                    phrase(
                        "nobody is on duty in %(schedule)s now (a gap in the rota)",
                        schedule=schedule_name(settings, ref),
                    )
                )
        elif kind == "person":
            people = [p] if (p := settings.person(ref)) else []
        else:
            people = [p for p in settings.people if ref in p.roles and serves(p, client)]
            if not people:
                notes.append(phrase("nobody has the role %(role)s", role=ref))
        for person in people:
            out.setdefault(person.id, Recipient(person, target))
    return list(out.values()), notes


def schedule_name(settings: Settings, schedule_id: str) -> str:
    schedule = settings.schedule(schedule_id)
    return (schedule.name if schedule else None) or schedule_id


def policy_name(policy: PolicyConfig | None, fallback: str | None = None) -> str:
    if policy is None:
        return fallback or "—"
    return policy.name or policy.id


def _topic(topic: str | None) -> Phrase:
    return phrase(TOPICS[topic]) if topic in TOPICS else phrase("the topic %(topic)s", topic=topic or "—")


def target_words(settings: Settings, target: str, *, reached: bool = False) -> Phrase | str:
    """A step's target as a person reads it ("on duty: Weekend", "everyone with the role ceo", a name) or,
    for someone it `reached`, how it reached them ("as an expert", "by name")."""
    kind, _, ref = target.partition(":")
    if kind == "schedule":
        return phrase("on duty: %(schedule)s", schedule=schedule_name(settings, ref))
    if target == "experts":
        return phrase("as an expert") if reached else phrase("the experts for the incident's topic")
    if kind == "person":
        person = settings.person(ref)
        return phrase("by name") if reached else (person.name if person else ref)
    return phrase("as %(role)s", role=ref) if reached else phrase("everyone with the role %(role)s", role=ref)


def reached(settings: Settings, people: list[Recipient]) -> Phrase | Joined:
    """ "Anna Nowak (on duty: Weekend), Jan Kowalski (as ceo)", or "nobody"."""
    if not people:
        return phrase("nobody")
    return joined(
        [
            phrase("%(name)s (%(via)s)", name=r.person.name, via=target_words(settings, r.via, reached=True))
            for r in people
        ],
        ", ",
    )


def urgency(settings: Settings, severity: int) -> str:
    return "high" if severity >= settings.high_urgency_min_severity else "low"


@dataclass(frozen=True, slots=True)
class PlannedPage:
    at: datetime
    person: str
    channel: str
    channel_number: int
    step: int
    round: int
    via: str


def simulate(
    settings: Settings,
    policy: PolicyConfig,
    *,
    severity: int,
    topic: str | None,
    at: datetime,
    ack_after: timedelta | None = None,
    client: str | None = None,
) -> tuple[list[PlannedPage], list[Phrase]]:
    """Every page an incident would cause if nobody (or somebody after `ack_after`) acknowledged."""
    pages: list[PlannedPage] = []
    notes: list[Phrase] = []
    state, now = EscalationState(due_at=at), at
    ack_at = at + ack_after if ack_after is not None else None
    level = urgency(settings, severity)
    for _ in range(1000):
        if ack_at is not None and now >= ack_at:
            state = acknowledged(state)
        action = next_action(policy, state, now)
        if action.kind == "stop":
            break
        if action.kind == "wait":
            now = action.until if ack_at is None or action.until < ack_at else ack_at
            continue
        people, step_notes = recipients(settings, action.targets, topic=topic, at=now, client=client)
        notes += [
            phrase("%(at)s step %(step)s: %(note)s", at=now.isoformat(), step=action.step + 1, note=n)
            for n in step_notes
        ]
        for r in people:
            for number, url, delay in r.person.rule(level):
                when = now + timedelta(minutes=delay)
                if ack_at is None or when < ack_at:
                    pages.append(
                        PlannedPage(
                            when, r.person.id, channel_label(url), number, action.step, action.round, r.via
                        )
                    )
            if not r.person.channels:
                notes.append(
                    phrase("%(name)s has no channels: nobody would hear this page", name=r.person.name)
                )
        state = action.state
    return sorted(pages, key=lambda p: (p.at, p.step)), notes
