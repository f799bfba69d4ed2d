"""Assignments, progress updates and evidence.

The statuses, the states and the moves between them are in ``tracker.progress.workflow``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.catalogue.models import Entity, Recommendation, ReportingRound
from tracker.core.db import TitledEnum, UTCDateTime, enum_column, today, utcnow
from tracker.extensions import db
from tracker.progress.workflow import (  # noqa: F401  (the workflow's words, read from here too)
    CLOSED_STATUSES,
    EDITABLE_STATES,
    OPEN_STATES,
    TRANSITIONS,
    ImplementationStatus,
    UpdateState,
    overdue,
)

class Look(NamedTuple):
    """How a status looks, everywhere: a shape, so it reads without colour (WCAG 1.4.1); the ink of
    its text; the soft background of its grid cells; its fill and pattern in charts."""

    shape: str
    ink: str
    background: str | None
    fill: str
    pattern: str


# The one palette: the stylesheet's status classes (status_css), the charts and the PDF use it.
PALETTE = {
    "not_started": Look("○", "#4a4a4a", None, "#ffffff", "hollow"),
    "in_progress": Look("◔", "#00497a", "#dcebf7", "#a9cbe8", "hatch"),
    "partially_implemented": Look("◑", "#6b4e00", "#fcefc7", "#f4cf6a", "dots"),
    "implemented": Look("●", "#0b6b2f", "#d9efe0", "#1e7b3c", "solid"),
    "not_applicable": Look("⊘", "#5a2a6b", "#eee5f4", "#cdb9dc", "cross"),
}
SHAPES = {status: look.shape for status, look in PALETTE.items()}


def status_css() -> str:
    """The CSS of the status classes: ``status-<value>`` (badges) and ``c-<value>`` (grid cells)."""
    rules = []
    for status, look in PALETTE.items():
        rules.append(f".status-{status} {{ color: {look.ink}; }}")
        background = f" background: {look.background}; print-color-adjust: exact;" if look.background else ""
        rules.append(f".c-{status} {{ color: {look.ink};{background} }}")
    return "\n".join(rules) + "\n"


class Confidentiality(TitledEnum):
    entity = "entity"
    committee = "committee"
    public = "public"


Confidentiality.__titles__ = {
    Confidentiality.entity: _l("Our entity, the secretariat and auditors only; never quoted"),
    Confidentiality.committee: _l("May be quoted in reports to the Committee"),
    Confidentiality.public: _l("Public once accepted"),
}


def _is_focal_point_of(user, entity_id: int) -> bool:
    return user.is_authenticated and user.role.value == "focal_point" and user.entity_id == entity_id


def _is_overseer(user) -> bool:
    return user.is_authenticated and user.role.value in ("secretariat", "auditor")


class Assignment(db.Model):
    """One recommendation addressed to one entity: the unit with an official status.

    Its status columns are a projection kept current in the same transaction as every update
    and review, so lists never read the history.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "entity_id", name="uq_assignments_recommendation_entity"),
        Index("ix_assignments_entity_recommendation", "entity_id", "recommendation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    due: Mapped[date]
    official_status: Mapped[ImplementationStatus] = mapped_column(
        enum_column(ImplementationStatus, "official_status"), default=ImplementationStatus.not_started
    )
    official_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    accepted_update_id: Mapped[Optional[int]] = mapped_column(ForeignKey("progress_updates.id", use_alter=True))
    published_update_id: Mapped[Optional[int]] = mapped_column(ForeignKey("progress_updates.id", use_alter=True))
    open_update_id: Mapped[Optional[int]] = mapped_column(ForeignKey("progress_updates.id", use_alter=True))
    # Copies of the open update's state and the accepted update's round, so that dashboards
    # count from this table alone, whatever the number of updates.
    open_update_state: Mapped[Optional[UpdateState]] = mapped_column(enum_column(UpdateState, "open_update_state"))
    accepted_round_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reporting_rounds.id"))
    last_activity_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    recommendation: Mapped[Recommendation] = relationship()
    entity: Mapped[Entity] = relationship()
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="assignment", foreign_keys="ProgressUpdate.assignment_id", order_by="ProgressUpdate.id"
    )
    accepted_update: Mapped[Optional[ProgressUpdate]] = relationship(foreign_keys=[accepted_update_id], post_update=True)
    published_update: Mapped[Optional[ProgressUpdate]] = relationship(foreign_keys=[published_update_id], post_update=True)
    open_update: Mapped[Optional[ProgressUpdate]] = relationship(foreign_keys=[open_update_id], post_update=True)

    __mapper_args__ = {"version_id_col": version}

    @hybrid_method
    def overdue_on(self, day: date):
        """Past due on ``day`` and not closed; in a query, the same condition in SQL."""
        return overdue(self.due, self.official_status, day)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_on(today())

    def can_view(self, user) -> bool:
        return _is_focal_point_of(user, self.entity_id) or _is_overseer(user)

    def can_report(self, user) -> bool:
        return _is_focal_point_of(user, self.entity_id) and self.open_update_id is None

    def can_set_due(self, user) -> bool:
        return user.is_authenticated and user.role.value == "secretariat"


