"""The spreadsheet upload form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class SpreadsheetForm(FlaskForm):
    spreadsheet = FileField(
        _l("Your filled-in worklist spreadsheet"),
        validators=[FileRequired(_l("Choose the spreadsheet to upload.")), FileAllowed(["xlsx"], _l("Upload the .xlsx file you downloaded."))],
        description=_l("Nothing is saved until you have seen the preview and confirmed it."),
    )
