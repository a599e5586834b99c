"""The dashboard's pages and its security: sign-in, roles, CSRF, session fixation, lockout, XSS, ack links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from czujka.comments.events import Batch, CommentEvent
from czujka.comments.service import ingest
from czujka.incidents import flows
from czujka.notifications.ack import create_link
from czujka.storage.engine import session_scope
from tests.factories import make_runtime, make_signal
from tests.notifications.helpers import oncall_settings
from tests.web.helpers import PASSWORD, csrf_of, dashboard

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def board(tmp_path, db_url):
    runtime = make_runtime(oncall_settings(tmp_path, db_url))
    now = datetime.now(UTC)
    with session_scope(runtime.sessions) as session:
        ingest(
            session,
            batch=Batch(
                events=[
                    CommentEvent(
                        profile_id="koszyk-fb",
                        platform_id="c1",
                        verb="add",
                        occurred_at=now,
                        post_platform_id="p1",
                        parent_platform_id=None,
                        author_id="u1",
                        author_name=XSS,
                        author_is_staff=False,
                        message=XSS,
                    )
                ]
            ),
            source="test",
            body=b"test",
        )
        comment_id = session.execute(text("SELECT id FROM comments")).scalar()
        incident = flows.open_or_attach(
            session,
            signal=make_signal(
                "quarrel",
                score=0.95,
                at=now,
                evidence=[comment_id],
                key="koszyk-fb:quarrel:c1",
                reason="a quarrel",
            ),
        )
    with dashboard(runtime) as d:
        d.incident_id = incident.id
        yield d


def test_pages_need_sign_in_and_work_once_signed_in(board):
    anonymous = board.client()
    answer = anonymous.get("/incidents/1")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/incidents/1"
    client, signed = board.sign_in("ania")
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    for path in [
        "/",
        "/incidents",
        f"/incidents/{board.incident_id}",
        "/charts",
        "/charts?range=7d",
        "/oncall",
        "/fragments/now",
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert client.get("/incidents/9999").status_code == 404


def test_comment_text_and_author_are_shown_as_text(board):
    client, _ = board.sign_in("ania")
    for path in ["/", f"/incidents/{board.incident_id}"]:
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_responder_acknowledges_with_the_csrf_token_only(board):
    client, _ = board.sign_in("ania")
    page = client.get(f"/incidents/{board.incident_id}")
    url = f"/incidents/{board.incident_id}/acknowledge"
    assert client.post(url).status_code == 403  # no token
    assert client.post(url, data={"csrf": "wrong"}).status_code == 403
    other, _ = board.sign_in("admin")  # another session's token is not this session's
    assert client.post(url, data={"csrf": csrf_of(other.get("/"))}).status_code == 403
    done = client.post(url, data={"csrf": csrf_of(page)})
    assert done.status_code == 303
    after = client.get(f"/incidents/{board.incident_id}").text
    assert '<span class="actor">ania</span>' in after and "user:ania" not in after and "acknowledged" in after
    assert client.post(url, data={"csrf": csrf_of(page)}).status_code == 409  # already acknowledged


def test_a_viewer_cannot_change_anything(board):
    client, _ = board.sign_in("gosc")
    page = client.get(f"/incidents/{board.incident_id}")
    assert 'id="acknowledge"' not in page.text and "viewer role" in page.text  # English for this user
    token = csrf_of(page)
    for action in ("acknowledge", "resolve", "notes", "silence"):
        answer = client.post(
            f"/incidents/{board.incident_id}/{action}",
            data={"csrf": token, "text": "x", "hours": "1", "reason": "x"},
        )
        assert answer.status_code == 403, action
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/ania/disable", data={"csrf": token}).status_code == 403


def test_session_fixation_and_sign_out_everywhere(board):
    client = board.client()
    client.cookies.set("czujka_session", "attacker-chosen-id")
    client, signed = board.sign_in("ania", client=client)
    new_id = signed.cookies.get("czujka_session")
    assert new_id and new_id != "attacker-chosen-id"
    planted = board.client()
    planted.cookies.set("czujka_session", "attacker-chosen-id")
    assert planted.get("/").status_code == 303  # the planted id never became a session
    phone, _ = board.sign_in("ania")
    assert phone.get("/").status_code == 200
    assert client.post("/logout-everywhere", data={"csrf": csrf_of(client.get("/"))}).status_code == 303
    assert phone.get("/").status_code == 303 and client.get("/").status_code == 303


def test_wrong_passwords_slow_strangers_but_never_lock_the_person_on_duty_out(board):
    """Anyone who knows a username may guess: after five wrong passwords each new device waits longer
    between tries; the phone the person on duty signed in with before still gets in at once."""
    phone, first = board.sign_in("ania")
    assert first.status_code == 303 and phone.cookies.get("czujka_device")
    for _ in range(4):
        _, answer = board.sign_in("ania", password="zle-haslo-000")
        assert answer.status_code == 401
    _, slowed = board.sign_in("ania", password="zle-haslo-000")
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) == 15
    assert "Z nowego urządzenia spróbuj ponownie za 15 s" in slowed.text
    _, stranger = board.sign_in("ania", password=PASSWORD)  # a new device waits, even with the password
    assert stranger.status_code == 429
    phone.cookies.delete("czujka_session")
    _, again = board.sign_in("ania", client=phone)  # the known phone: straight in
    assert again.status_code == 303
    _, unknown = board.sign_in("nobody", password=PASSWORD)
    assert unknown.status_code == 401


def test_waits_grow_with_each_wrong_password_and_stop_growing():
    from czujka.auth.users import LONGEST_WAIT, wait_after

    assert [wait_after(n).total_seconds() for n in range(3, 9)] == [0, 0, 15, 30, 60, 120]
    assert wait_after(50) == wait_after(10**6) == LONGEST_WAIT


def test_login_form_needs_its_csrf_cookie(board):
    client = board.client()
    answer = client.post("/login", data={"username": "ania", "password": PASSWORD, "csrf": "x", "next": "/"})
    assert answer.status_code == 403
    _, redirected = board.sign_in("ania")
    assert redirected.headers["location"] == "/"
    form = client.get("/login?next=//evil.example/")
    answer = client.post(
        "/login",
        data={"username": "ania", "password": PASSWORD, "csrf": csrf_of(form), "next": "//evil.example/"},
    )
    assert answer.headers["location"] == "/"  # never off-site


def test_ack_link_reused_or_expired(board):
    with session_scope(board.runtime.sessions) as session:
        fresh = create_link(
            session, incident_id=board.incident_id, person_id="ania", now=datetime.now(UTC), hours=1
        )
        old = create_link(
            session,
            incident_id=board.incident_id,
            person_id="ania",
            now=datetime.now(UTC) - timedelta(hours=3),
            hours=1,
        )
    client = board.client()  # no sign-in needed, and it only acknowledges
    assert client.post(f"/ack/{old}").status_code == 410
    assert client.post(f"/ack/{fresh}").status_code == 200
    assert client.post(f"/ack/{fresh}").status_code == 410
    assert client.get("/").status_code == 303  # the link did not sign anyone in


def test_one_address_may_not_try_passwords_forever(board):
    answers = [board.sign_in(f"user{i}", password="zle-haslo-000")[1].status_code for i in range(21)]
    assert answers[:20] == [401] * 20 and answers[20] == 429


def test_user_commands(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from czujka.cli import app

    monkeypatch.setenv("CZUJKA_DATABASE_URL", f"sqlite:///{tmp_path / 'users.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    added = runner.invoke(
        app, ["user", "add", "ania", "--role", "responder", "--password-stdin"], input="dlugie-haslo-123\n"
    )
    assert added.exit_code == 0, added.output
    short = runner.invoke(app, ["user", "add", "ola", "--password-stdin"], input="krotkie\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    twice = runner.invoke(app, ["user", "add", "ania", "--password-stdin"], input="dlugie-haslo-123\n")
    assert twice.exit_code == 2 and "exists already" in twice.output
    bad_role = runner.invoke(app, ["user", "add", "basia", "--role", "boss", "--generate"])
    assert bad_role.exit_code == 2 and "unknown role" in bad_role.output
    made = runner.invoke(app, ["user", "add", "kasia", "--role", "viewer", "--generate"])
    assert made.exit_code == 0 and "password: " in made.output
    assert runner.invoke(app, ["user", "passwd", "ania", "--generate"]).exit_code == 0
    assert runner.invoke(app, ["user", "sign-out", "ania"]).exit_code == 0
    assert runner.invoke(app, ["user", "disable", "kasia"]).exit_code == 0
    assert runner.invoke(app, ["user", "disable", "nobody"]).exit_code == 2
    listed = json.loads(runner.invoke(app, ["user", "list", "--json"]).output)
    assert [(u["username"], u["role"], u["disabled"]) for u in listed] == [
        ("ania", "responder", False),
        ("kasia", "viewer", True),
    ]
