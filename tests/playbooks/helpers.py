"""A shop with comments and an incident, a stand-in Graph API on 127.0.0.1 and API tokens, for reply tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from czujka.app import build_app
from czujka.auth.service import create_token
from czujka.comments.events import Batch, CommentEvent
from czujka.comments.models import Comment
from czujka.comments.service import ingest
from czujka.incidents import flows
from czujka.runtime import Runtime
from czujka.storage.engine import session_scope
from czujka.web.server import BackgroundServer, start_in_thread
from tests.factories import make_signal
from tests.sources.fake_graph import GraphState, build_fake_graph

NOW = datetime.now(UTC).replace(microsecond=0)
COMMENTS = [  # profile, platform id, parent, post, author, staff, text
    ("koszyk-fb", "p1_c1", None, "p1", "Marta Nowak", False, "Trzeci dzień czekam na paczkę, skandal!"),
    ("koszyk-fb", "p1_c2", "p1_c1", "p1", "Jan Kowal", False, "U mnie to samo, nigdy więcej"),
    ("koszyk-ig", "ig_c1", None, "m1", "ola.k", False, "Gdzie moje zamówienie??"),
]


@dataclass
class Shop:
    runtime: Runtime
    graph: GraphState
    server: BackgroundServer
    tokens: dict[str, str]
    incident_id: int
    ids: dict[str, int] = field(default_factory=dict)

    def api(self, role: str = "responder") -> httpx.Client:
        return httpx.Client(
            base_url=self.server.url, headers={"Authorization": f"Bearer {self.tokens[role]}"}, timeout=30
        )

    def reply(self, platform_id: str, body: dict[str, Any], key: str | None = None, role: str = "responder"):
        headers = {"Idempotency-Key": key} if key else {}
        with self.api(role) as api:
            return api.post(f"/api/comments/{self.ids[platform_id]}/reply", json=body, headers=headers)


def add_comments(runtime: Runtime, rows=COMMENTS, *, source: str = "test") -> dict[str, int]:
    events = [
        CommentEvent(
            profile_id=profile,
            platform_id=pid,
            verb="add",
            occurred_at=NOW - timedelta(minutes=30 - i),
            post_platform_id=post,
            parent_platform_id=parent,
            author_id=f"u{i}",
            author_name=author,
            author_is_staff=staff,
            message=text,
        )
        for i, (profile, pid, parent, post, author, staff, text) in enumerate(rows)
    ]
    with session_scope(runtime.sessions, write=True) as session:
        ingest(session, source=source, body=repr(rows).encode(), batch=Batch(events=events))
        return {c.platform_id: c.id for c in session.scalars(select(Comment))}


@contextmanager
def shop(runtime: Runtime) -> Iterator[Shop]:
    state = GraphState()
    graph = start_in_thread(build_fake_graph(state))
    runtime.settings.graph_base_url = graph.url
    ids = add_comments(runtime)
    with session_scope(runtime.sessions, write=True) as session:
        tokens = {
            role: create_token(session, name=role, role=role) for role in ("viewer", "responder", "admin")
        }
        incident = flows.open_or_attach(
            session,
            signal=make_signal(
                "quarrel",
                score=0.95,
                at=NOW,
                evidence=[ids["p1_c1"], ids["p1_c2"]],
                key="koszyk-fb:quarrel:p1_c1",
            ),
        )
        incident_id = incident.id
    server = start_in_thread(build_app(runtime.settings, runtime))
    try:
        yield Shop(runtime, state, server, tokens, incident_id, ids)
    finally:
        server.stop()
        graph.stop()
