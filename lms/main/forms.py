"""Forms of the pages everyone has: their own notification settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TimeField
from wtforms.validators import Optional


class QuietHoursForm(FlaskForm):
    quiet_start = TimeField(_l("Quiet from"), validators=[Optional()],
                            description=_l("e.g. 22:00, or when your shift starts; empty: no quiet hours"))
    quiet_end = TimeField(_l("Quiet until"), validators=[Optional()],
                          description=_l("e.g. 08:00; a span may run past midnight"))
    submit = SubmitField(_l("Save"))
