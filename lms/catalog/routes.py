import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from lms.catalog import bp
from lms.extensions import db
from lms.models import Assessment, Lesson
from lms.permissions import Action, can, require
from lms.services.catalog_sync import sync_catalog, sync_status
from lms.services.outline import find_lesson, roles_by_track
from lms.services.progress import current_program, load_outline, neighbours


@bp.route("/")
@require(Action.BROWSE_CATALOG)
def index():
    program = current_program(db.session)
    tiers = load_outline(db.session, program) if program else []
    track_roles = roles_by_track(program, tiers) if program else {}
    last_sync = last_failure = None
    if can(current_user, Action.SYNC_CATALOG):
        last_sync, last_failure = sync_status(db.session)
    return render_template(
        "catalog/index.html", program=program, tiers=tiers, track_roles=track_roles, last_sync=last_sync,
        last_failure=last_failure, sync_form=FlaskForm(formdata=None),
        courses_dir=current_app.config["COURSES_DIR"],
    )


@bp.route("/lessons/<int:lesson_id>")
@require(Action.BROWSE_CATALOG)
def lesson(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id) or abort(404)
    program = lesson.course.track.tier.program
    tiers = load_outline(db.session, program)
    previous, following = neighbours(lesson, tiers)
    entry = find_lesson(tiers, lesson.id)  # None for a lesson of an archived tier: its rows then
    return render_template("catalog/lesson.html", lesson=lesson, previous=previous,
                           following=following, staff=True, course=entry.course if entry else lesson.course)


@bp.route("/assessments/<int:assessment_id>")
@require(Action.BROWSE_CATALOG)
def assessment(assessment_id: int):
    assessment = db.session.scalar(
        sa.select(Assessment).where(Assessment.id == assessment_id)
        .options(selectinload(Assessment.criteria))
    ) or abort(404)
    return render_template("catalog/assessment.html", assessment=assessment)


@bp.route("/sync", methods=["POST"])
@require(Action.SYNC_CATALOG)
def sync():
    if not FlaskForm().validate_on_submit():
        abort(400)
    report = sync_catalog(db.session, current_app.config["COURSES_DIR"], current_user)
    db.session.commit()
    if not report.ok:
        flash(_("The course files have %(n)d problems; nothing was changed.", n=len(report.errors)),
              "danger")
    elif report.changed:
        flash(_("Catalogue synced: %(c)d created, %(u)d updated, %(a)d archived, %(n)d unchanged.",
                c=report.created, u=report.updated, a=report.archived, n=report.unchanged), "success")
    else:
        flash(_("The catalogue already matches the files; nothing changed."), "info")
    return redirect(url_for("catalog.index"))
