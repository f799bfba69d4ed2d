"""The dashboard's figures: live from the assignments' projection, as of a round's cut-off, or folded
from the history.

The live figures come from GROUP BYs over ``assignments`` (official_status, due, last_activity_at,
official_since, accepted_round_id, open_update_state), no update read: their cost follows
entities x items, never the number of updates. Figures "as of" a past day come from the
history instead (``tracker.reports.history``) and fold into the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import (
    Briefing,
    BriefingSession,
    Entity,
    Recommendation,
    ReportingRound,
    Theme,
    recommendation_themes,
    round_for,
)
from tracker.core.db import start_of, today, utc_day
from tracker.extensions import db
from tracker.progress.models import (
    Assignment,
    ImplementationStatus,
    ProgressUpdate,
    UpdateState,
)
from tracker.progress.workflow import overdue
from tracker.reports.tally import STATUS_VALUES, Tally


def round_on(day: date) -> ReportingRound | None:
    """Return the round the figures of ``day`` are about: the one open that day by the cut-off rule
    (``progress.queries.open_round``: the first whose due day it was not past), else the latest,
    closed one."""
    rounds = all_rounds()
    return round_for(start_of(day), rounds) or (rounds[-1] if rounds else None)


def all_rounds() -> list[ReportingRound]:
    return catalogue_queries.rounds()


@dataclass
class Counted:
    """One assignment as a round's progress report counts it: at the assessed status of its latest
    accepted update submitted by the round's cut-off (``update_id`` None: none was)."""

    assignment_id: int
    recommendation_id: int
    entity_id: int
    due: date
    open_state: UpdateState | None
    last_activity: object
    update_id: int | None
    status: ImplementationStatus
    submitted_at: object
    reviewed_at: object
    in_round: bool  # that update was submitted in the round (after the previous cut-off)


def _counted(round_: ReportingRound, now):
    """Return a select from the assignments and the column naming the update each one is counted by."""
    if round_.is_closed(now):
        latest = (
            select(ProgressUpdate.assignment_id.label("aid"), func.max(ProgressUpdate.id).label("uid"))
            .where(ProgressUpdate.state == UpdateState.accepted, ProgressUpdate.submitted_at < round_.closes_at)
            .group_by(ProgressUpdate.assignment_id)
            .subquery()
        )
        return select(Assignment).outerjoin(latest, latest.c.aid == Assignment.id), latest.c.uid
    return select(Assignment), Assignment.accepted_update_id


def counted_narratives(round_: ReportingRound, now, confidentiality) -> list:
    """Return the narratives of the updates the report counts (see ``counted_by_cutoff``) whose
    confidentiality is one of ``confidentiality``: (item id, entity code, entity name, update id,
    assessed status, narrative, confidentiality, reviewed at)."""
    base, update_id = _counted(round_, now)
    query = (
        base.join(ProgressUpdate, ProgressUpdate.id == update_id)
        .join(Entity, Entity.id == Assignment.entity_id)
        .join(Recommendation, Recommendation.id == Assignment.recommendation_id)
        .where(Recommendation.retired_at.is_(None), ProgressUpdate.confidentiality.in_(confidentiality), ProgressUpdate.narrative != "")
        .with_only_columns(
            Assignment.recommendation_id, Entity.code, Entity.name, ProgressUpdate.id, ProgressUpdate.assessed_status,
            ProgressUpdate.narrative, ProgressUpdate.confidentiality, ProgressUpdate.reviewed_at,
        )
    )
    return db.session.execute(query).all()


def counted_by_cutoff(round_: ReportingRound, now) -> list[Counted]:
    """Return every active assignment as the updates received by ``round_``'s cut-off leave it.

    While the round is open this is the projection itself (every update so far was submitted in
    time); once it has closed, the latest accepted update submitted before the cut-off is looked
    up among the accepted updates, like a point-in-time view.
    """
    base, update_id = _counted(round_, now)
    query = (
        base.outerjoin(ProgressUpdate, ProgressUpdate.id == update_id)
        .join(Recommendation, Recommendation.id == Assignment.recommendation_id)
        .where(Recommendation.retired_at.is_(None))
        .with_only_columns(
            Assignment.id, Assignment.recommendation_id, Assignment.entity_id, Assignment.due, Assignment.open_update_state,
            Assignment.last_activity_at, ProgressUpdate.id, ProgressUpdate.assessed_status, ProgressUpdate.submitted_at,
            ProgressUpdate.reviewed_at,
        )
    )
    rounds = all_rounds()
    found = []
    for aid, item_id, entity_id, due, state, last, uid, status, submitted_at, reviewed_at in db.session.execute(query):
        in_round = uid is not None and getattr(round_for(submitted_at, rounds), "id", None) == round_.id
        found.append(Counted(aid, item_id, entity_id, due, state, last, uid, status or ImplementationStatus.not_started, submitted_at, reviewed_at, in_round))
    return found


