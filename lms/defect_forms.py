"""Forms of the agent-defect pages: the placed person's log form and co-report, the triage moves."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
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
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms import labels
from lms.converters import record_id

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
    checked = HiddenField()  # "1" once the similar open defects were shown
    submit = SubmitField(_l("Log the defect"))


class CoReportForm(FlaskForm):
    excerpt = TextAreaField(_l("Your excerpt"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("Phone numbers, addresses and names are masked when you save."))
    submit = SubmitField(_l("Add my excerpt to this defect"))


class MoveForm(FlaskForm):
    target = HiddenField(validators=[DataRequired()])
    expected = HiddenField()
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)],
                         description=_l("Required when rejecting: the reporter reads it."))
    duplicate_of = IntegerField(_l("Original defect number"), validators=[Optional(), NumberRange(min=1)])


class DuplicatesForm(FlaskForm):
    original = IntegerField(_l("Original defect number"), validators=[DataRequired(), NumberRange(min=1)])
    submit = SubmitField(_l("Mark the selected as duplicates"))


def _mode_choices() -> list[SelectChoice]:
    return [SelectChoice(c, t) for c, t in labels.OWNER_MODES.items()]


class ItemChangeForm(FlaskForm):
    mode = SelectField(_l("Owner"), choices=_mode_choices(), validators=[DataRequired()])
    boundary = StringField(_l("Boundary"), validators=[Length(max=500)],
                           description=_l("When the item leaves the agent, e.g. refund over 200 yuan."))
    approver = StringField(_l("Approver"), validators=[DataRequired(), Length(max=120)])
    escalation = StringField(_l("Exception escalation channel"), validators=[Length(max=200)])
    review_on = DateField(_l("Next quarterly review"), validators=[DataRequired()])
    why = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Save a new version"))


class ItemForm(ItemChangeForm):
    title = StringField(_l("Item of work"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Add the item"))
