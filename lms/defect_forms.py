"""Forms of the agent-defect pages: the placed person's log form and co-report, the triage moves."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms import labels
from lms.admin.cohort_forms import _sensible_date
from lms.converters import INT_MAX, record_id

SCREENSHOT_TYPES = [".png", ".jpg", ".jpeg"]
MAX_SCREENSHOTS = 3


class DefectForm(FlaskForm):
    type = SelectField(_l("Defect type"), validators=[DataRequired(message=_l("Choose a defect type."))],
                       choices=[SelectChoice("", "—")] + [SelectChoice(c, t) for c, t in labels.DEFECT_TYPES.items()])
    intent = StringField(_l("Customer intent"), validators=[DataRequired(), Length(max=120)],
                         description=_l("What the customer wanted, in a few words (e.g. a promotion question)."))
    severity = RadioField(_l("Severity"), validators=[DataRequired(message=_l("Choose a severity."))])
    excerpt = TextAreaField(_l("Conversation excerpt"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("Copy the key lines with their times. Phone numbers, addresses and "
                                           "names are masked when you save."))
    agent_said = TextAreaField(_l("What the agent said"), validators=[DataRequired(), Length(max=2000)])
    should_say = TextAreaField(_l("What it should have said"), validators=[DataRequired(), Length(max=2000)],
                               description=_l("A correct answer someone could send as it stands."))
    platform = StringField(_l("Platform"), validators=[Optional(), Length(max=120)])
    sku = StringField(_l("SKU or campaign"), validators=[Optional(), Length(max=120)])
    kb_entry = StringField(_l("Knowledge-base entry"), validators=[Optional(), Length(max=120)])
    reach = IntegerField(_l("Conversations affected"), validators=[Optional(), NumberRange(min=0, max=1_000_000)],
                         description=_l("If you know it."))
    seen_at = DateTimeLocalField(_l("Seen at"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                 description=_l("Empty: now."))
    screenshots = MultipleFileField(_l("Screenshots"),
                                    description=_l("PNG or JPEG, up to three."))
    item_id = SelectField(_l("Item of the responsibility list"), coerce=record_id, validate_choice=False,
                          validators=[Optional()])
    checked = HiddenField(validators=[Length(max=1)])  # "1" once the similar open defects were shown
    submit = SubmitField(_l("Log the defect"))


class CoReportForm(FlaskForm):
    excerpt = TextAreaField(_l("Your excerpt"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("Phone numbers, addresses and names are masked when you save."))
    submit = SubmitField(_l("Add my excerpt to this defect"))


class MoveForm(FlaskForm):
    target = HiddenField(validators=[DataRequired(), Length(max=32)])
    expected = HiddenField(validators=[Length(max=32)])
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)],
                         description=_l("Required when rejecting: the reporter reads it."))
    duplicate_of = IntegerField(_l("Original defect number"), validators=[Optional(), NumberRange(min=1, max=INT_MAX)])


class InterimNoteForm(FlaskForm):
    note = TextAreaField(_l("Interim note"), validators=[DataRequired(), Length(max=1000)],
                         description=_l("What is being done about it and by when; the admins and reporters read it."))
    submit = SubmitField(_l("Save the interim note"))


class DuplicatesForm(FlaskForm):
    original = IntegerField(_l("Original defect number"), validators=[DataRequired(), NumberRange(min=1, max=INT_MAX)])
    submit = SubmitField(_l("Mark the selected as duplicates"))


def _mode_choices() -> list[SelectChoice]:
    return [SelectChoice(c, t) for c, t in labels.OWNER_MODES.items()]


class ItemChangeForm(FlaskForm):
    mode = SelectField(_l("Owner"), choices=_mode_choices(), validators=[DataRequired()])
    boundary = StringField(_l("Boundary"), validators=[Length(max=500)],
                           description=_l("When the item leaves the agent, e.g. refund over 200 yuan."))
    approver = StringField(_l("Approver"), validators=[DataRequired(), Length(max=120)])
    escalation = StringField(_l("Exception escalation channel"), validators=[Length(max=200)])
    review_on = DateField(_l("Next quarterly review"), validators=[DataRequired(), _sensible_date])
    why = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Save a new version"))


class ItemForm(ItemChangeForm):
    title = StringField(_l("Item of work"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Add the item"))


class SuggestionForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired(message=_l("Choose a category."))],
                           choices=[SelectChoice("", "—")] + [SelectChoice(c, t) for c, t in
                                                               labels.CONTRIBUTION_CATEGORIES.items()])
    title = StringField(_l("Suggestion"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("What to change and why"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Submit the suggestion"))


class MeasureForm(FlaskForm):
    release_on = DateField(_l("Released on"), validators=[DataRequired(), _sensible_date])
    window_days = IntegerField(_l("Days in each window"), default=14, validators=[DataRequired(), NumberRange(1, 90)],
                               description=_l("The same length before and after; the release week is left out."))
    before_samples = IntegerField(_l("Conversations before"),
                                  validators=[DataRequired(), NumberRange(min=1, max=100_000_000)])
    after_samples = IntegerField(_l("Conversations after"),
                                 validators=[DataRequired(), NumberRange(min=1, max=100_000_000)])
    efficiency_before = DecimalField(_l("Response efficiency before"), places=None,
                                     validators=[InputRequired(), NumberRange(min=0)])
    efficiency_after = DecimalField(_l("Response efficiency after"), places=None,
                                    validators=[InputRequired(), NumberRange(min=0)])
    efficiency_higher_better = BooleanField(_l("Higher is better (e.g. conversations per hour); "
                                               "leave unticked for a handle time"))
    error_before = DecimalField(_l("Error rate before (%)"), places=None,
                                validators=[InputRequired(), NumberRange(min=0)])
    error_after = DecimalField(_l("Error rate after (%)"), places=None,
                               validators=[InputRequired(), NumberRange(min=0)])
    submit = SubmitField(_l("Record the effect"))


class AwardForm(FlaskForm):
    band_cny = SelectField(_l("Award band"), coerce=int)
    submit = SubmitField(_l("Approve the award"))


class StepForm(FlaskForm):
    """A button with nothing to fill in (adopt, decline, paid): CSRF only."""
