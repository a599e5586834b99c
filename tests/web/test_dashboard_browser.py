"""End to end in a real headless Chromium (Debian's, driven by Playwright) on a phone and a desktop window:
sign in, see the demo's open incident, acknowledge it, see it on the timeline; a viewer cannot acknowledge.
Screenshots go to ./screenshots (or $CZUJKA_SCREENSHOTS) for a person to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from czujka.config import load_settings
from czujka.demo.paging import demo_oncall
from czujka.demo.run import DEMO_PROFILES
from czujka.runtime import build_runtime
from tests.web.helpers import PASSWORD, dashboard

CHROMIUM = os.environ.get("CZUJKA_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("CZUJKA_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots"))
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CZUJKA_TEST_CHROMIUM)",
        allow_module_level=True,
    )


@pytest.fixture
def board(demo_database, tmp_path):
    shutil.copy(demo_database, tmp_path / "czujka.db")
    settings = load_settings(
        None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'czujka.db'}",
        profiles=DEMO_PROFILES,
        **demo_oncall(tmp_path, "127.0.0.1:9"),
    )
    runtime = build_runtime(settings)
    with dashboard(runtime) as d:
        yield d
    runtime.engine.dispose()


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/")
    assert "/login" in page.url
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj").click()
    try:
        page.locator("header.top, p.error").first.wait_for()
    except Exception:
        shot(page, f"stuck-{username}")
        raise AssertionError(f"stuck at {page.url}: {page.content()[:1500]}") from None
    if page.locator("p.error").count():
        shot(page, f"failed-sign-in-{username}")
        raise AssertionError(f"sign-in failed: {page.locator('p.error').inner_text()}")
    assert page.url == f"{url}/", page.content()[:2000]


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_sign_in_see_acknowledge_follow(board, browser, size):
    context = browser.new_context(viewport=VIEWPORTS[size], locale="pl-PL")
    page = context.new_page()
    sign_in(page, board.url, "ania")
    incidents = page.locator("ul.incidents li.state-triggered a")
    assert incidents.count() >= 1  # the demo week's open incidents
    assert page.get_by_role("heading", name="Na żywo: najnowsze komentarze").is_visible()
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    shot(page, f"{size}-1-now")
    incidents.first.click()
    page.wait_for_url("**/incidents/*")
    assert page.locator("#timeline li").count() >= 1
    shot(page, f"{size}-2-incident")
    page.locator("#acknowledge").click()
    page.wait_for_load_state()
    assert page.locator("#state").inner_text() == "potwierdzony"
    last = page.locator("#timeline li").last.inner_text()
    assert "potwierdzony" in last and "ania" in last and "user:" not in last
    assert page.locator("#acknowledge").count() == 0
    shot(page, f"{size}-3-acknowledged")
    unlabeled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), textarea')]"
        ".filter(e => !document.querySelector(`label[for='${e.id}']`)).length"
    )
    assert unlabeled == 0
    context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_viewer_cannot_acknowledge(board, browser, size):
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, board.url, "gosc")
    with page.expect_response(lambda r: "/fragments/now" in r.url and r.status == 200, timeout=15_000):
        pass  # htmx refreshes the live part of Now by itself, under the strict Content-Security-Policy
    assert not errors, errors
    page.locator("ul.incidents li.state-triggered a").first.click()
    page.wait_for_url("**/incidents/*")
    assert page.locator("#acknowledge").count() == 0
    assert "viewer role" in page.content()  # gosc reads English
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    answer = page.request.post(page.url + "/acknowledge", form={"csrf": token}, max_redirects=0)
    assert answer.status == 403
    page.reload()
    assert page.locator("#state").inner_text() == "triggered"
    shot(page, f"{size}-4-viewer")
    context.close()
