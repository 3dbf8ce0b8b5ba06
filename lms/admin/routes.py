import sqlalchemy as sa
from flask import current_app, render_template, request
from sqlalchemy.orm import joinedload

from lms.admin import bp
from lms.converters import page_number
from lms.extensions import db
from lms.models import AuditEvent, Role, User
from lms.permissions import Action, require
from lms.services import clock, dashboards


@bp.route("/")
@require(Action.ADMIN_HOME)
def home():
    counts = dict(
        db.session.execute(
            sa.select(User.role, sa.func.count(User.id))
            .where(User.active.is_(True))
            .group_by(User.role)
        ).all()
    )
    no_password = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.password_hash.is_(None), User.active.is_(True))
    )
    recent = db.session.scalars(
        sa.select(AuditEvent).options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc()).limit(10)
    ).all()
    today = clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return render_template(
        "admin/home.html", counts=counts, roles=list(Role), no_password=no_password, recent=recent,
        summaries=dashboards.cohort_summaries(db.session, today),
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
