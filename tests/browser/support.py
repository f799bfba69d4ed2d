"""Helpers for driving pages the way a keyboard user does."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.helpers import PASSWORD


def is_focused(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until ``target`` has the focus; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{limit} presses of Tab did not reach {target}; the focus is on {focused}")


def press_enter_on(page: Page, target: Locator) -> None:
    """Tab to a link or button and press Enter, waiting for the page it leads to."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in(page: Page, email: str, password: str = PASSWORD, keyboard: bool = True) -> None:
    """Sign in through the form: by keyboard (Tab to the address, type, Tab, type, Enter) or by filling it in."""
    page.goto("/login")
    if keyboard:
        tab_to(page, page.get_by_label("Email address"))
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
