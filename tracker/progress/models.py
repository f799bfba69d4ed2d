"""Reporting rounds (assignments and updates join them as the workflow lands)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class ReportingRound(db.Model):
    """A named cut-off for progress updates, tied to a meeting."""

    __tablename__ = "reporting_rounds"
    __table_args__ = (CheckConstraint("due <= meeting_date", name="due_before_meeting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    due: Mapped[date]
    meeting_date: Mapped[date]
