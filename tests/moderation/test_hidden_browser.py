"""The Monday review queue in Chromium at 360 px and on a desktop, in Polish and English: the demo week's
weekend left its vulgar comments hidden; a person keeps two of them in bulk. Screenshots go to ./screenshots."""

from __future__ import annotations

import re

import pytest

from tests.web.test_dashboard_browser import VIEWPORTS, board, shot, sign_in  # noqa: F401


@pytest.mark.parametrize(("size", "language"), [("phone", "pl"), ("phone", "en"), ("desktop", "pl")])
def test_the_review_queue_on_a_phone_and_a_desktop(board, browser, size, language):  # noqa: F811
    context = browser.new_context(viewport=VIEWPORTS[size], locale="pl-PL")
    page = context.new_page()
    sign_in(page, board.url, "ania")
    assert page.locator("a[href='/hidden']").first.is_visible() or size == "phone"
    page.goto(f"{board.url}/hidden")
    if language == "en":
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/hidden")
    heading = page.locator("h1").inner_text()
    waiting = int(re.search(r"\((\d+)\)", heading)[1])
    assert waiting >= 60  # the demo weekend's vulgar comments
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    shot(page, f"hidden-{size}-{language}-1")
    page.screenshot(path=str(shot.__globals__["SCREENSHOTS"] / f"hidden-{size}-{language}-1-screen.png"))
    boxes = page.locator("input[type=checkbox][name=comment]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#bulk button[value=keep]").click()
    page.wait_for_load_state()
    assert f"({waiting - 2})" in page.locator("h1").inner_text()
    context.close()
