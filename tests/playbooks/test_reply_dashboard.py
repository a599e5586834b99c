"""The dashboard's side of replying, with a signed-in browser-like client: the playbook on the incident
page, a reply sent from the reply page, the check fragment, the staff replies that made a quarrel worse, and
a lead who edits and sends a waiting reply."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from czujka.auth.users import add_user
from czujka.playbooks.models import Reply
from czujka.storage.engine import session_scope
from tests.conftest import PROFILES, make_settings
from tests.factories import runtime_for
from tests.playbooks.helpers import add_comments, shop
from tests.web.helpers import PASSWORD, csrf_of, dashboard

GOOD = "Dzień dobry Marto, przepraszamy za opóźnienie. Napiszę do Pani na priv dziś do 18:00."
KEY = re.compile(r'name="key" value="([^"]+)"')


@pytest.fixture
def desk(tmp_path, db_url):
    profiles = [dict(PROFILES[0], approval={"roles": ["trainee"], "leads": ["person:kasia"]}), *PROFILES[1:]]
    people = [
        {
            "id": "ania",
            "name": "Anna Nowak",
            "roles": ["trainee"],
            "channels": [f"file://{tmp_path}/ania.jsonl"],
        },
        {"id": "kasia", "name": "Kasia Lis", "channels": [f"file://{tmp_path}/kasia.jsonl"]},
        {
            "id": "marek",
            "name": "Marek",
            "expert_in": ["delivery"],
            "phone": "+48 600 000 302",
            "channels": [],
        },
    ]
    settings = make_settings(tmp_path, db_url, profiles=profiles, people=people)
    with runtime_for(settings) as runtime, shop(runtime) as store:
        add_comments(
            runtime,
            [
                (
                    "koszyk-fb",
                    "p1_s1",
                    "p1_c1",
                    "p1",
                    "Zielony Koszyk",
                    True,
                    "Proszę nie kłamać, paczka była u Pani wczoraj.",
                )
            ],
            source="meta",
        )
        with dashboard(runtime) as board:
            board.store = store
            yield board


def signed_in(board, username: str):
    client, answer = board.sign_in(username)
    assert answer.status_code == 303, answer.text
    return client


def test_the_incident_page_shows_the_playbook_the_experts_and_what_made_the_quarrel_worse(desk):
    client = signed_in(desk, "ania")
    page = client.get(f"/incidents/{desk.store.incident_id}")
    assert page.status_code == 200
    assert 'id="playbook"' in page.text and "Kłótnia w wątku" in page.text and "Co robić" in page.text
    assert "Odpowiedzi obsługi, które zaogniły spór" in page.text
    assert "Proszę nie kłamać" in page.text and "spiera się z klientem" in page.text
    assert f"/incidents/{desk.store.incident_id}/reply/{desk.store.ids['p1_c1']}" in page.text


def test_a_reply_from_the_reply_page_waits_for_the_lead_who_edits_and_sends_it(desk):
    store = desk.store
    ania = signed_in(desk, "ania")
    form = ania.get(f"/incidents/{store.incident_id}/reply/{store.ids['p1_c2']}?template=calm-down-private")
    assert form.status_code == 200 and "Jan" in form.text  # the template is filled in for Jan Kowal
    check = ania.post(
        "/fragments/reply-check",
        data={"text": "PROSZĘ CZYTAĆ REGULAMIN", "comment_id": store.ids["p1_c2"]},
        headers={"X-CSRF-Token": csrf_of(form)},
    )
    assert 'data-code="shouts"' in check.text and 'data-code="argues"' in check.text
    key = KEY.search(form.text)[1]
    sent = ania.post(
        f"/incidents/{store.incident_id}/reply/{store.ids['p1_c2']}",
        data={"csrf": csrf_of(form), "key": key, "text": GOOD, "template": "calm-down-private"},
    )
    assert sent.status_code == 303 and "reply=" in sent.headers["location"]
    again = ania.post(  # a double tap: the same key, nothing more is sent or queued
        f"/incidents/{store.incident_id}/reply/{store.ids['p1_c2']}",
        data={"csrf": csrf_of(form), "key": key, "text": GOOD},
    )
    assert again.status_code == 303
    with desk.runtime.sessions() as session:
        (reply,) = session.scalars(select(Reply)).all()
        assert reply.state == "pending_approval" and reply.author == "user:ania"  # ania is a trainee
    assert store.graph.published == []
    outcome = ania.get(sent.headers["location"])
    assert "czeka na akceptację" in outcome.text
    assert ania.get(f"/replies/{reply.id}").text.count('action="/replies/') == 0  # not her decision

    with session_scope(desk.runtime.sessions, write=True) as session:
        add_user(session, username="kasia", role="responder", password=PASSWORD, person_id="kasia")
    kasia = signed_in(desk, "kasia")
    assert "Odpowiedzi czekające na akceptację" in kasia.get("/").text
    page = kasia.get(f"/replies/{reply.id}")
    edited = GOOD.replace("Marto", "Janie")
    done = kasia.post(
        f"/replies/{reply.id}/approve", data={"csrf": csrf_of(page), "text": edited, "note": "imię"}
    )
    assert done.status_code == 303
    assert [m["message"] for _, m in store.graph.published] == [edited]
    timeline = kasia.get(f"/incidents/{store.incident_id}").text
    assert "odpowiedź zaakceptowana" in timeline and "odpowiedź wysłana" in timeline


def test_a_meta_refusal_is_shown_on_the_reply_page_with_the_draft_kept(desk):
    store = desk.store
    store.graph.post_errors.append((100, 33))
    admin = signed_in(desk, "admin")
    form = admin.get(f"/incidents/{store.incident_id}/reply/{store.ids['p1_c1']}")
    answer = admin.post(
        f"/incidents/{store.incident_id}/reply/{store.ids['p1_c1']}",
        data={"csrf": csrf_of(form), "key": KEY.search(form.text)[1], "text": GOOD},
    )
    assert answer.status_code == 502
    assert "Tego komentarza już nie ma" in answer.text and GOOD in answer.text


def test_a_viewer_sees_the_playbook_but_cannot_reply(desk):
    viewer = signed_in(desk, "gosc")
    page = viewer.get(f"/incidents/{desk.store.incident_id}")
    assert 'id="playbook"' in page.text and "/reply/" not in page.text
    assert (
        viewer.get(f"/incidents/{desk.store.incident_id}/reply/{desk.store.ids['p1_c1']}").status_code == 403
    )
