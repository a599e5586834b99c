"""Every route of the app, taken from its own route table so that a new one cannot be forgotten: a user and
an API token of client A ask about client B's objects, and no answer may reveal B or change anything of B's."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from czujka.app import build_app
from czujka.auth.service import create_token
from czujka.auth.users import add_user
from czujka.comments.models import Comment
from czujka.config import load_settings
from czujka.incidents.models import Incident, IncidentEvidence
from czujka.oncall.changes import Actor, propose
from czujka.oncall.models import DutyChange
from czujka.playbooks.models import Reply
from czujka.reports.models import ActionItem, IncidentReview
from czujka.storage.engine import session_scope
from czujka.web.server import start_in_thread
from tests.clients.helpers import ingest_comment
from tests.factories import DATA, open_incident, runtime_for
from tests.web.helpers import CSRF, PASSWORD

AGENCY = DATA / "agency.toml"
# What only client B's things say: its name, its profile, its people, its comment.
B_MARKERS = ("Szybkie Buty", "buty-ig", "99887766", "Tom Baker", "Eve Stone", "Sam Boss", "shoes never came")
REFUSED = {401, 403, 404, 405, 409, 422}


@pytest.fixture(scope="module")
def two_clients(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("agency")
    settings = load_settings(AGENCY, data_dir=tmp, database_url=f"sqlite:///{tmp / 'czujka.db'}")
    with runtime_for(settings) as runtime:
        now = datetime.now(UTC)
        ids: dict[str, int] = {}
        with session_scope(runtime.sessions, write=True) as session:
            for profile, words in (("koszyk-fb", "paczka nie doszła"), ("buty-ig", "shoes never came")):
                ingest_comment(session, profile, words)
            comments = dict(session.execute(select(Comment.profile_id, Comment.id)).all())
        for client, profile in (("a", "koszyk-fb"), ("b", "buty-ig")):
            ids[f"incident_{client}"] = open_incident(runtime, profile=profile, kind="quarrel", at=now)
            ids[f"comment_{client}"] = comments[profile]
        with session_scope(runtime.sessions, write=True) as session:
            session.add(IncidentEvidence(incident_id=ids["incident_b"], comment_id=ids["comment_b"]))
            reply = Reply(
                idempotency_key="b-reply",
                comment_id=ids["comment_b"],
                incident_id=ids["incident_b"],
                profile_id="buty-ig",
                target_platform_id="buty-ig_c1",
                text="Sorry, Sam Boss will call you",
                state="pending_approval",
                author="user:tom",
            )
            session.add(reply)
            change = propose(
                session,
                settings,
                schedule_id="buty-office",
                person_id="tom",
                start=now + timedelta(days=1),
                end=now + timedelta(days=1, hours=4),
                note="Tom Baker covers",
                actor=Actor("admin", None, True),
                now=now,
            )
            session.flush()
            item = ActionItem(
                incident_id=ids["incident_b"],
                text="Sam Boss rings the courier",
                owner="sam",
                due=now.date(),
                created_by="user:tom",
                created_at=now,
            )
            session.add(item)
            session.flush()
            ids["reply_b"], ids["change_b"], change_state = reply.id, change.id, change.state
            ids["item_b"] = item.id
            add_user(session, username="kasia", role="responder", password=PASSWORD, clients=["koszyk"])
            add_user(session, username="boss", role="admin", password=PASSWORD)
            tokens = {
                "a": create_token(session, name="koszyk", role="admin", clients=["koszyk"]),
                "a-responder": create_token(session, name="koszyk-r", role="responder", clients=["koszyk"]),
                "agency": create_token(session, name="agency", role="admin"),
            }
        server = start_in_thread(build_app(settings, runtime))
        try:
            yield server.url, build_app(settings, runtime), ids, tokens, runtime, change_state
        finally:
            server.stop()


def _signed_in(url: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    form = client.get("/login")
    client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf": CSRF.search(form.text)[1]}
    )
    page = client.get("/incidents")
    assert page.status_code == 200, page.text[:300]
    return client, CSRF.search(page.text)[1]


def _paths(app, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(method, path filled with B's objects, template) for every route of the app."""
    values = {
        "incident_id": ids["incident_b"],
        "comment_id": ids["comment_b"],
        "reply_id": ids["reply_b"],
        "item_id": ids["item_b"],
        "change_id": ids["change_b"],
        "schedule_id": "buty-office",
        "profile_id": "buty-ig",
        "source": "buty-ig",
        "attempt_id": "nothing-here",
        "token": "nothing-here",
        "username": "boss",
        "language": "en",
        "verb": "approve",
        "decision": "approve",
    }
    found = []
    for route in _every_route(app):
        path = getattr(route, "path", "")
        methods = sorted((getattr(route, "methods", None) or set()) - {"HEAD", "OPTIONS"})
        if not path or path.startswith(("/static", "/docs", "/redoc")) or not methods:
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        missing = [n for n in names if n not in values]
        assert not missing, f"{path}: the walk has no value of B for {missing}: add one"
        filled = re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(values[m[1]]), path)
        found += [(method, filled, path) for method in methods]
    return found


def _every_route(app) -> list:
    """The app's routes with the included routers opened up (FastAPI keeps those lazily)."""
    out = []
    for route in app.routes:
        nested = getattr(route, "effective_route_contexts", None)
        out += list(nested()) if nested else [route]
    assert len(out) > 50, f"only {len(out)} routes found: has FastAPI changed how it keeps them?"
    return out


