"""Moderation end to end: webhook delivery → scored → rule → outbox → the stand-in Graph API on 127.0.0.1,
with retries, gone comments, missing permissions, runaway rules, the review queue, manual actions and the
review digest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from czujka.comments.models import Comment
from czujka.incidents.models import Incident
from czujka.moderation import service
from czujka.moderation.models import ModerationAction
from czujka.moderation.review import queue_digests, queue_items
from czujka.notifications.pipeline import deliver_due
from czujka.pipeline import Pipeline
from czujka.storage.engine import session_scope
from tests.conftest import PROFILES, make_settings
from tests.factories import runtime_for
from tests.playbooks.helpers import add_comments, shop

VULGAR = "Jesteście bandą chujów, kurwa mać"
ROWS = [
    ("koszyk-fb", "p1_v1", None, "p1", "Zły Klient", False, VULGAR),
    ("koszyk-fb", "p1_ok", None, "p1", "Miła Klientka", False, "Super truskawki, dziękuję!"),
    ("koszyk-fb", "p1_st", None, "p1", "Zielony Koszyk", True, "Kurwa, ale to był dzień, przepraszamy!"),
    ("koszyk-ig", "ig_v1", None, "m1", "troll", False, "ch*j wam w dupę"),
]


@pytest.fixture
def moderated(tmp_path, db_url):
    def build(rules=None, **extra):
        rules = rules or [{"id": "vulgar", "when": "always", "vulgar": True, "action": "hide"}]
        kasia = {"id": "kasia", "name": "Kasia", "channels": [f"file://{tmp_path}/kasia.jsonl"]}
        profiles = [dict(PROFILES[0], review_leads=["person:kasia"]), *PROFILES[1:]]
        return make_settings(
            tmp_path, db_url, profiles=profiles, people=[kasia], moderation_rules=rules, **extra
        )

    return build


def actions(runtime):
    with runtime.sessions() as session:
        return session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()


def run(runtime):
    with httpx.Client(timeout=10) as http:
        return service.run_due(runtime.sessions, settings=runtime.settings, http=http)


def test_a_vulgar_customer_comment_is_hidden_on_the_platform_and_nothing_else(moderated):
    with runtime_for(moderated()) as runtime, shop(runtime) as store:
        ids = add_comments(runtime, ROWS)
        Pipeline(runtime).score_pending()
        assert sorted(run(runtime)) == ["done", "done"]
        assert sorted(store.graph.published) == [
            ("ig_v1", {"hide": "true"}),
            ("p1_v1", {"is_hidden": "true"}),
        ]
        with runtime.sessions() as session:
            assert session.get(Comment, ids["p1_v1"]).hidden_at is not None
            assert session.get(Comment, ids["p1_st"]).hidden_at is None  # staff: never
            items = queue_items(session)
        assert {i["platform_id"] for i in items} == {"p1_v1", "ig_v1"}
        assert all(i["rule"] == "vulgar" and i["scores"]["vulgar"] for i in items)
        assert run(runtime) == []  # nothing twice


def test_retries_on_throttling_and_gone_comments_are_recorded_as_gone(moderated):
    with runtime_for(moderated()) as runtime, shop(runtime) as store:
        ids = add_comments(runtime, ROWS[:1])
        Pipeline(runtime).score_pending()
        store.graph.post_errors.append((2, None))  # "temporary" error: retried with back-off
        assert run(runtime) == ["retry"]
        with session_scope(runtime.sessions, write=True) as session:
            session.execute(ModerationAction.__table__.update().values(send_after=datetime.now(UTC)))
        assert run(runtime) == ["done"]
        store.graph.gone.add("p1_v1")
        with store.api() as api:
            answer = api.post(f"/api/comments/{ids['p1_v1']}/unhide")
        assert answer.status_code == 200 and answer.json()["state"] == "gone"
        with runtime.sessions() as session:
            assert session.get(Comment, ids["p1_v1"]).deleted_at is not None


def test_a_missing_permission_opens_one_incident_and_shows_on_health(moderated):
    with runtime_for(moderated()) as runtime, shop(runtime) as store:
        add_comments(runtime, ROWS[:1] + ROWS[3:])
        Pipeline(runtime).score_pending()
        store.graph.post_errors += [(200, None), (10, None)]
        assert run(runtime) == ["failed", "failed"]
        with runtime.sessions() as session:
            blocked = session.scalars(select(Incident).where(Incident.kind == "moderation_blocked")).all()
        assert sorted(i.profile_id for i in blocked) == ["koszyk-fb", "koszyk-ig"]
        with store.api() as api:
            health = api.get("/api/health").json()
        assert {b["profile"] for b in health["moderation"]["blocked"]} == {"koszyk-fb", "koszyk-ig"}


def test_a_runaway_rule_stops_and_is_an_incident(moderated):
    rules = [{"id": "vulgar", "when": "always", "vulgar": True, "max_per_hour": 2}]
    with runtime_for(moderated(rules)) as runtime, shop(runtime):
        rows = [("koszyk-fb", f"p1_x{i}", None, "p1", f"Troll {i}", False, f"{VULGAR} {i}") for i in range(4)]
        add_comments(runtime, rows)
        Pipeline(runtime).score_pending()
        assert len(actions(runtime)) == 2
        with runtime.sessions() as session:
            (runaway,) = session.scalars(select(Incident).where(Incident.kind == "moderation_runaway")).all()
            assert runaway.state == "triggered"
        later = [("koszyk-fb", "p1_y", None, "p1", "Troll 9", False, VULGAR + " again")]
        add_comments(runtime, later)
        Pipeline(runtime).score_pending()
        assert len(actions(runtime)) == 2  # stopped until a person resolves the incident


def test_the_review_queue_keeps_unhides_and_deletes_in_bulk_and_lists_what_was_hidden_elsewhere(moderated):
    with runtime_for(moderated()) as runtime, shop(runtime) as store:
        ids = add_comments(runtime, ROWS)
        Pipeline(runtime).score_pending()
        run(runtime)
        # Meta's own filter hides a comment: the webhook's `hide` verb; it waits in the queue too.
        from czujka.comments.events import Batch, CommentEvent
        from czujka.comments.service import ingest

        with session_scope(runtime.sessions, write=True) as session:
            ingest(
                session,
                source="meta",
                body=b"hide",
                batch=Batch([CommentEvent("koszyk-fb", "p1_ok", "hide", datetime.now(UTC))]),
            )
        with store.api() as api:
            queue = api.get("/api/moderation/queue").json()
            assert queue["count"] == 3
            assert {i["source"] for i in queue["items"]} == {"rule:vulgar", "platform"}
            assert all({"comment_id", "platform_id"} <= set(i) for i in queue["items"])
            assert api.get("/api/moderation/queue", params={"rule": "vulgar"}).json()["count"] == 2
            assert store.api("viewer").get("/api/moderation/queue").status_code == 403
            decided = api.post(
                "/api/moderation/review", json={"comment_ids": [ids["p1_ok"]], "decision": "unhide"}
            )
            assert decided.json()["results"] == {str(ids["p1_ok"]): "unhidden"}
            api.post(
                "/api/moderation/review",
                json={"comment_ids": [ids["p1_v1"], ids["ig_v1"]], "decision": "keep"},
            )
            assert api.get("/api/moderation/queue").json()["count"] == 0
            trail = api.get(f"/api/comments/{ids['p1_v1']}/moderation").json()
            assert [(a["verb"], a["source"], a["review"]) for a in trail] == [
                ("hide", "rule:vulgar", "kept"),
                ("keep", "token:responder", "kept"),
            ]
        assert ("p1_ok", {"is_hidden": "false"}) in store.graph.published


def test_manual_hide_and_delete_from_the_api(moderated):
    with (
        runtime_for(moderated([{"id": "links", "when": "always", "links": True}])) as runtime,
        shop(runtime) as store,
    ):
        with store.api() as api:
            hidden = api.post(
                f"/api/comments/{store.ids['p1_c2']}/hide", headers={"Idempotency-Key": "hide-once-1"}
            )
            assert hidden.status_code == 200 and hidden.json()["state"] == "done"
            again = api.post(
                f"/api/comments/{store.ids['p1_c2']}/hide", headers={"Idempotency-Key": "hide-once-1"}
            )
            assert again.json()["id"] == hidden.json()["id"]
            deleted = api.post(f"/api/comments/{store.ids['ig_c1']}/delete")
            assert deleted.json()["state"] == "done"
            assert api.post("/api/comments/999999/hide").status_code == 404
        assert store.api("viewer").post(f"/api/comments/{store.ids['p1_c1']}/hide").status_code == 403
        assert store.graph.published == [("p1_c2", {"is_hidden": "true"}), ("ig_c1/delete", {})]


def test_nobody_on_duty_rules_act_only_when_the_schedules_are_empty(moderated, tmp_path):
    schedules = [
        {
            "id": "duty",
            "layers": [
                {
                    "name": "office",
                    "rotation": ["kasia"],
                    "length": "1w",
                    "start": "2026-11-02 09:00",
                    "windows": ["mon-fri 09:00-17:00"],
                }
            ],
        }
    ]
    rules = [{"id": "weekend", "when": "nobody_on_duty", "vulgar": True}]
    with runtime_for(moderated(rules, schedules=schedules)) as runtime, shop(runtime):
        tuesday = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw: kasia is on duty
        saturday = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
        assert not service.nobody_on_duty(runtime.settings, tuesday)
        assert service.nobody_on_duty(runtime.settings, saturday)


def test_the_review_digest_reaches_the_lead_on_monday_morning(moderated, tmp_path):
    with runtime_for(moderated()) as runtime, shop(runtime):
        add_comments(runtime, ROWS[:1])
        Pipeline(runtime).score_pending()
        run(runtime)
        monday = datetime(2026, 11, 30, 7, 40, tzinfo=UTC)  # 08:40 in Warsaw
        with session_scope(runtime.sessions, write=True) as session:
            assert queue_digests(session, settings=runtime.settings, now=monday - timedelta(days=1)) == 0
            assert queue_digests(session, settings=runtime.settings, now=monday) == 1
            assert queue_digests(session, settings=runtime.settings, now=monday + timedelta(minutes=5)) == 0
        assert deliver_due(runtime.sessions, settings=runtime.settings) == ["sent"]
        page = json.loads((tmp_path / "kasia.jsonl").read_text().splitlines()[0])
        assert "Ukryte komentarze czekają na przegląd" in page["title"] and ": 1" in page["title"]
        assert "/hidden?profile=koszyk-fb" in page["body"]


def test_old_comments_from_an_import_or_a_rescore_are_never_moderated(moderated):
    with runtime_for(moderated()) as runtime, shop(runtime):
        from czujka.comments.events import Batch, CommentEvent
        from czujka.comments.service import ingest

        old = datetime.now(UTC) - timedelta(days=3)
        with session_scope(runtime.sessions, write=True) as session:
            ingest(
                session,
                source="import",
                body=b"old",
                batch=Batch(
                    [CommentEvent("koszyk-fb", "old_v1", "add", old, message=VULGAR, created_at=old)]
                ),
            )
        Pipeline(runtime).score_pending()
        assert actions(runtime) == []
