"""Synthetic progress for demo mode: October 2018 to March 2019, through the real operations.

Every step (draft, edit, submit, return, resubmit, accept) goes through
``tracker.progress.operations`` with the clock set to its moment, so the updates, the
projection and the audit chain are exactly what the web would have made. The random generator
is seeded: two fresh databases get the same story. Everything is marked as demo: the authors
are ``@demo.invalid`` accounts, narratives start with "[Demo]", links point at example.org.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from tracker.accounts import operations as accounts
from tracker.accounts.models import Role, User
from tracker.accounts.queries import find_user
from tracker.audit.operations import record
from tracker.catalogue.models import Entity, EntityKind, Recommendation
from tracker.core.db import clock_at
from tracker.extensions import db
from tracker.progress import operations
from tracker.progress.models import Assignment, Confidentiality, ImplementationStatus, ProgressUpdate

SEED = 20181008
START = datetime(2018, 10, 15, 8, 0, tzinfo=timezone.utc)
END = datetime(2019, 3, 14, 18, 0, tzinfo=timezone.utc)
DEMO_DOMAIN = "@demo.invalid"
REVIEWER = "secretariat@demo.invalid"
# One account per role; flask demo gives each a new password at every start.
ACCOUNTS = [
    ("focal.france@demo.invalid", "Focal point, France (demo)", Role.focal_point, "FRA"),
    ("focal.nigeria@demo.invalid", "Focal point, Nigeria (demo)", Role.focal_point, "NGA"),
    ("focal.unodc@demo.invalid", "Focal point, UNODC (demo)", Role.focal_point, "UNODC"),
    ("secretariat@demo.invalid", "Secretariat officer (demo)", Role.secretariat, None),
    ("auditor@demo.invalid", "Auditor (demo)", Role.auditor, None),
    ("admin@demo.invalid", "Administrator (demo)", Role.admin, None),
]
MEMBER_STATES = 40  # how many States report, besides France and Nigeria (more makes the demo slow)
ALWAYS = ("FRA", "NGA")
S = ImplementationStatus

CLAIMS = [(S.in_progress, 45), (S.partially_implemented, 27), (S.implemented, 22), (S.not_applicable, 6)]
CONFIDENTIALITY = [(Confidentiality.entity, 30), (Confidentiality.committee, 50), (Confidentiality.public, 20)]
DOWNGRADE = {S.implemented: S.partially_implemented, S.partially_implemented: S.in_progress, S.in_progress: S.not_started}

OPENINGS = {
    S.in_progress: [
        "An inter-ministerial working group was set up to take this forward",
        "A review of the national legal framework has begun",
        "Training of front-line officers started under a national plan",
        "A draft action plan is before the cabinet",
    ],
    S.partially_implemented: [
        "The first phase was completed and a second is funded",
        "New procedures now apply in the capital and two border regions",
        "Legislation was adopted; implementing regulations are pending",
    ],
    S.implemented: [
        "The measure is in force nationwide",
        "The programme was completed and evaluated",
        "The law entered into force and the responsible unit is staffed",
    ],
    S.not_applicable: [
        "This item does not apply: the activity concerned does not take place in our jurisdiction",
        "Not applicable: the responsibility lies with a regional body we report through",
    ],
}
DETAILS = [
    "with support from UNODC and CTED",
    "in cooperation with neighbouring States",
    "with civil society organizations consulted",
    "with a budget line in the current fiscal year",
    "with data shared with INTERPOL databases",
    "with a national focal point designated",
]
RETURN_COMMENTS = [
    "Please add a reference to the law or decree, and its date.",
    "The narrative describes plans; please say what has been done so far.",
    "Please attach the evaluation report mentioned in the narrative.",
    "Please clarify which agencies are involved and how they coordinate.",
]
REASONS = [
    "The evidence shows adoption but not yet implementation.",
    "Only part of the measures described are in place.",
]


class RealReports(Exception):
    """The database holds progress that demo accounts did not write: demo data is refused."""


def has_real_reports() -> bool:
    """Whether any update was written by an account that is not a demo account."""
    found = db.session.scalar(
        select(func.count()).select_from(ProgressUpdate).join(User, User.id == ProgressUpdate.author_id).where(~User.email.endswith(DEMO_DOMAIN))
    )
    return bool(found)


def has_progress() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(ProgressUpdate)))


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


@dataclass
class Story:
    """What happens to one assignment: timed steps, played in order with the others."""

    assignment: Assignment
    author: User
    steps: list = field(default_factory=list)  # [(moment, action, params)]


def _narrative(rng, status, entity, item) -> str:
    opening = rng.choice(OPENINGS.get(status, OPENINGS[S.in_progress]))
    return f"[Demo] {entity.name}, item {item.code}: {opening}, {rng.choice(DETAILS)}. (Synthetic text for demonstration.)"


def _links(rng, status, entity, item, n) -> list[str]:
    count = rng.randint(1, 2) if status is S.implemented else (1 if rng.random() < 0.5 else 0)
    return [f"https://example.org/demo/{entity.code.lower()}/{item.code.lower()}/evidence-{n}-{i}" for i in range(1, count + 1)]


def _story(rng: random.Random, assignment: Assignment, author: User) -> Story:
    story = Story(assignment, author)
    span = (END - START).total_seconds()
    moment = START + timedelta(seconds=rng.uniform(0, span * 0.9))
    claim = _pick(rng, CLAIMS)
    entity, item = assignment.entity, assignment.recommendation
    fields = {
        "claimed_status": claim,
        "narrative": _narrative(rng, claim, entity, item),
        "confidentiality": _pick(rng, CONFIDENTIALITY),
        "links": _links(rng, claim, entity, item, 1),
    }
    story.steps.append((moment, "create", fields))
    if rng.random() < 0.35:
        moment += timedelta(hours=rng.uniform(2, 96))
        story.steps.append((moment, "edit", {**fields, "narrative": fields["narrative"] + " Updated with the latest figures."}))
    if rng.random() < 0.12:
        return story  # stays a draft
    moment += timedelta(days=rng.uniform(0.5, 12))
    story.steps.append((moment, "submit", {}))
    for attempt in range(2):
        moment += timedelta(days=rng.uniform(1, 18))
        if attempt == 0 and rng.random() < 0.27:
            story.steps.append((moment, "return", {"comment": rng.choice(RETURN_COMMENTS)}))
            if rng.random() < 0.2:
                return story  # returned, awaiting resubmission
            moment += timedelta(days=rng.uniform(1, 14))
            story.steps.append((moment, "edit", {**fields, "narrative": fields["narrative"] + " Reference and date added as requested.", "links": _links(rng, claim, entity, item, 2)}))
            story.steps.append((moment + timedelta(minutes=20), "submit", {}))
            continue
        if rng.random() < 0.1:
            return story  # awaits review
        assessed = claim if rng.random() < 0.85 else DOWNGRADE.get(claim, claim)
        story.steps.append((moment, "accept", {"assessed_status": assessed, "reason": "" if assessed is claim else rng.choice(REASONS)}))
        return story


def _authors(entities: list[Entity]) -> dict[int, User]:
    """Return a demo focal point per entity, making the missing ones (no password: they never sign in)."""
    found = {}
    for entity in entities:
        email = f"focal.{entity.code.lower()}{DEMO_DOMAIN}"
        user = find_user(email)
        if user is None:
            existing = db.session.scalar(select(User).where(User.entity_id == entity.id, User.email.endswith(DEMO_DOMAIN)))
            user = existing or accounts.create_user(email, f"Focal point, {entity.name} (demo)", Role.focal_point, entity)
        found[entity.id] = user
    return found


def generate() -> dict | None:
    """Write the demo progress once; return what was made, or None when progress exists already.

    :raise RealReports: the database holds updates not written by demo accounts.
    """
    if has_real_reports():
        raise RealReports("This database holds progress reports that demo accounts did not write.")
    if has_progress():
        return None
    reviewer = find_user(REVIEWER)
    rng = random.Random(SEED)
    entities = db.session.scalars(select(Entity).order_by(Entity.code)).all()
    states = [e for e in entities if e.kind is EntityKind.member_state]
    chosen_states = [e for e in states if e.code in ALWAYS] + rng.sample([e for e in states if e.code not in ALWAYS], MEMBER_STATES)
    with_assignments = set(db.session.scalars(select(Assignment.entity_id).distinct()))
    organizations = [e for e in entities if not e.is_member_state and e.id in with_assignments and e.kind is not EntityKind.committee]
    reporting = chosen_states + organizations
    authors = _authors(reporting)
    stories = []
    for entity in reporting:
        assignments = db.session.scalars(
            select(Assignment).join(Assignment.recommendation).where(Assignment.entity_id == entity.id, Recommendation.retired_at.is_(None)).order_by(Recommendation.code)
        ).all()
        share = 1.0 if not entity.is_member_state else rng.uniform(0.12, 0.35)
        for assignment in rng.sample(assignments, max(1, round(len(assignments) * share))):
            stories.append(_story(rng, assignment, authors[entity.id]))
    steps = sorted(
        ((moment, index, action, params) for index, story in enumerate(stories) for moment, action, params in story.steps if moment <= END),
        key=lambda step: (step[0], step[1]),
    )
    updates: dict[int, ProgressUpdate] = {}
    counts: dict[str, int] = {}
    for moment, index, action, params in steps:
        story = stories[index]
        if action != "create" and index not in updates:
            continue  # its creation fell after the end of the demo period
        with clock_at(moment):
            _play(action, params, story, updates, index, reviewer)
        counts[action] = counts.get(action, 0) + 1
    made = {"entities": len(reporting), "updates": len(updates), "steps": counts, "seed": SEED}
    with clock_at(END):
        record("demo.generated", data={"demo": True, **made, "period": [START.isoformat(), END.isoformat()]})
    return made


def _play(action: str, params: dict, story: Story, updates: dict, index: int, reviewer: User) -> None:
    if action == "create":
        updates[index] = operations.create_update(story.assignment, story.author, **params)
    elif action == "edit":
        operations.edit_update(updates[index], story.author, version=None, **params)
    elif action == "submit":
        operations.submit_update(updates[index], story.author)
    elif action == "return":
        operations.return_update(updates[index], reviewer, **params)
    elif action == "accept":
        operations.accept_update(updates[index], reviewer, **params)
