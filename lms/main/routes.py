import sqlalchemy as sa
from flask import current_app, redirect, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from lms.extensions import db
from lms.main import bp
from lms.models import Role
from lms.permissions import public

HOME_BY_ROLE = {
    Role.ADMIN: "admin.home",
    Role.MENTOR: "mentor.home",
    Role.TRAINEE: "trainee.home",
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
    target = form.next.data or ""
    # Only local paths: never an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)


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
def _locale_form():
    return {"locale_form": LocaleForm(formdata=None, next=request.full_path.rstrip("?"))}
