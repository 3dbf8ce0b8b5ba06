"""Forms of the placement and buffer pages (admin, coach, placed person)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from lms import labels
from lms.admin.cohort_forms import _sensible_date
from lms.converters import record_id


def _choices(table: dict) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [SelectChoice(code, text) for code, text in table.items()]


class PlaceForm(FlaskForm):
    role = SelectField(_l("Role"))
    team = StringField(_l("Team"), validators=[DataRequired(), Length(max=120)])
    lead_name = StringField(_l("Receiving team lead"), validators=[DataRequired(), Length(max=120)])
    lead_email = EmailField(_l("Team lead's email"), validators=[Optional(), Length(max=254)],
                            description=_l("A team lead account with this email reads the buffer period of the "
                                           "people placed with them."))
    agent_id = SelectField(_l("Paired agent"), coerce=record_id, validate_choice=False,
                           validators=[DataRequired(message=_l("Choose an agent."))])
    coach_id = SelectField(_l("Buffer coach"), coerce=record_id, validate_choice=False,
                           description=_l("Default: the trainee's business mentor."))
    start_date = DateField(_l("Start in the new role"), validators=[InputRequired(), _sensible_date])
    pay_band_before = StringField(_l("Pay band before (admins only)"), validators=[Length(max=40)])
    pay_band_after = StringField(_l("Pay band after (admins only)"), validators=[Length(max=40)])
    submit = SubmitField(_l("Place"))


class TrainingOutcomeForm(FlaskForm):
    kind = SelectField(_l("Outcome"), choices=_choices(labels.TRAINING_OUTCOMES),
                       validators=[DataRequired(message=_l("Choose an outcome."))])
    reason = SelectField(_l("Reason"), choices=_choices({c: labels.REASON_CODES[c] for c in labels.TRAINING_REASONS}),
                         validators=[DataRequired(message=_l("Choose a reason."))])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=1000)])
    on = DateField(_l("Date"), validators=[InputRequired(), _sensible_date])
    submit = SubmitField(_l("Record outcome"))


class BufferOutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=_choices(labels.BUFFER_OUTCOMES),
                          validators=[DataRequired(message=_l("Choose an outcome."))])
    reason = SelectField(_l("Reason"), choices=_choices({c: labels.REASON_CODES[c] for c in labels.BUFFER_REASONS}),
                         validators=[DataRequired(message=_l("Choose a reason."))])
    new_end = DateField(_l("New end date (extended only)"), validators=[Optional(), _sensible_date])
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)])
    on = DateField(_l("Date"), validators=[InputRequired(), _sensible_date])
    submit = SubmitField(_l("Record buffer outcome"))


class AgentForm(FlaskForm):
    code = StringField(_l("Agent ID on the platform"), validators=[DataRequired(), Length(max=64)],
                       description=_l("As hand-off files name it, e.g. qianniu-cs-01"))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    platform = StringField(_l("Channel / platform"), validators=[DataRequired(), Length(max=120)])
    version = StringField(_l("Version"), validators=[DataRequired(), Length(max=40)])
    owner_team = StringField(_l("Owner team"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Add agent"))


class CapacityForm(FlaskForm):
    capacity = IntegerField(_l("Buffer capacity"), validators=[InputRequired(), NumberRange(min=0, max=200)])
    submit = SubmitField(_l("Save"))


class OverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(), _sensible_date])
    kind = SelectField(_l("Day is"),
                       choices=_choices(labels.DAY_KINDS) + [SelectChoice("remove", _l("Remove override"))],
                       validators=[DataRequired(message=_l("Choose what the day is."))])
    note = StringField(_l("Note"), validators=[Length(max=200)])
    submit = SubmitField(_l("Save"))


class ActionForm(Form):
    action = StringField(_l("Action"), validators=[Length(max=300)])
    owner = StringField(_l("Owner"), validators=[Length(max=120)])


WELLBEING = [SelectChoice(str(n), text) for n, text in (
    (1, _l("1 · struggling")), (2, _l("2 · strained")), (3, _l("3 · okay")), (4, _l("4 · good")),
    (5, _l("5 · thriving")))]


class CheckInForm(FlaskForm):
    # the week is fixed when the form is opened (?week=N), never changed inside it
    week = IntegerField(_l("Week"), widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=1000)])
    version = HiddenField(validators=[Length(max=64)])
    agent_share = IntegerField(_l("Conversations the agent closed alone (%)"),
                               validators=[InputRequired(), NumberRange(min=0, max=100)])
    handoffs = IntegerField(_l("Hand-offs received"), validators=[InputRequired(), NumberRange(min=0, max=10000)])
    went_well = TextAreaField(_l("What went well"), validators=[DataRequired(), Length(max=2000)])
    hard = TextAreaField(_l("What is hard"), validators=[DataRequired(), Length(max=2000)])
    wellbeing = RadioField(_l("Wellbeing"), choices=WELLBEING,
                           validators=[DataRequired(message=_l("Choose how they are doing."))])
    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=5)
    submit = SubmitField(_l("Save check-in"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Your note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save note"))
