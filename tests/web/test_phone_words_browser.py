"""The person on duty at 11 p.m., on a 360×740 phone, in Polish and in English: Now, an incident, its
post-crisis report with the review written on the phone, the weekly digest, the figures, the charts and the
on-call week. Each page fails on sideways overflow, on a raw identifier (`person:`, `schedule:`, `user:`,
`json://` …), on text smaller than 12 px, and on a message left in the other language."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from czujka.words import DOMAIN, LOCALE_DIR
from tests.web.test_dashboard_browser import VIEWPORTS, board, shot, sign_in  # noqa: F401

RAW = re.compile(
    r"\b(person|schedule|user|role|detector|rule|token|cli):[a-z0-9_-]|\b(?!https?://)[a-z][a-z0-9+.-]*://"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfg]|%%")

# Every visible text, with its rendered size: SVG text is measured on screen (a viewBox may shrink it).
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || el.closest('script, style, title, template, [hidden], details:not([open]) > :not(summary)')) continue;
    const rects = el.getClientRects();
    if (!rects.length || getComputedStyle(el).visibility === 'hidden') continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) size *= el.getScreenCTM().a;
    const content = !!el.closest('.comment .text, .comment .author, .reasons, .steps, .avoid');
    out.push({text, size, tag: el.tagName, content});
  }
  return out;
}"""


def _fragments(message: str) -> list[str]:
    """The literal runs of a message long enough to recognise it in a page (placeholders cut out)."""
    return [f.strip() for f in PLACEHOLDER.split(message) if len(f.strip()) >= 14 and " " in f.strip()]


@pytest.fixture(scope="module")
def catalog() -> list[tuple[str, str]]:
    with (LOCALE_DIR / "pl" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        po = read_po(f, locale="pl")
    pairs = []
    for m in po:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        pairs += [(i, s) for i in ids for s in strings if s and i != s]
    return pairs


def _untranslated(texts: list[str], language: str, catalog: list[tuple[str, str]]) -> list[str]:
    """Messages of the other language found in the page: English ids on a Polish page, Polish on English."""
    page = "\n".join(texts)
    found = []
    for msgid, msgstr in catalog:
        source, target = (msgid, msgstr) if language == "pl" else (msgstr, msgid)
        for fragment in _fragments(source):
            if fragment in page and fragment not in target:
                found.append(fragment)
    words = set(texts)  # a whole label left untranslated ("Acknowledge", "Timeline")
    if language == "pl":
        found += [m for m, s in catalog if m in words and len(m) >= 4 and m[0].isupper() and m != s]
    return sorted(set(found))


def check(page, name: str, language: str, catalog) -> None:
    shot(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"], f"{name}: {width} px wide, wider than the phone"
    texts = page.evaluate(VISIBLE_TEXT)
    assert len(texts) > 10, f"{name}: the page shows almost nothing"
    small = sorted({f"{t['text'][:40]!r} ({t['size']:.1f} px, {t['tag']})" for t in texts if t["size"] < 12})
    assert not small, f"{name}: text smaller than 12 px: {small[:10]}"
    raw = sorted({t["text"][:80] for t in texts if RAW.search(t["text"])})
    assert not raw, f"{name}: raw identifiers: {raw[:10]}"
    ours = [t["text"] for t in texts if not t["content"]]
    left = _untranslated(ours, language, catalog)
    assert not left, f"{name}: messages in the wrong language: {left[:10]}"


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_night_shift_on_a_phone(board, browser, catalog, language):  # noqa: F811
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="pl-PL" if language == "pl" else "en-GB"
    )
    page = context.new_page()
    sign_in(page, board.url, "ania")
    if language == "en":
        page.goto(f"{board.url}/language/en?next=/")
        assert page.locator("html").get_attribute("lang") == "en"
    check(page, f"words-{language}-1-now", language, catalog)

    page.locator("ul.incidents li.state-triggered a").first.click()
    page.wait_for_url("**/incidents/*")
    order = page.evaluate(
        "[...document.querySelectorAll('#worst-h, #status, section.actions, #experts-h, #evidence-h, #timeline-h')]"
        ".map(e => e.id || e.className)"
    )
    assert order == ["worst-h", "status", "actions", "experts-h", "evidence-h", "timeline-h"], order
    assert page.locator("#status").inner_text().strip()
    assert page.locator("#permalink").get_attribute("href").startswith("https://www.facebook.com/")
    check(page, f"words-{language}-2-incident", language, catalog)

    # resolving asks who signs it off and why, and the page then says so
    page.locator("#resolve-box summary").click()
    page.locator("#why").fill("Kurier potwierdził dostawy; klienci dostali odpowiedzi.")
    page.locator("#resolve").click()
    page.wait_for_load_state()
    status = page.locator("#status").inner_text()
    assert "Anna Nowak" in status and "Kurier potwierdził" in status, status
    check(page, f"words-{language}-3-resolved", language, catalog)

    # the post-crisis report of what was just resolved, and the team's review written on the phone
    page.locator("#report-link").click()
    page.wait_for_url("**/report")
    assert page.locator("#fig-time_to_resolve_seconds strong").inner_text().strip() not in ("", "—")
    assert page.locator("svg.report-plot rect.bar").count() > 24
    check(page, f"words-{language}-7-report", language, catalog)
    page.locator("#rv-went_well").fill("Reguła ukryła wulgaryzmy od razu.")
    page.locator("#review-form button").click()
    page.wait_for_url("**/report#review")
    page.locator("#ai-text").fill("Drugi kurier na weekendy")
    page.locator("#ai-owner").fill("kasia")
    page.locator("#ai-due").fill("2026-12-18")
    page.locator("#action-form button").click()
    page.wait_for_url("**/report#review")
    assert "Katarzyna" in page.locator("#action-items").inner_text()
    check(page, f"words-{language}-8-report-review", language, catalog)
    page.goto(f"{board.url}/digest")
    assert page.locator("table.digest-incidents tbody tr").count() >= 4
    check(page, f"words-{language}-9-digest", language, catalog)
    page.goto(f"{board.url}/figures")
    check(page, f"words-{language}-10-figures", language, catalog)

    page.goto(f"{board.url}/charts")
    assert page.locator("p.filter a[aria-current=page]").get_attribute("href") == "/charts?range=incident"
    assert page.locator("line.inc").count() >= 1  # the default view shows the demo's crisis
    check(page, f"words-{language}-4-charts", language, catalog)
    page.locator("section.chart details summary").first.click()
    check(page, f"words-{language}-5-chart-table", language, catalog)

    page.goto(f"{board.url}/oncall")
    check(page, f"words-{language}-6-oncall", language, catalog)
    context.close()


def test_the_checks_catch_what_they_are_for(catalog):
    """The goal's checks on text a page might show: each bad case is caught, the good ones pass."""
    assert RAW.search("paged kasia via json://127.0.0.1:9/kasia") and RAW.search("person:kasia")
    assert RAW.search("schedule:duty") and RAW.search("user:ania")
    assert not RAW.search("Anna Nowak (dyżur: grafik sklepu) · https://www.facebook.com/1_2 · 07:11")
    assert _untranslated(["Oś czasu", "Potwierdź"], "pl", catalog) == []
    assert _untranslated(["Timeline", "Potwierdź"], "pl", catalog) == ["Timeline"]
    assert _untranslated(["escalation policy: a staff member is arguing with a customer"], "pl", catalog)
    assert _untranslated(["ktoś z obsługi kłóci się z klientem"], "en", catalog)
    assert _untranslated(["a staff member is arguing with a customer"], "en", catalog) == []
