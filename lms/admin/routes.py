from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from lms.admin import bp
from lms.admin.audit_forms import AuditFilterForm
from lms.converters import page_number
from lms.extensions import db
from lms.i18n import join_names
from lms.loaders import load_submission
from lms.models import Role
from lms.permissions import Action, require
from lms.services import admin_pages, audit_log, clock
from lms.services.cohorts import current_enrollment
from lms.submission_pages import render_read_only


@bp.route("/")
@require(Action.ADMIN_HOME)
def home():
    overview = admin_pages.admin_overview(db.session, clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
                                          cache=current_app.extensions.setdefault("admin_home_summaries", {}))
    return render_template(
        "admin/home.html", counts=overview.counts, roles=list(Role), no_password=overview.no_password,
        recent=overview.recent, summaries=overview.summaries,
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


@bp.route("/submissions/<int:submission_id>")
@require(Action.REVIEW_GRADING)
def submission(submission_id: int):
    """Any submitted attempt with its grades and feedback, read only."""
    submission = load_submission(submission_id).submission
    crumbs = [(url_for("admin.home"), _("Administration"))]
    if submission.group_id is not None:  # group work: the group (on its cohort's capstone page), not one member
        group = submission.group
        crumbs.append((url_for("admin.cohort_capstone", cohort_id=group.cohort_id) + f"#group-{group.id}",
                       _("Group %(name)s (%(members)s)", name=group.name,
                         members=join_names(m.trainee.name for m in group.members))))
        return render_read_only(submission, crumbs)
    enrollment = current_enrollment(db.session, submission.trainee_id)
    if enrollment is not None:
        crumbs.append((url_for("admin.enrollment", enrollment_id=enrollment.id), enrollment.trainee.name))
    return render_read_only(submission, crumbs)
