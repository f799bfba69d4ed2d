"""The update workflow through the web: draft, submit, withdraw, return, resubmit, accept."""

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import login, submit
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.progress.models import TRANSITIONS, Assignment, ProgressUpdate, UpdateState


@pytest.fixture
def focal(app, create_user):
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    return client


@pytest.fixture
def secretariat(app, create_user):
    client = app.test_client()
    login(client, create_user("secretariat"))
    return client


def get_update(app, update_id):
    with app.app_context():
        update = db.session.get(ProgressUpdate, update_id)
        db.session.expunge_all()
        return update


def official(app, assignment_id):
    with app.app_context():
        return db.session.get(Assignment, assignment_id).official_status.value


def draft_form(**overrides):
    form = {"claimed_status": "in_progress", "narrative": "A national task force was set up in May.",
            "evidence_links": "https://example.org/decree", "confidentiality": "committee", "save": "1"}
    form.update(overrides)
    return form


def test_the_whole_cycle(app, focal, secretariat, reporting):
    assignment_id = reporting.assignment("FRA", "I.6")
    page = f"/assignments/{assignment_id}/updates/new"
    response = submit(focal, page, draft_form())
    assert response.status_code == 302
    update_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert get_update(app, update_id).state is UpdateState.draft
    assert secretariat.get(f"/updates/{update_id}").status_code == 404  # drafts stay with the entity

    assert submit(focal, f"/updates/{update_id}/submit", {"version": "1"}, page=f"/updates/{update_id}").status_code == 302
    queue = secretariat.get("/review").get_data(as_text=True)
    assert f"/updates/{update_id}" in queue

    # Return with a comment; the focal point sees it, edits and resubmits.
    response = submit(secretariat, f"/updates/{update_id}/review", {"decision": "return", "assessed_status": "in_progress", "comment": "Cite the decree number."}, page=f"/updates/{update_id}")
    assert response.status_code == 302
    assert "Cite the decree number." in focal.get(f"/updates/{update_id}").get_data(as_text=True)
    version = get_update(app, update_id).version
    response = submit(focal, f"/updates/{update_id}/edit", draft_form(narrative="Decree 2018-1234 set up a task force.", submit="1", version=str(version)))
    assert response.status_code == 302
    assert get_update(app, update_id).state is UpdateState.submitted
    assert official(app, assignment_id) == "not_started"  # only acceptance changes it

    # Accept with a different assessment: a reason is required.
    response = submit(secretariat, f"/updates/{update_id}/review", {"decision": "accept", "assessed_status": "partially_implemented", "comment": ""}, page=f"/updates/{update_id}")
    assert response.status_code == 400 and "give the reason" in response.get_data(as_text=True)
    assert official(app, assignment_id) == "not_started"
    response = submit(secretariat, f"/updates/{update_id}/review", {"decision": "accept", "assessed_status": "partially_implemented", "comment": "Only one of two agencies is covered."}, page=f"/updates/{update_id}")
    assert response.status_code == 302
    assert official(app, assignment_id) == "partially_implemented"

    page = focal.get(f"/updates/{update_id}").get_data(as_text=True)
    assert "Action under way" in page and "Partially implemented" in page  # claim and assessment side by side
    assert "Only one of two agencies is covered." in page
    with app.app_context():
        from tracker.audit.queries import verify

        assert verify().ok


def test_withdraw_before_review(app, focal, reporting):
    update_id = reporting.update("FRA", "I.4", "submitted")
    # The fixture's author is another FRA focal point: colleagues of one entity share their items.
    assert submit(focal, f"/updates/{update_id}/withdraw", page=f"/updates/{update_id}").status_code == 302
    assert get_update(app, update_id).state is UpdateState.draft


