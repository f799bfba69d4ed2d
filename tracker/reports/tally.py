"""Counting assignments: the one shape every dashboard figure, chart and report statistic takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.progress.models import ImplementationStatus

STATUS_VALUES = [s.value for s in ImplementationStatus]


@dataclass
class Tally:
    """Counts of assignments by official status, and the readiness figures beside them."""

    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_VALUES, 0))
    total: int = 0
    accepted: int = 0  # with an update accepted in the round
    overdue: int = 0
    returned: int = 0  # an update returned and awaiting resubmission
    last_activity: datetime | None = None

    def add(self, status: str, count: int, accepted: int = 0, overdue: int = 0, returned: int = 0, last: datetime | None = None) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + count
        self.total += count
        self.accepted += accepted or 0
        self.overdue += overdue or 0
        self.returned += returned or 0
        if last is not None and (self.last_activity is None or last > self.last_activity):
            self.last_activity = last

    @classmethod
    def of(cls, *counts: int | None, last: datetime | None = None) -> Tally:
        """Return the tally of one grouped row: a count per status (in ``STATUS_VALUES`` order),
        then the accepted, overdue and returned counts."""
        *by_status, accepted, overdue, returned = (count or 0 for count in counts)
        return cls(dict(zip(STATUS_VALUES, by_status)), sum(by_status), accepted, overdue, returned, last)

    def merge(self, other: Tally) -> None:
        for status, count in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + count
        self.total += other.total
        self.accepted += other.accepted
        self.overdue += other.overdue
        self.returned += other.returned
        if other.last_activity is not None and (self.last_activity is None or other.last_activity > self.last_activity):
            self.last_activity = other.last_activity

    @property
    def share_accepted(self) -> float:
        return self.accepted / self.total if self.total else 0.0

    @property
    def reported(self) -> int:
        """Assignments whose official status is no longer "no action reported"."""
        return self.total - self.by_status.get("not_started", 0)

    def silent_for(self, day: date) -> int | None:
        """Days since the last activity, or None when there never was any."""
        return None if self.last_activity is None else (day - self.last_activity.date()).days

    def as_dict(self) -> dict:
        return {
            "by_status": dict(self.by_status),
            "total": self.total,
            "accepted": self.accepted,
            "overdue": self.overdue,
            "returned": self.returned,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Tally:
        tally = cls()
        tally.by_status.update(data.get("by_status", {}))
        tally.total, tally.accepted = data.get("total", 0), data.get("accepted", 0)
        tally.overdue, tally.returned = data.get("overdue", 0), data.get("returned", 0)
        return tally
