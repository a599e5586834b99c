"""API tokens limited to some clients: lists show only their clients' incidents and comments, and another
client's incident answers exactly as a missing one does."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from czujka.app import build_app
from czujka.auth.models import ApiToken
from czujka.auth.service import create_token
from czujka.cli import app
from czujka.config import load_settings
from czujka.incidents.models import Incident
from czujka.storage.engine import make_engine, make_session_factory, session_scope
from czujka.storage.migrate import upgrade
from czujka.web.server import start_in_thread
from tests.clients.helpers import ingest_comment
from tests.factories import DATA, open_incident, runtime_for

AGENCY = DATA / "agency.toml"


@pytest.fixture
def agency_api(tmp_path, db_url):
    settings = load_settings(AGENCY, data_dir=tmp_path, database_url=db_url)
    with runtime_for(settings) as runtime:
        now = datetime.now(UTC)
        koszyk = open_incident(runtime, profile="koszyk-fb", kind="quarrel", at=now)
        buty = open_incident(runtime, profile="buty-ig", kind="quarrel", at=now)
        with session_scope(runtime.sessions, write=True) as session:
            for profile, words in (("koszyk-fb", "paczka nie doszła"), ("buty-ig", "shoes never came")):
                ingest_comment(session, profile, words)
            tokens = {
                "agency": create_token(session, name="agency", role="responder"),
                "koszyk": create_token(session, name="koszyk", role="responder", clients=["koszyk"]),
            }
        server = start_in_thread(build_app(settings, runtime))
        try:
            yield server.url, tokens, {"koszyk": koszyk, "buty": buty}, runtime
        finally:
            server.stop()


def _as(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_a_clients_token_sees_only_its_own(agency_api):
    url, tokens, incidents, _ = agency_api
    with _as(url, tokens["koszyk"]) as mine, _as(url, tokens["agency"]) as agency:
        listed = mine.get("/api/incidents", params={"state": "open"}).json()
        assert [i["id"] for i in listed] == [incidents["koszyk"]]
        assert {i["id"] for i in agency.get("/api/incidents").json()} == set(incidents.values())
        assert mine.get("/api/incidents", params={"profile": "buty-ig"}).json() == []
        comments = mine.get("/api/comments").json()["items"]
        assert [c["profile_id"] for c in comments] == ["koszyk-fb"]
        assert mine.get("/api/comments", params={"profile": "buty-ig"}).json()["items"] == []
        assert mine.get("/api/comments", params={"post": "p\x00"}).status_code == 200  # a NUL is no 500
        assert {c["profile_id"] for c in agency.get("/api/comments").json()["items"]} == {
            "koszyk-fb",
            "buty-ig",
        }


def test_another_clients_incident_answers_as_a_missing_one(agency_api):
    url, tokens, incidents, runtime = agency_api
    other, missing = incidents["buty"], 999_999
    with _as(url, tokens["koszyk"]) as mine:
        for method, path in [
            ("GET", "/api/incidents/{}"),
            ("POST", "/api/incidents/{}/acknowledge"),
            ("POST", "/api/incidents/{}/resolve"),
        ]:
            theirs = mine.request(method, path.format(other))
            nothing = mine.request(method, path.format(missing))
            assert theirs.status_code == nothing.status_code == 404
            assert theirs.json()["detail"].replace(str(other), "N") == nothing.json()["detail"].replace(
                str(missing), "N"
            )
        note = mine.post(f"/api/incidents/{other}/notes", json={"text": "zajrzyjmy"})
        assert note.status_code == 404
        assert mine.post(f"/api/incidents/{incidents['koszyk']}/acknowledge").status_code == 200
    with session_scope(runtime.sessions) as session:
        assert session.get(Incident, other).state == "triggered"  # nothing of theirs was touched


def test_tokens_and_users_for_clients_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CZUJKA_DATABASE_URL", f"sqlite:///{tmp_path / 'czujka.db'}")
    runner = CliRunner()
    config = ["--config", str(AGENCY)]
    assert runner.invoke(app, ["db", "upgrade", *config]).exit_code == 0
    bad = runner.invoke(app, ["token", "create", "--name", "x", "--clients", "koszyk,nope", *config])
    assert bad.exit_code == 2 and "no client 'nope' (known: koszyk, buty)" in bad.output
    made = runner.invoke(app, ["token", "create", "--name", "kasia-api", "--clients", "koszyk", *config])
    assert made.exit_code == 0 and made.stdout.startswith("czk_")
    listed = json.loads(runner.invoke(app, ["token", "list", "--json", *config]).stdout)
    assert [t["clients"] for t in listed if t["name"] == "kasia-api"] == [["koszyk"]]
    user = runner.invoke(
        app, ["user", "add", "kasia", "--clients", "buty", "--generate", "--role", "viewer", *config]
    )
    assert user.exit_code == 0, user.output


def test_a_single_shop_database_moves_into_the_implicit_client_losing_nothing(tmp_path):
    """From the schema before clients (0011), with a user, a token and a connected profile in it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, role, password_hash, failed_logins, created_at) "
                "VALUES ('ania', 'responder', 'x', 0, '2026-11-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO api_tokens (name, role, token_hash, created_at) "
                "VALUES ('ops', 'admin', 'h', '2026-11-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO connected_profiles (id, platform, platform_id, name, page_id, permissions, tasks, "
                "subscribed, connected_at, connected_by) VALUES ('sklep-fb', 'facebook', '1', 'Sklep', '1', "
                "'[]', '[]', 1, '2026-11-01 10:00:00', 'user:ania')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username, role, clients FROM users")).all() == [
            ("ania", "responder", None)
        ]
        assert conn.execute(text("SELECT name, clients FROM api_tokens")).all() == [("ops", None)]
        assert conn.execute(text("SELECT id, name, client_id FROM connected_profiles")).all() == [
            ("sklep-fb", "Sklep", None)
        ]
    with session_scope(make_session_factory(engine)) as session:
        assert session.scalar(select(ApiToken.clients)) is None  # every client: nothing changes for one shop
    engine.dispose()
