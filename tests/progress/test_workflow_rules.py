"""The rules of tracker.progress.workflow, one at a time: who may move, overdue, the projection."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from tracker.accounts.queries import find_user
from tracker.audit.models import AuditEvent
from tracker.catalogue.models import ReportingRound
from tracker.core.db import today
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.progress import workflow
from tracker.progress.models import Assignment, ImplementationStatus, ProgressUpdate, UpdateState


@pytest.mark.parametrize("action", ["accept", "return"])
@pytest.mark.parametrize("role", ["auditor", "admin", "focal_point"])
def test_only_the_secretariat_reviews_whatever_else_is_right(app, reporting, create_user, action, role):
    update_id = reporting.update("FRA", "III.4", "submitted")
    email = create_user(role, entity="FRA")
    with app.app_context():
        item = db.session.get(ProgressUpdate, update_id)
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        with pytest.raises(Refused, match="Only the Committee secretariat"):
            workflow.apply(item, action, find_user(email), assessed_status=ImplementationStatus.in_progress, text="Fine.")
        db.session.rollback()
        assert db.session.get(ProgressUpdate, update_id).state is UpdateState.submitted
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_who_may_names_a_permission_of_the_update_for_every_move():
    assert {action for _, action in workflow.TRANSITIONS} == set(workflow.WHO_MAY)
    assert all(callable(getattr(ProgressUpdate, name, None)) for name in workflow.WHO_MAY.values())


def test_overdue_is_one_rule_in_python_and_in_sql(app):
    """Put assignments of every status either side of the day; the query and the objects agree."""
    day = date(2019, 1, 15)
    with app.app_context():
        ids = db.session.scalars(select(Assignment.id).order_by(Assignment.id).limit(15)).all()
        statuses = list(ImplementationStatus)
        for n, assignment_id in enumerate(ids):
            db.session.execute(
                update(Assignment).where(Assignment.id == assignment_id)
                .values(due=day + timedelta(days=n % 3 - 1), official_status=statuses[n % len(statuses)])
            )
        in_sql = set(db.session.scalars(select(Assignment.id).where(Assignment.id.in_(ids), Assignment.overdue_on(day))))
        not_in_sql = set(db.session.scalars(select(Assignment.id).where(Assignment.id.in_(ids), ~Assignment.overdue_on(day))))
        in_python = {a.id for a in db.session.scalars(select(Assignment).where(Assignment.id.in_(ids))) if a.overdue_on(day)}
        by_value = {a.id for a in db.session.scalars(select(Assignment).where(Assignment.id.in_(ids)))
                    if workflow.overdue(a.due, a.official_status.value, day)}
        db.session.rollback()
    assert in_sql == in_python == by_value
    assert in_sql and not_in_sql and not in_sql & not_in_sql and in_sql | not_in_sql == set(ids)


def test_every_move_keeps_the_projection_equal_to_the_updates(app, reporting, create_user):
    update_id = reporting.update("FRA", "I.4", "submitted", confidentiality="public")
    reviewer_email = create_user("secretariat")
    with app.app_context():
        item = db.session.get(ProgressUpdate, update_id)
        focal = item.author
        assignment = item.assignment
        workflow.apply(item, "return", find_user(reviewer_email), text="Add the decree.")
        assert (assignment.open_update, assignment.open_update_state) == (item, UpdateState.returned)
        workflow.apply(item, "submit", focal)
        workflow.apply(item, "withdraw", focal)
        assert assignment.open_update_state is UpdateState.draft
        # The cut-off rule: a submission belongs to the first round whose cut-off has not passed,
        # and the accepted update counts in that round.
        ahead = ReportingRound(code="R-AHEAD", title="Ahead", due=today() + timedelta(days=30), meeting_date=today() + timedelta(days=40))
        db.session.add(ahead)
        db.session.flush()
        assert item.round_id != ahead.id
        workflow.apply(item, "submit", focal)
        assert item.round is ahead
        workflow.apply(item, "accept", find_user(reviewer_email), assessed_status=ImplementationStatus.in_progress)
        db.session.commit()
        assert assignment.open_update is None and assignment.open_update_state is None
        assert (assignment.accepted_update, assignment.published_update) == (item, item)
        assert assignment.accepted_round_id == item.round_id == ahead.id
        assert assignment.official_status is ImplementationStatus.in_progress
        assert assignment.official_since == item.reviewed_at == assignment.last_activity_at
