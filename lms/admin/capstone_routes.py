"""Admin: capstone groups of a cohort (form them, change members)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from lms.admin import bp
from lms.converters import record_id
from lms.extensions import db
from lms.models import CapstoneGroup, Cohort
from lms.permissions import Action, require
from lms.services import capstone
from lms.templating import localized
from lms.transactions import commit_or_report


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[DataRequired(), Length(max=80)])
    problem = SelectField(_l("Problem"), validators=[DataRequired()])
    trainee_ids = _Checkboxes(_l("Members"), coerce=record_id, validate_choice=False)
    submit = SubmitField(_l("Create group"))


class MembersForm(FlaskForm):
    trainee_ids = _Checkboxes(_l("Members"), coerce=record_id, validate_choice=False)
    submit = SubmitField(_l("Save members"))


def _cohort_or_404(cohort_id: int) -> Cohort:
    return db.session.get(Cohort, cohort_id) or abort(404)


def _page(cohort: Cohort, form=None, members_form=None, failed_group=None, status=200):
    assessment = capstone.capstone_assessment(db.session, cohort.program_id)
    eligible = capstone.eligible(db.session, cohort)
    groups = capstone.cohort_groups(db.session, cohort)
    choices = [(e.trainee_id, e.trainee.name) for e in eligible]
    form = form or GroupForm(formdata=None)
    problems = assessment.group_work["problems"] if assessment else []
    form.problem.choices = [(p["code"], localized(p["title"])) for p in problems]
    form.trainee_ids.choices = choices
    member_forms = {}
    for group in groups:
        f = members_form if failed_group == group.id else MembersForm(formdata=None, trainee_ids=group.member_ids,
                                                                       prefix=f"g{group.id}")
        f.trainee_ids.choices = choices
        member_forms[group.id] = f
    in_group = {tid: g for g in groups for tid in g.member_ids}
    return render_template(
        "admin/cohorts/capstone.html", cohort=cohort, assessment=assessment, groups=groups, form=form,
        member_forms=member_forms, problems={p["code"]: p for p in problems}, eligible=eligible, in_group=in_group,
        handed_in=capstone.handed_in(db.session, groups),
    ), status


@bp.route("/cohorts/<int:cohort_id>/capstone", methods=["GET", "POST"])
@require(Action.MANAGE_COHORTS)
def cohort_capstone(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    if request.method == "GET":
        return _page(cohort)
    form = GroupForm()
    assessment = capstone.capstone_assessment(db.session, cohort.program_id)
    form.problem.choices = [(p["code"], p["code"]) for p in (assessment.group_work["problems"] if assessment else [])]
    if form.validate_on_submit():
        values = capstone.GroupInput(form.name.data, form.problem.data, form.trainee_ids.data or [])
        outcome = commit_or_report(lambda: capstone.create_group(db.session, current_user, cohort, values), form)
        if outcome.ok:
            flash(_("Group %(name)s formed.", name=outcome.result.name), "success")
            return redirect(url_for("admin.cohort_capstone", cohort_id=cohort.id))
        return _page(_cohort_or_404(cohort_id), form=form, status=outcome.status)
    return _page(cohort, form=form, status=400)


@bp.route("/cohorts/<int:cohort_id>/capstone/<int:group_id>/members", methods=["POST"])
@require(Action.MANAGE_COHORTS)
def capstone_members(cohort_id: int, group_id: int):
    cohort = _cohort_or_404(cohort_id)
    group = db.session.get(CapstoneGroup, group_id)
    if group is None or group.cohort_id != cohort.id:
        abort(404)
    form = MembersForm(prefix=f"g{group.id}")
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: capstone.set_members(
            db.session, current_user, group, form.trainee_ids.data or []), form)
        if outcome.ok:
            if outcome.result:
                flash(_("Members of %(name)s saved.", name=group.name), "success")
            return redirect(url_for("admin.cohort_capstone", cohort_id=cohort.id))
        return _page(_cohort_or_404(cohort_id), members_form=form, failed_group=group_id, status=outcome.status)
    return _page(cohort, members_form=form, failed_group=group_id, status=400)
