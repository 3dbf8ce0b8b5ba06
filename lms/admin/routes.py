import sqlalchemy as sa
from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload

from lms.admin import bp
from lms.admin.audit_forms import AuditFilterForm
from lms.converters import page_number
from lms.extensions import db
from lms.models import AuditEvent, Role, User
from lms.permissions import Action, require
from lms.services import audit_log, clock, dashboards


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
    form = AuditFilterForm(request.args)
    form.actor.choices = [("", _l("Anyone"))] + [(u.id, u.name) for u in audit_log.actors(db.session)]
    form.action.choices = [("", _l("Any action"))] + audit_log.action_choices()
    form.subject_type.choices = [("", _l("Any kind"))] + list(audit_log.SUBJECT_TYPES.items())
    valid = form.validate()
    filters = audit_log.AuditFilter(timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if valid:
        filters = audit_log.AuditFilter(form.actor.data, form.action.data or None, form.subject_type.data or None,
                                        form.since.data, form.until.data, filters.timezone)
    page = db.paginate(audit_log.events(filters), page=request.args.get("page", 1, type=page_number),
                       per_page=50, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}  # the pager keeps the filter
    return render_template("admin/audit.html", page=page, form=form, args=args), 200 if valid else 400


_LINKS = {"user": ("admin.person_edit", "user_id"), "cohort": ("admin.cohort", "cohort_id"),
          "enrollment": ("admin.enrollment", "enrollment_id"), "submission": ("admin.submission", "submission_id")}


@bp.app_template_global()
def audit_lines(events):
    """The events as sentences, names loaded in one batch (also used by the admin home)."""
    return audit_log.lines(db.session, list(events))


@bp.app_template_global()
def audit_sentence(line: audit_log.Line) -> Markup:
    """A sentence with each name a link to its page (plain text where there is no page)."""

    def show(ref: audit_log.Ref) -> Markup:
        endpoint, arg = _LINKS.get(ref.kind, (None, None))
        if endpoint in current_app.view_functions and ref.id is not None:
            return Markup('<a href="{}">{}</a>').format(url_for(endpoint, **{arg: ref.id}), ref.label)
        return escape(ref.label)

    return escape(line.template) % {slot: show(ref) for slot, ref in line.refs.items()}
