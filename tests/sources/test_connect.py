"""Connecting Pages with `czujka connect meta`, against the stand-in Graph API on 127.0.0.1: what is stored,
what is subscribed, which permissions are missing, and that a refused token stores nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from czujka.cli import app
from czujka.comments.models import Comment
from czujka.sources.models import ConnectedProfile
from czujka.storage.engine import session_scope
from tests.conftest import APP_SECRET, VERIFY_TOKEN
from tests.sources.fake_graph import APP_ID, GraphState, graph_time, serving

PAGE, PAGE2, IG = "5550001", "5550002", "178400005550001"
PAGE_TOKEN, PAGE2_TOKEN = "page-token-lipa-0123456789", "page-token-drugi-0123456789"
USER = "user-short-token-0123456789"


def shop_pages() -> GraphState:
    """Anna manages two Pages; the first has an Instagram account and a post with five comments."""
    state = GraphState()
    state.meta.add_user(USER)
    state.meta.dialog_user = USER
    state.meta.add_page(PAGE, "Sklep Pod Lipą", PAGE_TOKEN, {"id": IG, "username": "podlipa"})
    state.meta.add_page(PAGE2, "Drugi Sklep", PAGE2_TOKEN)
    state.tokens |= {PAGE_TOKEN, PAGE2_TOKEN}
    now = datetime.now(UTC)
    state.posts[PAGE] = [
        {"id": f"{PAGE}_1", "message": "Nowa dostawa", "created_time": graph_time(now - timedelta(days=2))}
    ]
    state.comments[f"{PAGE}_1"] = [
        {
            "id": f"{PAGE}_1_{i}",
            "message": f"Kiedy paczka? {i}",
            "from": {"id": f"90{i}", "name": f"Klient {i}"},
            "created_time": graph_time(now - timedelta(days=2, minutes=-i)),
        }
        for i in range(5)
    ]
    return state


@pytest.fixture
def stand_in():
    state = shop_pages()
    with serving(state) as url:
        yield state, url


@pytest.fixture
def cli(runtime, stand_in, monkeypatch):
    """`czujka` as an operator runs it, on the test's database, against the stand-in."""
    state, url = stand_in
    env = {
        "CZUJKA_DATABASE_URL": runtime.settings.sqlalchemy_url,
        "CZUJKA_DATA_DIR": str(runtime.settings.data_dir),
        "CZUJKA_GRAPH_BASE_URL": url,
        "CZUJKA_META_APP_ID": APP_ID,
        "CZUJKA_META_APP_SECRET": APP_SECRET,
        "CZUJKA_META_VERIFY_TOKEN": VERIFY_TOKEN,
        "CZUJKA_PUBLIC_URL": "https://czujka.example.pl",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args))

    return state, run


def connected_rows(runtime) -> list[ConnectedProfile]:
    with session_scope(runtime.sessions) as session:
        rows = list(session.scalars(select(ConnectedProfile).order_by(ConnectedProfile.id)))
        session.expunge_all()
        return rows