def counted_dashboard(round_: ReportingRound, rows: list[Counted], day: date) -> Dashboard:
    """Fold ``counted_by_cutoff`` rows into the dashboard's shape (overdue and returned as of ``day``)."""
    width = len(STATUS_VALUES) + 3
    column = {status: i for i, status in enumerate(STATUS_VALUES)}
    items: dict = {}
    entities: dict = {}
    last_activity: dict = {}
    timeline: dict = {}
    for row in rows:
        late = overdue(row.due, row.status, day)
        flags = (int(row.in_round), int(late), int(row.open_state is UpdateState.returned))
        for counts in (items.setdefault(row.recommendation_id, [0] * width), entities.setdefault(row.entity_id, [0] * width)):
            counts[column[row.status.value]] += 1
            for i, value in enumerate(flags, start=width - 3):
                counts[i] += value
        last = last_activity.get(row.entity_id)
        if row.last_activity is not None and (last is None or row.last_activity > last):
            last_activity[row.entity_id] = row.last_activity
        if row.in_round:
            accepted_on = row.reviewed_at.date().isoformat()
            timeline[accepted_on] = timeline.get(accepted_on, 0) + 1
    return fold(
        day, None, round_,
        [(item_id, *counts) for item_id, counts in items.items()],
        [(entity_id, *counts, last_activity.get(entity_id)) for entity_id, counts in entities.items()],
        list(timeline.items()),
    )


def submitted_after(round_: ReportingRound) -> int:
    """How many updates now submitted or reviewed were submitted after ``round_``'s cut-off (the report leaves them out)."""
    return db.session.scalar(
        select(func.count()).select_from(ProgressUpdate).where(
            ProgressUpdate.state.in_((UpdateState.submitted, UpdateState.accepted, UpdateState.returned)),
            ProgressUpdate.submitted_at >= round_.closes_at,
        )
    )


@dataclass
class CatalogueRows:
    """The small side of the dashboard as plain rows, no ORM object: sessions, active items, themes
    and entities, and which themes each item carries."""

    sessions: list  # id, code, title, briefing_date
    items: dict  # id -> id, code, text, kind, due, session_id, briefing_code
    themes: list  # id, code, title
    entities: dict  # id -> id, code, name, kind
    item_themes: dict  # item id -> [theme id]

    def session_of(self, item_id: int) -> int:
        return self.items[item_id].session_id


def catalogue() -> CatalogueRows:
    rows = db.session.execute
    items = rows(
        select(
            Recommendation.id, Recommendation.code, Recommendation.text, Recommendation.kind, Recommendation.due,
            Recommendation.session_id, Briefing.code.label("briefing_code"),
        )
        .join(Recommendation.session)
        .join(Recommendation.briefing)
        .where(Recommendation.retired_at.is_(None))
        .order_by(Briefing.date, BriefingSession.position, Recommendation.position)
    ).all()
    sessions = rows(
        select(BriefingSession.id, BriefingSession.code, BriefingSession.title, Briefing.date.label("briefing_date"))
        .join(BriefingSession.briefing)
        .order_by(Briefing.date, BriefingSession.position)
    ).all()
    themes = rows(select(Theme.id, Theme.code, Theme.title).order_by(Theme.title)).all()
    entities = rows(select(Entity.id, Entity.code, Entity.name, Entity.kind).order_by(Entity.name)).all()
    item_themes: dict[int, list[int]] = {}
    for item_id, theme_id in rows(select(recommendation_themes.c.recommendation_id, recommendation_themes.c.theme_id)).all():
        item_themes.setdefault(item_id, []).append(theme_id)
    return CatalogueRows(sessions, {i.id: i for i in items}, themes, {e.id: e for e in entities}, item_themes)


