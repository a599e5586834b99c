"""Connecting a Page from the dashboard in Chromium: Facebook Login's whole round trip, with the login dialog
and the Graph API served by the stand-in on 127.0.0.1, at 360 px and on a desktop, in Polish and English.
Screenshots go to ./screenshots."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from czujka.auth.users import add_user
from czujka.pipeline import Pipeline
from czujka.sources import health
from czujka.sources.graph import TokenExpired
from czujka.sources.models import ConnectAttempt, ConnectedProfile
from czujka.storage.engine import session_scope
from tests.sources.fake_graph import APP_ID, serving
from tests.sources.test_connect import PAGE, PAGE2, PAGE_TOKEN, USER, shop_pages
from tests.web.helpers import PASSWORD, dashboard
from tests.web.test_dashboard_browser import SCREENSHOTS, VIEWPORTS, shot, sign_in


@pytest.fixture
def meta_stand_in():
    state = shop_pages()
    with serving(state) as url:
        yield state, url


@pytest.fixture
def connect_board(runtime, meta_stand_in):
    state, url = meta_stand_in
    settings = runtime.settings
    settings.graph_base_url, settings.meta_login_url, settings.meta_app_id = url, url, APP_ID
    with dashboard(runtime) as board:
        settings.public_url = board.url  # Facebook sends the browser back here
        yield board, state


@pytest.mark.parametrize(("size", "language"), [("phone", "pl"), ("desktop", "en")])
def test_connect_a_page_through_facebook_login(connect_board, browser, size, language):
    board, state = connect_board
    context = browser.new_context(viewport=VIEWPORTS[size], locale="pl-PL")
    page = context.new_page()
    sign_in(page, board.url, "admin")
    page.goto(f"{board.url}/connect")
    if language == "en":
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/connect")
    words = {
        "pl": ("Połącz Facebook / Instagram", "Podłącz wybrane"),
        "en": ("Connect Facebook / Instagram", "Connect the chosen ones"),
    }
    connect, chosen = words[language]
    shot(page, f"connect-{size}-{language}-1")
    page.get_by_role("button", name=connect).click()
    # the stand-in's login dialog: the scope asks for what czujka needs, the redirect goes back to czujka
    page.wait_for_selector("#allow")
    dialog = state.meta.dialogs[-1]
    assert dialog["client_id"] == APP_ID and dialog["redirect_uri"] == f"{board.url}/connect/meta/callback"
    assert "pages_manage_engagement" in dialog["scope"] and "instagram_manage_comments" in dialog["scope"]
    page.click("#allow")
    page.wait_for_url("**/connect/meta/pick/**")
    assert page.locator("input[name=page]").count() == 2
    assert page.get_by_text("@podlipa").is_visible()
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    shot(page, f"connect-{size}-{language}-2-pick")
    page.screenshot(path=str(SCREENSHOTS / f"connect-{size}-{language}-2-pick-screen.png"))
    page.uncheck(f"#page-{PAGE2}")
    page.get_by_role("button", name=chosen).click()
    page.wait_for_url("**/connect?done=**")
    assert page.locator("#profile-sklep-pod-lipa-fb").is_visible()
    assert page.locator("#profile-sklep-pod-lipa-ig").is_visible()
    assert page.locator("#profile-drugi-sklep-fb").count() == 0
    shot(page, f"connect-{size}-{language}-3-done")
    page.screenshot(path=str(SCREENSHOTS / f"connect-{size}-{language}-3-done-screen.png"))
    assert state.meta.subscribed == {PAGE: ["feed"]}
    runtime = board.runtime
    with session_scope(runtime.sessions) as session:
        assert sorted(session.scalars(select(ConnectedProfile.id))) == [
            "sklep-pod-lipa-fb",
            "sklep-pod-lipa-ig",
        ]
        assert session.scalar(select(func.count()).select_from(ConnectAttempt)) == 0  # the user token is gone
    assert runtime.settings.profile("sklep-pod-lipa-fb") is not None  # watched at once, without a restart
    # the page is no token's hiding place
    html = page.content()
    assert PAGE_TOKEN not in html and USER not in html
    # the Page's manager changes her password: the next poll is refused, and the Now page says czujka is blind
    with session_scope(runtime.sessions, write=True) as session:
        health.polled(
            session, "sklep-pod-lipa-fb", error=TokenExpired("x", code=190, subcode=460), at=datetime.now(UTC)
        )
        health.health_of(session, "sklep-pod-lipa-fb", now=datetime.now(UTC)).token_checked_at = datetime.now(
            UTC
        )
    with httpx.Client(timeout=10) as http:
        Pipeline(runtime).watch_channels(http=http)
    page.goto(f"{board.url}/")
    assert page.locator("section.blind").is_visible()
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    page.screenshot(path=str(SCREENSHOTS / f"connect-{size}-{language}-4-blind-screen.png"))
    context.close()


def test_the_callback_refuses_a_foreign_or_replayed_state(connect_board):
    board, _ = connect_board
    client, _ = board.sign_in("admin")
    start = client.get("/connect")
    csrf = start.text.split('name="csrf" value="')[1].split('"')[0]
    to_dialog = client.post("/connect/meta/start", data={"csrf": csrf})
    assert to_dialog.status_code == 303
    dialog = httpx.get(to_dialog.headers["location"]).text
    back = dialog.split('id="allow" href="')[1].split('"')[0].replace("&amp;", "&")
    path = back.removeprefix(board.url)
    forged = client.get(path.replace("state=", "state=forged"))
    assert forged.status_code == 400 and "Zacznij jeszcze raz" in forged.text
    # another admin's browser cannot finish this login, nor can a viewer
    with session_scope(board.runtime.sessions) as session:
        add_user(session, username="drugi-admin", role="admin", password=PASSWORD)
    other, _ = board.sign_in("drugi-admin")
    assert other.get(path).status_code == 400
    viewer, _ = board.sign_in("gosc")
    assert viewer.get(path).status_code == 403
    first = client.get(path)
    assert first.status_code == 303 and "/connect/meta/pick/" in first.headers["location"]
    assert client.get(path).status_code == 400  # a state is used once
    cancelled = client.post("/connect/meta/start", data={"csrf": csrf})
    deny = httpx.get(cancelled.headers["location"]).text.split('id="deny" href="')[1].split('"')[0]
    answer = client.get(deny.replace("&amp;", "&").removeprefix(board.url))
    assert answer.status_code == 400 and "przerwane" in answer.text


def test_connect_page_says_what_to_set_without_an_app(runtime):
    runtime.settings.meta_app_id = None
    with dashboard(runtime) as board:
        client, _ = board.sign_in("admin")
        text = client.get("/connect").text
        assert "CZUJKA_META_APP_ID" in text and "/connect/meta/callback" in text
        viewer, _ = board.sign_in("gosc")
        assert viewer.get("/connect").status_code == 403