def test_connect_stores_subscribes_and_backfills(cli, runtime):
    state, run = cli
    answer = run("connect", "meta", "--user-token", USER, "--json")
    assert answer.exit_code == 0, answer.output
    out = json.loads(answer.stdout)
    assert set(out) >= {"profiles", "missing_permissions"}
    by_id = {p["id"]: p for p in out["profiles"]}
    assert by_id == {
        "sklep-pod-lipa-fb": {
            "id": "sklep-pod-lipa-fb",
            "platform": "facebook",
            "platform_id": PAGE,
            "name": "Sklep Pod Lipą",
            "subscribed": True,
        },
        "sklep-pod-lipa-ig": {
            "id": "sklep-pod-lipa-ig",
            "platform": "instagram",
            "platform_id": IG,
            "name": "Sklep Pod Lipą (Instagram @podlipa)",
            "subscribed": True,
        },
        "drugi-sklep-fb": {
            "id": "drugi-sklep-fb",
            "platform": "facebook",
            "platform_id": PAGE2,
            "name": "Drugi Sklep",
            "subscribed": True,
        },
    }
    assert out["missing_permissions"] == []
    # the short token was exchanged for a long-lived one, and the Pages subscribed with their own tokens
    assert state.meta.subscribed == {PAGE: ["feed"], PAGE2: ["feed"]}
    instagram = [s for s in state.meta.app_subscriptions if s["object"] == "instagram"]
    assert [f["name"] for f in instagram[0]["fields"]] == ["comments", "live_comments"]
    assert instagram[0]["callback_url"] == "https://czujka.example.pl/webhooks/meta"
    with session_scope(runtime.sessions) as session:
        stored = session.scalar(
            select(func.count()).select_from(Comment).where(Comment.profile_id == "sklep-pod-lipa-fb")
        )
    assert stored == 5  # backfilled by polling with the stored Page token
    rows = connected_rows(runtime)
    assert all(r.token_sealed and PAGE_TOKEN not in r.token_sealed for r in rows)
    # connecting again changes nothing but the time: the same ids, no duplicates
    again = json.loads(run("connect", "meta", "--user-token", USER, "--json", "--no-backfill").stdout)
    assert sorted(p["id"] for p in again["profiles"]) == sorted(by_id)
    assert len(connected_rows(runtime)) == 3


def test_no_token_in_the_database_file(cli, runtime):
    if not runtime.settings.sqlalchemy_url.startswith("sqlite"):
        pytest.skip("reads the bytes of the SQLite file")
    _, run = cli
    assert run("connect", "meta", "--user-token", USER, "--pages", PAGE).exit_code == 0
    runtime.engine.dispose()
    folder = Path(runtime.settings.data_dir)
    data = b"".join(p.read_bytes() for p in folder.glob("czujka.db*"))
    for secret in (PAGE_TOKEN, USER, f"{USER}-long", APP_SECRET):
        assert secret.encode() not in data
    key = folder / "secret.key"
    assert key.stat().st_mode & 0o777 == 0o600


def test_pages_option_and_unknown_page(cli, runtime):
    _, run = cli
    answer = run("connect", "meta", "--user-token", USER, "--pages", f"{PAGE2},999", "--json")
    assert answer.exit_code == 0
    out = json.loads(answer.stdout)
    assert [p["id"] for p in out["profiles"]] == ["drugi-sklep-fb"]
    assert any("999" in n for n in out["notes"])
    nothing = run("connect", "meta", "--user-token", USER, "--pages", "999")
    assert nothing.exit_code == 1


@pytest.mark.sqlite_only
@pytest.mark.parametrize("subcode", [None, 458, 460, 463])
def test_refused_token_exits_and_stores_nothing(cli, runtime, monkeypatch, subcode):
    state, run = cli
    if subcode is not None:
        state.meta.revoked["expired-token-0123456789"] = subcode
        monkeypatch.delenv("CZUJKA_META_APP_SECRET")  # no exchange: the token goes straight to /me
    answer = run("connect", "meta", "--user-token", "expired-token-0123456789", "--json")
    assert answer.exit_code == 1
    assert "190" in answer.output and "nothing was stored" in answer.output
    assert json.loads(answer.stdout)["profiles"] == []
    if subcode is not None:
        assert f"subcode {subcode}" in answer.output
    assert "expired-token-0123456789" not in answer.output
    assert connected_rows(runtime) == []
    assert state.meta.subscribed == {}


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ("pages_show_list", "connect none"),
        ("pages_read_engagement", "cannot read the Page's posts"),
        ("pages_read_user_content", "visitors"),
        ("pages_manage_metadata", "polling"),
        ("pages_manage_engagement", "can read but not reply"),
        ("instagram_basic", "Instagram account"),
        ("instagram_manage_comments", "Instagram comments"),
    ],
)
def test_each_missing_permission_is_named_with_its_cost(cli, runtime, monkeypatch, missing, words):
    state, run = cli
    monkeypatch.setenv("CZUJKA_LANGUAGE", "en")
    state.meta.users[USER] = [p for p in state.meta.users[USER] if p != missing]
    human = run("connect", "meta", "--user-token", USER, "--no-backfill")
    assert f"missing permission {missing}" in human.output
    assert words in human.output
    if missing == "pages_show_list":
        assert human.exit_code == 1  # no Page is listed without it
        return
    out = json.loads(run("connect", "meta", "--user-token", USER, "--no-backfill", "--json").stdout)
    assert out["missing_permissions"] == [missing]
    if missing == "pages_manage_metadata":
        assert all(p["subscribed"] is False for p in out["profiles"] if p["platform"] == "facebook")


