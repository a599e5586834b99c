"""The agency's dashboard: every client's incidents worst first, a client switcher, clients created on the
dashboard, and connected profiles that belong to a client."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from czujka.auth.users import add_user
from czujka.config import load_settings
from czujka.sources.models import ConnectedProfile
from czujka.storage.engine import session_scope
from tests.factories import DATA, open_incident, runtime_for
from tests.web.helpers import PASSWORD, csrf_of, dashboard

AGENCY = DATA / "agency.toml"
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def desk(tmp_path, db_url):
    settings = load_settings(AGENCY, data_dir=tmp_path, database_url=db_url)
    with runtime_for(settings) as runtime:
        now = datetime.now(UTC)
        ids = {
            "koszyk": open_incident(runtime, profile="koszyk-fb", kind="quarrel", at=now, score=0.5),
            "buty": open_incident(runtime, profile="buty-ig", kind="red_flag", at=now, score=1.0),
        }
        with session_scope(runtime.sessions, write=True) as session:
            add_user(session, username="kasia", role="responder", password=PASSWORD, clients=["koszyk"])
        with dashboard(runtime) as d:
            yield d, ids


def _incidents(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/incidents/(\d+)"', page)]


def test_the_agency_sees_every_client_worst_first_and_can_switch(desk):
    board, ids = desk
    client, _ = board.sign_in("admin")
    now = client.get("/").text
    assert _incidents(now)[:2] == [ids["buty"], ids["koszyk"]]  # severity 3 before severity 1
    assert "Szybkie Buty" in now and "Zielony Koszyk" in now and 'id="client-switch"' in now
    client.get("/client", params={"id": "koszyk", "next": "/"})
    only = client.get("/").text
    assert _incidents(only) == [ids["koszyk"]] and "Szybkie Buty (Instagram)" not in only
    assert 'value="koszyk" selected' in only
    assert _incidents(client.get("/incidents").text) == [ids["koszyk"]]
    client.get("/client", params={"next": "/"})  # all clients again
    assert set(_incidents(client.get("/").text)) >= set(ids.values())


def test_a_clients_user_cannot_switch_to_another_client(desk):
    board, ids = desk
    client, _ = board.sign_in("kasia")
    client.get("/client", params={"id": "buty", "next": "/"})
    page = client.get("/").text
    assert _incidents(page) == [ids["koszyk"]] and "Szybkie Buty" not in page
    assert 'id="client-switch"' not in page and "Zielony Koszyk" in page  # one client: just its name
    assert client.get(f"/incidents/{ids['buty']}").status_code == 404


def test_an_admin_creates_a_client_and_its_profiles_belong_to_it(desk):
    board, _ = desk
    client, _ = board.sign_in("admin")
    page = client.get("/connect")
    made = client.post("/connect/clients", data={"name": "Nowa  Marka", "csrf": csrf_of(page)})
    assert made.status_code == 303
    settings = board.runtime.settings
    assert settings.client("nowa-marka") is not None and settings.client("nowa-marka").name == "Nowa Marka"
    assert "Nowa Marka" in client.get("/connect").text
    again = client.post("/connect/clients", data={"name": "nowa marka", "csrf": csrf_of(page)})
    assert again.status_code == 422 and "exists already" in again.text
    with session_scope(board.runtime.sessions, write=True) as session:  # as connect_pages stores one
        session.add(
            ConnectedProfile(
                id="nowa-fb",
                platform="facebook",
                platform_id="5550001",
                name="Nowa Marka",
                page_id="5550001",
                permissions=[],
                tasks=[],
                connected_by="user:admin",
                client_id="nowa-marka",
            )
        )
    board.runtime.sync_profiles()
    assert settings.client_of("nowa-fb") == "nowa-marka"
    kasia, _ = board.sign_in("kasia")
    assert "Nowa Marka" not in kasia.get("/").text
    assert (
        kasia.post("/connect/clients", data={"name": "X", "csrf": csrf_of(kasia.get("/"))}).status_code == 403
    )
