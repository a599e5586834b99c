"""The on-call page on a 360 px phone in Chromium, in Polish and English: it fits the screen, and a person
takes a shift with the form. Screenshots go to ./screenshots."""

from __future__ import annotations

import pytest

from tests.web.test_dashboard_browser import SCREENSHOTS, VIEWPORTS, board, sign_in  # noqa: F401


@pytest.mark.parametrize("language", ["pl", "en"])
def test_take_a_shift_on_a_phone(board, browser, language):  # noqa: F811
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="pl-PL")
    page = context.new_page()
    sign_in(page, board.url, "ania")
    page.goto(f"{board.url}/oncall")
    if language == "en":
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/oncall")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    page.screenshot(path=str(SCREENSHOTS / f"oncall-phone-{language}-1-screen.png"))
    page.select_option("#c-person", "marek")
    page.fill("#c-note", "Ania jedzie do lekarza")
    page.locator(".change-form button[type=submit]").click()
    page.wait_for_url("**/oncall?saved=1**")
    item = page.locator(".change-list li").first
    assert "Marek" in item.inner_text() and "Ania jedzie do lekarza" in item.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    page.locator("#changes").screenshot(
        path=str(SCREENSHOTS / f"oncall-phone-{language}-2-changed-screen.png")
    )
    context.close()
