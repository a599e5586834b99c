"""Replies through the stand-in Graph API: the right edge and token, recorded once, recognised when Meta's
webhook brings them back, errors in plain words, approvals."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from czujka.comments.models import Comment
from czujka.incidents.models import TimelineEvent
from czujka.notifications.models import Notification
from czujka.playbooks.models import Reply
from czujka.sources.signing import sign
from czujka.storage.engine import session_scope
from tests.conftest import APP_SECRET
from tests.playbooks.helpers import NOW, add_comments, shop

GOOD = "Dzień dobry Marto, bardzo przepraszamy za opóźnienie. Napiszę do Pani na priv dziś do 18:00."


@pytest.fixture
def store(runtime):
    with shop(runtime) as s:
        yield s


def test_reply_goes_to_the_thread_with_the_profiles_token_and_lands_on_the_timeline(store):
    answer = store.reply("p1_c2", {"text": GOOD}, key="attempt-0001")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["state"] == "sent" and body["sent"] and not body["waiting_for_approval"]
    assert body["check"] == [] and body["incident_id"] == store.incident_id
    # A reply to a reply goes to the thread's opening comment, as Meta threads them.
    assert store.graph.published == [("p1_c1/comments", {"message": GOOD})]
    with store.runtime.sessions() as session:
        mine = session.scalar(select(Comment).where(Comment.platform_id == body["platform_id"]))
        assert mine.author_is_staff and mine.parent_platform_id == "p1_c1" and mine.message == GOOD
        events = session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == store.incident_id, TimelineEvent.kind == "reply"
            )
        ).all()
        assert len(events) == 1 and events[0].actor == "token:responder" and GOOD[:40] in events[0].message


def test_the_webhook_copy_of_a_sent_reply_is_the_same_comment_not_a_new_one(store):
    sent = store.reply("p1_c1", {"text": GOOD}).json()
    delivery = {
        "object": "page",
        "entry": [
            {
                "id": "1122334455",
                "time": int(NOW.timestamp()),
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "comment_id": sent["platform_id"],
                            "post_id": "p1",
                            "parent_id": "p1_c1",
                            "from": {"id": "1122334455", "name": "Zielony Koszyk"},
                            "message": GOOD,
                            "created_time": int(NOW.timestamp()),
                        },
                    }
                ],
            }
        ],
    }
    raw = json.dumps(delivery).encode()
    with store.api() as api:
        answer = api.post(
            "/webhooks/meta", content=raw, headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)}
        )
    assert answer.status_code == 200
    with store.runtime.sessions() as session:
        assert session.scalar(select(func.count()).where(Comment.platform_id == sent["platform_id"])) == 1
        assert session.scalar(select(func.count(Comment.id))) == 4  # three customers' and the one reply


def test_private_reply_on_facebook_and_reply_on_instagram(store):
    private = store.reply("p1_c2", {"text": GOOD, "private": True})
    assert private.json()["state"] == "sent"
    insta = store.reply(
        "ig_c1", {"text": "Hej Ola, przepraszamy! Sprawdzam i odpiszę na Direct w ciągu godziny."}
    )
    assert insta.json()["state"] == "sent"
    assert [edge for edge, _ in store.graph.published] == ["p1_c2/private_replies", "ig_c1/replies"]
    refused = store.reply("ig_c1", {"text": GOOD, "private": True})
    assert refused.status_code == 422 and "Facebook only" in refused.text


def test_a_retried_request_never_sends_twice(store):
    first = store.reply("p1_c1", {"text": GOOD}, key="same-key-42")
    again = store.reply("p1_c1", {"text": GOOD}, key="same-key-42")
    assert again.status_code == 200 and again.json()["replayed"] and again.json()["id"] == first.json()["id"]
    assert len(store.graph.published) == 1
    other = store.reply("p1_c1", {"text": GOOD + " Pozdrawiam"}, key="same-key-42")
    assert other.status_code == 409 and "another reply" in other.json()["detail"]


def test_a_viewer_may_not_reply_and_bad_input_is_named(store):
    assert store.reply("p1_c1", {"text": GOOD}, role="viewer").status_code == 403
    with store.api() as api:
        assert api.post("/api/comments/999999/reply", json={"text": GOOD}).status_code == 404
        empty = api.post(f"/api/comments/{store.ids['p1_c1']}/reply", json={"text": ""})
        assert empty.status_code == 422
        assert api.post(f"/api/comments/{store.ids['p1_c1']}/reply", content=b"{").status_code in (400, 422)
    assert store.graph.published == []


@pytest.mark.parametrize(
    ("error", "code", "words"),
    [
        ((100, 33), "deleted", "no longer exists"),
        ((10, None), "permission", "permission"),
        ((200, None), "permission", "permission"),
        ((4, None), "rate_limited", "Wait"),
        ((368, None), "blocked", "temporarily blocked"),
        ((190, None), "token", "access token"),
    ],
)
def test_meta_refusals_are_said_in_plain_words(store, error, code, words):
    store.graph.post_errors.append(error)
    answer = store.reply("p1_c1", {"text": GOOD})
    assert answer.status_code == 502
    body = answer.json()
    assert body["state"] == "failed" and body["error_code"] == code and words in body["error"]
    with store.runtime.sessions() as session:
        failed = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "reply_failed")).all()
        assert len(failed) == 1 and words in failed[0].message


def test_a_lost_answer_is_unknown_until_the_webhook_brings_the_reply_back(store, runtime):
    from czujka.pipeline import Pipeline

    def lost(*_args, **_kwargs):
        import httpx

        raise httpx.ReadTimeout("timed out")

    class Lossy:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        request = staticmethod(lost)

    runtime.graph_http = Lossy
    answer = store.reply("p1_c1", {"text": GOOD}, key="lost-answer-1")
    assert answer.status_code == 504 and answer.json()["state"] == "unknown"
    assert "Check the thread" in answer.json()["error"]
    # Meta did post it: its webhook copy arrives as the page's own comment with the same words.
    add_comments(
        runtime, [("koszyk-fb", "p1_c1_777", "p1_c1", "p1", "Zielony Koszyk", True, GOOD)], source="meta"
    )
    Pipeline(runtime).score_pending()
    with runtime.sessions() as session:
        reply = session.scalar(select(Reply))
        assert reply.state == "sent" and reply.platform_id == "p1_c1_777"
    again = store.reply("p1_c1", {"text": GOOD}, key="lost-answer-1")
    assert again.json()["state"] == "sent" and again.json()["replayed"]


def test_third_public_answer_in_a_thread_is_flagged(store):
    for text in (GOOD, "Dzień dobry, sprawdziłam: paczka będzie jutro do 12:00. Szczegóły wyślę na priv."):
        assert store.reply("p1_c1", {"text": text}).json()["check"] == []
    with store.api() as api:
        check = api.post("/api/replies/check", json={"text": GOOD, "comment_id": store.ids["p1_c2"]}).json()
    assert check["risky"] and [r["code"] for r in check["reasons"]] == ["third_reply"]
    third = store.reply("p1_c2", {"text": GOOD}).json()
    assert third["check"] == ["third_reply"]


def test_a_flagged_reply_waits_for_a_lead_who_sends_or_rejects_it(tmp_path, db_url):
    from tests.conftest import PROFILES, make_settings
    from tests.factories import runtime_for

    profiles = [dict(PROFILES[0], approval={"leads": ["person:kasia"]}), *PROFILES[1:]]
    kasia = {"id": "kasia", "name": "Kasia", "channels": [f"file://{tmp_path}/kasia.jsonl"]}
    settings = make_settings(tmp_path, db_url, profiles=profiles, people=[kasia])
    with runtime_for(settings) as runtime, shop(runtime) as store:
        risky = store.reply("p1_c1", {"text": "Proszę przeczytać regulamin."})
        assert risky.status_code == 202, risky.text
        body = risky.json()
        assert body["waiting_for_approval"] and set(body["check"]) >= {"argues"}
        assert store.graph.published == []
        with session_scope(runtime.sessions) as session:
            pages = session.scalars(select(Notification).where(Notification.purpose == "approval")).all()
            assert [(p.person_id, p.urgency, p.reply_id) for p in pages] == [("kasia", "low", body["id"])]
        from czujka.notifications.pipeline import deliver_due

        assert deliver_due(runtime.sessions, settings=runtime.settings) == ["sent"]
        page = json.loads((tmp_path / "kasia.jsonl").read_text().splitlines()[0])
        assert "czeka na Twoją akceptację" in page["title"] and f"/replies/{body['id']}" in page["body"]
        assert "regulamin" in page["body"]
        good = store.reply("p1_c2", {"text": GOOD})
        assert good.status_code == 200  # a reply the check passes goes out at once
        with store.api("admin") as api:
            sent = api.post(
                f"/api/replies/{body['id']}/approve",
                json={"text": GOOD, "note": "poprawiłam ton"},
            )
            assert sent.status_code == 200 and sent.json()["state"] == "sent" and sent.json()["text"] == GOOD
            twice = api.post(f"/api/replies/{body['id']}/reject", json={"note": "za późno"})
            assert twice.status_code == 409
        with store.api() as api:
            assert api.post(f"/api/replies/{body['id']}/approve", json={}).status_code == 403
        assert [m["message"] for _, m in store.graph.published] == [GOOD, GOOD]
        # A comment outside any incident: the reply waits, and the lead is still paged.
        lone = add_comments(runtime, [("koszyk-fb", "p9_c1", None, "p9", "Ola", False, "Gdzie paczka?")])
        waiting = store.api().post(f"/api/comments/{lone['p9_c1']}/reply", json={"text": "Sprawdzimy."})
        assert waiting.status_code == 202 and waiting.json()["incident_id"] is None
        assert deliver_due(runtime.sessions, settings=runtime.settings) == ["sent"]
        lone_page = json.loads((tmp_path / "kasia.jsonl").read_text().splitlines()[-1])
        assert f"/replies/{waiting.json()['id']}" in lone_page["body"]
