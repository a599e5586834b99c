"""From a page to a sent reply on a 360-pixel phone in Chromium: open the one-tap link, acknowledge, read the
playbook, pick a template, let the check pass, send — and Meta (a stand-in on 127.0.0.1) gets it once. The
same for a risky draft: the check says why before anything is sent. Screenshots go to ./screenshots."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from czujka.config import load_settings
from czujka.demo.paging import demo_oncall
from czujka.demo.run import DEMO_PROFILES
from czujka.incidents.models import Incident
from czujka.notifications.ack import create_link
from czujka.runtime import build_runtime
from czujka.storage.engine import session_scope
from czujka.web.server import start_in_thread
from tests.sources.fake_graph import GraphState, build_fake_graph
from tests.web.helpers import PASSWORD, dashboard
from tests.web.test_dashboard_browser import SCREENSHOTS, VIEWPORTS, shot

TOKENED = [
    dict(p, access_token="fb-token" if p["platform"] == "facebook" else "ig-token") for p in DEMO_PROFILES
]


@pytest.fixture
def board(demo_database, tmp_path):
    shutil.copy(demo_database, tmp_path / "czujka.db")
    state = GraphState()
    graph = start_in_thread(build_fake_graph(state))
    settings = load_settings(
        None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'czujka.db'}",
        profiles=TOKENED,
        graph_base_url=graph.url,
        **demo_oncall(tmp_path, "127.0.0.1:9"),
    )
    runtime = build_runtime(settings)
    with dashboard(runtime) as d:
        d.graph = state
        yield d
    runtime.engine.dispose()
    graph.stop()


def screen(page, name: str) -> None:
    """What the phone shows without scrolling (the full page is in `shot`'s picture)."""
    shot(page, name)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-screen.png"))


def one_tap_link(board) -> tuple[str, int]:
    with session_scope(board.runtime.sessions, write=True) as session:
        incident = session.scalars(
            select(Incident).where(Incident.state == "triggered", Incident.profile_id == "koszyk-fb")
        ).first()
        token = create_link(
            session, incident_id=incident.id, person_id="ania", now=datetime.now(UTC), hours=1
        )
        return f"{board.url}/ack/{token}", incident.id


@pytest.mark.parametrize("language", ["pl", "en"])
def test_from_the_page_to_a_sent_reply_on_a_phone(board, browser, language):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="pl-PL")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    link, incident_id = one_tap_link(board)
    started = time.monotonic()
    page.goto(link)
    page.locator(".ack button").click()
    page.locator(".ack a").click()  # "Otwórz incydent": sign in first, on this new phone
    page.get_by_label("Nazwa użytkownika").fill("ania")
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj").click()
    page.wait_for_url(f"**/incidents/{incident_id}**")
    if language == "en":
        page.get_by_role("link", name="English").click()
        page.wait_for_url(f"**/incidents/{incident_id}**")
    playbook = page.locator("#playbook")
    assert playbook.locator(".steps li").count() >= 3
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    screen(page, f"reply-{language}-1-playbook")
    page.locator("[data-reply]").first.scroll_into_view_if_needed()
    screen(page, f"reply-{language}-1b-comment")  # a comment with Reply, Hide and Delete under it
    page.locator("[data-reply]").first.click()
    page.wait_for_url("**/reply/**")
    template = page.locator(".templates a").first
    template.click()
    page.wait_for_url("**template=**")
    draft = page.locator("#reply-text")
    assert "{" not in draft.input_value() and len(draft.input_value()) > 40
    page.locator("#check .check.ok").wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    screen(page, f"reply-{language}-2-template-checked")
    # A risky edit is flagged as it is typed, before anything is sent; putting it right clears the flag.
    good = draft.input_value()
    draft.fill("PROSZĘ PRZECZYTAĆ REGULAMIN!!!")
    page.locator("#check .check.risky li[data-code=shouts]").wait_for(timeout=10_000)
    assert page.locator("#check li[data-code=argues]").count() == 1
    screen(page, f"reply-{language}-3-risky")
    draft.fill(good)
    page.locator("#check .check.ok").wait_for(timeout=10_000)
    page.locator("#send-reply").click()
    page.wait_for_url(f"**/incidents/{incident_id}?reply=*")
    elapsed = time.monotonic() - started
    outcome = page.locator("#reply-outcome").inner_text()
    assert outcome in ("Odpowiedź wysłana.", "Reply sent.")
    assert [m["message"] for _, m in board.graph.published] == [good]
    timeline = page.locator("#timeline").inner_text()
    assert "ania" in timeline and "user:ania" not in timeline
    screen(page, f"reply-{language}-4-sent")
    assert not errors, errors
    print(f"page → sent reply in {elapsed:.1f} s of browser time ({language})")
    context.close()
