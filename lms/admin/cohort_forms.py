from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from lms.converters import record_id
from lms.models import Competency
from lms.services import clock
from lms.services.cohorts import date_range_message

SOURCE_ROLE_CHOICES = [
    SelectChoice("", "—"),
    SelectChoice("basic_cs", _l("Basic customer service")),
    SelectChoice("order_clerk", _l("Order clerk")),
    SelectChoice("logistics_entry", _l("Logistics data entry")),
    SelectChoice("other", _l("Other")),
]


def _sensible_date(form, field):
    # The service refuses too; checking here keeps the admin's other entries on the form.
    if field.data and not clock.in_range(field.data):
        raise ValidationError(date_range_message())


class CohortForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)],
                       description=_l("Short and unique, e.g. 2026-Q4-HZ"))
    name = StringField(_l("Cohort name"), validators=[DataRequired(), Length(max=120)])
    start_date = DateField(_l("Start date (first day of intake week)"), validators=[DataRequired(), _sensible_date])
    submit = SubmitField(_l("Save"))


class EnrollForm(FlaskForm):
    trainee_id = SelectField(_l("Trainee"), coerce=record_id, validate_choice=False,
                             validators=[DataRequired(message=_l("Choose a trainee from the search results."))])
    target_role = SelectField(_l("Target role"))
    source_role = SelectField(_l("Source role"), choices=SOURCE_ROLE_CHOICES)
    submit = SubmitField(_l("Enroll"))


class EnrollCsvForm(FlaskForm):
    file = FileField(
        _l("CSV or Excel (.xlsx) file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt", "xlsx"], _l("Upload a .csv or .xlsx file."))],
    )
    submit = SubmitField(_l("Import"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    on = DateField(_l("Date"), validators=[DataRequired(), _sensible_date])
    submit = SubmitField(_l("Withdraw"))

    def __init__(self, *args, **kwargs):
        # shares a page with the assign form: prefixed names keep element ids unique
        kwargs.setdefault("prefix", "withdraw")
        super().__init__(*args, **kwargs)


class AssignForm(FlaskForm):
    mentor_id = SelectField(_l("Mentor"), coerce=record_id, validate_choice=False,
                            validators=[DataRequired(message=_l("Choose an active mentor."))])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Assign"))


class BaselineForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(message=_l("Give a reason: it is kept with the rating.")), Length(max=500)],
                           description=_l("Why these levels: what you observed, or why the diagnostic score "
                                          "does not fit. The trainee sees this reason on their diagnostic result "
                                          "page, word for word; it is also kept on the record."))
    submit = SubmitField(_l("Save baseline"))


def baseline_form(data: dict[str, int] | None = None, formdata=None) -> BaselineForm:
    """A form with one 0–100 field per competency and the reason for the change."""

    class Form(BaselineForm):
        """One 0–100 field per competency, added below."""

    labels = {
        Competency.DATA_PROCESSING: _l("Data processing"),
        Competency.PROBLEM_SOLVING: _l("Problem solving"),
        Competency.TOOL_USE: _l("Tool use"),
        Competency.COMMUNICATION: _l("Communication"),
    }
    for competency, label in labels.items():
        setattr(Form, competency.value, IntegerField(
            label, validators=[InputRequired(message=_l("is required")), NumberRange(min=0, max=100)],
            render_kw={"min": 0, "max": 100, "type": "number"}))
    kwargs = {"data": data} if data else {}
    if formdata is not None:
        kwargs["formdata"] = formdata
    return Form(**kwargs)



