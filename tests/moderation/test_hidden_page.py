"""The dashboard's review queue: listed with rule and reason, filtered, decided one at a time or in bulk,
counted on the Now page; a viewer cannot see it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from czujka.moderation import service
from czujka.moderation.models import ModerationAction
from czujka.pipeline import Pipeline
from tests.conftest import PROFILES, make_settings
from tests.factories import runtime_for
from tests.moderation.test_moderation import ROWS
from tests.playbooks.helpers import add_comments, shop
from tests.web.helpers import csrf_of, dashboard


@pytest.fixture
def board(tmp_path, db_url):
    rules = [{"id": "vulgar", "when": "always", "vulgar": True}]
    settings = make_settings(tmp_path, db_url, profiles=PROFILES, moderation_rules=rules)
    with runtime_for(settings) as runtime, shop(runtime) as store:
        ids = add_comments(runtime, ROWS)
        Pipeline(runtime).score_pending()
        with httpx.Client(timeout=10) as http:
            service.run_due(runtime.sessions, settings=runtime.settings, http=http)
        with dashboard(runtime) as d:
            d.store, d.ids = store, ids
            yield d


def test_the_queue_lists_filters_and_decides(board):
    client, _ = board.sign_in("ania")
    assert "Ukryte do przeglądu: 2" in client.get("/fragments/now").text
    page = client.get("/hidden")
    assert page.status_code == 200 and "Ukryte komentarze do przeglądu (2)" in page.text
    assert "reguła vulgar" in page.text and "chujów" in page.text
    assert "(1)" in client.get("/hidden", params={"profile": "koszyk-ig"}).text
    one = client.post(
        "/hidden/review",
        data={"csrf": csrf_of(page), "comment": board.ids["ig_v1"], "decision": "unhide", "back": "/hidden"},
    )
    assert one.status_code == 303
    assert ("ig_v1", {"hide": "false"}) in board.store.graph.published
    bulk = client.post(
        "/hidden/review", data={"csrf": csrf_of(page), "comment": [board.ids["p1_v1"]], "decision": "keep"}
    )
    assert bulk.status_code == 303
    assert "Nic nie czeka na przegląd" in client.get("/hidden").text
    with board.runtime.sessions() as session:
        reviews = session.scalars(
            select(ModerationAction.review).where(ModerationAction.source == "rule:vulgar")
        ).all()
    assert sorted(reviews) == ["kept", "unhidden"]


def test_a_viewer_cannot_open_the_queue(board):
    client, _ = board.sign_in("gosc")
    assert client.get("/hidden").status_code == 403
    assert "/hidden" not in client.get("/").text


def test_a_responder_hides_a_comment_from_the_incident_page_and_sees_its_trail(board):
    client, _ = board.sign_in("ania")
    incident = f"/incidents/{board.store.incident_id}"
    page = client.get(incident)
    assert f'action="/comments/{board.ids["p1_c2"]}/moderate"' in page.text
    done = client.post(
        f"/comments/{board.ids['p1_c2']}/moderate",
        data={"csrf": csrf_of(page), "verb": "hide", "back": incident},
    )
    assert done.status_code == 303 and done.headers["location"] == incident
    assert ("p1_c2", {"is_hidden": "true"}) in board.store.graph.published
    after = client.get(incident).text
    assert "ukryty · ania ·" in after and "zrobione" in after and "user:" not in after
    assert "komentarz (autor: Jan Kowal) jest ukryty na platformie" in after  # the timeline, in plain words
    viewer, _ = board.sign_in("gosc")
    assert (
        viewer.post(
            f"/comments/{board.ids['p1_c2']}/moderate",
            data={"csrf": csrf_of(viewer.get(incident)), "verb": "unhide"},
        ).status_code
        == 403
    )
