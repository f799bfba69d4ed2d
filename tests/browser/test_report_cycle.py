"""The whole reporting cycle in real browsers: report, return, amend, accept, then audit the export.

A focal point of France, the secretariat and an auditor each use a browser context of their own
and only the pages: nothing is written to the database except their three accounts.
"""

import re
import subprocess
import sys

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.browser.support import press_enter_on, sign_in, tab_to
from tests.conftest import ROOT

ITEM = "I.6"
CLAIM = "Partially implemented"
ASSESSED = "Action under way"
FIRST_NARRATIVE = "The police, the financial intelligence unit and the labour inspectorate now share case files."
SECOND_NARRATIVE = "Since May 2019 a joint unit of the police and the financial intelligence unit meets weekly."
EVIDENCE = "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000038496102"
RETURN_COMMENT = "Please say since when the agencies share their files, and which ones."
REASON = "The joint unit exists, but no case has yet been shared: the action is under way."


def _main_nav(page):
    return page.get_by_role("navigation", name="Main")


def _decide(page, decision: str, comment: str, assessed: str | None = None) -> None:
    """On an update page, record the secretariat's decision with the keyboard."""
    review = page.get_by_role("region", name="Review")
    choice = review.get_by_role("radio", name=decision)
    choice.focus()
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    if assessed is not None:
        review.get_by_label("Assessed status").select_option(label=assessed)
    comment_box = review.get_by_label("Reason or comment")
    comment_box.focus()
    page.keyboard.type(comment)
    press_enter_on(page, review.get_by_role("button", name="Record decision"))


