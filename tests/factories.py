"""Small factories every domain's tests share: a migrated runtime, a signal, an incident opened from one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from czujka.config import Settings
from czujka.detection.signals import SignalIn
from czujka.incidents import flows
from czujka.runtime import Runtime, build_runtime
from czujka.storage.engine import session_scope
from czujka.storage.migrate import upgrade

DATA = Path(__file__).parent / "data"


def make_runtime(settings: Settings) -> Runtime:
    """A runtime on a migrated database with the configured profiles in it; the caller disposes of it."""
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    runtime.sync_profiles()
    return runtime


@contextmanager
def runtime_for(settings: Settings) -> Iterator[Runtime]:
    runtime = make_runtime(settings)
    try:
        yield runtime
    finally:
        runtime.engine.dispose()


def make_signal(
    kind: str = "negative_surge",
    *,
    score: float = 0.6,
    at: datetime,
    evidence: list[int] | tuple[int, ...] = (),
    key: str | None = None,
    profile: str = "koszyk-fb",
    reason: str | None = None,
) -> SignalIn:
    return SignalIn(
        profile, kind, key or f"{profile}:{kind}", score, at, reason or f"{kind} seen", list(evidence)
    )


def open_incident(runtime: Runtime, *, score: float = 0.95, **signal: object) -> int:
    """Open (or attach to) an incident from one signal made by `make_signal` (by default a sure one, of
    severity 3); returns the incident's id."""
    with session_scope(runtime.sessions, write=True) as session:
        incident = flows.open_or_attach(session, signal=make_signal(score=score, **signal))  # type: ignore[arg-type]
        assert incident is not None, "the signal was muted"
        return incident.id
