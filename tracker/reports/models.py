"""Frozen progress reports: what the Committee was given, kept unchanged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.catalogue.models import ReportingRound
from tracker.core.db import UTCDateTime, utcnow
from tracker.extensions import db


class FrozenReport(db.Model):
    """A progress report as generated at one moment for one round; never changed afterwards."""

    __tablename__ = "frozen_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id"), index=True)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    audit_seq: Mapped[int]
    audit_head_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))

    round: Mapped[ReportingRound] = relationship()
    frozen_by = relationship("User")
