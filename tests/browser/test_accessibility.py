"""axe-core on every kind of page, rendered by a real browser: no WCAG 2.1 A or AA violation."""

import json
import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.browser.support import sign_in  # noqa: E402

B = "/briefings/ctc-2018-10-08"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Every kind of page, by who sees it: (address, the status it answers with).
PAGES = {
    "anonymous": [
        (B, 200),
        (f"{B}/sessions/I", 200),
        (f"{B}/items/I.3", 200),
        (f"{B}/summary#p16", 200),
        ("/login", 200),
        ("/no-such-page", 404),
        ("/account/link/not-a-real-token", 404),
    ],
    "focal_point": [
        ("/account", 200),
        (f"{B}/items/I.3", 200),
    ],
    "admin": [
        ("/admin/users", 200),
        ("/admin/users/invite", 200),
        ("/account", 200),
    ],
}


def axe_violations(page, axe_source: str) -> list[dict]:
    """Run axe-core on the page as it stands, WCAG 2.0 and 2.1 levels A and AA only."""
    # Evaluated through the DevTools protocol, so the page's Content-Security-Policy stays on.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return results["violations"]


def describe(violations: list[dict], where: str) -> str:
    lines = [f"{len(violations)} accessibility rule(s) broken on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation.get('impact')}]: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:3]:
            target = " >> ".join(json.dumps(part) if not isinstance(part, str) else part for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"    at {target}: {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 3:
            lines.append(f"    … and {len(violation['nodes']) - 3} more element(s)")
    return "\n".join(lines)


def assert_accessible(page, axe_source: str) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, describe(violations, page.url)


@pytest.mark.parametrize("who", PAGES)
def test_pages_have_no_wcag_violations(who, page, axe_source, create_user):
    """One browser session per kind of visitor; each page is checked and every failure reported together."""
    if who != "anonymous":
        sign_in(page, create_user(who, "NGA"), keyboard=False)
    failures = []
    for address, status in PAGES[who]:
        response = page.goto(address)
        assert response is not None and response.status == status, f"{address} answered {response and response.status}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        violations = axe_violations(page, axe_source)
        if violations:
            failures.append(describe(violations, address))
    if who == "admin":  # an account's own page, reached from the list
        page.goto("/admin/users")
        with page.expect_navigation():
            page.get_by_role("rowheader").get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
        violations = axe_violations(page, axe_source)
        if violations:
            failures.append(describe(violations, page.url))
    assert not failures, "\n\n".join(failures)


def test_forms_with_errors_and_the_invitation_pages_have_no_wcag_violations(page, axe_source, create_user):
    """The states a person meets after submitting: errors on the fields, the one-time link, the password form."""
    sign_in(page, create_user("admin"), keyboard=False)
    page.goto("/admin/users/invite")
    with page.expect_navigation():
        page.get_by_role("button", name="Invite").click()  # nothing filled in: every field in error
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_label("Email address").fill("chidi.okafor@example.org")
    page.get_by_label("Full name").fill("Chidi Okafor")
    page.get_by_label("Role").select_option(label="Focal point")
    page.get_by_label("Entity").select_option(value="NGA")
    with page.expect_navigation():
        page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invitation link")
    assert_accessible(page, axe_source)

    page.goto(page.get_by_label("Link").input_value())
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Chidi Okafor")
    assert_accessible(page, axe_source)

    page.get_by_label("New password", exact=True).fill("short")
    with page.expect_navigation():
        page.get_by_role("button", name="Set password").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page, axe_source)


def test_a_failed_sign_in_has_no_wcag_violations(page, axe_source):
    page.goto("/login")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password", exact=True).fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    assert_accessible(page, axe_source)


def test_axe_does_find_violations(page, axe_source):
    """The check itself works: a page with a known fault reports it."""
    page.goto("/login")
    page.evaluate("() => { document.querySelector('label[for=email]').remove(); }")
    violations = axe_violations(page, axe_source)
    assert "label" in {violation["id"] for violation in violations}, describe(violations, page.url)


# WCAG 2.1 1.4.10 Reflow, which axe does not check: at 320 CSS pixels wide (1280 at 400% zoom) nothing
# outside a data table may need scrolling sideways. A long first name makes the header's minimum width
# plain, whatever the fonts: with four or more links it fits only if its list wraps.
LONG_NAME = "Maximiliana Oyelaran"


def overflowing(page) -> list[str]:
    """Elements outside tables that stick out past either side of the viewport."""
    return page.evaluate(
        """() => [...document.body.querySelectorAll('*')]
            .filter(e => !e.closest('table, .skip-link'))
            .filter(e => { const box = e.getBoundingClientRect();
                           return box.width > 0 && (box.right > innerWidth + 0.5 || box.left < -0.5); })
            .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ${e.textContent.replace(/\\s+/g, " ").trim().slice(0, 40)}`)"""
    )


@pytest.mark.parametrize(
    "role",
    [None, "focal_point", "secretariat", "admin"],
)
def test_pages_reflow_at_320_css_pixels(role, new_page, create_user, app):
    from sqlalchemy import update

    from tracker.accounts.models import User
    from tracker.extensions import db

    page = new_page(viewport={"width": 320, "height": 640})
    if role:
        email = create_user(role, "NGA")
        with app.app_context():
            db.session.execute(update(User).where(User.email == email).values(name=LONG_NAME))
            db.session.commit()
        sign_in(page, email, keyboard=False)
    problems = []
    for address in (f"{B}/items/I.3", f"{B}/summary", "/login"):
        page.goto(address)
        problems += [f"{address}: {element}" for element in overflowing(page)]
    assert not problems, "content wider than 320px:\n" + "\n".join(problems)
