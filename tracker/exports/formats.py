"""Write timelines as CSV, JSON Lines and XLSX, row by row, with a closing manifest.

Every row carries the fields its hash covers, so ``scripts/verify_export.py`` can recompute it
offline. Cells that a spreadsheet would run as a formula get a leading apostrophe (which the
verifier removes again), and XLSX cells are stored as text, never as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from typing import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from tracker.audit.models import AuditEvent, canonical_json

FORMAT = "ctc-tracker-timeline/1"
HASHED = [
    "seq", "occurred_at", "actor_id", "actor_label", "actor_role", "kind", "target_type", "target_id",
    "entity_id", "assignment_id", "recommendation_id", "data",
]
COLUMNS = HASHED + ["prev_hash", "hash", "entity_code", "item_code"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def row(event: AuditEvent, entities: dict[int, str], items: dict[int, str]) -> dict:
    """One event as an export row: the hashed payload, the chain links, and readable codes."""
    values = event.payload()
    values.update(
        prev_hash=event.prev_hash,
        hash=event.hash,
        entity_code=entities.get(event.entity_id),
        item_code=items.get(event.recommendation_id),
    )
    return values


def escape_cell(value):
    """Keep a text cell from being read as a formula; a leading apostrophe marks the escape."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[dict], manifest) -> Iterator[str]:
    """Yield CSV text: a UTF-8 byte order mark (for Excel), a header, rows, a manifest row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for count, values in enumerate(rows, start=1):
        cells = [canonical_json(values["data"]) if name == "data" else values[name] for name in COLUMNS]
        writer.writerow(["" if cell is None else escape_cell(cell) for cell in cells])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerow(["#manifest", canonical_json(manifest())])
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[dict], manifest) -> Iterator[str]:
    """Yield one JSON object a line, then a last line holding the manifest."""
    lines = []
    for values in rows:
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


def xlsx_file(rows: Iterable[dict], manifest) -> tempfile.SpooledTemporaryFile:
    """Write an XLSX workbook (sheets "events" and "manifest") to a temporary file, rewound."""
    workbook = Workbook(write_only=True)
    events = workbook.create_sheet("events")
    events.append(COLUMNS)
    for values in rows:
        cells = [canonical_json(values["data"]) if name == "data" else values[name] for name in COLUMNS]
        events.append([_text_cell(events, escape_cell(cell)) for cell in cells])
    sheet = workbook.create_sheet("manifest")
    for key, value in manifest().items():
        sheet.append([key, _text_cell(sheet, value if isinstance(value, (str, int)) else canonical_json(value))])
    target = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    workbook.save(target)
    target.seek(0)
    return target