def _open_from_queue(page) -> None:
    """From anywhere, go to the review queue and open France's update on the item."""
    press_enter_on(page, _main_nav(page).get_by_role("link", name="Review queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Updates awaiting review")
    row = page.get_by_role("row").filter(has_text="(FRA)").filter(has_text=ITEM)
    expect(row).to_have_count(1)
    press_enter_on(page, row.get_by_role("link"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Update on {ITEM}")


def test_an_update_is_returned_amended_accepted_and_the_export_verifies(new_page, create_user, tmp_path):
    focal_email = create_user("focal_point", "FRA")
    secretariat_email = create_user("secretariat")
    auditor_email = create_user("auditor")

    # 1. The focal point reports progress on I.6 and saves a draft, by keyboard.
    focal = new_page()
    sign_in(focal, focal_email)
    press_enter_on(focal, _main_nav(focal).get_by_role("link", name="Our items"))
    expect(focal.get_by_role("heading", level=1)).to_have_text("Items addressed to France")
    row = focal.get_by_role("row").filter(has=focal.get_by_role("rowheader").filter(has_text=re.compile(rf"^\s*{re.escape(ITEM)}\s")))
    expect(row).to_have_count(1)
    press_enter_on(focal, row.get_by_role("link", name="Report progress"))
    expect(focal.get_by_role("heading", level=1)).to_have_text(f"Report progress on {ITEM}")

    status = focal.get_by_label("Status you report")
    status.focus()
    status.select_option(label=CLAIM)
    focal.keyboard.press("Tab")
    expect(focal.get_by_label("Narrative")).to_be_focused()
    focal.keyboard.type(FIRST_NARRATIVE)
    focal.keyboard.press("Tab")
    expect(focal.get_by_label("Evidence links")).to_be_focused()
    focal.keyboard.type(EVIDENCE)
    # Into the radio group (on its checked option, the default), then one arrow down to "committee".
    default = focal.get_by_role("radio", name="Our entity, the secretariat and auditors only")
    tab_to(focal, default, limit=5)
    focal.keyboard.press("ArrowDown")
    expect(focal.get_by_role("radio", name="May be quoted in reports to the Committee")).to_be_checked()
    press_enter_on(focal, focal.get_by_role("button", name="Save draft"))

    expect(focal.get_by_role("status").filter(has_text="Your draft was saved.")).to_be_visible()
    expect(focal.get_by_role("heading", level=1)).to_have_text(re.compile(rf"Update on {re.escape(ITEM)} — Draft"))
    update_url = focal.url
    assert re.search(r"/updates/\d+$", update_url), update_url
    expect(focal.get_by_role("region", name="Narrative")).to_contain_text(FIRST_NARRATIVE)
    expect(focal.get_by_role("region", name="Evidence").get_by_role("link", name=EVIDENCE)).to_be_visible()
    expect(focal.get_by_role("definition").filter(has_text="May be quoted in reports to the Committee")).to_be_visible()

    press_enter_on(focal, focal.get_by_role("button", name="Submit for review"))
    expect(focal.get_by_role("status").filter(has_text="Your update was submitted for review.")).to_be_visible()
    expect(focal.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    expect(focal.get_by_role("button", name="Submit for review")).to_have_count(0)

    # 2. The secretariat returns it with a comment.
    secretariat = new_page()
    sign_in(secretariat, secretariat_email)
    _open_from_queue(secretariat)
    _decide(secretariat, "Return to the entity for changes", RETURN_COMMENT)
    expect(secretariat.get_by_role("status").filter(has_text="returned to the entity with your comment")).to_be_visible()
    expect(secretariat.get_by_text("Nothing is waiting for review.")).to_be_visible()

    # 3. The focal point reads the comment, amends the narrative, saves and submits at once.
    focal.goto(update_url)
    expect(focal.get_by_role("heading", level=1)).to_contain_text("Returned for changes")
    expect(focal.get_by_role("status").filter(has_text="Returned by the secretariat:")).to_contain_text(RETURN_COMMENT)
    press_enter_on(focal, focal.get_by_role("link", name="Edit", exact=True))
    expect(focal.get_by_role("heading", level=1)).to_have_text(f"Edit your update on {ITEM}")
    expect(focal.get_by_role("status").filter(has_text="Returned by the secretariat:")).to_contain_text(RETURN_COMMENT)
    expect(focal.get_by_label("Status you report")).to_have_value("partially_implemented")
    expect(focal.get_by_role("radio", name="May be quoted in reports to the Committee")).to_be_checked()
    narrative = focal.get_by_label("Narrative")
    expect(narrative).to_have_value(FIRST_NARRATIVE)
    narrative.focus()
    focal.keyboard.press("ControlOrMeta+A")
    focal.keyboard.type(SECOND_NARRATIVE)
    expect(narrative).to_have_value(SECOND_NARRATIVE)
    press_enter_on(focal, focal.get_by_role("button", name="Save and submit for review"))
    expect(focal.get_by_role("status").filter(has_text="Your update was submitted for review.")).to_be_visible()
    expect(focal.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    expect(focal.get_by_role("region", name="Narrative")).to_have_text(re.compile(re.escape(SECOND_NARRATIVE)))
    expect(focal.get_by_role("region", name="Evidence").get_by_role("link", name=EVIDENCE)).to_have_count(1)

    # 4. The secretariat accepts with an assessment that differs from the claim, and says why.
    _open_from_queue(secretariat)
    expect(secretariat.get_by_role("region", name="Narrative")).to_contain_text(SECOND_NARRATIVE)
    _decide(secretariat, "Accept, with the status assessed below", REASON, assessed=ASSESSED)
    expect(secretariat.get_by_role("status").filter(has_text="The update was accepted")).to_be_visible()

    for person in (secretariat, focal):
        person.goto(update_url)
        expect(person.get_by_role("heading", level=1)).to_contain_text("Accepted")
        tracks = person.locator(".two-track > div")
        claimed = tracks.filter(has=person.get_by_role("heading", name="Claimed by the entity"))
        assessed = tracks.filter(has=person.get_by_role("heading", name="Assessed by the secretariat"))
        expect(claimed).to_contain_text(CLAIM)
        expect(claimed).not_to_contain_text(ASSESSED)
        expect(assessed).to_contain_text(ASSESSED)
        expect(assessed).to_contain_text(f"Reason: {REASON}")
    expect(focal.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    # 5. An auditor downloads the timeline as CSV; the offline verifier accepts it.
    auditor = new_page()
    sign_in(auditor, auditor_email)
    press_enter_on(auditor, _main_nav(auditor).get_by_role("link", name="Timeline"))
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Timeline of changes")
    for title in ("Update submitted for review", "Update returned for changes", "Update accepted"):  # the page shows titles
        expect(auditor.get_by_role("cell", name=title, exact=True).first).to_be_visible()
    csv_link = auditor.get_by_role("link", name="CSV", exact=True)
    tab_to(auditor, csv_link)
    with auditor.expect_download() as download_info:
        auditor.keyboard.press("Enter")
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    exported = saved.read_text(encoding="utf-8-sig")
    for kind in ("update.submitted", "update.returned", "update.accepted"):
        assert kind in exported, kind
    assert REASON in exported

    verified = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_export.py"), str(saved)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("VERIFIED"), verified.stdout
