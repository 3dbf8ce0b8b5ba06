"""Admin: HR API tokens. An admin makes tokens that carry their own rights (shown once), and
revokes any token, a placed person's own included."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.admin import bp
from lms.extensions import db
from lms.models import ApiToken
from lms.models.base import utcnow
from lms.permissions import Action, may_create_token, may_revoke_token, require
from lms.services import api_tokens
from lms.token_forms import RevokeForm, TokenForm
from lms.transactions import commit_or_report


def issue_from(form: TokenForm):
    """Make the token the form describes, held by the current user; (outcome of the commit)."""
    expires = (api_tokens.expiry(form.expires_on.data, current_app.config["BABEL_DEFAULT_TIMEZONE"])
               if form.expires_on.data else None)
    return commit_or_report(lambda: api_tokens.issue(db.session, current_user, current_user, form.name.data,
                                                     form.scope.data, expires), form=form)


@bp.route("/api-tokens", methods=["GET", "POST"])
@require(Action.MANAGE_API_TOKENS)
def api_tokens_page():
    form, created = TokenForm(), None
    if may_create_token(current_user, None) and form.validate_on_submit():
        outcome = issue_from(form)
        if outcome.ok:
            created, form = outcome.result[1], TokenForm(formdata=None)
    now = utcnow()
    rows = db.session.scalars(api_tokens.listing()).all()
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return render_template("api_tokens/tokens.html", form=form, rows=rows, created=created,
                           states={t.id: api_tokens.state(t, now) for t in rows},
                           last_days={t.id: api_tokens.last_day(t.expires_at, zone) for t in rows if t.expires_at},
                           admin=True, revoke_endpoint="admin.api_token_revoke",
                           revoke_form=RevokeForm(formdata=None)), 400 if form.errors else 200


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@require(Action.MANAGE_API_TOKENS)
def api_token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not may_revoke_token(current_user, token):
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    if api_tokens.revoke(db.session, current_user, token):
        db.session.commit()
        flash(_("Token %(name)s is revoked: requests with it are refused from now on.", name=token.name), "success")
    return redirect(url_for("admin.api_tokens_page"))
