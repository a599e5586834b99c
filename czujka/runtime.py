"""What a running czujka holds: the settings, the engine, the session factory, the parsers, the analyzer,
and the events by which one loop wakes the next.

A plain container that the shells (the app, the CLI, the pipeline) build once with `build_runtime` and
pass on; domain services take only the parts they need. Nothing is created at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from czujka.analysis.scorer import Analyzer
from czujka.clients.service import stored_clients
from czujka.comments.service import sync_profiles
from czujka.config import ClientConfig, ProfileConfig, Settings
from czujka.oncall.changes import current, with_changes
from czujka.oncall.config import ScheduleConfig
from czujka.playbooks.reply_check import ReplyChecker
from czujka.sources import health
from czujka.sources.connections import connected_profiles
from czujka.sources.meta import MetaWebhookParser
from czujka.storage.engine import make_engine, make_session_factory, session_scope
from czujka.storage.vault import Vault, load_vault

DELIVERY_MARK_EVERY = timedelta(minutes=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    meta_parser: MetaWebhookParser
    analyzer: Analyzer = field(default_factory=Analyzer)
    heartbeats: dict[str, datetime] = field(default_factory=dict)
    score_signal: threading.Event = field(default_factory=threading.Event)
    escalate_signal: threading.Event = field(default_factory=threading.Event)
    page_signal: threading.Event = field(default_factory=threading.Event)
    moderate_signal: threading.Event = field(default_factory=threading.Event)
    reply_checker: ReplyChecker = field(default_factory=ReplyChecker)
    # Each write to the Graph API (a reply) opens a client of its own; tests hand in one for 127.0.0.1.
    graph_http: Callable[[], httpx.Client] = field(default=lambda: httpx.Client(timeout=20))

    # czujka.toml's profiles; the connected ones are read from the database beside them.
    file_profiles: list[ProfileConfig] = field(default_factory=list)
    delivery_marks: dict[str, datetime] = field(default_factory=dict)
    file_schedules: list[ScheduleConfig] = field(default_factory=list)
    file_clients: list[ClientConfig] = field(default_factory=list)  # czujka.toml's; the rest are stored

    @property
    def connected_ids(self) -> set[str]:
        """The profiles connected from the dashboard or `czujka connect meta`, not from czujka.toml."""
        return {p.id for p in self.settings.profiles} - {p.id for p in self.file_profiles}

    @cached_property
    def vault(self) -> Vault:
        """The key that seals stored tokens; made on first use, so an install that connects nothing never
        writes one."""
        secret = self.settings.secret_key
        return load_vault(self.settings.data_dir, secret.get_secret_value() if secret else None)

    def sync_profiles(self) -> None:
        """czujka.toml's profiles and the connected ones, in the settings every part reads and mirrored
        into the profiles table; run at start, and whenever a profile is connected or disconnected (the
        channel watch runs it each minute, so other processes follow)."""
        with session_scope(self.sessions, write=True) as session:
            files = {p.id for p in self.file_profiles}
            connected = [p for p in connected_profiles(session, lambda: self.vault) if p.id not in files]
            self.settings.profiles[:] = [*self.file_profiles, *connected]
            named = {c.id for c in self.file_clients}
            created = [c for c in stored_clients(session) if c.id not in named]
            self.settings.clients[:] = [*self.file_clients, *created]
            self.meta_parser = MetaWebhookParser(self.settings.profiles)
            sync_profiles(session, profiles=self.settings.profiles, settings=self.settings)
            health.watch(session, [p.id for p in self.settings.profiles], now=datetime.now(UTC))
        self.refresh_schedules()

    def refresh_schedules(self) -> None:
        """czujka.toml's schedules with the shifts taken or handed over on the dashboard, so the escalator
        and every page use a change at once (the escalator refreshes every few seconds)."""
        with session_scope(self.sessions) as session:
            changes = current(session, now=datetime.now(UTC))
            self.settings.schedules[:] = with_changes(self.file_schedules, changes)

    def delivered(self, profile_ids: set[str]) -> None:
        """Note that deliveries arrive for these profiles, at most once a minute each and process, so the
        channel watch knows they are alive without a write per delivery."""
        now = datetime.now(UTC)
        due = {p for p in profile_ids if now - self.delivery_marks.get(p, EPOCH) >= DELIVERY_MARK_EVERY}
        if not due:
            return
        with session_scope(self.sessions, write=True) as session:
            health.delivered(session, due, at=now)
        self.delivery_marks.update(dict.fromkeys(due, now))


def build_runtime(settings: Settings, engine: Engine | None = None) -> Runtime:
    engine = engine or make_engine(settings.sqlalchemy_url)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        meta_parser=MetaWebhookParser(settings.profiles),
        file_profiles=list(settings.profiles),
        file_clients=list(settings.clients),
        file_schedules=list(settings.schedules),
    )
