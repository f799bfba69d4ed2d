"""Text people write into the tracker: line ends normalized, control characters refused, formulas escaped."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from tracker.core.errors import Refused

TEXT_LIMIT = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None, *, field: str, limit: int = TEXT_LIMIT) -> str:
    """Normalize line ends and refuse control characters and oversize text."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(value):
        raise Refused(_("The text contains control characters; please remove them."), field=field)
    if len(value) > limit:
        raise Refused(_("The text is longer than %(num)d characters.", num=limit), field=field)
    return value


# What a spreadsheet would run as a formula at the start of a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_cell(value):
    """Keep a text cell from being read as a formula; a leading apostrophe marks the escape."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
