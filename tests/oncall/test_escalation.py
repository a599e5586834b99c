"""next_action, table-style: every step type, waits, repeats, acknowledgement at every point; and routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from czujka.config import load_settings
from czujka.oncall.escalation import (
    EscalationState,
    acknowledged,
    next_action,
    recipients,
    route_policy,
    simulate,
)
from tests.factories import DATA

CONFIG = DATA / "oncall.toml"
T0 = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)  # Saturday 22:00 in Warsaw: marek's override


@pytest.fixture(scope="module")
def settings():
    return load_settings(CONFIG)


def run(policy, *, ack_at_minute: float | None = None, limit: int = 50):
    """Drive next_action like the worker: returns (minute, step, round, targets) of every notify."""
    state, now, out = EscalationState(), T0, []
    for _ in range(limit):
        if ack_at_minute is not None and now >= T0 + timedelta(minutes=ack_at_minute):
            state = acknowledged(state)
        action = next_action(policy, state, now)
        if action.kind == "stop":
            return out
        if action.kind == "wait":
            ack = T0 + timedelta(minutes=ack_at_minute) if ack_at_minute is not None else action.until
            now = min(action.until, ack)  # wake for the acknowledgement if it comes first
            continue
        out.append(((now - T0).total_seconds() / 60, action.step, action.round, action.targets))
        state = action.state
    raise AssertionError("the escalation did not stop")


def test_full_chain_with_repeat(settings):
    got = [(m, step, rnd) for m, step, rnd, _ in run(settings.policy("default"))]
    # steps wait 10, 15, 20 and 15 (the default) minutes; repeat = 1 runs the chain once more
    assert got == [
        (0, 0, 0),
        (10, 1, 0),
        (25, 2, 0),
        (45, 3, 0),
        (60, 0, 1),
        (70, 1, 1),
        (85, 2, 1),
        (105, 3, 1),
    ]


@pytest.mark.parametrize(
    ("ack_at", "pages"),
    [(0, 0), (5, 1), (10, 1), (10.5, 2), (24, 2), (30, 3), (59, 4), (60, 4), (61, 5), (1000, 8)],
)
def test_acknowledgement_at_every_point_stops_it(settings, ack_at, pages):
    assert len(run(settings.policy("default"), ack_at_minute=ack_at)) == pages


def test_a_late_worker_does_not_stretch_the_chain(settings):
    policy = settings.policy("default")
    state = EscalationState(step=1, due_at=T0 + timedelta(minutes=10))
    late = next_action(policy, state, T0 + timedelta(minutes=13))
    assert late.kind == "notify" and late.state.due_at == T0 + timedelta(minutes=25)
    early = next_action(policy, state, T0 + timedelta(minutes=9))
    assert early.kind == "wait" and early.until == T0 + timedelta(minutes=10)


def test_a_finished_chain_stays_finished(settings):
    policy = settings.policy("red")
    first = next_action(policy, EscalationState(), T0)
    second = next_action(policy, first.state, T0 + timedelta(minutes=5))
    assert second.kind == "notify" and second.state.finished
    assert next_action(policy, second.state, T0 + timedelta(days=1)).kind == "stop"


def ids(found):
    return [r.person.id for r in found[0]]


def test_every_target_type(settings):
    at = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 13:00: office hours, experts reachable
    assert ids(recipients(settings, ["schedule:duty"], topic=None, at=at)) == ["kasia"]
    assert ids(recipients(settings, ["person:prezes"], topic=None, at=at)) == ["prezes"]
    assert ids(recipients(settings, ["role:social"], topic=None, at=at)) == ["ania", "kasia", "tomek"]
    assert ids(recipients(settings, ["experts"], topic="delivery", at=at)) == ["marek"]
    assert ids(recipients(settings, ["experts"], topic="legal-safety", at=at)) == ["ola"]  # always reachable
    # each person once, in the order the targets reach them
    both = recipients(settings, ["schedule:duty", "role:social-lead", "experts"], topic="refund", at=at)
    assert ids(both) == ["kasia", "marek"] and both[0][0].via == "schedule:duty"


def test_targets_that_reach_nobody_say_so(settings):
    sunday_night = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # marek is not reachable on Sunday night
    people, notes = recipients(settings, ["experts"], topic="delivery", at=sunday_night)
    assert people == [] and str(notes[0]) == "no expert for delivery can be reached now"
    assert notes[0].say("pl") == "żaden ekspert od tematu dostawa nie jest teraz osiągalny"
    gap = datetime(2026, 11, 3, 20, 0, tzinfo=UTC)
    people, notes = recipients(settings, ["schedule:duty"], topic=None, at=gap)
    assert people == [] and "a gap in the rota" in str(notes[0])


@pytest.mark.parametrize(
    ("profile", "kind", "severity", "policy"),
    [
        ("koszyk-fb", "red_flag", 1, "red"),
        ("opinie", "red_flag", 3, "red"),
        ("koszyk-fb", "quarrel", 1, "default"),
        ("opinie", "quarrel", 2, "default"),  # no route for opinie: falls back to the policy named default
    ],
)
def test_routes_first_match_wins(settings, profile, kind, severity, policy):
    assert route_policy(settings, profile=profile, kind=kind, severity=severity).id == policy


def test_simulate_lists_pages_with_channel_delays(settings):
    people = [p.model_copy(update={"channel_delay_minutes": 2.0}) for p in settings.people]
    people[0] = people[0].model_copy(
        update={"channels": [*people[0].channels, *people[0].channels]}
    )  # ania has two channels
    tweaked = settings.model_copy(update={"people": people})
    pages, notes = simulate(tweaked, tweaked.policy("default"), severity=3, topic="delivery", at=T0)
    first = [(p.person, (p.at - T0).total_seconds() / 60) for p in pages[:2]]
    assert first == [("marek", 0.0), ("kasia", 10.0)]  # Saturday 22:00 is marek's override
    assert any("no expert for delivery" in str(n) for n in notes)  # marek is not reachable at night
    acked, _ = simulate(
        tweaked, tweaked.policy("default"), severity=3, topic=None, at=T0, ack_after=timedelta(minutes=12)
    )
    assert [p.person for p in acked] == ["marek", "kasia"]
