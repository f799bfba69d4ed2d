"""Write the curated catalogue into the database; seeding adds and updates, never deletes."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from tracker.audit.operations import record
from tracker.catalogue.catalogue_file import Catalogue
from tracker.catalogue.signals import seeded
from tracker.catalogue.models import (
    MEMBER_STATES,
    Briefing,
    BriefingSession,
    Entity,
    Recommendation,
    ReportingRound,
    SourceParagraph,
    Theme,
)
from tracker.core.db import utcnow
from tracker.extensions import db


def seed_catalogue(catalogue: Catalogue) -> Counter:
    """Bring the database in line with the catalogue and count what changed.

    Items missing from the catalogue are retired, not deleted; reporting rounds are only added,
    since the secretariat edits them afterwards. The ``seeded`` signal lets the domains built on
    the catalogue follow (progress adds the assignments). Only flushes: the caller commits.
    """
    changes: Counter = Counter()
    seeder = _Seeder(changes)
    briefing = seeder.briefing(catalogue)
    sessions = seeder.sessions(briefing, catalogue)
    paragraphs = seeder.paragraphs(briefing, catalogue, sessions)
    themes = seeder.themes(catalogue)
    entities = seeder.entities(catalogue)
    seeder.rounds(catalogue)
    seeder.recommendations(briefing, catalogue, sessions, paragraphs, themes, entities)
    if changes:
        record("catalogue.seeded", target=briefing, data={"changes": dict(sorted(changes.items()))})
    db.session.flush()
    for _receiver, theirs in seeded.send(briefing):
        changes.update(theirs)
    return changes


def _update(obj, changes: Counter, label: str, **values) -> None:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed and obj.id is not None:
        changes[f"{label} updated"] += 1


class _Seeder:
    def __init__(self, changes: Counter):
        self.changes = changes

    def add(self, obj, label: str):
        db.session.add(obj)
        self.changes[f"{label} added"] += 1
        return obj

    def briefing(self, catalogue: Catalogue) -> Briefing:
        spec = dict(catalogue.briefing, front_matter=catalogue.source.front_matter)
        briefing = db.session.scalar(select(Briefing).filter_by(code=spec["code"]))
        if briefing is None:
            briefing = self.add(Briefing(code=spec["code"]), "briefings")
        _update(briefing, self.changes, "briefings", **{k: v for k, v in spec.items() if k != "code"})
        db.session.flush()
        return briefing

    def sessions(self, briefing: Briefing, catalogue: Catalogue) -> dict[str, BriefingSession]:
        existing = {s.code: s for s in briefing.sessions}
        by_heading = {}
        for position, spec in enumerate(catalogue.sessions, start=1):
            session = existing.get(spec.code)
            if session is None:
                session = self.add(BriefingSession(briefing=briefing, code=spec.code), "sessions")
            _update(session, self.changes, "sessions", heading=spec.heading, title=spec.title, position=position)
            by_heading[spec.heading] = session
        db.session.flush()
        return by_heading

    def paragraphs(self, briefing, catalogue, sessions) -> dict[int, SourceParagraph]:
        existing = {p.number: p for p in briefing.paragraphs}
        for paragraph in catalogue.source.paragraphs:
            row = existing.get(paragraph.number)
            if row is None:
                row = existing[paragraph.number] = self.add(
                    SourceParagraph(briefing=briefing, number=paragraph.number), "paragraphs"
                )
            _update(row, self.changes, "paragraphs", text=paragraph.text, session=sessions[paragraph.session_heading])
        db.session.flush()
        return existing

    def themes(self, catalogue: Catalogue) -> dict[str, Theme]:
        existing = {t.code: t for t in db.session.scalars(select(Theme))}
        for code, title in catalogue.themes.items():
            theme = existing.get(code)
            if theme is None:
                theme = existing[code] = self.add(Theme(code=code), "themes")
            _update(theme, self.changes, "themes", title=title)
        return existing

    def entities(self, catalogue: Catalogue) -> dict[str, Entity]:
        existing = {e.code: e for e in db.session.scalars(select(Entity))}
        for code, kind, name in catalogue.entities:
            entity = existing.get(code)
            if entity is None:
                entity = existing[code] = self.add(Entity(code=code), "entities")
            _update(entity, self.changes, "entities", kind=kind, name=name)
        db.session.flush()
        return existing

    def rounds(self, catalogue: Catalogue) -> None:
        existing = set(db.session.scalars(select(ReportingRound.code)))
        for spec in catalogue.rounds:
            if spec["code"] not in existing:
                self.add(ReportingRound(**spec), "rounds")

    def recommendations(self, briefing, catalogue, sessions, paragraphs, themes, entities) -> None:
        existing = {
            r.code: r
            for r in db.session.scalars(select(Recommendation).filter_by(briefing_id=briefing.id))
        }
        position = 0
        for session_spec in catalogue.sessions:
            for spec in session_spec.items:
                position += 1
                item = existing.pop(spec.code, None)
                if item is None:
                    item = self.add(Recommendation(briefing=briefing, code=spec.code), "items")
                _update(
                    item,
                    self.changes,
                    "items",
                    session=sessions[session_spec.heading],
                    source_paragraph=paragraphs[spec.paragraph],
                    position=position,
                    kind=spec.kind,
                    text=spec.text,
                    source_quote=spec.quote,
                    resolutions=spec.resolutions,
                    addressed_to_member_states=MEMBER_STATES in spec.addressees,
                    due=spec.due,
                    due_note=spec.due_note,
                    themes=[themes[code] for code in sorted(spec.themes)],
                    entities=sorted(
                        (entities[code] for code in spec.addressees if code != MEMBER_STATES),
                        key=lambda e: e.code,
                    ),
                    retired_at=None,
                )
        for item in existing.values():
            if item.retired_at is None:
                item.retired_at = utcnow()
                self.changes["items retired"] += 1
