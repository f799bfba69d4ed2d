"""Briefings, their sessions and source paragraphs, recommendations, themes, entities and the
reporting rounds the catalogue names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import TitledEnum, UTCDateTime, enum_column, start_of, utcnow
from tracker.extensions import db


class RecommendationKind(TitledEnum):
    recommendation = "recommendation"
    good_practice = "good_practice"
    vulnerability = "vulnerability"
    commitment = "commitment"


RecommendationKind.__titles__ = {
    RecommendationKind.recommendation: _l("Recommendation"),
    RecommendationKind.good_practice: _l("Good practice"),
    RecommendationKind.vulnerability: _l("Vulnerability to address"),
    RecommendationKind.commitment: _l("Commitment"),
}


class EntityKind(TitledEnum):
    member_state = "member_state"
    un_entity = "un_entity"
    international_org = "international_org"
    committee = "committee"
    other = "other"


EntityKind.__titles__ = {
    EntityKind.member_state: _l("Member State"),
    EntityKind.un_entity: _l("United Nations entity"),
    EntityKind.international_org: _l("International organization"),
    EntityKind.committee: _l("Committee"),
    EntityKind.other: _l("Other organization"),
}

MEMBER_STATES = "member_states"
"""The addressee code that stands for every Member State."""


class Briefing(db.Model):
    __tablename__ = "briefings"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    date: Mapped[date]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(300))
    source_document: Mapped[str] = mapped_column(String(200))
    front_matter: Mapped[str] = mapped_column(Text)

    sessions: Mapped[list[BriefingSession]] = relationship(
        back_populates="briefing", order_by="BriefingSession.position"
    )
    paragraphs: Mapped[list[SourceParagraph]] = relationship(
        back_populates="briefing", order_by="SourceParagraph.number"
    )


class BriefingSession(db.Model):
    """An agenda part of a briefing ("session" in the UI)."""

    __tablename__ = "briefing_sessions"
    __table_args__ = (UniqueConstraint("briefing_id", "code", name="uq_briefing_sessions_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    heading: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]

    briefing: Mapped[Briefing] = relationship(back_populates="sessions")
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="session", order_by="Recommendation.position"
    )
    paragraphs: Mapped[list[SourceParagraph]] = relationship(
        back_populates="session", order_by="SourceParagraph.number"
    )


class SourceParagraph(db.Model):
    """One numbered paragraph of a briefing's source document, kept verbatim."""

    __tablename__ = "source_paragraphs"
    __table_args__ = (UniqueConstraint("briefing_id", "number", name="uq_source_paragraphs_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("briefing_sessions.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    briefing: Mapped[Briefing] = relationship(back_populates="paragraphs")
    session: Mapped[BriefingSession] = relationship(back_populates="paragraphs")
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="source_paragraph", order_by="Recommendation.position"
    )


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))


class Entity(db.Model):
    """Who acts: a Member State, a UN entity, an organization or a committee."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[EntityKind] = mapped_column(enum_column(EntityKind, "kind"))
    name: Mapped[str] = mapped_column(String(200))

    @property
    def is_member_state(self) -> bool:
        return self.kind is EntityKind.member_state


recommendation_themes = Table(
    "recommendation_themes",
    db.metadata,
    Column("recommendation_id", Integer, ForeignKey("recommendations.id"), primary_key=True),
    Column("theme_id", Integer, ForeignKey("themes.id"), primary_key=True),
)

recommendation_addressees = Table(
    "recommendation_addressees",
    db.metadata,
    Column("recommendation_id", Integer, ForeignKey("recommendations.id"), primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id"), primary_key=True),
)


class Recommendation(db.Model):
    """An actionable item, traceable to its exact words in the source document."""

    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("briefing_id", "code", name="uq_recommendations_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("briefing_sessions.id"), index=True)
    source_paragraph_id: Mapped[int] = mapped_column(ForeignKey("source_paragraphs.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    kind: Mapped[RecommendationKind] = mapped_column(enum_column(RecommendationKind, "kind"))
    text: Mapped[str] = mapped_column(Text)
    source_quote: Mapped[str] = mapped_column(Text)
    resolutions: Mapped[list[str]] = mapped_column(JSON)
    addressed_to_member_states: Mapped[bool]
    due: Mapped[date]
    due_note: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    briefing: Mapped[Briefing] = relationship()
    session: Mapped[BriefingSession] = relationship(back_populates="recommendations")
    source_paragraph: Mapped[SourceParagraph] = relationship(back_populates="recommendations")
    themes: Mapped[list[Theme]] = relationship(secondary=recommendation_themes, order_by=Theme.code)
    entities: Mapped[list[Entity]] = relationship(
        secondary=recommendation_addressees, order_by=Entity.code
    )

    @property
    def paragraph(self) -> int:
        return self.source_paragraph.number

    @property
    def addressee_codes(self) -> list[str]:
        codes = [MEMBER_STATES] if self.addressed_to_member_states else []
        return codes + [entity.code for entity in self.entities]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @classmethod
    def select_active(cls):
        return select(cls).where(cls.retired_at.is_(None))


class ReportingRound(db.Model):
    """A named cut-off for progress updates, tied to a meeting."""

    __tablename__ = "reporting_rounds"
    __table_args__ = (CheckConstraint("due <= meeting_date", name="due_before_meeting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    due: Mapped[date]
    meeting_date: Mapped[date]

    @property
    def closes_at(self) -> datetime:
        """The cut-off: the end of the due day, UTC. An update submitted before it belongs to the round."""
        return start_of(self.due + timedelta(days=1))

    def is_closed(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.closes_at


def round_for(moment: datetime | None, rounds: Sequence[ReportingRound]) -> ReportingRound | None:
    """Return the round an update submitted at ``moment`` belongs to: the first (by cut-off) whose
    cut-off had not passed. None when every cut-off had passed: it belongs to the next round, not
    yet added. ``rounds`` are in cut-off order (``catalogue.queries.rounds()``)."""
    if moment is None:
        return None
    return next((r for r in rounds if moment < r.closes_at), None)
