"""Forms of the API token pages (admins: People → API tokens; a placed person: their own)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from lms.admin.cohort_forms import _sensible_date
from lms.services.api_tokens import MAX_NAME


class TokenForm(FlaskForm):
    name = StringField(_l("What it is for"), validators=[DataRequired(), Length(max=MAX_NAME)],
                       description=_l("e.g. HR system, or the agent console of team 2"))
    scope = RadioField(_l("Access"), default="read", validators=[DataRequired()], choices=[
        SelectChoice("read", _l("Read only")), SelectChoice("write", _l("Read and write"))])
    expires_on = DateField(_l("Works until (inclusive)"), validators=[Optional(), _sensible_date],
                           description=_l("Empty: until revoked."))
    submit = SubmitField(_l("Make the token"))


class TraineeTokenForm(TokenForm):
    """A placed person's own token: an example of their own tools, and what really ends it (it
    logs defects only while their buffer period runs: `permissions.may_log_defect_for`)."""

    name = StringField(_l("What it is for"), validators=[DataRequired(), Length(max=MAX_NAME)],
                       description=_l("e.g. my agent console, or the defect-logging tool of my team"))
    expires_on = DateField(_l("Works until (inclusive)"), validators=[Optional(), _sensible_date],
                           description=_l("Empty: it logs defects while your buffer period runs and reads the "
                                          "ones you reported until you revoke it."))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
