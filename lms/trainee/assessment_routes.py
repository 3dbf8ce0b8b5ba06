"""Trainee: open an assessment, save a draft, submit, see checks, grades and history."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.extensions import db
from lms.models import Assessment
from lms.permissions import Action, require
from lms.services import DomainError, clock, grading, progress
from lms.services import submissions as submission_service
from lms.services.cohorts import current_enrollment
from lms.services.uploads import discard_uploads, store_upload
from lms.storage import current_storage
from lms.trainee import bp
from lms.trainee.assessment_forms import answer_form, answers_from, length_limits, mark_failed_checks
from lms.trainee.routes import locked_page
from lms.transactions import commit_or_report


def _assessment_for_trainee(assessment_id: int) -> Assessment:
    """The assessment, if live and in a tier the trainee has unlocked."""
    assessment = db.session.get(Assessment, assessment_id) or abort(404)
    if assessment.archived_at is not None:
        abort(404)
    tier = assessment.course.track.tier
    enrollment = current_enrollment(db.session, current_user.id)
    tiers = progress.role_outline(db.session, tier.program, enrollment.target_role if enrollment else None)
    states = progress.tier_states(tiers, progress.passed_assessment_ids(db.session, current_user.id), set())
    state = next((s for s in states if s.tier.id == tier.id), None)
    if state is None or not state.unlocked:  # a locked tier answers with its own message, as lessons do
        abort(locked_page(state) if state else 403)
    if assessment.group_work is not None:  # group work is done on the group's page
        abort(redirect(url_for("trainee.capstone")))
    return assessment


def _due(assessment):
    enrollment = current_enrollment(db.session, current_user.id)
    if enrollment is None:
        return None
    return clock.due_for_week(enrollment.cohort.start_date, assessment.course.track.end_week)


def _page(assessment, form, status=200, state=None):
    state = state or submission_service.attempts(db.session, current_user.id, assessment)
    today = clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    due = _due(assessment)
    return render_template(
        "trainee/assessment.html", assessment=assessment, state=state, form=form, due=due,
        due_status=due.status(today) if due else None, rubric=grading.weight_shares(assessment.criteria),
        length_limits=length_limits(assessment),
    ), status


@bp.route("/assessments/<int:assessment_id>")
@require(Action.SUBMIT_WORK)
def assessment(assessment_id: int):
    assessment = _assessment_for_trainee(assessment_id)
    state = submission_service.attempts(db.session, current_user.id, assessment)
    start_from = state.draft or state.last_submitted  # a retake opens with the last attempt's answers
    form = answer_form(assessment, start_from.answers if start_from else None)
    if state.draft:
        mark_failed_checks(form, state.draft.checks)
    return _page(assessment, form, state=state)


@bp.route("/assessments/<int:assessment_id>", methods=["POST"])
@require(Action.SUBMIT_WORK)
def assessment_save(assessment_id: int):
    assessment = _assessment_for_trainee(assessment_id)
    form = answer_form(assessment)  # Flask-WTF reads request.form and request.files
    if not form.validate_on_submit():
        return _page(assessment, form, 400)
    storage = current_storage()
    uploads = {}
    for spec in assessment.fields:
        upload = form[f"f_{spec['name']}"].data if spec["type"] == "file" else None
        if not getattr(upload, "filename", ""):
            continue
        try:
            uploads[spec["name"]] = store_upload(storage, upload.stream, upload.filename, spec["accept"])
        except DomainError as error:
            form[f"f_{spec['name']}"].errors = [error.message]
    if any(form[f"f_{spec['name']}"].errors for spec in assessment.fields):  # keep nothing of a half-accepted form
        discard_uploads(storage, uploads.values())
        return _page(assessment, form, 400)
    submit = request.form.get("action") == "submit"
    outcome = commit_or_report(lambda: submission_service.save_attempt(
        db.session, current_user, assessment, answers_from(form, assessment), uploads, storage, submit))
    if not outcome.ok:
        discard_uploads(storage, uploads.values())
        if outcome.status == 409:  # lost a race: show what won, keep this form's answers
            return _page(assessment, form, 409)
        return redirect(url_for("trainee.assessment", assessment_id=assessment.id))
    if not submit:
        flash(_("Draft saved."), "success")
        return redirect(url_for("trainee.assessment", assessment_id=assessment.id))
    _draft, results = outcome.result
    if any(r.blocking and not r.passed for r in results):
        flash(_("Not submitted yet: fix the items marked below. This did not use an attempt."), "warning")
    else:
        flash(_("Submitted. Your mentors have been notified."), "success")
    return redirect(url_for("trainee.assessment", assessment_id=assessment.id))
