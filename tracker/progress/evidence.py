"""Evidence files: type checked by content, stored outside the web root under generated names."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from tracker.core.errors import Refused

_OOXML = {".docx", ".xlsx", ".pptx"}
_ODF = {".odt", ".ods", ".odp"}
_TEXT = {".txt", ".csv"}
_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}
ALLOWED = ", ".join(sorted(ext.lstrip(".").upper() for ext in _CONTENT_TYPES))
_MARKUP = re.compile(rb"<\s*(!doctype|html|script|svg|iframe|body)", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """Keep the last path part of a client's file name, without control characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = _UNSAFE_NAME.sub("", base).strip().lstrip(".")
    return base[-200:] or "evidence"


def _matches(extension: str, content: bytes) -> bool:
    if extension == ".pdf":
        return content.startswith(b"%PDF-")
    if extension == ".png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if extension in _OOXML | _ODF:
        if not content.startswith(b"PK\x03\x04"):
            return False
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names if extension in _OOXML else "mimetype" in names
    if extension in _TEXT:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in content and not _MARKUP.search(content[:4096])
    return False


def store(upload) -> StoredFile:
    """Check an uploaded file and keep it; refuse what is too large or not what it claims."""
    filename = clean_filename(upload.filename)
    extension = os.path.splitext(filename)[1].lower()
    limit = current_app.config["MAX_EVIDENCE_BYTES"]
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise Refused(_("The file is larger than %(num)d MB.", num=limit // (1024 * 1024)), field="evidence_file")
    if not content:
        raise Refused(_("The file is empty."), field="evidence_file")
    if extension not in _CONTENT_TYPES or not _matches(extension, content):
        raise Refused(
            _("This file is not an accepted document, or its content does not match its name. Accepted: %(types)s.", types=ALLOWED),
            field="evidence_file",
        )
    stored_name = secrets.token_hex(16)
    folder = current_app.config["EVIDENCE_DIR"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, stored_name), "xb") as target:
        target.write(content)
    return StoredFile(filename, stored_name, _CONTENT_TYPES[extension], len(content), hashlib.sha256(content).hexdigest())


def path_of(stored_name: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored evidence name")
    return os.path.join(current_app.config["EVIDENCE_DIR"], stored_name)
