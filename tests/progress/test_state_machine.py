"""Random users and transitions against the real operations (SECURITY.md 14).

Invariants after every step: a refused move changes nothing; the official status equals the
last accepted assessment; at most one update is open; nobody outside the entity reads a
draft; the audit chain verifies.
"""

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from tracker.accounts import operations as accounts
from tracker.accounts.models import Role
from tracker.audit.models import AuditEvent
from tracker.audit.queries import verify
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import Entity, EntityKind, round_for
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.progress import operations
from tracker.progress.models import OPEN_STATES, Assignment, Confidentiality, ImplementationStatus, ProgressUpdate

STATUSES = st.sampled_from(list(ImplementationStatus))
# Every user may try every move; the likely actor of each move is drawn more often.
REPORTERS = st.sampled_from(["own", "own", "colleague", "other", "secretariat", "auditor", "admin"])
REVIEWERS = st.sampled_from(["secretariat", "secretariat", "secretariat", "auditor", "admin", "own", "other"])


def make_machine(app):
    with app.app_context():
        codes = db.session.scalars(select(Entity.code).where(Entity.kind == EntityKind.member_state).order_by(Entity.code)).all()
    entity_codes = itertools.cycle(codes)
    counter = itertools.count()
    reached = {"accepted": 0}

    class Workflow(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            self.entity = next(entity_codes)
            n = next(counter)
            with app.app_context():
                entity = db.session.scalar(select(Entity).filter_by(code=self.entity))
                other = db.session.scalar(select(Entity).where(Entity.kind == EntityKind.member_state, Entity.id != entity.id))

                def user(tag, role, where=None):
                    return accounts.create_user(f"{tag}{n}@machine.example", tag, Role(role), where, password=None).id

                self.users = {
                    "own": user("own", "focal_point", entity),
                    "colleague": user("colleague", "focal_point", entity),
                    "other": user("other", "focal_point", other),
                    "secretariat": user("secretariat", "secretariat"),
                    "auditor": user("auditor", "auditor"),
                    "admin": user("admin", "admin"),
                }
                self.assignment_id = db.session.scalar(
                    select(Assignment.id).where(Assignment.entity_id == entity.id).order_by(Assignment.id)
                )
                db.session.commit()
            self.expected_official = ImplementationStatus.not_started

        def _act(self, actor, step):
            """Run one operation as a user; a refusal must leave the database as it was."""
            from tracker.accounts.models import User

            with app.app_context():
                before = self._snapshot()
                user = db.session.get(User, self.users[actor])
                assignment = db.session.get(Assignment, self.assignment_id)
                try:
                    result = step(user, assignment)
                except Refused:
                    db.session.rollback()
                    assert self._snapshot() == before
                    return None
                db.session.commit()
                return result

        def _snapshot(self):
            assignment = db.session.get(Assignment, self.assignment_id)
            updates = db.session.scalars(select(ProgressUpdate).filter_by(assignment_id=self.assignment_id).order_by(ProgressUpdate.id))
            return (
                assignment.official_status,
                assignment.open_update_id,
                tuple((u.id, u.state, u.claimed_status, u.narrative, u.version) for u in updates),
                db.session.scalar(select(func.count()).select_from(AuditEvent)),
            )

        def _open(self, assignment):
            return assignment.open_update

        @rule(actor=REPORTERS, status=STATUSES, narrative=st.sampled_from(["", "Done.", "Привет"]), link=st.booleans())
        def create(self, actor, status, narrative, link):
            self._act(actor, lambda user, a: operations.create_update(
                a, user, claimed_status=status, narrative=narrative, confidentiality=Confidentiality.committee,
                links=["https://example.org/x"] if link else []))

        @rule(actor=REPORTERS, status=STATUSES, stale=st.booleans())
        def edit(self, actor, status, stale):
            def step(user, a):
                update = self._open(a)
                if update is None:
                    raise Refused("no open update")
                operations.edit_update(update, user, version=update.version - 1 if stale else update.version, claimed_status=status,
                                       narrative="Edited.", confidentiality=Confidentiality.entity)
            self._act(actor, step)

        @rule(actor=REPORTERS)
        def submit(self, actor):
            self._act(actor, lambda user, a: operations.submit_update(self._open(a), user) if self._open(a) else self._none())

        @rule(actor=REPORTERS)
        def withdraw(self, actor):
            self._act(actor, lambda user, a: operations.withdraw_update(self._open(a), user) if self._open(a) else self._none())

        @rule(actor=REVIEWERS, assessed=STATUSES, reason=st.sampled_from(["", "Evidence is partial."]))
        def accept(self, actor, assessed, reason):
            def step(user, a):
                update = self._open(a)
                if update is None:
                    raise Refused("no open update")
                operations.accept_update(update, user, assessed_status=assessed, reason=reason)
                return assessed
            if self._act(actor, step) is not None:
                self.expected_official = assessed
                reached["accepted"] += 1

        @rule(actor=REVIEWERS, comment=st.sampled_from(["", "Please add evidence."]))
        def give_back(self, actor, comment):
            self._act(actor, lambda user, a: operations.return_update(self._open(a), user, comment=comment) if self._open(a) else self._none())

        @rule(assessed=STATUSES)
        def happy_path(self, assessed):
            """Draft, submit and accept in a row, so that acceptances happen in every run."""
            self._act("own", lambda user, a: operations.create_update(
                a, user, claimed_status=ImplementationStatus.in_progress, narrative="Done.", confidentiality=Confidentiality.public))
            self._act("own", lambda user, a: operations.submit_update(self._open(a), user) if self._open(a) else self._none())

            def accept(user, a):
                if self._open(a) is None:
                    self._none()
                operations.accept_update(self._open(a), user, assessed_status=assessed, reason="Assessed on the evidence.")
                return assessed

            if self._act("secretariat", accept) is not None:
                self.expected_official = assessed
                reached["accepted"] += 1

        @staticmethod
        def _none():
            raise Refused("no open update")

        @invariant()
        def official_is_the_last_accepted_assessment(self):
            if not hasattr(self, "assignment_id"):
                return
            from tracker.accounts.models import User

            with app.app_context():
                assignment = db.session.get(Assignment, self.assignment_id)
                assert assignment.official_status is self.expected_official
                updates = db.session.scalars(select(ProgressUpdate).filter_by(assignment_id=self.assignment_id)).all()
                open_ = [u for u in updates if u.state in OPEN_STATES]
                assert len(open_) <= 1
                assert assignment.open_update_id == (open_[0].id if open_ else None)
                assert assignment.open_update_state == (open_[0].state if open_ else None)
                accepted = db.session.get(ProgressUpdate, assignment.accepted_update_id) if assignment.accepted_update_id else None
                counted = round_for(accepted.submitted_at, catalogue_queries.rounds()) if accepted else None
                assert assignment.accepted_round_id == (counted.id if counted else None)  # the cut-off rule
                if counted is not None:
                    assert accepted.round_id == counted.id
                outsiders = [db.session.get(User, self.users[k]) for k in ("other", "secretariat", "auditor", "admin")]
                for update in updates:
                    if update.state.value == "draft":
                        assert not any(update.can_view(u) for u in outsiders)
                    assert not update.can_view(outsiders[0])

        def teardown(self):
            with app.app_context():
                assert verify().ok

    Workflow.reached = reached
    return Workflow


def test_random_workflows_keep_the_invariants(app):
    machine = make_machine(app)
    run_state_machine_as_test(
        machine,
        settings=settings(max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None),
    )
    assert machine.reached["accepted"] > 0, "the random walks never reached an acceptance"
