"""Pages fit the window on a phone (390 CSS pixels) and on a laptop (1280): nothing needs scrolling sideways.

On a phone, tables of records collapse into one labelled block per row; the dashboard's tables of
figures scroll within their own box, the figures the meeting turns on first. At 1280 the
dashboard's tables fit whole, so no column is hidden in a scrolling box.
"""

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.browser.support import sign_in  # noqa: E402
from tests.browser.test_accessibility import assert_accessible  # noqa: E402

B = "/briefings/ctc-2018-10-08"
WIDTHS = [390, 1280]
KEY_COLUMNS = ["Accepted in the round", "Overdue", "Returned, awaiting resubmission"]


@pytest.fixture
def progress(reporting):
    """Updates in every state, so each page has its badges, dates and links."""
    reporting.update("FRA", "I.3")
    reporting.update("FRA", "I.4", "submitted", claimed="partially_implemented")
    reporting.update("FRA", "I.5", "returned")
    reporting.update("FRA", "I.6", "accepted", confidentiality="public", narrative="A national referral mechanism now links police and labour inspectors.")
    reporting.update("NGA", "I.6", "accepted", claimed="implemented", assessed="partially_implemented", confidentiality="public")
    reporting.update("NGA", "III.5", "submitted", claimed="not_applicable")
    return {"own": reporting.assignment("FRA", "I.3")}


def width_of(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def too_wide(page) -> list[str]:
    """What sticks out past the window, outside boxes that scroll on purpose."""
    return page.evaluate(
        """() => [...document.body.querySelectorAll('*')]
            .filter(e => !e.closest('.skip-link, thead') && !e.parentElement.closest('.scroll, .grid-scroll'))
            .filter(e => { const box = e.getBoundingClientRect(); return box.width > 0 && box.right > innerWidth + 0.5; })
            .slice(0, 5)
            .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ${Math.round(e.getBoundingClientRect().width)}px: ${e.textContent.replace(/\\s+/g, " ").trim().slice(0, 50)}`)"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_are_no_wider_than_the_window(width, new_page, create_user, progress):
    pages = {
        None: [f"{B}/items/I.6"],
        "focal_point": ["/worklist", f"/assignments/{progress['own']}", f"{B}/items/I.6"],
        "secretariat": ["/reports/", "/review", f"/assignments/{progress['own']}"],
    }
    problems = []
    for role, addresses in pages.items():
        page = new_page(viewport={"width": width, "height": 800})
        if role:
            sign_in(page, create_user(role, "FRA"), keyboard=False)
        for address in addresses:
            response = page.goto(address)
            assert response is not None and response.status == 200, address
            if width_of(page) > width:
                problems.append(f"{address} as {role or 'anonymous'}: {width_of(page)}px wide; {too_wide(page)}")
        if role == "secretariat":  # an update with its review form
            page.goto("/review")
            with page.expect_navigation():
                page.get_by_role("row").filter(has_text="(NGA)").first.get_by_role("link").click()
            expect(page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
            if width_of(page) > width:
                problems.append(f"{page.url} as secretariat: {width_of(page)}px wide; {too_wide(page)}")
    assert not problems, f"pages wider than {width}px:\n" + "\n".join(problems)


def test_on_a_phone_each_worklist_row_reads_as_labelled_lines(new_page, create_user, progress, axe_source):
    page = new_page(viewport={"width": 390, "height": 800})
    sign_in(page, create_user("focal_point", "FRA"), keyboard=False)
    page.goto("/worklist")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader").filter(has_text="I.5 "))
    action = row.get_by_role("link", name="Continue update")
    action.scroll_into_view_if_needed()
    box = action.bounding_box()
    assert box["x"] + box["width"] <= 390, "the Action column is off the screen"
    label = action.evaluate("link => getComputedStyle(link.closest('td'), '::before').content")
    assert label == '"Action"', f"the cell does not name its column: {label}"
    assert_accessible(page, axe_source)  # the collapsed rows too: WCAG 2.1 A and AA


def test_the_dashboards_key_columns_are_in_view_at_1280(new_page, create_user, progress):
    page = new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, create_user("secretariat"), keyboard=False)
    page.goto("/reports/")
    hidden = page.evaluate(
        """(names) => [...document.querySelectorAll('table.figures')].flatMap(table => {
             const box = table.closest('.scroll').getBoundingClientRect();
             return [...table.querySelectorAll('thead th')]
               .filter(th => names.includes(th.textContent.trim()))
               .filter(th => { const r = th.getBoundingClientRect(); return r.left < box.left - 0.5 || r.right > box.right + 0.5; })
               .map(th => `${table.closest('section').querySelector('h2').textContent}: ${th.textContent.trim()}`); })""",
        [*KEY_COLUMNS, "Last activity"],
    )
    assert not hidden, f"columns hidden in a scrolling box at 1280px: {hidden}"
    assert page.locator("table.figures").count() == 3


def test_on_a_phone_the_dashboards_key_figures_come_first(new_page, create_user, progress):
    page = new_page(viewport={"width": 390, "height": 800})
    sign_in(page, create_user("secretariat"), keyboard=False)
    page.goto("/reports/")
    heads = page.locator("section[aria-labelledby=h-sessions] thead th").all_inner_texts()
    assert [" ".join(h.split()) for h in heads[1:5]] == ["Assignments", *KEY_COLUMNS]
    first = page.locator("section[aria-labelledby=h-sessions] tbody th").first.bounding_box()
    assert first["x"] >= 0 and first["x"] + first["width"] <= 390


@pytest.mark.parametrize("width", WIDTHS)
def test_radio_buttons_sit_beside_their_labels(width, new_page, create_user, progress):
    """The review decision: each radio button just before its label, on the same line."""
    page = new_page(viewport={"width": width, "height": 800})
    sign_in(page, create_user("secretariat"), keyboard=False)
    page.goto("/review")
    with page.expect_navigation():
        page.get_by_role("row").filter(has_text="(FRA)").first.get_by_role("link").click()
    review = page.get_by_role("region", name="Review")
    for name in ("Accept, with the status assessed below", "Return to the entity for changes"):
        radio = review.get_by_role("radio", name=name)
        expect(radio).not_to_be_checked()
        button = radio.bounding_box()
        label = review.locator(f"label[for='{radio.get_attribute('id')}']").bounding_box()
        # From the button's start edge: a button stretched across the form has its circle in the middle.
        gap = label["x"] - button["x"]
        assert button["width"] <= 24 and 0 < gap <= 40, f"{name!r}: the label starts {gap:.0f}px after a {button['width']:.0f}px button"
        assert label["y"] <= button["y"] + button["height"] / 2 <= label["y"] + label["height"], f"{name!r}: not on one line"
