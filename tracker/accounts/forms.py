"""Sign-in, password and account administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from tracker.accounts.models import Role
from tracker.accounts.passwords import MAX_LENGTH
from tracker.catalogue.models import Entity
from tracker.extensions import db

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.org."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254), EMAIL])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        description=_l("At least 15 characters; any characters. A few unrelated words work well."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        description=_l("At least 15 characters; any characters. Every other session is signed out."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change state."""


def _entity_choices() -> list[SelectChoice]:
    entities = db.session.scalars(select(Entity).order_by(Entity.kind, Entity.name))
    return [SelectChoice("", _l("— none (not a focal point) —"))] + [
        SelectChoice(e.code, f"{e.name} ({e.code})", optgroup=str(e.kind.title)) for e in entities
    ]


class AccountForm(FlaskForm):
    """What an administrator sets on an account: name, role and, for focal points, entity."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, r.title) for r in Role],
        validators=[DataRequired()],
        description=_l("Focal points report for one entity; the other roles belong to none."),
    )
    entity = SelectField(_l("Entity"), validators=[Length(max=20)], description=_l("Required for focal points only."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = _entity_choices()

    def validate_entity(self, field):
        role = self.role.data
        if role == Role.focal_point.value and not field.data:
            raise ValidationError(_l("Choose the entity this focal point reports for."))
        if role != Role.focal_point.value and field.data:
            raise ValidationError(_l("Only focal points belong to an entity: leave this empty."))

    def selected_entity(self) -> Entity | None:
        if not self.entity.data:
            return None
        return db.session.scalar(select(Entity).where(Entity.code == self.entity.data))


class InviteForm(AccountForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254), EMAIL])
