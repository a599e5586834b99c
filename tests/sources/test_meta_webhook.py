"""The Meta webhook over a real socket: handshake, signatures, every change type, retries, crashes."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from czujka.comments import service as comment_service
from czujka.comments.models import Comment, CommentHistory, IngestLog, Post
from czujka.demo.deliveries import (
    deliveries,
    delivery,
    fb_comment_change,
    fb_post_change,
    ig_comment_change,
    signed_headers,
)
from tests.conftest import APP_SECRET, VERIFY_TOKEN

PAGE = "1122334455"
IG = "17841400000000"
T0 = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def post(server, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{server.url}/webhooks/meta", content=body, headers=headers or signed_headers(body, APP_SECRET)
    )


def comment(comment_id: str, message: str | None = "Gdzie moja paczka?", verb: str = "add", **kw) -> dict:
    defaults = {
        "page_id": PAGE,
        "post_id": f"{PAGE}_1",
        "comment_id": comment_id,
        "message": message,
        "at": T0,
        "author_id": "900",
        "author_name": "Jan Kowalski",
        "verb": verb,
    }
    return fb_comment_change(**(defaults | kw))


def count(runtime, model) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def stored(runtime, platform_id: str) -> Comment:
    with runtime.sessions() as session:
        return session.scalar(select(Comment).where(Comment.platform_id == platform_id))


# --- handshake ---------------------------------------------------------------------------------


def test_verification_echoes_challenge(server):
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = httpx.get(f"{server.url}/webhooks/meta", params=params)
    assert response.status_code == 200
    assert response.text == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ],
)
def test_verification_refused(server, params):
    assert httpx.get(f"{server.url}/webhooks/meta", params=params).status_code == 403


# --- signatures --------------------------------------------------------------------------------


def test_good_signature_stores(server, runtime):
    body = delivery("page", PAGE, [comment("1_1")], T0)
    response = post(server, body)
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1
    assert stored(runtime, "1_1").message == "Gdzie moja paczka?"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        "sha256=zz" + "0" * 62,
        "sha256=abc",
        "sha1=" + "0" * 40,
        "md5=whatever",
    ],
    ids=["missing", "empty", "wrong", "not-hex", "short", "sha1", "other-algorithm"],
)
def test_bad_signature_refused_and_nothing_stored(server, runtime, header):
    body = delivery("page", PAGE, [comment("1_1")], T0)
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    assert post(server, body, headers).status_code == 403
    assert count(runtime, Comment) == 0
    assert count(runtime, IngestLog) == 0


def test_sha1_of_the_right_secret_is_still_refused(server, runtime):
    body = delivery("page", PAGE, [comment("1_1")], T0)
    sha1 = "sha1=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert post(server, body, {"X-Hub-Signature-256": sha1, "X-Hub-Signature": sha1}).status_code == 403


def test_signature_of_other_body_refused(server, runtime):
    body = delivery("page", PAGE, [comment("1_1")], T0)
    headers = signed_headers(body, APP_SECRET)
    assert post(server, body.replace(b"paczka", b"pacz ka"), headers).status_code == 403


# --- change types ------------------------------------------------------------------------------


def test_every_feed_change_type(server, runtime):
    steps = [
        [fb_post_change(page_id=PAGE, post_id=f"{PAGE}_1", message="Nowa dostawa jabłek!", at=T0)],
        [comment("1_1", "Kiedy wysyłka?")],
        [comment("1_1", "Kiedy wysyłka?? Czekam od tygodnia", verb="edited")],
        [comment("1_1", None, verb="hide")],
        [comment("1_1", None, verb="unhide")],
        [comment("1_1", None, verb="remove")],
    ]
    for i, changes in enumerate(steps):
        assert post(server, delivery("page", PAGE, changes, T0 + timedelta(minutes=i))).status_code == 200
    row = stored(runtime, "1_1")
    assert row.message == "Kiedy wysyłka?? Czekam od tygodnia"  # text kept after removal
    assert row.deleted_at == T0 + timedelta(minutes=5)
    assert row.hidden_at is None and row.edited_at == T0 + timedelta(minutes=2)
    with runtime.sessions() as session:
        history = session.execute(
            select(CommentHistory.verb, CommentHistory.previous_message).order_by(CommentHistory.id)
        ).all()
        post_row = session.scalar(select(Post))
    assert [h.verb for h in history] == ["edited", "hide", "unhide", "remove"]
    assert history[0].previous_message == "Kiedy wysyłka?"
    assert post_row.message == "Nowa dostawa jabłek!" and row.post_id == post_row.id


def test_reply_links_parent_whichever_arrives_first(server, runtime):
    reply = comment("1_3", "Przepraszamy, sprawdzamy!", parent_id="1_2", author_id=PAGE, author_name="Sklep")
    assert post(server, delivery("page", PAGE, [reply], T0)).status_code == 200
    assert post(server, delivery("page", PAGE, [comment("1_2")], T0)).status_code == 200
    child, parent = stored(runtime, "1_3"), stored(runtime, "1_2")
    assert child.parent_id == parent.id
    assert child.author_is_staff and not parent.author_is_staff
    assert parent.parent_id is None and parent.parent_platform_id is None


def test_instagram_comments_and_live_comments(server, runtime):
    changes = [
        ig_comment_change(
            media_id="m1", comment_id="c1", text="Super produkty!", username="ola", user_id="5"
        ),
        ig_comment_change(
            media_id="m1",
            comment_id="c2",
            text="Dziękujemy :)",
            username="zielonykoszyk",
            user_id="99",
            parent_id="c1",
        ),
        ig_comment_change(
            media_id="m2", comment_id="c3", text="live!", username="ola", user_id="5", live=True
        ),
    ]
    assert post(server, delivery("instagram", IG, changes, T0)).status_code == 200
    c1, c2 = stored(runtime, "c1"), stored(runtime, "c2")
    assert c1.author_name == "ola" and c1.profile_id == "koszyk-ig"
    assert c2.parent_id == c1.id and c2.author_is_staff
    assert stored(runtime, "c3").message == "live!"


def test_several_entries_and_changes_in_one_delivery(server, runtime):
    body = deliveries(
        "page",
        [(PAGE, [comment("1_1"), comment("1_2", "Drugi")], T0), (PAGE, [comment("1_3", "Trzeci")], T0)],
    )
    assert post(server, body).json()["stored"] == 3


def test_unknown_items_fields_and_pages_are_logged_not_errors(server, runtime):
    odd = {"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like"}}
    other = {"field": "ratings", "value": {"anything": 1}}
    extra = comment("1_1")
    extra["value"]["brand_new_field"] = {"x": 1}
    body = deliveries("page", [(PAGE, [odd, other, extra], T0), ("999", [comment("9_9")], T0)])
    assert post(server, body).status_code == 200
    assert stored(runtime, "1_1").raw["brand_new_field"] == {"x": 1}
    assert stored(runtime, "9_9") is None
    with runtime.sessions() as session:
        log = session.scalar(select(IngestLog))
    assert log.body == body.decode()
    assert any("reaction" in note for note in log.notes)
    assert any("999" in note for note in log.notes)


# --- retries, crashes and bad bodies -----------------------------------------------------------


def test_duplicate_delivery_stores_nothing_twice(server, runtime):
    body = delivery("page", PAGE, [comment("1_1"), comment("1_2", "x")], T0)
    assert post(server, body).json()["stored"] == 2
    again = post(server, body)
    assert again.status_code == 200 and again.json()["stored"] == 0
    assert count(runtime, Comment) == 2
    # The same comment in a new delivery (Meta re-sends with a new entry time) is also stored once.
    assert (
        post(server, delivery("page", PAGE, [comment("1_1")], T0 + timedelta(seconds=5))).json()["stored"]
        == 0
    )
    assert count(runtime, Comment) == 2 and count(runtime, CommentHistory) == 0


def test_crash_between_receipt_and_commit_answers_500_and_stores_nothing(server, runtime, monkeypatch):
    original = comment_service._link_parents

    def crash(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("disk vanished")

    monkeypatch.setattr(comment_service, "_link_parents", crash)
    body = delivery("page", PAGE, [comment("1_1"), comment("1_2", "x")], T0)
    assert post(server, body).status_code == 500
    assert count(runtime, Comment) == 0 and count(runtime, IngestLog) == 0 and count(runtime, Post) == 0
    monkeypatch.setattr(comment_service, "_link_parents", original)
    assert post(server, body).json()["stored"] == 2  # Meta's retry then lands whole


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", "ąę".encode("utf-16")])
def test_malformed_body_is_400(server, runtime, body):
    response = post(server, body)
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert count(runtime, IngestLog) == 0


def test_body_over_the_limit_is_413(server, runtime):
    runtime.settings.max_body_bytes = 2048
    body = delivery("page", PAGE, [comment(f"1_{i}", "x" * 100) for i in range(30)], T0)
    assert post(server, body).status_code == 413
    assert count(runtime, Comment) == 0


def test_unconfigured_secret_is_503(server, runtime):
    runtime.settings.meta_app_secret = None
    body = delivery("page", PAGE, [comment("1_1")], T0)
    assert post(server, body).status_code == 503


def test_secrets_not_in_logs(server, runtime, capsys):
    post(server, delivery("page", PAGE, [comment("1_1")], T0), {"X-Hub-Signature-256": "sha256=" + "1" * 64})
    post(server, delivery("page", PAGE, [comment("1_1")], T0))
    captured = capsys.readouterr()
    assert APP_SECRET not in captured.out + captured.err
    assert json.dumps(APP_SECRET) not in captured.out + captured.err
