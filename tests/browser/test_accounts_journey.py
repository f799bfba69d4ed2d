"""An administrator invites a focal point; the focal point sets a password and signs in: two browsers."""

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.browser.support import press_enter_on, sign_in, tab_to  # noqa: E402
from tests.helpers import PASSWORD  # noqa: E402

INVITEE = "amina.bello@example.org"
INVITEE_NAME = "Amina Bello"
INVITEE_PASSWORD = "lagoon tractor violet harmonica 1963"


def test_an_invited_focal_point_sets_a_password_and_signs_in(new_page, live_server, create_user):
    admin_email = create_user("admin")
    admin = new_page()

    # The administrator signs in by keyboard and goes to the invitation form the same way.
    sign_in(admin, admin_email)
    press_enter_on(admin, admin.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts"))
    expect(admin).to_have_url(re.compile(r"/admin/users$"))
    press_enter_on(admin, admin.get_by_role("link", name="Invite a person"))
    expect(admin.get_by_role("heading", level=1)).to_have_text("Invite a person")

    tab_to(admin, admin.get_by_label("Email address"))
    admin.keyboard.type(INVITEE)
    admin.keyboard.press("Tab")
    expect(admin.get_by_label("Full name")).to_be_focused()
    admin.keyboard.type(INVITEE_NAME)
    admin.get_by_label("Role").select_option(label="Focal point")
    admin.get_by_label("Entity").select_option(value="NGA")
    tab_to(admin, admin.get_by_role("button", name="Invite"), limit=5)
    with admin.expect_navigation():
        admin.keyboard.press("Enter")

    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Invitation link for {INVITEE}")
    link = admin.get_by_label("Link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/account/link/[^/\s]+", link), link

    # The focal point, in a browser of their own, opens the link and chooses a password.
    invitee = new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(f"Welcome, {INVITEE_NAME}")
    tab_to(invitee, invitee.get_by_label("New password", exact=True))
    invitee.keyboard.type(INVITEE_PASSWORD)
    invitee.keyboard.press("Tab")
    expect(invitee.get_by_label("Repeat the new password")).to_be_focused()
    invitee.keyboard.type(INVITEE_PASSWORD)
    with invitee.expect_navigation():
        invitee.keyboard.press("Enter")

    # Straight to the sign-in form with the address filled in: the password and Enter are enough.
    expect(invitee).to_have_url(re.compile(r"/login\?"))
    expect(invitee.get_by_role("status")).to_contain_text("Your password is set.")
    expect(invitee.get_by_label("Email address")).to_have_value(INVITEE)
    tab_to(invitee, invitee.get_by_label("Password", exact=True))
    invitee.keyboard.type(INVITEE_PASSWORD)
    with invitee.expect_navigation():
        invitee.keyboard.press("Enter")

    header = invitee.get_by_role("navigation", name="Main")
    expect(header.get_by_role("link", name=f"{INVITEE_NAME} · NGA")).to_be_visible()
    expect(header.get_by_role("link", name="Accounts")).to_have_count(0)
    press_enter_on(invitee, header.get_by_role("link", name=f"{INVITEE_NAME} · NGA"))
    expect(invitee.get_by_role("definition").filter(has_text="Nigeria (NGA)")).to_be_visible()

    press_enter_on(invitee, header.get_by_role("button", name="Sign out"))
    expect(invitee.get_by_role("status")).to_contain_text("You have signed out.")
    expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    expect(header.get_by_role("button", name="Sign out")).to_have_count(0)

    # The link worked once: opening it again says so.
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("This link is not valid")

    # The administrator's list shows the new account as active, for NGA.
    admin.goto("/admin/users")
    row = admin.get_by_role("row").filter(has=admin.get_by_role("rowheader", name=INVITEE_NAME))
    expect(row.get_by_role("cell")).to_contain_text([INVITEE, "Focal point", "NGA", "Active"])


def test_a_wrong_password_keeps_the_person_on_the_form_with_the_error_announced(page, create_user):
    email = create_user("focal_point", "NGA")
    page.goto("/login")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD + " not")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login$"))
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    errors = page.locator("#" + password.get_attribute("aria-describedby"))
    expect(errors).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
