import sqlalchemy as sa
from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms.admin import bp
from lms.converters import page_number
from lms.extensions import db
from lms.loaders import load_submission
from lms.models import AuditEvent, Role
from lms.permissions import Action, require
from lms.services import admin_pages, clock
from lms.services.cohorts import current_enrollment
from lms.submission_pages import render_read_only


@bp.route("/")
@require(Action.ADMIN_HOME)
def home():
    overview = admin_pages.admin_overview(db.session, clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return render_template(
        "admin/home.html", counts=overview.counts, roles=list(Role), no_password=overview.no_password,
        recent=overview.recent, summaries=overview.summaries,
    )


@bp.route("/audit")
@require(Action.VIEW_AUDIT)
def audit():
    page = db.paginate(
        sa.select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc()),
        page=request.args.get("page", 1, type=page_number),
        per_page=50,
        error_out=False,
    )
    return render_template("admin/audit.html", page=page)


@bp.route("/submissions/<int:submission_id>")
@require(Action.REVIEW_GRADING)
def submission(submission_id: int):
    """Any submitted attempt with its grades and feedback, read only."""
    submission = load_submission(submission_id).submission
    enrollment = current_enrollment(db.session, submission.trainee_id)
    crumbs = [(url_for("admin.home"), _("Administration"))]
    if enrollment is not None:
        crumbs.append((url_for("admin.enrollment", enrollment_id=enrollment.id), enrollment.trainee.name))
    return render_read_only(submission, crumbs)