@dataclass
class Dashboard:
    day: date  # the day the figures describe: today, or the as-of day
    as_of: date | None
    round: ReportingRound | None
    catalogue: CatalogueRows
    total: Tally = field(default_factory=Tally)
    sessions: list = field(default_factory=list)  # [(session, Tally)]
    themes: list = field(default_factory=list)  # [(theme, Tally)]
    entities: list = field(default_factory=list)  # [(entity, Tally)]
    items: dict = field(default_factory=dict)  # item id -> Tally
    timeline: list = field(default_factory=list)  # [(day, accepted that day)]

    def silent(self, days: int) -> list:
        """Entities with no activity on any of their assignments for ``days`` days or more."""
        found = []
        for entity, tally in self.entities:
            since = tally.silent_for(self.day)
            if since is None or since >= days:
                found.append((entity, tally, since))
        return found


# The projection, read live


def projection(round_id: int | None, day: date):
    """Return the flags (conditions, by name) and the FROM of the live projection: the assignments alone."""
    round_id = round_id or -1
    flags = {
        "accepted": Assignment.accepted_round_id == round_id,
        "not_accepted": Assignment.accepted_round_id.is_distinct_from(round_id),
        "overdue": Assignment.overdue_on(day),
        "returned": Assignment.open_update_state == UpdateState.returned,
    }
    joined = (
        select(Assignment)
        .join(Recommendation, Recommendation.id == Assignment.recommendation_id)
        .where(Recommendation.retired_at.is_(None))
    )
    return flags, joined


def tally_columns(flags: dict) -> tuple:
    """The columns of one group's Tally (see Tally.of): a count per status, then the accepted,
    overdue and returned flags. One row per group, not one per group and status: fewer rows to
    hash in the database and to fold here."""
    by_status = (func.count().filter(Assignment.official_status == status) for status in ImplementationStatus)
    return (*by_status, *(func.count().filter(flags[flag]) for flag in ("accepted", "overdue", "returned")))


def live_dashboard(round_: ReportingRound | None = None) -> Dashboard:
    """Return today's figures from the projection: three GROUP BYs over the assignments.

    "Accepted" counts updates accepted in ``round_``, by default the round open today; the
    assignments carry the accepted update's round and the open update's state, so no update is
    read: the cost follows entities x items, never the number of updates.
    """
    day = today()
    round_ = round_ or round_on(day)
    round_id = round_.id if round_ else -1
    flags, joined = projection(round_id, day)
    counts = tally_columns(flags)
    items = db.session.execute(
        joined.with_only_columns(Assignment.recommendation_id, *counts).group_by(Assignment.recommendation_id)
    ).all()
    entities = db.session.execute(
        joined.with_only_columns(Assignment.entity_id, *counts, func.max(Assignment.last_activity_at)).group_by(Assignment.entity_id)
    ).all()
    accepted_on = utc_day(Assignment.official_since)
    timeline = db.session.execute(
        joined.with_only_columns(accepted_on, func.count()).where(flags["accepted"]).group_by(accepted_on)
    ).all()
    return fold(day, None, round_, items, entities, timeline)


def fold(day, as_of, round_, item_rows, entity_rows, timeline_rows) -> Dashboard:
    """Shape grouped rows into the dashboard; the live and the as-of paths share this.

    Item rows are (item id, *counts), entity rows (entity id, *counts, last activity), with the
    counts of ``Tally.of``; timeline rows are (day, accepted that day).
    """
    board = Dashboard(day=day, as_of=as_of, round=round_, catalogue=catalogue())
    cat = board.catalogue
    board.items = {item_id: Tally.of(*counts) for item_id, *counts in item_rows if item_id in cat.items}
    by_session = {s.id: Tally() for s in cat.sessions}
    by_theme = {t.id: Tally() for t in cat.themes}
    for item_id, tally in board.items.items():
        board.total.merge(tally)
        by_session[cat.session_of(item_id)].merge(tally)
        for theme_id in cat.item_themes.get(item_id, ()):
            by_theme[theme_id].merge(tally)
    board.sessions = [(s, by_session[s.id]) for s in cat.sessions if by_session[s.id].total]
    board.themes = [(t, by_theme[t.id]) for t in cat.themes if by_theme[t.id].total]
    by_entity = {entity_id: Tally.of(*counts, last=last) for entity_id, *counts, last in entity_rows}
    board.entities = [(e, by_entity[e.id]) for e in cat.entities.values() if e.id in by_entity]
    board.timeline = sorted((date.fromisoformat(str(d)[:10]), n) for d, n in timeline_rows if d is not None)
    return board
