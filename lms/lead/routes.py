"""A team lead's placed people (named on the placement by the lead's e-mail), read only:
buffer day, agent, check-ins with gaps, collaboration metrics. Never pay bands."""

from flask import abort, current_app, render_template
from flask_login import current_user

from lms.extensions import db
from lms.lead import bp
from lms.permissions import Action, may_lead, may_see_checkin_private, require
from lms.services import buffer_pages, checkins, clock
from lms.services.buffer_clock import BufferSettings


def _today():
    return clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])


@bp.route("/")
@require(Action.LEAD_HOME)
def home():
    rows = checkins.coach_rows(db.session, None, _today(), open_only=False, lead_email=current_user.email)
    return render_template("lead/home.html", rows=rows)


@bp.route("/placements/<int:placement_id>")
@require(Action.LEAD_HOME)
def placement(placement_id: int):
    placement = buffer_pages.load_placement(db.session, placement_id)
    if placement is None or not may_lead(current_user, placement):
        abort(404)
    view = buffer_pages.placement_view(db.session, placement, _today(), BufferSettings.from_config(current_app.config))
    return render_template("lead/placement.html", view=view, private=may_see_checkin_private(current_user, placement))
