from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from lms.extensions import db
from lms.models import Lesson
from lms.permissions import Action, require
from lms.services import clock, dashboards, progress
from lms.services.cohorts import current_enrollment
from lms.trainee import bp


class LessonDoneForm(FlaskForm):
    done = HiddenField()


@bp.route("/")
@require(Action.TRAINEE_HOME)
def home():
    today = clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return render_template("trainee/home.html", home=dashboards.trainee_home(db.session, current_user, today))


def _outline_for(trainee):
    """The trainee's program (their cohort's, else the current one) with tier states."""
    enrollment = current_enrollment(db.session, trainee.id)
    program = enrollment.cohort.program if enrollment else progress.current_program(db.session)
    if program is None:
        return None, [], set()
    tiers = progress.load_outline(db.session, program)
    completed = progress.completed_lesson_ids(db.session, trainee.id)
    needed = program.tiers_for_role(enrollment.target_role) if enrollment else None
    states = progress.tier_states(tiers, progress.passed_assessment_ids(db.session, trainee.id), completed, needed)
    return program, states, completed


@bp.route("/catalog")
@require(Action.LEARN)
def catalog():
    program, states, completed = _outline_for(current_user)
    return render_template(
        "trainee/catalog.html", program=program, states=states, completed=completed,
        course_progress=progress.course_progress, track_progress=progress.track_progress,
        live=progress.live, statuses=progress.assessment_statuses(db.session, current_user.id),
    )


@bp.route("/lessons/<int:lesson_id>")
@require(Action.LEARN)
def lesson(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id) or abort(404)
    if lesson.archived_at is not None:
        abort(404)
    program, states, completed = _outline_for(current_user)
    state = next((s for s in states if s.tier.id == lesson.course.track.tier_id), None)
    if state is None:
        abort(404)
    if not state.unlocked:
        flash(_("This tier is still locked."), "warning")
        return redirect(url_for("trainee.catalog"))
    previous, following = progress.neighbours(lesson, [s.tier for s in states])
    return render_template(
        "catalog/lesson.html", lesson=lesson, previous=previous, following=following, staff=False,
        done=lesson.id in completed, done_form=LessonDoneForm(formdata=None),
        course_progress=progress.course_progress(lesson.course, completed),
    )


@bp.route("/lessons/<int:lesson_id>/done", methods=["POST"])
@require(Action.LEARN)
def lesson_done(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id) or abort(404)
    form = LessonDoneForm()
    if not form.validate_on_submit():
        abort(400)
    _, states, completed = _outline_for(current_user)
    if not any(s.unlocked and s.tier.id == lesson.course.track.tier_id for s in states):
        abort(403)
    done = form.done.data != "0"
    progress.set_lesson_done(db.session, current_user, lesson, done)
    db.session.commit()
    if done:
        _, following = progress.neighbours(lesson, [s.tier for s in states])
        if following is not None and following.course_id == lesson.course_id:
            return redirect(url_for("trainee.lesson", lesson_id=following.id))
    return redirect(url_for("trainee.lesson", lesson_id=lesson.id))
