"""The audit log's filter: a GET form (no CSRF: it changes nothing)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from lms.admin.cohort_forms import _sensible_date


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), validators=[Optional()], coerce=lambda v: int(v) if v else None)
    action = SelectField(_l("What"), validators=[Optional()])
    subject_type = SelectField(_l("Kind of record"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional(), _sensible_date])
    until = DateField(_l("To"), validators=[Optional(), _sensible_date])
