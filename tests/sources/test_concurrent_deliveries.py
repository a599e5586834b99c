"""Many deliveries at once under one new post, as a viral post brings them: real threads, a real server,
SQLite and PostgreSQL. Every delivery gets a 200, every comment is stored once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from czujka.comments.models import Comment, IngestLog, Post
from czujka.demo.deliveries import delivery, fb_comment_change, signed_headers
from tests.conftest import APP_SECRET

PAGE = "1122334455"
T0 = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)


def body(post: str, comment: str, minute: int = 0) -> bytes:
    change = fb_comment_change(
        page_id=PAGE,
        post_id=f"{PAGE}_{post}",
        comment_id=comment,
        message=f"Gdzie moja paczka? ({comment})",
        at=T0 + timedelta(minutes=minute),
        author_id=f"a-{comment}",
        author_name="Jan",
    )
    return delivery("page", PAGE, [change], T0 + timedelta(minutes=minute))


def at_once(url: str, bodies: list[bytes]) -> list[int]:
    """Send every body from its own thread, released together; the statuses, in order (0: no answer)."""
    barrier = threading.Barrier(len(bodies))
    statuses = [0] * len(bodies)

    def send(i: int) -> None:
        with httpx.Client(timeout=30) as http:
            barrier.wait()
            try:
                statuses[i] = http.post(
                    f"{url}/webhooks/meta", content=bodies[i], headers=signed_headers(bodies[i], APP_SECRET)
                ).status_code
            except httpx.HTTPError:
                statuses[i] = 0

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def counts(runtime) -> tuple[int, int, int]:
    with runtime.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Comment)),
            session.scalar(select(func.count(func.distinct(Comment.platform_id)))),
            session.scalar(select(func.count()).select_from(Post)),
        )


def test_two_deliveries_on_the_same_new_post_both_succeed(server, runtime):
    statuses = []
    for pair in range(20):
        statuses += at_once(server.url, [body(f"p{pair}", f"c{pair}a"), body(f"p{pair}", f"c{pair}b")])
    assert statuses == [200] * 40
    assert counts(runtime) == (40, 40, 20)


def test_the_same_delivery_twice_at_once_is_stored_once(server, runtime):
    statuses = []
    for pair in range(20):
        same = body("p1", f"c{pair}", minute=pair)
        statuses += at_once(server.url, [same, same])
    assert statuses == [200] * 40
    assert counts(runtime) == (20, 20, 1)
    with runtime.sessions() as session:
        duplicates = session.scalar(select(func.count()).where(IngestLog.duplicate_of.is_not(None)))
    assert duplicates == 20  # each second copy is logged as a duplicate of the first, not applied


def test_a_burst_of_eight_clients_on_one_new_post(server, runtime):
    statuses = at_once(server.url, [body("viral", f"v{i}") for i in range(8)] * 2)
    assert statuses == [200] * 16
    assert counts(runtime) == (8, 8, 1)


def poison(comment: str, **value) -> dict:
    change = fb_comment_change(
        page_id=PAGE,
        post_id=f"{PAGE}_poison",
        comment_id=comment,
        message=f"Zwykły komentarz {comment}",
        at=T0,
        author_id=f"a-{comment}",
        author_name="Ola",
    )
    change["value"].update(value)
    return change


def test_poison_items_are_noted_and_the_good_ones_stored(server, runtime):
    """Each of these once took the whole delivery down, on every retry (PostgreSQL refused NUL)."""
    changes = [
        poison("good"),
        poison("surrogate-text", message="x\ud800y"),
        poison("surrogate-name", **{"from": {"id": "a1", "name": "Ol\udc00a"}}),
        poison("x\ud800y"),  # an id nobody can match: skipped
        poison("huge-time", created_time=1e30),
        poison("infinite-time", created_time=float("inf")),
        poison("naive-time", created_time="2026-11-28T20:00:00"),
        poison("nul", message="a\x00b", **{"from": {"id": "a2", "name": "N\x00ULL"}}),
        poison("name-only", **{"from": "Anonim"}),
    ]
    entry = {"id": PAGE, "time": int(T0.timestamp()), "changes": changes}
    body = json.dumps({"object": "page", "entry": [entry]}).encode()  # escaped, as Meta sends it
    assert b"\\ud800" in body and b"Infinity" in body
    answer = httpx.post(f"{server.url}/webhooks/meta", content=body, headers=signed_headers(body, APP_SECRET))
    assert answer.status_code == 200, answer.text
    with runtime.sessions() as session:
        stored = {c.platform_id: c for c in session.scalars(select(Comment))}
        notes = session.scalar(select(IngestLog.notes))
    assert set(stored) == {
        "good",
        "surrogate-text",
        "surrogate-name",
        "huge-time",
        "infinite-time",
        "naive-time",
        "nul",
        "name-only",
    }
    assert stored["surrogate-text"].message == "x\ufffdy" and stored["nul"].message == "ab"
    assert stored["surrogate-name"].author_name == "Ol\ufffda" and stored["nul"].author_name == "NULL"
    assert stored["huge-time"].created_at == stored["good"].created_at  # the time of the change instead
    assert stored["name-only"].author_name == "Anonim" and stored["name-only"].author_id is None
    assert any("cannot be part of an id" in n for n in notes)
    assert any("out of range" in n for n in notes) and any("repaired" in n for n in notes)
    assert any("without a UTC offset" in n for n in notes)
