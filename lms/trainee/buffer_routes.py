"""The placed person's buffer page: day N of 90, their agent, check-ins (with their own
notes), collaboration metrics; the agent's responsibility split and defects arrive with step 11."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.buffer_forms import NoteForm
from lms.extensions import db
from lms.models import CheckIn
from lms.permissions import Action, may_create_token, may_note_checkin, may_see_checkin_private, require
from lms.services import buffer_pages, checkins, clock, responsibility
from lms.services import placement as placement_service
from lms.services.buffer_clock import BufferSettings
from lms.trainee import bp
from lms.transactions import commit_or_report


@bp.route("/buffer")
@require(Action.BUFFER_HOME)
def buffer():
    today = clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    found = placement_service.current_placement(db.session, current_user.id)
    view, private, items = None, False, []
    if found is not None:
        items = responsibility.current_list(db.session, found.agent_id)
        placement = buffer_pages.load_placement(db.session, found.id)
        view = buffer_pages.placement_view(db.session, placement, today,
                                           BufferSettings.from_config(current_app.config))
        private = may_see_checkin_private(current_user, placement)
    return render_template("buffer/trainee.html", view=view, note_form=NoteForm(formdata=None), private=private,
                           items=items, can_token=may_create_token(current_user, found))


@bp.route("/buffer/checkins/<int:checkin_id>/note", methods=["POST"])
@require(Action.BUFFER_HOME)
def checkin_note(checkin_id: int):
    row = db.session.get(CheckIn, checkin_id)
    if row is None or not may_note_checkin(current_user, row):
        abort(404)
    form = NoteForm()
    if form.validate_on_submit():
        if commit_or_report(lambda: checkins.add_trainee_note(db.session, current_user, row, form.note.data)).ok:
            flash(_("Your note is saved."), "success")
    else:
        flash(_("Your note is too long (2,000 characters at most)."), "danger")
    return redirect(url_for("trainee.buffer") + f"#checkin-{row.week}")
