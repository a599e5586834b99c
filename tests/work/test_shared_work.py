"""Several processes sharing the work on one database: claims for scoring, one owner per profile's
detectors, the order they see a profile's stream in, and nothing counted twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from czujka.analysis import service as analysis
from czujka.analysis.models import CommentScore
from czujka.background import PROFILE, Ownership
from czujka.comments.events import Batch, CommentEvent
from czujka.comments.models import CommentQueue
from czujka.comments.service import store
from czujka.detection.models import DetectorState, SeriesBucket
from czujka.detection.service import ready
from czujka.pipeline import Pipeline
from czujka.storage import leases
from czujka.storage.engine import session_scope

T0 = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
LEASE = timedelta(seconds=15)


def add(
    runtime, n: int, *, start: int = 0, profile: str = "koszyk-fb", text: str = "Gdzie moja paczka?"
) -> None:
    events = [
        CommentEvent(
            profile_id=profile,
            platform_id=f"c{i}",
            verb="add",
            occurred_at=T0 + timedelta(minutes=i),
            created_at=T0 + timedelta(minutes=i),
            author_id=f"a{i}",
            message=f"{text} {i}",
        )
        for i in range(start, start + n)
    ]
    store(runtime.sessions, source="test", body=f"{start}-{n}-{text}".encode(), batch=Batch(events))


def edit(runtime, i: int, text: str) -> None:
    event = CommentEvent(
        profile_id="koszyk-fb",
        platform_id=f"c{i}",
        verb="edited",
        occurred_at=T0 + timedelta(hours=1),
        message=text,
    )
    store(runtime.sessions, source="test", body=f"edit-{i}-{text}".encode(), batch=Batch([event]))


def claim(runtime, claimant: str, *, limit: int = 10, now: datetime = T0) -> list[int]:
    with session_scope(runtime.sessions, write=True) as session:
        return analysis.claim(session, claimant=claimant, lease=LEASE, now=now, limit=limit)


def score_and_store(runtime, claimant: str, ids: list[int]) -> list[int]:
    with session_scope(runtime.sessions, write=True) as session:
        rows = analysis.pending(session, ids)
        scores = analysis.score(runtime.analyzer, runtime.settings, rows)
        return analysis.store(session, claimant=claimant, rows=rows, scores=scores, now=T0)


def counted(runtime) -> int:
    with session_scope(runtime.sessions) as session:
        return session.scalar(select(func.sum(SeriesBucket.total))) or 0


def test_two_claimants_never_hold_the_same_comment_and_a_taken_over_claim_writes_nothing(runtime):
    add(runtime, 12)
    first, second = claim(runtime, "a", limit=8), claim(runtime, "b", limit=8)
    assert len(first) == 8 and len(second) == 4 and not set(first) & set(second)
    assert claim(runtime, "c") == []  # everything is held
    # "a" stalls past its lease: "c" takes its comments over, and "a"'s late scores are not written
    late = T0 + LEASE + timedelta(seconds=1)
    taken = claim(runtime, "c", limit=8, now=late)  # oldest first: the ones "a" held
    assert sorted(taken) == sorted(first)
    assert score_and_store(runtime, "a", first) == []
    assert sorted(score_and_store(runtime, "c", taken)) == sorted(first)
    with session_scope(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(CommentScore)) == 8


def test_an_edit_voids_the_claim_on_the_old_text(runtime):
    add(runtime, 1)
    held = claim(runtime, "a")
    edit(runtime, 0, "Kurwa, gdzie jest moja paczka?!")
    assert score_and_store(runtime, "a", held) == []  # scored the old text: thrown away
    again = claim(runtime, "b")
    assert again == held
    score_and_store(runtime, "b", again)
    with session_scope(runtime.sessions) as session:
        assert session.get(CommentScore, held[0]).vulgar


def test_detection_waits_for_an_earlier_comment_of_the_profile_still_being_scored(runtime):
    add(runtime, 3)
    ids = claim(runtime, "a", limit=1) + claim(runtime, "b", limit=2)
    score_and_store(runtime, "b", ids[1:])  # the two later ones are scored first
    with session_scope(runtime.sessions, write=True) as session:
        assert ready(session, profile_ids=["koszyk-fb"], limit=10) == []
    score_and_store(runtime, "a", ids[:1])
    with session_scope(runtime.sessions, write=True) as session:
        assert [i for i, _ in ready(session, profile_ids=["koszyk-fb"], limit=10)] == sorted(ids)


def test_leases_have_one_holder_and_a_fence_that_grows_at_each_take_over(runtime):
    name = PROFILE + "koszyk-fb"
    with session_scope(runtime.sessions, write=True) as session:
        fence = leases.take(session, name=name, holder="w1", ttl=LEASE, now=T0)
        assert fence == 1
        assert leases.take(session, name=name, holder="w2", ttl=LEASE, now=T0 + timedelta(seconds=5)) is None
    later = T0 + LEASE + timedelta(seconds=1)
    with session_scope(runtime.sessions, write=True) as session:
        assert leases.take(session, name=name, holder="w2", ttl=LEASE, now=later) == 2
        # w1 comes back from a stall: its fence is gone, it renews nothing and must write nothing
        assert leases.renew(session, held={name: 1}, holder="w1", ttl=LEASE, now=later) == {}
        assert leases.renew(session, held={name: 2}, holder="w2", ttl=LEASE, now=later) == {name: 2}
        leases.release(session, names=[name], holder="w2")
        assert leases.take(session, name=name, holder="w1", ttl=LEASE, now=later) == 3  # at once, no wait


def test_workers_share_the_profiles_fairly_and_a_leaving_worker_hands_them_over(runtime):
    profiles = [f"p{i}" for i in range(5)]
    one, two = Ownership(runtime.sessions, LEASE), Ownership(runtime.sessions, LEASE)
    now = datetime.now(UTC)
    one.round(profiles, now)
    assert set(one.held) == set(profiles)  # alone: every profile
    two.round(profiles, now)  # a newcomer: the first has not made room yet
    one.round(profiles, now)  # … now it gives back what is over its share (3 of 5)
    two.round(profiles, now)
    assert len(one.held) == 3 and len(two.held) == 2 and not set(one.held) & set(two.held)
    one.leave(now)
    gained, _ = two.round(profiles, now)
    assert set(two.held) == set(profiles) and len(gained) == 3


def test_a_scoring_only_worker_owns_no_profile(runtime):
    scorer = Ownership(runtime.sessions, LEASE, roles=["score"])
    assert scorer.round(["koszyk-fb"], datetime.now(UTC)) == (set(), set())
    assert scorer.held == {}


def test_every_comment_is_counted_once_through_edits_and_a_rescore(runtime):
    pipeline = Pipeline(runtime)
    add(runtime, 20)
    assert pipeline.score_pending() == 20
    assert counted(runtime) == 20
    edit(runtime, 3, "Zmieniam zdanie: ch#j nie sklep")
    assert pipeline.score_pending() == 1
    assert counted(runtime) == 20  # the edit is scored again and rechecked, not counted again
    assert pipeline.rescore() == 20
    assert counted(runtime) == 20
    with session_scope(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(CommentQueue)) == 0
        assert session.get(CommentScore, 4).vulgar  # the edited text's score


def test_detector_state_is_written_with_the_batch_that_moved_it(runtime):
    pipeline = Pipeline(runtime)
    add(runtime, 5)
    pipeline.score_pending()
    with session_scope(runtime.sessions) as session:
        keys = set(session.scalars(select(DetectorState.key)))
    assert {"koszyk-fb:surges", "koszyk-fb:coordinated", "koszyk-fb:reach"} <= keys
    # a new process restores from it and carries on as the first would have
    second = Pipeline(runtime)
    add(runtime, 5, start=5)
    assert second.score_pending() == 5
    with session_scope(runtime.sessions) as session:
        surges = session.get(DetectorState, "koszyk-fb:surges").state
    assert surges["open"] is not None and counted(runtime) == 10
    with session_scope(runtime.sessions) as session:  # no bucket closed yet: no baselines to save
        assert session.get(DetectorState, "koszyk-fb:baseline") is None
    add(runtime, 1, start=30)  # half an hour later: the buckets before close, the baselines learn
    assert Pipeline(runtime).score_pending() == 1
    with session_scope(runtime.sessions) as session:
        baseline = session.get(DetectorState, "koszyk-fb:baseline").state
    assert baseline["counts"]["volume_surge"]["seen"] >= 1


def test_a_failed_detection_batch_writes_nothing_and_forgets_what_it_fed(runtime, monkeypatch):
    pipeline = Pipeline(runtime)
    add(runtime, 4)
    while pipeline.score_batch():
        pass
    pipeline.own()
    import czujka.pipeline as module

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-batch")

    monkeypatch.setattr(module, "detected", broken)
    with contextlib.suppress(RuntimeError):
        pipeline.detect_batch()
    assert counted(runtime) == 0
    assert not any(k.startswith("koszyk-fb:") for k in pipeline.detectors.live)  # restored from the database
    monkeypatch.undo()
    assert pipeline.detect_batch() == 4
    assert counted(runtime) == 4
    pipeline.ownership.leave(datetime.now(UTC))