def test_poll_list_and_disconnect(cli, runtime):
    state, run = cli
    assert run("connect", "meta", "--user-token", USER, "--no-backfill", "--pages", PAGE).exit_code == 0
    polled = run("poll", "--profile", "sklep-pod-lipa-fb")
    assert polled.exit_code == 0, polled.output
    assert "6 new" in polled.output  # the post and its five comments
    listed = json.loads(run("profiles", "list", "--json").stdout)
    row = next(p for p in listed["profiles"] if p["id"] == "sklep-pod-lipa-fb")
    assert row["origin"] == "connected" and row["last_poll_ok_at"]
    assert PAGE_TOKEN not in json.dumps(listed)
    gone = run("profiles", "disconnect", "sklep-pod-lipa-fb")
    assert gone.exit_code == 0
    assert PAGE in state.meta.subscribed  # its Instagram account still needs the Page's webhooks
    assert run("profiles", "disconnect", "sklep-pod-lipa-ig").exit_code == 0
    assert PAGE not in state.meta.subscribed
    assert run("poll", "--profile", "sklep-pod-lipa-fb").exit_code == 1
    assert run("profiles", "disconnect", "sklep-pod-lipa-fb").exit_code == 2
    with session_scope(runtime.sessions) as session:
        kept = session.scalar(
            select(func.count()).select_from(Comment).where(Comment.profile_id == "sklep-pod-lipa-fb")
        )
        row = session.get(ConnectedProfile, "sklep-pod-lipa-fb")
        assert row is not None and row.token_sealed is None
    assert kept == 5  # the comments stay


def test_a_lost_key_leaves_the_profile_blind_not_the_service_down(cli, runtime, monkeypatch):
    _, run = cli
    assert run("connect", "meta", "--user-token", USER, "--no-backfill", "--pages", PAGE2).exit_code == 0
    monkeypatch.setenv("CZUJKA_SECRET_KEY", "another-key-that-is-long-enough-0123456789")
    listed = run("profiles", "list", "--json")
    assert listed.exit_code == 0
    row = next(p for p in json.loads(listed.stdout)["profiles"] if p["id"] == "drugi-sklep-fb")
    assert row["token"] == "none" and row["problem"] == "token"


def test_health_and_profiles_api_show_channels_without_tokens(cli, runtime, server):
    import httpx

    from czujka.auth.service import create_token

    _, run = cli
    assert run("connect", "meta", "--user-token", USER, "--no-backfill", "--pages", PAGE2).exit_code == 0
    runtime.sync_profiles()
    with session_scope(runtime.sessions, write=True) as session:
        secret = create_token(session, name="ops", role="viewer")
    health = httpx.get(f"{server.url}/api/health").json()
    assert "drugi-sklep-fb" in health["channels"] and health["channels"]["drugi-sklep-fb"]["problem"] is None
    listed = httpx.get(f"{server.url}/api/profiles", headers={"Authorization": f"Bearer {secret}"}).json()
    assert {p["id"] for p in listed["profiles"]} >= {"koszyk-fb", "drugi-sklep-fb"}
    assert PAGE2_TOKEN not in json.dumps(listed) + json.dumps(health)
    assert httpx.get(f"{server.url}/api/profiles").status_code == 401