@pytest.mark.parametrize("state", [s.value for s in UpdateState])
@pytest.mark.parametrize("action", ["submit", "withdraw", "accept", "return"])
def test_every_transition_is_allowed_or_refused_with_nothing_changed(app, reporting, create_user, state, action):
    from tracker.core.errors import Refused
    from tracker.progress import operations
    from tracker.progress.models import ImplementationStatus

    update_id = reporting.update("FRA", "III.4", state, claimed="in_progress")
    reviewer_email = create_user("secretariat")
    with app.app_context():
        from tracker.accounts.queries import find_user

        focal = find_user("focal_point.fra.fixture@example.org")
        reviewer = find_user(reviewer_email)
        update = db.session.get(ProgressUpdate, update_id)
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        steps = {
            "submit": lambda: operations.submit_update(update, focal),
            "withdraw": lambda: operations.withdraw_update(update, focal),
            "accept": lambda: operations.accept_update(update, reviewer, assessed_status=ImplementationStatus.in_progress),
            "return": lambda: operations.return_update(update, reviewer, comment="More, please."),
        }
        allowed = (UpdateState(state), action) in TRANSITIONS
        if allowed:
            steps[action]()
            db.session.commit()
            assert update.state is TRANSITIONS[(UpdateState(state), action)]
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events + 1
        else:
            with pytest.raises(Refused, match="cannot be"):
                steps[action]()
            db.session.rollback()
            assert db.session.get(ProgressUpdate, update_id).state is UpdateState(state)
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"claimed_status": "implemented", "narrative": "", "submit": "1"}, "describe what was done"),
        ({"claimed_status": "implemented", "evidence_links": "", "submit": "1"}, "add at least one piece of evidence"),
        ({"claimed_status": "not_applicable", "narrative": "", "submit": "1"}, "explain why"),
        ({"claimed_status": "done"}, "Not a valid choice"),
        ({"confidentiality": "everyone"}, "Not a valid choice"),
        ({"narrative": "x" * 20_001}, "20000"),
        ({"narrative": "bad \x07 bell"}, "control characters"),
        ({"evidence_links": "javascript:alert(1)"}, "is not a web address"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(app, focal, reporting, form, message):
    assignment_id = reporting.assignment("FRA", "II.1")
    with app.app_context():
        updates = db.session.scalar(select(func.count()).select_from(ProgressUpdate))
    response = submit(focal, f"/assignments/{assignment_id}/updates/new", draft_form(**form))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message.replace(",", "") in body.replace(",", "")
    assert "x" * 100 not in body or "x" * 20_001 in body  # the person's text is kept in the form
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == updates


def test_a_one_megabyte_narrative_is_refused_cleanly(app, focal, reporting):
    assignment_id = reporting.assignment("FRA", "II.1")
    response = submit(focal, f"/assignments/{assignment_id}/updates/new", draft_form(narrative="é" * 1_000_000))
    assert response.status_code in (200, 413)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0


def test_forged_fields_are_ignored(app, focal, reporting):
    assignment_id = reporting.assignment("FRA", "II.1")
    response = submit(focal, f"/assignments/{assignment_id}/updates/new", draft_form(
        official_status="implemented", state="accepted", assessed_status="implemented", entity_id="2", reviewed_by_id="1"))
    assert response.status_code == 302
    with app.app_context():
        update = db.session.scalar(select(ProgressUpdate))
        assert update.state is UpdateState.draft and update.assessed_status is None
        assert update.entity.code == "FRA"
        assert db.session.get(Assignment, assignment_id).official_status.value == "not_started"


def test_one_open_update_per_assignment(app, focal, reporting):
    update_id = reporting.update("FRA", "II.1")
    assignment_id = reporting.assignment("FRA", "II.1")
    response = focal.get(f"/assignments/{assignment_id}/updates/new")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/updates/{update_id}")


def test_a_stale_save_gets_409_and_keeps_the_text(app, create_user, reporting):
    update_id = reporting.update("FRA", "III.3", narrative="First text.")
    email = create_user("focal_point", "FRA")
    first, second = app.test_client(), app.test_client()
    login(first, email)
    login(second, email)
    edit = f"/updates/{update_id}/edit"
    assert submit(first, edit, draft_form(narrative="Colleague's text.", version="1")).status_code == 302
    response = submit(second, edit, draft_form(narrative="My own careful wording.", version="1"))
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "My own careful wording." in body and "Colleague&#39;s text." in body
    assert get_update(app, update_id).narrative == "Colleague's text."


def test_drafts_are_private_in_the_audit_log(app, focal, reporting):
    assignment_id = reporting.assignment("FRA", "II.1")
    submit(focal, f"/assignments/{assignment_id}/updates/new", draft_form(narrative="Secret draft wording."))
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.kind.like("update.%"))).all()
        assert events and all("Secret draft wording." not in str(e.data) for e in events)
        assert "content_sha256" in events[0].data
    update_id = db_update_id(app)
    submit(focal, f"/updates/{update_id}/submit", page=f"/updates/{update_id}")
    with app.app_context():
        submitted = db.session.scalar(select(AuditEvent).filter_by(kind="update.submitted"))
        assert submitted.data["narrative"] == "Secret draft wording."


