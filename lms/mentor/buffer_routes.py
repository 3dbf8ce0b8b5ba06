"""The buffer coach's pages: their placed people, and the weekly check-in form (fast on a phone)."""

from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.buffer_forms import BufferOutcomeForm, CheckInForm
from lms.extensions import db
from lms.mentor import bp
from lms.permissions import Action, may_coach, may_record_buffer_outcome, may_see_checkin_private, require
from lms.services import buffer_clock, buffer_pages, checkins, clock
from lms.services import placement as placement_service
from lms.services.buffer_clock import BufferSettings
from lms.transactions import commit_or_report


def _today():
    return clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _coached_or_404(placement_id: int):
    """The placement, if the signed-in mentor coaches it (404 otherwise: no hint it exists)."""
    placement = buffer_pages.load_placement(db.session, placement_id)
    if placement is None or not may_coach(current_user, placement):
        abort(404)
    return placement


@bp.route("/buffer")
@require(Action.COACH_BUFFER)
def buffer():
    rows = checkins.coach_rows(db.session, current_user.id, _today())
    return render_template("buffer/coach.html", rows=rows)


def _checkin_form(logged: dict, wanted, fresh: bool = False) -> CheckInForm:
    """The check-in form for week `wanted`, filled with that week's own answers when logged."""
    existing = logged.get(wanted)
    initial = {}
    if existing is not None:  # correcting a logged week: its own answers, ready to edit
        initial = {k: getattr(existing, k) for k in ("agent_share", "handoffs", "went_well", "hard")}
        initial.update(wellbeing=str(existing.wellbeing), actions=[SimpleNamespace(**a) for a in existing.actions])
    extra = {"formdata": None} if fresh else {}  # fresh: not filled from another form's POST
    return CheckInForm(week=wanted, version=checkins.version_of(existing), **extra, **initial)


def _page(placement, today, form, wanted, weeks, logged, outcome_form, status: int):
    view = buffer_pages.placement_view(db.session, placement, today, BufferSettings.from_config(current_app.config))
    if outcome_form is None and may_record_buffer_outcome(current_user, placement):
        outcome_form = BufferOutcomeForm(formdata=None, on=today)
    return render_template("buffer/checkin.html", view=view, form=form, weeks=weeks, week=wanted,
                           logged=set(logged), outcome_form=outcome_form,
                           private=may_see_checkin_private(current_user, placement)), status


def _default_week(weeks: list[int], logged: dict):
    # without ?week=N: the first missing week, what the coach most likely came for; else this week
    return next((w for w in weeks if w not in logged), weeks[-1] if weeks else None)


@bp.route("/buffer/<int:placement_id>", methods=["GET", "POST"])
@require(Action.COACH_BUFFER)
def checkin(placement_id: int):
    placement = _coached_or_404(placement_id)
    today = _today()
    weeks = buffer_clock.open_weeks(placement.start_date, placement.buffer_end, today)
    logged = {c.week: c for c in placement.checkins}
    # the week is explicit: ?week=N (an "edit" link, or the week picker)
    wanted = request.args.get("week", type=int)
    if wanted not in weeks:
        wanted = _default_week(weeks, logged)
    form = _checkin_form(logged, wanted)
    status = 200
    if form.validate_on_submit():
        values = {**form.data, "wellbeing": int(form.wellbeing.data), "actions": form.actions.data,
                  "version": form.version.data or ""}
        name = placement.trainee.name
        outcome = commit_or_report(lambda: checkins.save_checkin(db.session, current_user, placement, values,
                                                                 today), form)
        if outcome.ok:
            flash(_("Check-in for week %(n)d with %(name)s saved.", n=values["week"], name=name), "success")
            return redirect(url_for("mentor.buffer"))
        placement, status = _coached_or_404(placement_id), outcome.status
        if status == 409:  # a save now is made knowing the saved answers (shown in the list)
            fresh = next((c for c in placement.checkins if c.week == values["week"]), None)
            form.version.data = checkins.version_of(fresh)
    elif form.is_submitted():
        status = 400
    if form.is_submitted() and form.week.data in weeks:
        wanted = form.week.data  # the week the form was for, whatever the address says
    return _page(placement, today, form, wanted, weeks, logged, None, status)


@bp.route("/buffer/<int:placement_id>/outcome", methods=["POST"])
@require(Action.COACH_BUFFER)
def buffer_outcome(placement_id: int):
    placement = _coached_or_404(placement_id)
    today = _today()
    form = BufferOutcomeForm()
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: placement_service.record_buffer_outcome(
            db.session, current_user, placement, form.outcome.data, form.reason.data, form.note.data,
            form.on.data, form.new_end.data, today=today), form)
        if outcome.ok:
            flash(_("Buffer outcome recorded."), "success")
            return redirect(url_for("mentor.checkin", placement_id=placement_id))
        placement, status = _coached_or_404(placement_id), outcome.status
    else:
        status = 400
    # refused: the page again, the messages at the outcome form's fields
    weeks = buffer_clock.open_weeks(placement.start_date, placement.buffer_end, today)
    logged = {c.week: c for c in placement.checkins}
    wanted = _default_week(weeks, logged)
    return _page(placement, today, _checkin_form(logged, wanted, fresh=True), wanted, weeks, logged, form,
                 status)
