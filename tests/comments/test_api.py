"""The JSON API: bearer tokens by role, and the comment feed's filters and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from czujka.auth.models import ApiToken
from czujka.auth.service import create_token, revoke_token
from czujka.demo.deliveries import delivery, fb_comment_change, signed_headers
from czujka.storage.engine import session_scope
from tests.conftest import APP_SECRET

PAGE = "1122334455"
T0 = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


@pytest.fixture
def tokens(runtime) -> dict[str, str]:
    with session_scope(runtime.sessions) as session:
        return {
            role: create_token(session, name=f"t-{role}", role=role)
            for role in ("viewer", "responder", "admin")
        }


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seed(server, n: int = 30) -> None:
    changes = [
        fb_comment_change(
            page_id=PAGE,
            post_id=f"{PAGE}_{i % 3}",
            comment_id=f"c{i}",
            message=f"Komentarz {i} {'KURIER' if i % 5 == 0 else 'ok'} 100%",
            at=T0 + timedelta(minutes=i),
            author_id=str(i),
            author_name=f"A{i}",
        )
        for i in range(n)
    ]
    body = delivery("page", PAGE, changes, T0)
    assert (
        httpx.post(
            f"{server.url}/webhooks/meta", content=body, headers=signed_headers(body, APP_SECRET)
        ).status_code
        == 200
    )


def test_roles(server, runtime, tokens):
    url = server.url
    assert httpx.get(f"{url}/api/comments").status_code == 401
    assert httpx.get(f"{url}/api/comments", headers=auth("czk_forged")).status_code == 401
    for role in ("viewer", "responder", "admin"):
        assert httpx.get(f"{url}/api/comments", headers=auth(tokens[role])).status_code == 200
    assert httpx.get(f"{url}/api/ingest-log", headers=auth(tokens["viewer"])).status_code == 403
    assert httpx.get(f"{url}/api/ingest-log", headers=auth(tokens["responder"])).status_code == 403
    assert httpx.get(f"{url}/api/ingest-log", headers=auth(tokens["admin"])).status_code == 200
    line = b'{"profile": "opinie", "id": "r1", "text": "t", "time": "2026-11-20T10:00:00Z"}\n'
    assert httpx.post(f"{url}/api/import", content=line, headers=auth(tokens["viewer"])).status_code == 403
    imported = httpx.post(f"{url}/api/import", content=line, headers=auth(tokens["responder"]))
    assert imported.status_code == 200 and imported.json()["stored"] == 1
    with session_scope(runtime.sessions) as session:
        revoke_token(session, name="t-admin")
    assert httpx.get(f"{url}/api/ingest-log", headers=auth(tokens["admin"])).status_code == 401


def test_only_hashes_are_stored(runtime, tokens):
    with runtime.sessions() as session:
        stored = {row.token_hash for row in session.query(ApiToken)}
    assert not stored & set(tokens.values())
    with session_scope(runtime.sessions) as session, pytest.raises(ValueError, match="exists already"):
        create_token(session, name="t-viewer", role="viewer")


def test_comment_filters_and_pages(server, runtime, tokens):
    seed(server)

    def get(**params):
        return httpx.get(f"{server.url}/api/comments", params=params, headers=auth(tokens["viewer"]))

    first = get(limit=12).json()
    assert [c["platform_id"] for c in first["items"]][:2] == ["c29", "c28"]
    second = get(limit=12, cursor=first["next_cursor"]).json()
    third = get(limit=12, cursor=second["next_cursor"]).json()
    ids = [c["platform_id"] for page in (first, second, third) for c in page["items"]]
    assert ids == [f"c{i}" for i in range(29, -1, -1)] and third["next_cursor"] is None
    assert {c["platform_id"] for c in get(q="kurier").json()["items"]} == {f"c{i}" for i in range(0, 30, 5)}
    assert len(get(q="100%").json()["items"]) == 30 and get(q="_").json()["items"] == []
    assert {c["post_platform_id"] for c in get(post=f"{PAGE}_1").json()["items"]} == {f"{PAGE}_1"}
    window = get(
        since=(T0 + timedelta(minutes=10)).isoformat(), until=(T0 + timedelta(minutes=15)).isoformat()
    )
    assert [c["platform_id"] for c in window.json()["items"]] == ["c14", "c13", "c12", "c11", "c10"]
    assert get(profile="koszyk-ig").json()["items"] == []
    assert get(since="2026-11-27T18:00:00").status_code == 422
    assert get(cursor="garbage!").status_code == 422
    assert get(limit=0).status_code == 422


def test_health_is_open(server):
    body = httpx.get(f"{server.url}/api/health").json()
    assert body["status"] == "ok" and body["comments"] == 0


def test_hostile_inputs_get_a_clear_4xx_never_a_500(server, runtime, tokens):
    """Each of these answered 500 once."""
    from base64 import urlsafe_b64encode

    from tests.factories import open_incident

    seed(server, 3)
    incident = open_incident(runtime, at=T0)
    viewer, responder = auth(tokens["viewer"]), auth(tokens["responder"])

    def cursor(text: str) -> str:
        return urlsafe_b64encode(text.encode()).decode()

    for bad in (cursor("2026-11-27T18:00:00|5"), cursor(f"2026-11-27T18:00:00+00:00|{2**70}"), "%%%"):
        answer = httpx.get(f"{server.url}/api/comments", params={"cursor": bad}, headers=viewer)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["detail"][0]["loc"] == ["query", "cursor"]  # a list, as the schema says
    huge = 2**63 + 5
    for method, path in [
        ("GET", f"/api/incidents/{huge}"),
        ("POST", f"/api/incidents/{huge}/acknowledge"),
        ("POST", f"/api/incidents/{huge}/resolve"),
        ("POST", f"/api/incidents/{2**31}/notes"),
    ]:
        answer = httpx.request(method, f"{server.url}{path}", headers=responder, json={"text": "x"})
        assert answer.status_code == 422 and isinstance(answer.json()["detail"], list), answer.text
    for at in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "2026-11-28T22:00:00"):
        answer = httpx.get(f"{server.url}/api/oncall", params={"at": at}, headers=viewer)
        assert answer.status_code == 422, (at, answer.text)
    note = httpx.post(
        f"{server.url}/api/incidents/{incident}/notes",
        content=b'{"text": "zadzwoni\\u0142am \\ud800 do klientki \\u0000"}',
        headers={**responder, "Content-Type": "application/json"},
    )
    assert note.status_code == 200, note.text
    assert any("\ufffd do klientki" in e["message"] for e in note.json()["timeline"])
    reason = httpx.post(
        f"{server.url}/api/incidents/{incident}/acknowledge",
        content=b'{"reason": "\\udc00"}',
        headers={**responder, "Content-Type": "application/json"},
    )
    assert reason.status_code == 200, reason.text
    refused = httpx.post(
        f"{server.url}/api/incidents/{incident}/silence",
        content=b'{"hours": "\\ud800", "reason": "x"}',
        headers={**responder, "Content-Type": "application/json"},
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "hours"]
