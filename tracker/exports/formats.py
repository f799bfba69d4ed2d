"""Write timelines as CSV, JSON Lines and XLSX, row by row, with a closing manifest.

Every row carries the fields its hash covers, so ``scripts/verify_export.py`` can recompute it
offline. Cells that a spreadsheet would run as a formula get a leading apostrophe (which the
verifier removes again), and XLSX cells are stored as text, never as formulas.
"""

from __future__ import annotations

import csv
import json
import tempfile
from itertools import islice
from typing import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from tracker.core.db import canonical_json
from tracker.core.text import FORMULA_START

FORMAT = "ctc-tracker-timeline/1"
HASHED = [
    "seq", "occurred_at", "actor_id", "actor_label", "actor_role", "kind", "target_type", "target_id",
    "entity_id", "assignment_id", "recommendation_id", "data",
]
COLUMNS = HASHED + ["prev_hash", "hash", "entity_code", "item_code"]
_FORMULA_CHARS = "".join(FORMULA_START)
# The cells whose text comes from people: an account's address, the catalogue's codes. The others are
# numbers, hashes, times, JSON objects, or the tracker's own words (kind, role, target type).
_TEXT_CELLS = [COLUMNS.index(name) for name in ("actor_label", "entity_code", "item_code")]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _escaped(cells: list) -> list:
    """``escape_cell`` on the text cells of one export row, in place (it runs a million times)."""
    for i in _TEXT_CELLS:
        value = cells[i]
        if value and value[0] in _FORMULA_CHARS:
            cells[i] = "'" + value
    return cells


class _Parts(list):
    """What the CSV writer writes, kept as parts and handed on in chunks."""

    write = list.append

    def take(self) -> str:
        text = "".join(self)
        self.clear()
        return text


def csv_chunks(rows: Iterable[list], manifest) -> Iterator[str]:
    """Yield CSV text: a UTF-8 byte order mark (for Excel), a header, rows, a manifest row."""
    parts = _Parts(["\ufeff"])
    writer = csv.writer(parts, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = iter(rows)
    while batch := list(islice(rows, 500)):
        writer.writerows(map(_escaped, batch))
        yield parts.take()
    writer.writerow(["#manifest", canonical_json(manifest())])
    yield parts.take()


def jsonl_chunks(rows: Iterable[list], manifest) -> Iterator[str]:
    """Yield one JSON object a line, then a last line holding the manifest."""
    lines = []
    for cells in rows:
        values = dict(zip(COLUMNS, cells))
        values["data"] = json.loads(values["data"])
        lines.append(json.dumps(values, ensure_ascii=False, sort_keys=True))
        if len(lines) == 500:
            yield "\n".join(lines) + "\n"
            lines = []
    lines.append(json.dumps({"manifest": manifest()}, ensure_ascii=False, sort_keys=True))
    yield "\n".join(lines) + "\n"


def _text_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def xlsx_file(rows: Iterable[list], manifest) -> tempfile.SpooledTemporaryFile:
    """Write an XLSX workbook (sheets "events" and "manifest") to a temporary file, rewound."""
    workbook = Workbook(write_only=True)
    events = workbook.create_sheet("events")
    events.append(COLUMNS)
    for cells in rows:
        events.append([_text_cell(events, cell) for cell in _escaped(cells)])
    sheet = workbook.create_sheet("manifest")
    for key, value in manifest().items():
        sheet.append([key, _text_cell(sheet, value if isinstance(value, (str, int)) else canonical_json(value))])
    target = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # larger workbooks go to disk
    workbook.save(target)
    target.seek(0)
    return target