class ProgressUpdate(db.Model):
    """An entity's report on one assignment in one round, and its review."""

    __tablename__ = "progress_updates"
    __table_args__ = (
        CheckConstraint(
            "(state = 'accepted' AND assessed_status IS NOT NULL AND reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL)"
            " OR (state <> 'accepted' AND assessed_status IS NULL)",
            name="assessed_iff_accepted",
        ),
        CheckConstraint(
            "assessed_status IS NULL OR assessed_status = claimed_status OR assessment_reason IS NOT NULL",
            name="reason_if_assessment_differs",
        ),
        CheckConstraint("state <> 'returned' OR return_comment IS NOT NULL", name="comment_if_returned"),
        CheckConstraint("state = 'draft' OR submitted_at IS NOT NULL", name="submitted_at_once_submitted"),
        Index(
            "uq_progress_updates_one_open",
            "assignment_id",
            unique=True,
            sqlite_where=text("state IN ('draft', 'submitted', 'returned')"),
            postgresql_where=text("state IN ('draft', 'submitted', 'returned')"),
        ),
        Index("ix_progress_updates_state_submitted_at", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[UpdateState] = mapped_column(enum_column(UpdateState, "state"), default=UpdateState.draft)
    claimed_status: Mapped[ImplementationStatus] = mapped_column(enum_column(ImplementationStatus, "claimed_status"))
    narrative: Mapped[str] = mapped_column(Text, default="")
    confidentiality: Mapped[Confidentiality] = mapped_column(enum_column(Confidentiality, "confidentiality"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    assessed_status: Mapped[Optional[ImplementationStatus]] = mapped_column(
        enum_column(ImplementationStatus, "assessed_status")
    )
    assessment_reason: Mapped[Optional[str]] = mapped_column(Text)
    return_comment: Mapped[Optional[str]] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    assignment: Mapped[Assignment] = relationship(back_populates="updates", foreign_keys=[assignment_id])
    round: Mapped[ReportingRound] = relationship()
    entity: Mapped[Entity] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    evidence: Mapped[list[Evidence]] = relationship(back_populates="update", order_by="Evidence.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def current_evidence(self) -> list[Evidence]:
        return [e for e in self.evidence if e.removed_at is None]

    @property
    def is_public(self) -> bool:
        return self.confidentiality is Confidentiality.public

    def allows(self, action: str) -> bool:
        return (self.state, action) in TRANSITIONS

    def can_view(self, user) -> bool:
        if _is_focal_point_of(user, self.entity_id):
            return True
        return self.state is not UpdateState.draft and _is_overseer(user)

    def can_author(self, user) -> bool:
        """Whether ``user`` writes, submits and withdraws this update, in a state that allows it."""
        return _is_focal_point_of(user, self.entity_id)

    def can_assess(self, user) -> bool:
        """Whether ``user`` accepts or returns this update, in a state that allows it."""
        return user.is_authenticated and user.role.value == "secretariat"

    def can_edit(self, user) -> bool:
        return self.can_author(user) and self.state in EDITABLE_STATES

    def can_submit(self, user) -> bool:
        return self.can_author(user) and self.allows("submit")

    def can_withdraw(self, user) -> bool:
        return self.can_author(user) and self.allows("withdraw")

    def can_review(self, user) -> bool:
        return self.can_assess(user) and self.allows("accept")


class EvidenceKind(TitledEnum):
    link = "link"
    file = "file"


EvidenceKind.__titles__ = {EvidenceKind.link: _l("Link"), EvidenceKind.file: _l("File")}


class Evidence(db.Model):
    """A link or a stored file backing an update. Removal from a draft only marks it."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'link' AND url IS NOT NULL AND stored_name IS NULL)"
            " OR (kind = 'file' AND url IS NULL AND stored_name IS NOT NULL AND sha256 IS NOT NULL)",
            name="link_or_file",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_updates.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "kind"))
    url: Mapped[Optional[str]] = mapped_column(String(2000))
    filename: Mapped[Optional[str]] = mapped_column(String(255))
    stored_name: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    content_type: Mapped[Optional[str]] = mapped_column(String(100))
    size: Mapped[Optional[int]]
    sha256: Mapped[Optional[str]] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    update: Mapped[ProgressUpdate] = relationship(back_populates="evidence")

    @property
    def label(self) -> str:
        return self.filename if self.kind is EvidenceKind.file else self.url

    def describe(self) -> dict:
        """What the audit log records of this piece of evidence."""
        if self.kind is EvidenceKind.link:
            return {"id": self.id, "kind": "link", "url": self.url}
        return {"id": self.id, "kind": "file", "filename": self.filename, "size": self.size, "sha256": self.sha256}
