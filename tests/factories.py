"""Small factories every domain's tests share: a migrated runtime, a signal, an incident opened from one."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy.engine import make_url

from czujka.config import Settings
from czujka.detection.signals import SignalIn
from czujka.incidents import flows
from czujka.runtime import Runtime, build_runtime
from czujka.storage.engine import make_engine, session_scope
from czujka.storage.migrate import upgrade

DATA = Path(__file__).parent / "data"


@cache
def _migrated_sqlite() -> Path:
    """An empty SQLite database at the newest revision, made once per test process."""
    path = Path(tempfile.mkdtemp(prefix="czujka-template-")) / "czujka.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


def make_runtime(settings: Settings) -> Runtime:
    """A runtime on a migrated database with the configured profiles in it; the caller disposes of it. A new
    SQLite file starts as a copy of one migrated once (the migrations' own tests migrate from scratch)."""
    url = make_url(settings.sqlalchemy_url)
    path = Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
    if path is not None and path.parent.is_dir() and not path.exists():
        shutil.copyfile(_migrated_sqlite(), path)
    runtime = build_runtime(settings)
    upgrade(runtime.engine)  # a no-op at the newest revision
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
