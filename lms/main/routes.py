from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from lms import notification_links
from lms.downloads import send_stored
from lms.extensions import db
from lms.loaders import load_file
from lms.login import navbar_facts
from lms.main import bp
from lms.models import Notification, NotificationKind, Role, Submission
from lms.permissions import Action, may_read_submission, public, require, submission_coaches
from lms.safe_redirect import is_safe_path, safe_next
from lms.services import notifications as notification_service
from lms.transactions import commit_or_report

HOME_BY_ROLE = {
    Role.ADMIN: "admin.home",
    Role.MENTOR: "mentor.home",
    Role.TRAINEE: "trainee.home",
    Role.LEAD: "lead.home",
}


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


class LocaleForm(FlaskForm):
    locale = HiddenField()
    next = HiddenField()


@bp.route("/locale", methods=["POST"])
@public
def set_locale():
    form = LocaleForm()
    locale = form.locale.data
    if form.validate_on_submit() and locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(form.next.data, url_for("main.index")))


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any failure to reach the database is "down"
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.app_context_processor
def _language_switch():
    here = request.full_path.rstrip("?")
    if request.method != "GET":
        # A page re-rendered after a POST (a form with errors) lives at an address
        # that only takes POST: switching language returns to the page that sent it.
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        here = (referrer.path + (f"?{referrer.query}" if referrer.query else "")) if same_site else ""
    # Plain hidden inputs (with the request's one CSRF token) rather than a form object on every page.
    return {"locale_next": here if is_safe_path(here) else ""}


@bp.route("/files/<int:file_id>")
@require(Action.USE_ACCOUNT)
def download(file_id: int):
    """An uploaded file, only for the trainee, their current mentors and admins.

    Anyone else gets 404, so the existence of a file is not revealed.
    """
    return send_stored(load_file(file_id))


@bp.route("/notifications")
@require(Action.USE_ACCOUNT)
def notifications():
    items = notification_service.recent(db.session, current_user.id)
    return render_template("main/notifications.html", items=items, form=LocaleForm(formdata=None))


@bp.route("/notifications/<int:notification_id>")
@require(Action.USE_ACCOUNT)
def notification_open(notification_id: int):
    """Mark one notification read and go to what it is about."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    notification_service.mark_read(db.session, current_user.id, note.id)
    db.session.commit()
    if note.dedupe_key is not None:  # a scheduled job's: lms/notification_links.py knows where it leads
        url = notification_links.target(db.session, current_user, note)
        if url is None:
            flash(_("What this notification was about is not open to you any more."), "info")
            return redirect(url_for("main.notifications"))
        return redirect(url)
    if note.kind == NotificationKind.DEFECT_UPDATE and current_user.is_trainee:
        return redirect(url_for("trainee.defect", defect_id=note.params.get("defect_id", 0)))
    if note.kind == NotificationKind.CONTRIBUTION_UPDATE and current_user.is_trainee:
        return redirect(url_for("trainee.contributions_mine"))
    if note.submission_id is None:
        return redirect(url_for("main.notifications"))
    submission = db.session.get(Submission, note.submission_id)
    if current_user.is_mentor:
        if not may_read_submission(current_user, submission, submission_coaches(db.session, submission)):
            # e.g. the cohort closed since: say so rather than lead to a 403
            flash(_("You no longer coach this trainee, so their work is not open to you."), "info")
            return redirect(url_for("main.notifications"))
        return redirect(url_for("mentor.submission", submission_id=note.submission_id))
    return redirect(url_for("trainee.assessment", assessment_id=submission.assessment_id))


@bp.route("/account/notifications", methods=["GET", "POST"])
@require(Action.USE_ACCOUNT)
def notification_settings():
    """The person's own quiet hours: non-urgent e-mail and webhook messages wait until they end."""
    from lms.main.forms import QuietHoursForm
    from lms.services import quiet_hours

    form = QuietHoursForm(obj=None if request.method == "POST" else current_user)
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: quiet_hours.set_quiet_hours(
            db.session, current_user, form.quiet_start.data, form.quiet_end.data), form=form)
        if outcome.ok:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("main.notification_settings"))
        return render_template("main/notification_settings.html", form=form, zone=zone), outcome.status
    return render_template("main/notification_settings.html", form=form, zone=zone), 400 if form.errors else 200


@bp.route("/notifications/read", methods=["POST"])
@require(Action.USE_ACCOUNT)
def notifications_read():
    if not LocaleForm().validate_on_submit():
        abort(400)
    notification_service.mark_read(db.session, current_user.id)
    db.session.commit()
    return redirect(url_for("main.notifications"))


@bp.app_context_processor
def _unread():
    if current_user and current_user.is_authenticated:
        facts = navbar_facts(current_user)
        return {"navbar": facts, "unread_count": facts["unread_count"]}
    return {"navbar": {}, "unread_count": 0}