# Bodies that get past validation, so that scoping (not a 422) is what refuses.
FORMS = {
    "/incidents/{incident_id}/resolve": {"why": "koniec", "signed_off_by": "Kasia"},
    "/incidents/{incident_id}/notes": {"text": "notatka"},
    "/incidents/{incident_id}/report/review": {"went_well": "nic"},
    "/incidents/{incident_id}/report/actions": {"text": "zadanie", "owner": "kasia", "due": "2026-12-24"},
    "/incidents/{incident_id}/silence": {"hours": "1", "reason": "cisza"},
    "/incidents/{incident_id}/reply/{comment_id}": {"text": "Dzień dobry, piszę na priv."},
    "/comments/{comment_id}/moderate": {"verb": "hide"},
    "/hidden/review": {"decision": "unhide", "comment": "{comment_id}"},
    "/oncall/changes": {
        "schedule": "buty-office",
        "person": "tom",
        "start": "2030-01-01T10:00",
        "end": "2030-01-01T12:00",
    },
    "/fragments/reply-check": {"text": "ok", "comment_id": "{comment_id}"},
}
JSONS = {
    "/api/incidents/{incident_id}/notes": {"text": "note"},
    "/api/incidents/{incident_id}/silence": {"hours": 1, "reason": "quiet"},
    "/api/comments/{comment_id}/reply": {"text": "Hello, we are on it."},
    "/api/moderation/review": {"comment_ids": ["{comment_id}"], "decision": "unhide"},
    "/api/replies/{reply_id}/approve": {"note": ""},
    "/api/replies/{reply_id}/reject": {"note": "no"},
    "/api/replies/check": {"text": "ok", "comment_id": "{comment_id}"},
}


def _filled(body, ids):
    text = json.dumps(body).replace('"{comment_id}"', str(ids["comment_b"]))
    return json.loads(text.replace("{comment_id}", str(ids["comment_b"])))


def _reveals(answer: httpx.Response) -> list[str]:
    """B's markers in the answer, except those the question itself carried (an echo reveals nothing)."""
    asked = str(answer.request.url) + answer.request.content.decode("utf-8", "replace")
    return [m for m in B_MARKERS if m in answer.text and m not in asked]


def test_nothing_of_client_b_reaches_client_a(two_clients):
    url, app, ids, tokens, runtime, change_state = two_clients
    dashboard, csrf = _signed_in(url, "kasia")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens['a']}"}, timeout=30)
    responder = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {tokens['a-responder']}"}, timeout=30
    )
    leaks, accepted = [], []
    for method, path, template in _paths(app, ids):
        if template in ("/logout", "/logout-everywhere") or (template == "/login" and method == "POST"):
            continue  # they end the walker's own session and concern nobody's objects
        clients = [api, responder] if path.startswith("/api/") else [dashboard]
        for client in clients:
            kwargs: dict = {}
            if template in FORMS:
                kwargs["data"] = _filled(FORMS[template], ids)
            if template in JSONS:
                kwargs["json"] = _filled(JSONS[template], ids)
            if method != "GET" and client is dashboard:
                kwargs["headers"] = {"x-csrf-token": csrf}
            answer = client.request(method, path, **kwargs)
            if _reveals(answer):
                leaks.append(f"{method} {path} ({answer.status_code}): {_reveals(answer)}")
            names_b = any(
                str(ids[k]) in path for k in ("incident_b", "comment_b", "reply_b", "change_b")
            ) or ("buty" in path)
            if (
                names_b
                and answer.status_code not in REFUSED
                and not (300 <= answer.status_code < 400 and "/login" in answer.headers.get("location", ""))
            ):
                accepted.append(f"{method} {path}: {answer.status_code}")
    assert dashboard.get("/incidents").status_code == 200, "the walk lost its session: it proved nothing"
    assert not leaks, "client B revealed to client A:\n" + "\n".join(leaks)
    assert not accepted, "client A acted on client B's objects:\n" + "\n".join(accepted)
    with session_scope(runtime.sessions) as session:  # and nothing of B's changed
        assert session.get(Incident, ids["incident_b"]).state == "triggered"
        assert session.get(Comment, ids["comment_b"]).hidden_at is None
        assert session.get(Reply, ids["reply_b"]).state == "pending_approval"
        assert session.get(DutyChange, ids["change_b"]).state == change_state == "active"
        assert session.get(ActionItem, ids["item_b"]).done_at is None
        assert session.get(IncidentReview, ids["incident_b"]) is None


def test_the_walk_can_see_b_when_it_may(two_clients):
    """The same questions from the agency see B's things: the walk's markers and ids are right."""
    url, _app, ids, tokens, _runtime, _state = two_clients
    agency = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens['agency']}"}, timeout=30)
    assert agency.get(f"/api/incidents/{ids['incident_b']}").status_code == 200
    assert "shoes never came" in agency.get("/api/comments").text
    dashboard, _ = _signed_in(url, "boss")
    assert "Szybkie Buty" in dashboard.get(f"/incidents/{ids['incident_b']}").text
    assert "Tom Baker" in dashboard.get("/oncall").text
    report = dashboard.get(f"/incidents/{ids['incident_b']}/report")
    assert "Sam Boss rings the courier" in report.text and "Szybkie Buty" in report.text
