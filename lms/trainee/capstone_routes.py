"""Trainee: the capstone group page (problem, milestones, the group's work and
each member's contribution statement)."""

from typing import Optional

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
from lms.services import Conflict, clock, grading, progress
from lms.services import capstone_work as work
from lms.services.capstone import problem_of, takes_capstone
from lms.services.cohorts import current_enrollment
from lms.templating import localized
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


def _locked_tier(group: CapstoneGroup) -> Optional[progress.TierState]:
    """The capstone tier's state for the member while it is still locked for them; None once open."""
    tier = group.assessment.course.track.tier
    enrollment = current_enrollment(db.session, current_user.id)
    tiers = progress.role_outline(db.session, tier.program, enrollment.target_role if enrollment else None)
    states = progress.tier_states(tiers, progress.passed_assessment_ids(db.session, current_user.id), set())
    state = next((s for s in states if s.tier.id == tier.id), None)
    return state if state is not None and not state.unlocked else None


def _expected() -> tuple[Optional[int], Optional[int]]:
    """The (draft id, version) the posted page was built from; nonsense counts as stale."""
    def number(name):
        value = request.form.get(name, "")
        return int(value) if value.isdigit() and len(value) < 10 else (None if value == "" else -1)
    return number("draft_id"), number("version")


@bp.route("/capstone")
@require(Action.SUBMIT_WORK)
def capstone():
    group = work.group_of(db.session, current_user.id)
    if group is None:  # no waiting for a group the trainee's target role never gets
        return render_template("capstone/none.html",
                               takes=takes_capstone(current_enrollment(db.session, current_user.id)))
    return redirect(url_for("trainee.capstone_group", group_id=group.id))


def _page(group: CapstoneGroup, form=None, note_forms=None, status=200, blockers=None, saved=False,
          conflict=None):
    """The group page. `blockers`: (link, text) pairs of what kept the work from being saved or
    submitted (`saved`: the draft was saved all the same); `conflict`: another member saved first."""
    locked = _locked_tier(group)
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
        locked=locked, blockers=blockers or [], saved=saved, conflict=conflict,
    ), status


@bp.route("/capstone/groups/<int:group_id>")
@require(Action.SUBMIT_WORK)
def capstone_group(group_id: int):
    return _page(_group_or_404(group_id))


@bp.route("/capstone/groups/<int:group_id>/milestones/<code>", methods=["POST"])
@require(Action.SUBMIT_WORK)
def capstone_milestone(group_id: int, code: str):
    group = _group_or_404(group_id)
    if _locked_tier(group) is not None:
        return _page(group, status=403)  # the page says what opens the tier
    form = NoteForm(prefix=code)
    if form.validate_on_submit():
        if commit_or_report(lambda: work.record_milestone(db.session, current_user, group, code, form.text.data),
                            form).ok:
            flash(_("Milestone recorded."), "success")
            return redirect(url_for("trainee.capstone_group", group_id=group.id) + f"#m-{code}")
        group = _group_or_404(group_id)
    return _page(group, note_forms={code: form}, status=400)


def _field_anchor(form, name: str) -> str:
    field = form[name]
    return f"#{field.id}-0" if field.type == "RadioField" else f"#{field.id}"


def _form_blockers(form) -> list[tuple[str, str]]:
    return [(_field_anchor(form, name), _("%(label)s: %(message)s", label=form[name].label.text, message=error))
            for name, errors in form.errors.items() if name in form for error in errors]


def _check_blockers(form, group: CapstoneGroup, checks: list[dict]) -> list[tuple[str, str]]:
    labels = {spec["name"]: localized(spec["label"]) for spec in group.assessment.fields}
    return [(_field_anchor(form, f"f_{c['field']}") if f"f_{c['field']}" in form else "#answer-form",
             _("%(label)s: %(message)s", label=labels.get(c["field"], _("Answer")),
               message=localized(c["message"])))
            for c in checks if c["blocking"] and not c["passed"]]


@bp.route("/capstone/groups/<int:group_id>/work", methods=["POST"])
@require(Action.SUBMIT_WORK)
def capstone_work(group_id: int):
    group = _group_or_404(group_id)
    if _locked_tier(group) is not None:
        return _page(group, status=403)
    form = _work_form(group, None, "", request.form)
    if not form.validate():
        return _page(group, form=form, status=400, blockers=_form_blockers(form))
    submit = "submit_work" in request.form
    outcome = commit_or_report(lambda: work.work_on_group(
        db.session, current_user, group, answers_from(form, group.assessment), form.statement.data, submit,
        expected=_expected()), quiet=True)
    if not outcome.ok:  # nothing was saved; the typed text stays in the form
        group = _group_or_404(group_id)
        if isinstance(outcome.error, Conflict):
            return _page(group, form=form, status=409, conflict=outcome.error.message)
        error = outcome.error
        if error.field in form:
            form[error.field].errors = [*form[error.field].errors, error.message]
        link = _field_anchor(form, error.field) if error.field in form else "#answer-form"
        return _page(group, form=form, status=outcome.status, blockers=[(link, error.message)])
    done = outcome.result
    if submit and done.refusal is not None:  # the draft is saved; what keeps it from being handed in is listed
        mine = current_user.id in {u.id for u in done.missing}
        form.statement.errors = [*form.statement.errors, done.refusal] if mine else form.statement.errors
        return _page(group, form=form, status=400, saved=True,
                     blockers=[("#statement" if mine else "#statements", str(done.refusal))])
    if submit and done.draft.state.value == "draft":
        mark_failed_checks(form, done.draft.checks)
        return _page(group, form=form, status=400, saved=True,
                     blockers=_check_blockers(form, group, done.draft.checks))
    flash(_("Your group's work is submitted.") if submit else _("Draft saved."), "success")
    return redirect(url_for("trainee.capstone_group", group_id=group.id))
