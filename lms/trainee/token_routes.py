"""A placed person's own API token, for logging their agent's defects from a service console
(the HR API's /api/v1/defects); it works while their buffer period runs."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.admin.token_routes import issue_from
from lms.extensions import db
from lms.models import ApiToken
from lms.models.base import utcnow
from lms.permissions import Action, may_create_token, may_revoke_token, require
from lms.services import api_tokens
from lms.services import placement as placement_service
from lms.token_forms import RevokeForm, TraineeTokenForm
from lms.trainee import bp


@bp.route("/buffer/api-token", methods=["GET", "POST"])
@require(Action.LOG_DEFECTS)
def api_token():
    placement = placement_service.current_placement(db.session, current_user.id)
    if not may_create_token(current_user, placement):
        abort(404)  # no running buffer period: nothing to log (the buffer page links here only then)
    form, created = TraineeTokenForm(scope="write"), None
    if form.validate_on_submit():
        outcome = issue_from(form)
        if outcome.ok:
            created, form = outcome.result[1], TraineeTokenForm(formdata=None, scope="write")
    now = utcnow()
    rows = db.session.scalars(api_tokens.listing(current_user.id)).all()
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return render_template("api_tokens/tokens.html", form=form, rows=rows, created=created,
                           states={t.id: api_tokens.state(t, now) for t in rows},
                           last_days={t.id: api_tokens.last_day(t.expires_at, zone) for t in rows if t.expires_at},
                           admin=False, revoke_endpoint="trainee.api_token_revoke",
                           revoke_form=RevokeForm(formdata=None)), 400 if form.errors else 200


@bp.route("/buffer/api-token/<int:token_id>/revoke", methods=["POST"])
@require(Action.LOG_DEFECTS)
def api_token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not may_revoke_token(current_user, token):
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    if api_tokens.revoke(db.session, current_user, token):
        db.session.commit()
        flash(_("Token %(name)s is revoked: requests with it are refused from now on.", name=token.name), "success")
    return redirect(url_for("trainee.api_token"))
