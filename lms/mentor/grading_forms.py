"""The rubric grading form, built from an assessment's criteria."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.validators import Optional as OptionalValidator
from wtforms.widgets import HiddenInput

from lms.converters import INT_MAX
from lms.templating import localized


class GradeForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])
    feedback = TextAreaField(_l("Feedback for the trainee"), validators=[DataRequired(), Length(max=5000)],
                             render_kw={"rows": 5})
    reason = StringField(_l("Reason for the amendment"), validators=[OptionalValidator(), Length(max=500)])
    submit = SubmitField(_l("Save grade"))
    # after saving, open the next submission waiting in this mentor's queue
    submit_next = SubmitField(_l("Save and grade next"))


def grade_form(assessment, grade=None, formdata=None, version=None) -> GradeForm:
    class Form(GradeForm):
        """One level choice per rubric criterion, added below."""

    for criterion in assessment.criteria:
        if criterion.archived_at is not None:
            continue
        choices = [SelectChoice(level["points"], f"{level['points']} — {localized(level['descriptor'])}")
                   for level in criterion.levels]
        setattr(Form, f"c_{criterion.code}", RadioField(
            localized(criterion.title), coerce=int, choices=choices,
            validators=[InputRequired(message=_l("Choose a level."))]))
    data = {"version": version}
    if grade is not None:
        data.update({f"c_{code}": points for code, points in grade.points.items()}, feedback=grade.feedback)
    kwargs = {"data": data}
    if formdata is not None:
        kwargs["formdata"] = formdata
    return Form(**kwargs)


def points_from(form, assessment) -> dict[str, int]:
    return {c.code: form[f"c_{c.code}"].data for c in assessment.criteria if c.archived_at is None}
