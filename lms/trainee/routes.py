from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from lms.extensions import db
from lms.login import navbar_facts
from lms.models import Lesson
from lms.permissions import Action, require
from lms.services import buffer_clock, clock, dashboards, outline, progress
from lms.services.cohorts import current_program_and_role
from lms.services.outline import OutlineAssessment
from lms.services.placement import current_placement
from lms.trainee import bp


class LessonDoneForm(FlaskForm):
    done = HiddenField()


@bp.route("/")
@require(Action.TRAINEE_HOME)
def home():
    today = clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    home = dashboards.trainee_home(db.session, current_user, today,
                                   current_app.config["BABEL_DEFAULT_TIMEZONE"])
    # placed: the buffer period comes first (whether they were placed came with the user)
    placement = current_placement(db.session, current_user.id) if navbar_facts(current_user)["placed"] else None
    return render_template(
        "trainee/home.html", home=home, placement=placement,
        diagnostic=home.diagnostic,
        buffer_day=buffer_clock.day_of(placement.start_date, today) if placement else None,
        buffer_length=buffer_clock.length(placement.start_date, placement.buffer_end) if placement else None)


def _outline_for(trainee, statuses: dict[int, str] | None = None):
    """The trainee's program (their cohort's, else the current one) with tier states, their
    target role (None without an enrollment) and the program's whole outline. With the trainee's
    `progress.assessment_statuses` at hand, what they passed is read from them rather than asked again."""
    program, role = current_program_and_role(db.session, trainee.id)
    if program is None:
        program = progress.current_program(db.session)
    if program is None:
        return None, [], set(), None, ()
    whole = progress.load_outline(db.session, program)
    # only the tracks the trainee's target role takes: unlocking, progress and "next" follow them
    tiers = outline.for_role(whole, role)
    completed = progress.completed_lesson_ids(db.session, trainee.id)
    needed = program.tiers_for_role(role) if role is not None else None
    passed = ({a for a, status in statuses.items() if status == "passed"} if statuses is not None
              else progress.passed_assessment_ids(db.session, trainee.id))
    states = progress.tier_states(tiers, passed, completed, needed)
    return program, states, completed, role, whole


def locked_page(state: progress.TierState):
    """The answer to a lesson or assessment of a locked tier: what opens it, with a way back.

    403 (the page is not open to this trainee yet), with our own message rather than the
    generic error page. Views may `abort(locked_page(state))` from inside a loader.
    """
    return make_response(render_template("trainee/locked.html", state=state), 403)


def _step_url(step) -> str:
    if isinstance(step, OutlineAssessment):
        return url_for("trainee.assessment", assessment_id=step.id)
    return url_for("trainee.lesson", lesson_id=step.id)


@bp.route("/catalog")
@require(Action.LEARN)
def catalog():
    statuses = progress.assessment_statuses(db.session, current_user.id)
    program, states, completed, role, _whole = _outline_for(current_user, statuses)
    return render_template(
        "trainee/catalog.html", program=program, states=states, completed=completed, role=role,
        course_progress=progress.course_progress, track_progress=progress.track_progress,
        live=progress.live, statuses=statuses,
    )


@bp.route("/lessons/<int:lesson_id>")
@require(Action.LEARN)
def lesson(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id) or abort(404)
    if lesson.archived_at is not None:
        abort(404)
    program, states, completed, _role, whole = _outline_for(current_user)
    # the whole outline, not only the role's: another role's lesson stays readable (not counted)
    entry = outline.find_lesson(whole, lesson.id) if program else None
    state = next((s for s in states if entry is not None and s.tier.id == entry.course.track.tier.id), None)
    if state is None:
        abort(404)
    if not state.unlocked:
        return locked_page(state)
    tiers = [s.tier for s in states]
    previous, _following = progress.neighbours(lesson, tiers)
    following = progress.step_after(lesson, tiers)  # after the last lesson: the course's assessment
    is_assessment = isinstance(following, OutlineAssessment)
    return render_template(
        "catalog/lesson.html", lesson=lesson, previous=previous, staff=False,
        following=None if is_assessment else following, following_assessment=following if is_assessment else None,
        done=lesson.id in completed, done_form=LessonDoneForm(formdata=None),
        course=entry.course, course_progress=progress.course_progress(entry.course, completed),
    )


@bp.route("/lessons/<int:lesson_id>/done", methods=["POST"])
@require(Action.LEARN)
def lesson_done(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id) or abort(404)
    form = LessonDoneForm()
    if not form.validate_on_submit():
        abort(400)
    _program, states, completed, _role, _whole = _outline_for(current_user)
    if not any(s.unlocked and s.tier.id == lesson.course.track.tier_id for s in states):
        abort(403)
    done = form.done.data != "0"
    progress.set_lesson_done(db.session, current_user, lesson, done)
    db.session.commit()
    if done:  # on to the next item in the open tiers: a lesson, or the course's assessment after its last
        flash(_("Lesson marked complete."), "success")
        following = progress.step_after(lesson, [s.tier for s in states if s.unlocked])
        if following is not None:
            return redirect(_step_url(following))
    return redirect(url_for("trainee.lesson", lesson_id=lesson.id))
