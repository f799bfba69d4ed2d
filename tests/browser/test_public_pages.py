"""The public journey of a delegate, in a real browser: briefing, session, item, its source paragraph."""

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.browser.support import press_enter_on, tab_to  # noqa: E402

B = "/briefings/ctc-2018-10-08"
SESSION_I = "Session I: Human trafficking and terrorism"
QUOTE_I3 = (
    "Ensure that victims of sexual violence associated with human trafficking perpetrated by armed or terrorist "
    "groups are recognized as legitimate victims of conflict and/or terrorism and considered to be an integral "
    "part of counter-terrorism strategies"
)


def test_a_delegate_follows_an_item_to_its_words_in_the_summary(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"{B}$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sessions = page.get_by_role("table", name="Actionable items drawn from each session of the briefing")
    expect(sessions.get_by_role("rowheader")).to_have_count(6)

    sessions.get_by_role("link", name=SESSION_I).click()
    expect(page).to_have_url(re.compile(rf"{B}/sessions/I$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(SESSION_I)

    page.get_by_role("link", name=re.compile(r"^I\.3 ")).click()
    expect(page).to_have_url(re.compile(rf"{B}/items/I\.3$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("I.3")

    # The quote is highlighted inside the whole paragraph it comes from, not shown alone.
    source = page.locator("blockquote.source")
    expect(source.locator("p > mark")).to_have_count(1)
    mark_text = " ".join(source.locator("mark").inner_text().split())
    assert mark_text == QUOTE_I3
    paragraph_text = " ".join(source.locator("p").inner_text().split())
    assert len(paragraph_text) > len(mark_text) and QUOTE_I3 in paragraph_text
    expect(page.get_by_role("heading", name="Source: paragraph 16 of the chair’s summary")).to_be_visible()

    page.get_by_role("link", name="See the paragraph in the full summary").click()
    expect(page).to_have_url(re.compile(rf"{B}/summary#p16$"))
    target = page.locator("#p16")
    expect(target).to_be_in_viewport()
    assert page.evaluate("() => document.querySelector(':target')?.id") == "p16"
    expect(target).to_contain_text("16.")
    assert QUOTE_I3 in " ".join(target.inner_text().split())
    # The paragraph links back to the items drawn from it.
    expect(target.get_by_role("link", name="I.3", exact=True)).to_have_attribute("href", f"{B}/items/I.3")


def test_the_skip_link_is_the_first_tab_stop_and_skips_the_header(page):
    page.goto(B)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()  # shown on screen once focused, not left off to the side
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    page.keyboard.press("Tab")
    # The next stop is inside the main content, past the site name and the navigation.
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    expect(page.get_by_role("link", name="Read the chair’s summary")).to_be_focused()


def test_a_keyboard_user_reaches_an_item_and_its_paragraph_without_a_mouse(page):
    page.goto(B)
    press_enter_on(page, page.get_by_role("link", name=SESSION_I))
    expect(page).to_have_url(re.compile(rf"{B}/sessions/I$"))

    # Skip the header, then Tab through the items to I.3.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    item_link = page.get_by_role("link", name=re.compile(r"^I\.3 "))
    tab_to(page, item_link, limit=20)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{B}/items/I\.3$"))

    press_enter_on(page, page.get_by_role("link", name="See the paragraph in the full summary"))
    expect(page).to_have_url(re.compile(rf"{B}/summary#p16$"))
    expect(page.locator("#p16")).to_be_in_viewport()

    # Back on the item by the link under the paragraph, still by keyboard: the next stops follow #p16.
    back = page.locator("#p16").get_by_role("link", name="I.3", exact=True)
    tab_to(page, back, limit=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{B}/items/I\.3$"))