def db_update_id(app):
    with app.app_context():
        return db.session.scalar(select(ProgressUpdate.id))


def test_public_statuses_appear_on_the_public_item_page(app, client, reporting):
    reporting.update("FRA", "III.7", "accepted", confidentiality="public", narrative="France connected to iARMS.")
    reporting.update("NGA", "III.7", "accepted", confidentiality="committee", narrative="Committee-only text.")
    page = client.get("/briefings/ctc-2018-10-08/items/III.7").get_data(as_text=True)
    assert "France connected to iARMS." in page
    assert "Committee-only text." not in page and "Nigeria" not in page.split("Progress published")[-1]


# An update that says nothing cannot be submitted, whichever way it is sent.

SAYS_NOTHING = "Write a narrative before submitting"


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ProgressUpdate)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_an_untouched_form_cannot_be_submitted(app, focal, reporting):
    assignment_id = reporting.assignment("FRA", "II.2")
    page = f"/assignments/{assignment_id}/updates/new"
    form = focal.get(page).get_data(as_text=True)
    assert re.search(r'<select[^>]*name="claimed_status"[^>]*><option value="not_started">', form)  # the default
    before = counts(app)
    response = submit(focal, page, {"claimed_status": "not_started", "narrative": "", "evidence_links": "https://example.org/kept",
                                    "confidentiality": "entity", "submit": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and SAYS_NOTHING in body
    assert "https://example.org/kept" in body  # what the person typed is still in the form
    assert counts(app) == before
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).open_update_id is None


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_an_edit_that_empties_the_narrative_cannot_be_submitted(app, focal, reporting, state):
    update_id = reporting.update("FRA", "II.2", state, narrative="What was there.")
    version = get_update(app, update_id).version
    before = counts(app)
    response = submit(focal, f"/updates/{update_id}/edit",
                      draft_form(narrative="   ", evidence_links="https://example.org/new-decree", submit="1", version=str(version)))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and SAYS_NOTHING in body and "https://example.org/new-decree" in body
    assert counts(app) == before
    saved = get_update(app, update_id)
    assert saved.state is UpdateState(state) and saved.narrative == "What was there." and saved.version == version


def test_the_submit_button_refuses_a_draft_without_a_narrative(app, focal, reporting):
    update_id = reporting.update("FRA", "II.2", narrative="", links=())
    before = counts(app)
    response = submit(focal, f"/updates/{update_id}/submit", {"version": "1"}, page=f"/updates/{update_id}", follow_redirects=True)
    assert SAYS_NOTHING in response.get_data(as_text=True)
    assert get_update(app, update_id).state is UpdateState.draft and counts(app) == before


def test_the_api_refuses_to_submit_an_update_without_a_narrative(app, client, create_user, reporting):
    from tracker.accounts.queries import find_user
    from tracker.api import operations as api_operations

    email = create_user("focal_point", "FRA")
    with app.app_context():
        _, token = api_operations.create_token(find_user(email), "tests")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    update_id = reporting.update("FRA", "II.2", narrative="", links=("https://example.org/only-a-link",))
    before = counts(app)
    response = client.post(f"/api/v1/updates/{update_id}/submit", headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["field"] == "narrative" and SAYS_NOTHING in response.json["error"]["message"]
    assert get_update(app, update_id).state is UpdateState.draft and counts(app) == before


@pytest.mark.parametrize("status", ["not_started", "in_progress", "partially_implemented"])
def test_any_status_with_a_narrative_can_be_submitted(app, focal, reporting, status):
    update_id = reporting.update("FRA", "II.2", claimed=status, narrative="A first step was taken.", links=())
    assert submit(focal, f"/updates/{update_id}/submit", page=f"/updates/{update_id}").status_code == 302
    assert get_update(app, update_id).state is UpdateState.submitted


def resubmit(app, focal, update_id, **fields):
    version = get_update(app, update_id).version
    response = submit(focal, f"/updates/{update_id}/edit", draft_form(submit="1", version=str(version), **fields))
    assert response.status_code == 302
    assert get_update(app, update_id).state is UpdateState.submitted


def test_the_reviewer_sees_what_changed_since_the_return(app, focal, secretariat, reporting):
    update_id = reporting.update("FRA", "II.1", "returned", claimed="in_progress",
                                 narrative="A task force was set up.\nIt meets monthly.", links=("https://example.org/law",))
    with app.app_context():
        law = db.session.get(ProgressUpdate, update_id).current_evidence[0].id
    edit_page = focal.get(f"/updates/{update_id}/edit").get_data(as_text=True)
    assert f'value="{law}"' in edit_page
    resubmit(app, focal, update_id, claimed_status="partially_implemented",
             narrative="A national task force was set up in May.\nIt meets monthly.\n<script>alert(1)</script>",
             evidence_links="https://example.org/decree", remove_evidence=str(law))

    page = secretariat.get(f"/updates/{update_id}").get_data(as_text=True)
    section = page[page.index('id="since-return"'):page.index("</section>", page.index('id="since-return"'))]
    assert "Please add the law&#39;s reference." in section  # the comment it was returned with
    assert section.index("Action under way") < section.index("Partially implemented")  # the claim, before and now
    assert "<ins> national</ins>" in section and "<ins> in May</ins>" in section
    assert "It meets monthly." in section and "<del>" not in section.split("Evidence")[0]  # nothing was removed from the text
    assert "<ins>\n&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in section and "<script>" not in section
    assert "Added: https://example.org/decree" in section and "Removed: <del>https://example.org/law</del>" in section


def test_a_resubmission_with_no_change_says_so(app, focal, secretariat, reporting):
    update_id = reporting.update("FRA", "II.1", "returned", narrative="Unchanged text.", confidentiality="committee", links=())
    resubmit(app, focal, update_id, narrative="Unchanged text.", evidence_links="", claimed_status="in_progress")
    page = secretariat.get(f"/updates/{update_id}").get_data(as_text=True)
    assert "What changed since it was returned" in page and "Nothing changed" in page


def test_an_update_never_returned_shows_no_comparison(app, secretariat, reporting):
    update_id = reporting.update("FRA", "II.1", "submitted")
    assert "What changed since it was returned" not in secretariat.get(f"/updates/{update_id}").get_data(as_text=True)


def test_the_comparison_is_with_the_last_returned_version(app, focal, secretariat, reporting):
    update_id = reporting.update("FRA", "II.1", "returned", narrative="First.", links=())
    resubmit(app, focal, update_id, narrative="Second.", evidence_links="")
    assert submit(secretariat, f"/updates/{update_id}/review", {"decision": "return", "assessed_status": "in_progress", "comment": "Again."},
                  page=f"/updates/{update_id}").status_code == 302
    resubmit(app, focal, update_id, narrative="Third.", evidence_links="")
    page = secretariat.get(f"/updates/{update_id}").get_data(as_text=True)
    assert "<del>Second</del><ins>Third</ins>" in page and "First" not in page and "“Again.”" in page


def test_the_word_diff_keeps_every_character():
    from tracker.progress.queries import text_diff

    before, after = "Line one.\nLine two, unchanged.\nOld ending", "Line one!\nLine two, unchanged.\nA new ending\nand more"
    runs = text_diff(before, after)
    assert "".join(t for k, t in runs if k != "added") == before
    assert "".join(t for k, t in runs if k != "removed") == after
    assert ("same", "\nLine two, unchanged.\n") in runs
