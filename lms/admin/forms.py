from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from lms.auth.forms import StrongPassword
from lms.models import DEFAULT_CAPACITY
from lms.services.passwords import MAX_LENGTH

ROLE_CHOICES = [
    SelectChoice("trainee", _l("Trainee")),
    SelectChoice("mentor", _l("Mentor")),
    SelectChoice("admin", _l("Admin")),
    SelectChoice("lead", _l("Team lead")),
]
KIND_CHOICES = [
    SelectChoice("", "—"),
    SelectChoice("ai", _l("AI mentor")),
    SelectChoice("business", _l("Business mentor")),
]
LOCALE_CHOICES = [SelectChoice("zh_CN", "简体中文"), SelectChoice("en", "English")]


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    mentor_kind = SelectField(_l("Mentor kind"), choices=KIND_CHOICES)
    capacity = IntegerField(
        _l("Capacity (max active trainees)"),
        default=DEFAULT_CAPACITY,
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    submit = SubmitField(_l("Save"))


class NewPersonForm(PersonForm):
    # Our own message: WTForms' zh_CN one reads "无效的 Email 地址".
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Email(_l("Enter a valid email address.")), Length(max=254)])
    password = PasswordField(
        _l("Initial password"),
        description=_l("Leave empty to give the person a link to set their own password."),
        validators=[Optional(), Length(max=MAX_LENGTH), StrongPassword(inputs=("email", "name"))],
    )
    field_order = ["email", "name", "role", "mentor_kind", "capacity", "locale", "password"]


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH), StrongPassword()]
    )
    submit = SubmitField(_l("Set password"))


class ImportPeopleForm(FlaskForm):
    file = FileField(
        _l("CSV or Excel (.xlsx) file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt", "xlsx"], _l("Upload a .csv or .xlsx file."))],
    )
    submit = SubmitField(_l("Import"))


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""

    submit = SubmitField(_l("Confirm"))
