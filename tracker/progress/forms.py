"""Forms of the reporting workflow: updates, reviews, rounds, due dates and the spreadsheet upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from tracker.progress.evidence import ALLOWED
from tracker.progress.models import Confidentiality, ImplementationStatus
from tracker.progress.operations import NARRATIVE_LIMIT

STATUS_CHOICES = [SelectChoice(s.value, s.title) for s in ImplementationStatus]


class UpdateForm(FlaskForm):
    """What a focal point reports: never the official status, the entity or the reviewer."""

    claimed_status = SelectField(
        _l("Status you report"),
        choices=STATUS_CHOICES,
        validators=[DataRequired()],
        description=_l("“Implemented” needs a narrative and evidence; “Not applicable” needs a justification."),
    )
    narrative = TextAreaField(
        _l("Narrative"),
        validators=[Length(max=NARRATIVE_LIMIT)],
        description=_l("What has been done, by whom and when; plain text, up to 20,000 characters. Needed to submit the update."),
        render_kw={"rows": 10},
    )
    evidence_links = TextAreaField(
        _l("Evidence links"),
        validators=[Length(max=20_000)],
        description=_l("One web address per line (laws, reports, press releases)."),
        render_kw={"rows": 3},
    )
    evidence_file = FileField(_l("Evidence file"), description=_l("Optional. Accepted: %(types)s; at most 8 MB.", types=ALLOWED))
    confidentiality = RadioField(
        _l("Who may read this update"),
        choices=[SelectChoice(c.value, c.title) for c in Confidentiality],
        default=Confidentiality.entity.value,
        validators=[DataRequired()],
        description=_l("Drafts are only ever visible to your own entity."),
    )
    version = HiddenField()

    def version_number(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("accept", _l("Accept, with the status assessed below")), SelectChoice("return", _l("Return to the entity for changes"))],
        # Neither is preselected: a decision changes the official status or goes back to the entity.
        validators=[DataRequired(message=_l("Choose whether to accept the update or to return it."))],
    )
    assessed_status = SelectField(
        _l("Assessed status"),
        choices=STATUS_CHOICES,
        validators=[DataRequired()],
        description=_l("Becomes the official status when you accept. A reason is needed when it differs from the claim."),
    )
    comment = TextAreaField(
        _l("Reason or comment"),
        validators=[Length(max=5000)],
        description=_l("Required when returning the update, or when the assessment differs from the claim. The entity sees it."),
        render_kw={"rows": 4},
    )
    version = HiddenField()

    def version_number(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None


class RoundForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40), Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lower-case letters, digits and hyphens."))],
        description=_l("A short identifier, such as jsm-2019."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)], description=_l("As focal points will see it."))
    due = DateField(_l("Cut-off for updates"), validators=[InputRequired()], description=_l("The last day updates count for this round."))
    meeting_date = DateField(_l("Meeting date"), validators=[InputRequired()], description=_l("The meeting this round prepares."))


class DueForm(FlaskForm):
    due = DateField(_l("Due date"), validators=[InputRequired()], description=_l("When this entity should have acted on the item."))


class SpreadsheetForm(FlaskForm):
    spreadsheet = FileField(
        _l("Your filled-in worklist spreadsheet"),
        validators=[FileRequired(_l("Choose the spreadsheet to upload.")), FileAllowed(["xlsx"], _l("Upload the .xlsx file you downloaded."))],
        description=_l("Nothing is saved until you have seen the preview and confirmed it."),
    )
