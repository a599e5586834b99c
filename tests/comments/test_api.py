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
