"""The review form: two radio buttons, neither chosen for the reviewer, each with its label beside it.

Neither decision is preselected: accepting changes the official status and returning sends the
update back to the entity, so a slip of the Enter key must not do either. Leaving it unchosen gets
a message that says what to do, and changes nothing.
"""

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import login, submit
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.progress.models import ProgressUpdate, UpdateState

MESSAGE = "Choose whether to accept the update or to return it."


@pytest.fixture
def secretariat(app, create_user):
    client = app.test_client()
    login(client, create_user("secretariat"))
    return client


def test_the_decision_is_a_group_of_radio_buttons_with_none_chosen(secretariat, reporting):
    update_id = reporting.update("NGA", "I.5", "submitted")
    page = secretariat.get(f"/updates/{update_id}").get_data(as_text=True)
    group = re.search(r'<fieldset class="field choices" id="decision">\s*<legend>Decision</legend>(.*?)</fieldset>', page, re.S)
    assert group, "the decision is not a fieldset named by its legend"
    buttons = re.findall(r'<div class="check">(<input[^>]*>) <label for="([^"]+)">([^<]+)</label></div>', group.group(1))
    assert [label for _, _, label in buttons] == ["Accept, with the status assessed below", "Return to the entity for changes"]
    for button, target, _ in buttons:
        assert 'type="radio"' in button and f'id="{target}"' in button, "each label sits right after the button it names"
        assert "checked" not in button


def test_a_review_without_a_decision_says_what_to_do_and_changes_nothing(app, secretariat, reporting):
    update_id = reporting.update("NGA", "I.5", "submitted")
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = submit(secretariat, f"/updates/{update_id}/review", {"assessed_status": "in_progress", "comment": "Fine."}, page=f"/updates/{update_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    group = re.search(r'<fieldset class="field choices field-error" id="decision" aria-describedby="decision-errors">(.*?)</fieldset>', page, re.S)
    assert group and f'<ul class="errors" id="decision-errors"><li>{MESSAGE}</li></ul>' in group.group(1)
    assert re.search(r'<option selected value="in_progress">', page), "the reviewer's other choices are kept"
    with app.app_context():
        assert db.session.get(ProgressUpdate, update_id).state is UpdateState.submitted
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
