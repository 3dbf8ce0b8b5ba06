"""Mentor: the grading queue, the grading page, grades, amendments, a trainee's record."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.extensions import db
from lms.loaders import load_enrollment, load_submission
from lms.mentor import bp
from lms.mentor.grading_forms import grade_form, points_from
from lms.models import Submission, SubmissionState
from lms.permissions import Action, require
from lms.services import clock, grading
from lms.services.capstone_work import group_attempts, group_statements
from lms.services.submissions import attempts
from lms.services.trainee_record import trainee_record
from lms.submission_pages import render_read_only
from lms.transactions import commit_or_report


def _today():
    return clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])


@bp.route("/queue")
@require(Action.GRADE)
def queue():
    return render_template("mentor/queue.html", items=grading.queue(db.session, current_user, _today()))


def _submission_or_404(submission_id: int) -> Submission:
    return load_submission(submission_id).submission


def _render(submission, form, kind, status=200, amend_grade=None):
    history = (group_attempts(db.session, submission.group) if submission.group_id
               else attempts(db.session, submission.trainee_id, submission.assessment)).submissions
    blind = submission.assessment.course.track.tier.program.blind_second_grading
    grades = grading.visible_grades(submission, kind, blind)
    return render_template(
        "mentor/grade.html", submission=submission, assessment=submission.assessment, form=form, kind=kind,
        mine=submission.current_grade(kind) if kind else None, amend_grade=amend_grade,
        grades=grades, hidden=len(submission.grades) - len(grades),
        shares=dict((c.code, share) for c, share in grading.weight_shares(submission.assessment.criteria)),
        history=[s for s in history if s.id != submission.id and s.state != SubmissionState.DRAFT],
        group_statements=group_statements(db.session, submission),
    ), status


def _crumbs(coaches) -> list[tuple[str, str]]:
    crumbs = [(url_for("mentor.home"), _("My trainees"))]
    mine = next((a for a in coaches if a.mentor_id == current_user.id), None)
    if mine is not None:
        crumbs.append((url_for("mentor.trainee", enrollment_id=mine.enrollment_id), _("Trainee record")))
    return crumbs


def _next_in_queue(after_id: int):
    """The oldest submission still waiting for this mentor, other than the one just saved."""
    return next((item.submission_id for item in grading.queue(db.session, current_user, _today())
                 if item.submission_id != after_id), None)


@bp.route("/submissions/<int:submission_id>", methods=["GET", "POST"])
@require(Action.GRADE)
def submission(submission_id: int):
    loaded = load_submission(submission_id, grade=request.method == "POST")
    submission, kind = loaded.submission, loaded.kind
    if kind is None:  # the other coaching mentor reads it; grading is theirs
        return render_read_only(submission, _crumbs(loaded.coaches))
    mine = submission.current_grade(kind)
    amending = mine is not None
    form = grade_form(submission.assessment, grade=mine, version=submission.version,
                      formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        points = points_from(form, submission.assessment)
        if amending:
            outcome = commit_or_report(lambda: grading.amend(
                db.session, current_user, mine, form.version.data, points, form.feedback.data, form.reason.data), form)
        else:
            outcome = commit_or_report(lambda: grading.grade(
                db.session, current_user, submission, form.version.data, points, form.feedback.data), form)
        if not outcome.ok:
            fresh = _submission_or_404(submission_id)
            if isinstance(outcome.error, grading.GradeConflict):
                form.version.data = fresh.version  # what they saw is outdated; their entries stay in the form
            return _render(fresh, form, kind, outcome.status)
        flash(_("Grade amended.") if amending else _("Grade saved."), "success")
        if form.submit_next.data:
            following = _next_in_queue(submission_id)
            if following is not None:
                return redirect(url_for("mentor.submission", submission_id=following))
        return redirect(url_for("mentor.queue"))
    return _render(submission, form, kind, 400 if form.errors else 200)


@bp.route("/trainees/<int:enrollment_id>")
@require(Action.VIEW_TRAINEE)
def trainee(enrollment_id: int):
    enrollment = load_enrollment(enrollment_id)
    return render_template(
        "mentor/trainee.html", enrollment=enrollment,
        record=trainee_record(db.session, enrollment, _today(), current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        threshold=enrollment.cohort.program.attainment_threshold,
    )
