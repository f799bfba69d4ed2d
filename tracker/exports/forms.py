"""The timeline's filters."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from tracker.exports.events import KINDS
from tracker.exports.queries import TimelineFilters


class DayField(DateField):
    """A calendar day written YYYY-MM-DD, with a message that says so when it is not."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date: write it as year-month-day, such as 2019-01-31.", value=valuelist[0][:20])
            ) from None


class TimelineFilterForm(FlaskForm):
    """The timeline's filters, read from the query string; every field optional."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    date_from = DayField(_l("From"), validators=[Optional()], description=_l("First day, UTC."))
    date_to = DayField(_l("To"), validators=[Optional()], description=_l("Last day, UTC."))
    session = SelectField(_l("Session"), validators=[Optional()], description=_l("Events about the items of one session."))
    item = StringField(_l("Item code"), validators=[Optional(), Length(max=40)], description=_l("Such as III.5."))
    entity = SelectField(_l("Entity"), validators=[Optional()], description=_l("Events about one State or organization."))
    kind = SelectField(_l("Kind of event"), validators=[Optional()], validate_choice=False, description=_l("What happened."))
    assignment = IntegerField(_l("Assignment"), widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args, sessions=(), entities=(), with_entity=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.session.choices = [("", _l("All sessions")), *((s.code, s.title) for s in sessions)]
        self.entity.choices = [("", _l("All entities")), *((e.code, e.name) for e in entities)]
        self.kind.choices = [("", _l("All kinds")), *KINDS.items()]
        if not with_entity:
            del self.entity

    def validate_kind(self, field):
        if field.data and field.data not in KINDS:
            raise ValidationError(_("Choose a kind of event from the list."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The last day comes before the first."))

    def filters(self) -> TimelineFilters:
        """The filters to apply: each field that could be read; one with an error is left out."""
        def ok(name):
            field = getattr(self, name, None)
            return field is not None and not field.errors and field.data not in (None, "")

        return TimelineFilters(
            entity=self.entity.data if ok("entity") else "",
            session=self.session.data if ok("session") else "",
            item=self.item.data.strip() if ok("item") else "",
            assignment=self.assignment.data if ok("assignment") else None,
            kind=self.kind.data if ok("kind") else "",
            date_from=self.date_from.data if ok("date_from") else None,
            date_to=self.date_to.data if ok("date_to") else None,
        )

    def query(self) -> dict:
        """The query string of the filters applied, for export links and paging."""
        return self.filters().as_dict()
