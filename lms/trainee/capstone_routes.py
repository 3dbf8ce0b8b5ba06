"""Trainee: the capstone group page (problem, milestones, the group's work and
each member's contribution statement)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.extensions import db
from lms.models import CapstoneGroup
from lms.permissions import Action, may_work_in_group, require
from lms.services import capstone_work as work
from lms.services import clock, grading
from lms.services.capstone import problem_of
from lms.trainee import bp
from lms.trainee.assessment_forms import answer_form, answers_from, mark_failed_checks
from lms.transactions import commit_or_report


class NoteForm(FlaskForm):
    text = TextAreaField(_l("What the group did"), validators=[DataRequired(), Length(max=work.NOTE_MAX)],
                         render_kw={"rows": 3})
    submit = SubmitField(_l("Record"))


def _work_form(group: CapstoneGroup, draft, statement: str, formdata=None):
    """The assessment's answer fields plus the member's own contribution statement."""
    statement_field = TextAreaField(_l("My contribution statement"), validators=[Length(max=work.STATEMENT_MAX)],
                                    description=_l("What you did yourself; every member writes their own."),
                                    render_kw={"rows": 4})
    data = {**(draft.answers if draft else {}), "statement": statement}
    return answer_form(group.assessment, data, formdata, extra={"statement": statement_field})


def _group_or_404(group_id: int) -> CapstoneGroup:
    group = work.load_group(db.session, group_id)
    if group is None or not may_work_in_group(current_user, group):
        abort(404)  # another group's work does not exist for a trainee
    return group


@bp.route("/capstone")
@require(Action.SUBMIT_WORK)
def capstone():
    group = work.group_of(db.session, current_user.id)
    if group is None:
        return render_template("capstone/none.html")
    return redirect(url_for("trainee.capstone_group", group_id=group.id))


def _page(group: CapstoneGroup, form=None, note_forms=None, status=200):
    state = work.group_attempts(db.session, group)
    draft = state.draft
    mine = work.statements(db.session, draft or state.last_submitted)
    if form is None:
        start = draft or state.last_submitted
        form = _work_form(group, start, mine[current_user.id].text if current_user.id in mine else "")
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    today = clock.today_in(tz)
    milestones = work.milestones(db.session, group)
    note_forms = note_forms or {}
    return render_template(
        "capstone/group.html", group=group, problem=problem_of(group.assessment, group.problem),
        milestones=[(m, m.status(today, tz), note_forms.get(m.code) or NoteForm(formdata=None, prefix=m.code))
                    for m in milestones],
        state=state, form=form, statements=mine, rubric=grading.weight_shares(group.assessment.criteria),
        due=clock.due_for_week(group.cohort.start_date, group.assessment.course.track.end_week),
    ), status


@bp.route("/capstone/groups/<int:group_id>")
@require(Action.SUBMIT_WORK)
def capstone_group(group_id: int):
    return _page(_group_or_404(group_id))


@bp.route("/capstone/groups/<int:group_id>/milestones/<code>", methods=["POST"])
@require(Action.SUBMIT_WORK)
def capstone_milestone(group_id: int, code: str):
    group = _group_or_404(group_id)
    form = NoteForm(prefix=code)
    if form.validate_on_submit():
        if commit_or_report(lambda: work.record_milestone(db.session, current_user, group, code, form.text.data),
                            form).ok:
            flash(_("Milestone recorded."), "success")
            return redirect(url_for("trainee.capstone_group", group_id=group.id) + f"#m-{code}")
        group = _group_or_404(group_id)
    return _page(group, note_forms={code: form}, status=400)


@bp.route("/capstone/groups/<int:group_id>/work", methods=["POST"])
@require(Action.SUBMIT_WORK)
def capstone_work(group_id: int):
    group = _group_or_404(group_id)
    form = _work_form(group, None, "", request.form)
    if not form.validate():
        return _page(group, form=form, status=400)
    submit = "submit_work" in request.form
    outcome = commit_or_report(lambda: work.save_group_work(
        db.session, current_user, group, answers_from(form, group.assessment), form.statement.data, submit), form)
    if not outcome.ok:
        return _page(_group_or_404(group_id), form=form, status=outcome.status)
    submission, results = outcome.result
    if submit and submission.state.value == "draft":
        mark_failed_checks(form, submission.checks)
        return _page(group, form=form, status=400)
    flash(_("Your group's work is submitted.") if submit else _("Draft saved."), "success")
    return redirect(url_for("trainee.capstone_group", group_id=group.id))
