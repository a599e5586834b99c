"""What a running czujka holds: the settings, the engine, the session factory, the parsers, the analyzer,
and the events by which one loop wakes the next.

A plain container that the shells (the app, the CLI, the pipeline) build once with `build_runtime` and
pass on; domain services take only the parts they need. Nothing is created at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from czujka.analysis.scorer import Analyzer
from czujka.comments.service import sync_profiles
from czujka.config import Settings
from czujka.playbooks.reply_check import ReplyChecker
from czujka.sources.meta import MetaWebhookParser
from czujka.storage.engine import make_engine, make_session_factory, session_scope


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

    def sync_profiles(self) -> None:
        with session_scope(self.sessions, write=True) as session:
            sync_profiles(session, profiles=self.settings.profiles, settings=self.settings)


def build_runtime(settings: Settings, engine: Engine | None = None) -> Runtime:
    engine = engine or make_engine(settings.sqlalchemy_url)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        meta_parser=MetaWebhookParser(settings.profiles),
    )
