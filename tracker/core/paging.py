"""Numbered pages of a list, for every list page that can grow long."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    """Where one page sits in a list of ``total`` rows, ``size`` a page, and the rows it shows.

    A page number past the end shows the last page; before the start, the first.
    """

    total: int
    size: int
    page: int = 1
    rows: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pages = max(1, -(-self.total // self.size))
        self.page = min(max(1, self.page), self.pages)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def take(self, rows: list) -> Page:
        """Keep this page's share of the whole list ``rows``."""
        self.rows = rows[self.offset : self.offset + self.size]
        return self
