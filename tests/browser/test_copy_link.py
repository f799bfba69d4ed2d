"""The invitation link's "Copy link" button puts the link on the clipboard; without JavaScript the link stays selectable."""

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.browser.support import sign_in  # noqa: E402


def issue_invitation(page):
    page.goto("/admin/users/invite")
    page.get_by_label("Email address").fill("copy.me@example.org")
    page.get_by_label("Full name").fill("Copy Me")
    page.get_by_label("Role").select_option(label="Auditor")
    with page.expect_navigation():
        page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation link for copy.me@example.org")


def test_copy_link_puts_the_link_on_the_clipboard(new_page, live_server, create_user):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: refused.append(str(error)))
    sign_in(page, create_user("admin"), keyboard=False)
    issue_invitation(page)
    link = page.get_by_label("Link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/account/link/[^/\s]+", link)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="copied")).to_have_text("The link is copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    assert refused == []  # the script ran without errors and nothing was refused by the Content-Security-Policy


def test_without_javascript_the_link_is_selectable_and_no_dead_button_shows(new_page, create_user):
    page = new_page(java_script_enabled=False)
    sign_in(page, create_user("admin"), keyboard=False)
    issue_invitation(page)
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    field = page.get_by_label("Link")
    expect(field).to_have_value(re.compile(r"/account/link/"))
    expect(field).to_be_editable(editable=False)
