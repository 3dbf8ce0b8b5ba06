"""Set a password through a link (invitation or reset), and ask for a reset link."""

from datetime import timedelta

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from lms import invitation_links
from lms.auth import bp
from lms.auth.forms import ForgotPasswordForm, NewPasswordForm
from lms.auth.routes import _client_ip, _start_session
from lms.extensions import db
from lms.models import LinkPurpose, LinkState
from lms.permissions import public
from lms.services import invitations


def _problem_text(state) -> str:
    if state == LinkState.EXPIRED:
        return _("This link has expired. Ask your program admin for a new link.")
    if state == LinkState.USED:
        return _("This link was already used to set a password. Log in with that password, "
                 "or ask your program admin for a new link.")
    return _("This link is no longer valid. Ask your program admin for a new link.")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    try:
        invitation = invitations.find(db.session, token, current_app.config["SECRET_KEY"],
                                      invitation_links.lifetimes())
    except invitations.LinkProblem as problem:
        status = 404 if problem.state is None else 410
        return _private(render_template("auth/link_problem.html", text=_problem_text(problem.state)), status)
    user = invitation.user
    form = NewPasswordForm()
    form.password_context = (user.email, user.name)
    if form.validate_on_submit():
        invitations.accept(db.session, invitation, form.new.data, current_app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        _start_session(user, remember=False)  # with the token accept() just made: other sessions end
        flash(_("Your password is set. Welcome to Reskill!"), "success")
        return redirect(url_for("main.index"))
    return _private(render_template("auth/set_password.html", form=form, user=user,
                                    invite=invitation.purpose == LinkPurpose.INVITE), 400 if form.errors else 200)


def _private(html: str, status: int):
    """A page reached through a personal link names its person: no browser or proxy keeps it."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/forgot", methods=["GET", "POST"])
@public
def forgot():
    form = ForgotPasswordForm()
    cfg = current_app.config
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form, mail=invitation_links.mail_enabled()), (
            400 if form.errors else 200)
    throttle = invitations.ResetThrottle(per_email=cfg["RESET_MAX_PER_EMAIL"], per_ip=cfg["RESET_MAX_PER_IP"],
                                         window=timedelta(minutes=cfg["RESET_WINDOW_MINUTES"]))
    outcome = invitations.request_reset(db.session, form.email.data, _client_ip(), throttle,
                                        issue=invitation_links.mail_enabled())
    if outcome.throttled:
        form.email.errors.append(_("Too many requests. Wait %(minutes)d minutes, then try again.",
                                   minutes=cfg["RESET_WINDOW_MINUTES"]))
        return render_template("auth/forgot.html", form=form, mail=invitation_links.mail_enabled()), 429
    if outcome.invitation is not None:
        invitation_links.send_later(outcome.invitation.id)  # after the answer: same time either way
    # The same page whether or not the address has an account.
    return render_template("auth/forgot_sent.html", mail=invitation_links.mail_enabled(),
                           minutes=cfg["PASSWORD_RESET_MINUTES"])
