"""Read the catalogue for pages and the open-data export."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from tracker.catalogue.models import Briefing, BriefingSession, Entity, Recommendation, ReportingRound, SourceParagraph, Theme
from tracker.extensions import db

_ITEM_LOADS = (
    selectinload(Recommendation.themes),
    selectinload(Recommendation.entities),
    selectinload(Recommendation.source_paragraph),
)


def briefings() -> list[Briefing]:
    return list(db.session.scalars(select(Briefing).order_by(Briefing.date.desc(), Briefing.code)))


def latest_briefing() -> Briefing | None:
    """Return the most recent briefing (whose sessions the filters offer), or None before seeding."""
    return db.session.scalar(select(Briefing).order_by(Briefing.date.desc(), Briefing.code).limit(1))


def get_briefing(code: str) -> Briefing:
    """Return the briefing with its sessions and items loaded.

    :raise 404: no briefing has that code.
    """
    briefing = db.session.scalar(
        select(Briefing)
        .filter_by(code=code)
        .options(
            selectinload(Briefing.sessions).selectinload(BriefingSession.recommendations).options(*_ITEM_LOADS),
            selectinload(Briefing.paragraphs).selectinload(SourceParagraph.recommendations),
        )
    )
    if briefing is None:
        abort(404)
    return briefing


def get_session(briefing: Briefing, code: str) -> BriefingSession:
    """:raise 404: the briefing has no session with that code."""
    for session in briefing.sessions:
        if session.code == code:
            return session
    abort(404)


def get_recommendation(briefing: Briefing, code: str) -> Recommendation:
    """:raise 404: the briefing has no item with that code."""
    for session in briefing.sessions:
        for item in session.recommendations:
            if item.code == code:
                return item
    abort(404)


def find_item(briefing_code: str, code: str) -> Recommendation:
    """Return one item with its briefing, without loading the rest of the catalogue.

    :raise 404: no briefing with that code has an item with that code.
    """
    item = db.session.scalar(
        select(Recommendation)
        .join(Recommendation.briefing)
        .where(Briefing.code == briefing_code, Recommendation.code == code)
        .options(contains_eager(Recommendation.briefing))
    )
    if item is None:
        abort(404)
    return item


def themes() -> dict[str, str]:
    return {t.code: t.title for t in db.session.scalars(select(Theme).order_by(Theme.code))}


def rounds() -> list[ReportingRound]:
    """Every reporting round, in cut-off order."""
    return list(db.session.scalars(select(ReportingRound).order_by(ReportingRound.due, ReportingRound.id)))


def catalogue_document() -> dict:
    """Return the whole catalogue in the documented open-data shape."""
    rounds = db.session.scalars(select(ReportingRound).order_by(ReportingRound.due, ReportingRound.code))
    entities = db.session.scalars(select(Entity).order_by(Entity.kind, Entity.code))
    return {
        "briefings": [_briefing(get_briefing(b.code)) for b in briefings()],
        "themes": [{"code": code, "title": title} for code, title in themes().items()],
        "entities": [{"code": e.code, "kind": e.kind.value, "name": e.name} for e in entities],
        "rounds": [
            {"code": r.code, "title": r.title, "due": r.due.isoformat(), "meeting_date": r.meeting_date.isoformat()}
            for r in rounds
        ],
    }


def _briefing(briefing: Briefing) -> dict:
    return {
        "code": briefing.code,
        "date": briefing.date.isoformat(),
        "title": briefing.title,
        "body": briefing.body,
        "venue": briefing.venue,
        "source_document": briefing.source_document,
        "sessions": [
            {
                "code": session.code,
                "title": session.title,
                "heading": session.heading,
                "recommendations": [_item(item) for item in session.recommendations],
            }
            for session in briefing.sessions
        ],
    }


def _item(item: Recommendation) -> dict:
    return {
        "code": item.code,
        "kind": item.kind.value,
        "text": item.text,
        "source_quote": item.source_quote,
        "paragraph": item.paragraph,
        "themes": [theme.code for theme in item.themes],
        "resolutions": list(item.resolutions),
        "addressees": item.addressee_codes,
        "due": item.due.isoformat(),
        "due_note": item.due_note,
        "retired": item.is_retired,
    }
