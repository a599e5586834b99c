"""Graph API polling against a fake Graph API served on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from czujka.comments.models import Comment, Post
from czujka.sources.models import PollState
from czujka.sources.service import poll_once
from czujka.web.server import start_in_thread
from tests.sources.fake_graph import GraphState, build_fake_graph, graph_time, usage

PAGE = "1122334455"
IG = "17841400000000"
NOW = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)


@pytest.fixture
def graph():
    state = GraphState()
    server = start_in_thread(build_fake_graph(state))
    yield state, server.url
    server.stop()


@pytest.fixture
def polled(runtime, graph):
    state, url = graph
    runtime.settings.graph_base_url = url
    naps: list[float] = []

    def run(profile_id: str = "koszyk-fb", now: datetime = NOW):
        with httpx.Client(timeout=10) as http:
            return poll_once(
                runtime.sessions,
                runtime.settings,
                runtime.settings.profile(profile_id),
                http=http,
                now=now,
                sleep=naps.append,
            )

    return state, run, naps


def fb_comments(post: str, n: int, start: datetime, author: str = "900") -> list[dict]:
    """n comments a minute apart, newest first as `order=reverse_chronological` gives them."""
    items = [
        {
            "id": f"{post}_{i}",
            "message": f"komentarz {i}",
            "from": {"id": author, "name": f"Osoba {i}"},
            "created_time": graph_time(start + timedelta(minutes=i)),
        }
        for i in range(n)
    ]
    return list(reversed(items))


def count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(Comment.id)))


def test_posts_and_comments_with_paging(runtime, polled):
    state, run, _ = polled
    state.posts[PAGE] = [
        {"id": f"{PAGE}_2", "message": "Promocja!", "created_time": graph_time(NOW - timedelta(days=1))},
        {"id": f"{PAGE}_1", "message": "Nowość", "created_time": graph_time(NOW - timedelta(days=2))},
        {"id": f"{PAGE}_0", "message": "Stary", "created_time": graph_time(NOW - timedelta(days=30))},
    ]
    state.comments[f"{PAGE}_2"] = fb_comments(f"{PAGE}_2", 250, NOW - timedelta(hours=10))
    state.comments[f"{PAGE}_1"] = [
        {
            "id": "r1",
            "message": "Odpowiedź sklepu",
            "from": {"id": PAGE, "name": "Sklep"},
            "created_time": graph_time(NOW - timedelta(hours=1)),
            "parent": {"id": "q1"},
        },
        {
            "id": "q1",
            "message": "Pytanie",
            "from": {"id": "7", "name": "Ala"},
            "is_hidden": True,
            "created_time": graph_time(NOW - timedelta(hours=2)),
        },
    ]
    outcome = run()
    assert outcome.error is None
    assert outcome.stored == 252 + 2  # comments + posts within the look-back window
    assert count(runtime) == 252
    comment_calls = [q for path, q in state.requests if path == f"{PAGE}_2/comments"]
    assert len(comment_calls) == 3  # 100 + 100 + 50, following paging.next
    assert comment_calls[0]["filter"] == "stream" and comment_calls[0]["order"] == "reverse_chronological"
    with runtime.sessions() as session:
        reply = session.scalar(select(Comment).where(Comment.platform_id == "r1"))
        question = session.scalar(select(Comment).where(Comment.platform_id == "q1"))
        assert session.scalar(select(func.count(Post.id))) == 2
    assert reply.parent_id == question.id and reply.author_is_staff
    assert question.hidden_at is not None
    # A second poll an hour later reads only the newest page of each post and stores nothing twice.
    state.requests.clear()
    assert run(now=NOW + timedelta(hours=1)).stored == 0
    assert len([p for p, _ in state.requests if p == f"{PAGE}_2/comments"]) == 1
    assert count(runtime) == 252


def test_edits_seen_by_a_poll_are_kept_as_history(runtime, polled):
    state, run, _ = polled
    state.posts[PAGE] = [
        {"id": f"{PAGE}_1", "message": "x", "created_time": graph_time(NOW - timedelta(hours=3))}
    ]
    state.comments[f"{PAGE}_1"] = fb_comments(f"{PAGE}_1", 1, NOW - timedelta(hours=2))
    run()
    state.comments[f"{PAGE}_1"][0]["message"] = "poprawiony"
    assert run(now=NOW + timedelta(minutes=5)).changed == 1
    with runtime.sessions() as session:
        assert session.scalar(select(Comment.message)) == "poprawiony"


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_throttling_codes_back_off_then_succeed(runtime, polled, code):
    state, run, naps = polled
    state.posts[PAGE] = [
        {"id": f"{PAGE}_1", "message": "x", "created_time": graph_time(NOW - timedelta(hours=3))}
    ]
    state.comments[f"{PAGE}_1"] = fb_comments(f"{PAGE}_1", 3, NOW - timedelta(hours=2))
    state.errors = [(code, {}), (code, {})]
    outcome = run()
    assert outcome.error is None and count(runtime) == 3
    assert naps == [30.0, 60.0]  # exponential back-off


def test_regain_access_header_sets_the_pause(runtime, polled):
    state, run, naps = polled
    state.posts[PAGE] = []
    state.errors = [(32, usage(100, regain_minutes=7))]
    assert run().error is None
    assert naps == [420.0]


def test_high_usage_slows_down_before_meta_throttles(runtime, polled):
    state, run, naps = polled
    state.posts[PAGE] = [
        {"id": f"{PAGE}_1", "message": "x", "created_time": graph_time(NOW - timedelta(hours=3))}
    ]
    state.usage_headers = usage(95)
    assert run().error is None
    assert naps and all(n >= 30 for n in naps)


def test_throttled_for_good_is_reported(runtime, polled):
    state, run, _ = polled
    state.errors = [(17, {})] * 10
    outcome = run()
    assert outcome.error_kind == "rate_limited"


def test_expired_token_is_a_clear_alert_worthy_error(runtime, polled, server):
    state, run, naps = polled
    state.tokens.clear()
    outcome = run()
    assert outcome.error_kind == "token_expired"
    assert "code 190" in outcome.error and "fb-token" not in outcome.error
    assert naps == []  # no retries on an expired token
    with runtime.sessions() as session:
        poll_state = session.get(PollState, "koszyk-fb")
    assert poll_state.error_kind == "token_expired" and poll_state.watermark is None
    health = httpx.get(f"{server.url}/api/health").json()
    assert health["status"] == "degraded" and "poll koszyk-fb: token_expired" in health["problems"]


def test_instagram_media_comments_and_replies(runtime, polled):
    state, run, _ = polled
    state.posts[IG] = [
        {"id": "m1", "caption": "Jesienna kolekcja", "timestamp": graph_time(NOW - timedelta(days=1))}
    ]
    reply = {
        "id": "c2",
        "text": "Dziękujemy!",
        "username": "zielonykoszyk",
        "from": {"id": "99", "username": "zielonykoszyk"},
        "timestamp": graph_time(NOW - timedelta(hours=1)),
    }
    state.comments["m1"] = [
        {
            "id": "c1",
            "text": "Piękne!",
            "username": "ola",
            "from": {"id": "5", "username": "ola"},
            "timestamp": graph_time(NOW - timedelta(hours=2)),
            "replies": {"data": [reply]},
        },
    ]
    outcome = run("koszyk-ig")
    assert outcome.error is None and outcome.stored == 3
    with runtime.sessions() as session:
        c1 = session.scalar(select(Comment).where(Comment.platform_id == "c1"))
        c2 = session.scalar(select(Comment).where(Comment.platform_id == "c2"))
    assert c2.parent_id == c1.id and c2.author_is_staff and c1.author_name == "ola"
