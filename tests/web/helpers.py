"""A dashboard on a real server with users of every role, and a browser-like client that signs in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from czujka.app import build_app
from czujka.auth.users import add_user
from czujka.runtime import Runtime
from czujka.storage.engine import session_scope
from czujka.web.server import BackgroundServer, start_in_thread

PASSWORD = "dlugie-haslo-123"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Dashboard:
    server: BackgroundServer
    runtime: Runtime

    @property
    def url(self) -> str:
        return self.server.url

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def sign_in(self, username: str, password: str = PASSWORD, client: httpx.Client | None = None):
        client = client or self.client()
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={"username": username, "password": password, "csrf": CSRF.search(form.text)[1], "next": "/"},
        )
        return client, answer


def add_users(runtime: Runtime) -> None:
    with session_scope(runtime.sessions) as session:
        add_user(session, username="admin", role="admin", password=PASSWORD)
        add_user(session, username="ania", role="responder", password=PASSWORD, person_id="ania")
        add_user(session, username="gosc", role="viewer", password=PASSWORD, language="en")


@contextmanager
def dashboard(runtime: Runtime) -> Iterator[Dashboard]:
    add_users(runtime)
    server = start_in_thread(build_app(runtime.settings, runtime))
    try:
        yield Dashboard(server, runtime)
    finally:
        server.stop()


def csrf_of(page: httpx.Response) -> str:
    return CSRF.search(page.text)[1]
