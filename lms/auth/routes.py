import ipaddress
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms.auth import bp
from lms.auth.forms import ChangePasswordForm, LoginForm
from lms.extensions import db
from lms.permissions import Action, public, require
from lms.safe_redirect import safe_next
from lms.services.auth import Throttle, authenticate, change_password


def _throttle() -> Throttle:
    cfg = current_app.config
    return Throttle(
        max_failures=cfg["LOGIN_MAX_FAILURES"],
        window=timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]),
        ip_max_failures=cfg["LOGIN_IP_MAX_FAILURES"],
        account_max_failures=cfg["LOGIN_ACCOUNT_MAX_FAILURES"],
    )


def _client_ip() -> str:
    """The client's address as throttling counts it; anything that is not an IP
    (a forged X-Forwarded-For behind ProxyFix) counts as one shared unknown."""
    try:
        return str(ipaddress.ip_address(request.remote_addr or ""))
    except ValueError:
        return "-"


def _start_session(user, remember: bool) -> None:
    """Log `user` in on a fresh CSRF secret (a token planted before login is
    worthless after it), with the idle timeout of PERMANENT_SESSION_LIFETIME."""
    session.pop("csrf_token", None)
    session.permanent = True
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = authenticate(
            db.session, form.email.data, form.password.data, _client_ip(), _throttle(),
            current_app.config["PASSWORD_HASH_METHOD"],
        )
        db.session.commit()
        if result.throttled:
            status = 429
            form.password.errors.append(
                _("Too many failed logins. Wait %(minutes)d minutes, then try again.",
                  minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
            )
        elif result.user is None:
            status = 401
            form.password.errors.append(_("Wrong email or password, or the account is deactivated."))
        else:
            # A language picked before logging in is the one the person wants: keep it.
            if session.get("locale") in current_app.config["LANGUAGES"] and session["locale"] != result.user.locale:
                result.user.locale = session["locale"]
                db.session.commit()
            _start_session(result.user, form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@require(Action.USE_ACCOUNT)
def logout():
    # A new token ends this session, any copy of its cookie and every remember cookie.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.pop("csrf_token", None)
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@require(Action.USE_ACCOUNT)
def password():
    form = ChangePasswordForm()
    form.password_context = (current_user.email, current_user.name)
    if form.validate_on_submit():
        result = change_password(
            db.session, current_user, form.current.data, form.new.data, _client_ip(), _throttle(),
            current_app.config["PASSWORD_HASH_METHOD"],
        )
        db.session.commit()
        if result.user is not None:
            # Other sessions ended with the old token; this one carries the new one.
            remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
            _start_session(current_user._get_current_object(), remembered)
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("main.index"))
        if result.throttled:
            form.current.errors.append(
                _("Too many failed logins. Wait %(minutes)d minutes, then try again.",
                  minutes=current_app.config["LOGIN_WINDOW_MINUTES"]))
            return render_template("auth/password.html", form=form), 429
        form.current.errors.append(_("The current password is wrong."))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
