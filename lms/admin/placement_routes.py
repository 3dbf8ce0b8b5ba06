"""Admin: placement, outcomes, agents, buffer coaches, hand-off import, business calendar."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms import labels
from lms.admin import bp, imports
from lms.admin.cohort_forms import EnrollCsvForm
from lms.buffer_forms import (
    AgentForm,
    BufferOutcomeForm,
    CapacityForm,
    OverrideForm,
    PlaceForm,
    TrainingOutcomeForm,
)
from lms.extensions import db
from lms.models import CalendarOverride, Enrollment, Role, TrainingOutcome, User
from lms.permissions import Action, may_record_training_outcome, may_see_checkin_private, may_see_pay_band, require
from lms.services import DomainError, buffer_pages, clock, handoffs
from lms.services import business_calendar as calendar_service
from lms.services import placement as placement_service
from lms.services.buffer_clock import BufferSettings
from lms.templating import localized
from lms.transactions import commit_or_report


def _today():
    return clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def settings() -> BufferSettings:
    return BufferSettings.from_config(current_app.config)


def _enrollment_or_404(enrollment_id: int) -> Enrollment:
    return db.session.get(Enrollment, enrollment_id) or abort(404)


def _placement_or_404(placement_id: int):
    return buffer_pages.load_placement(db.session, placement_id) or abort(404)


@bp.route("/placements")
@require(Action.MANAGE_PLACEMENTS)
def placements():
    data = buffer_pages.overview(db.session, _today(), settings())
    return render_template("admin/placements/list.html", data=data, capacity_form=CapacityForm(formdata=None),
                           training_over=buffer_pages.training_over, today=_today())


def _place_form(enrollment: Enrollment, formdata=None) -> PlaceForm:
    kwargs = {} if formdata is None else {"formdata": formdata}
    default_coach = placement_service.default_coach(enrollment)
    form = PlaceForm(**kwargs, role=enrollment.target_role.value, start_date=_today(),
                     coach_id=default_coach.id if default_coach else None)
    program = enrollment.cohort.program
    form.role.choices = [SelectChoice(code, localized(role["title"])) for code, role in program.roles.items()]
    form.agent_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(a.id, f"{a.name} · {a.platform} · {a.version}") for a in buffer_pages.agents(db.session, True)]
    form.coach_id.choices = [SelectChoice(m.id, f"{m.name} · {labels.mentor_kind(m.mentor_kind)}")
                             for m in buffer_pages.mentors(db.session)]
    return form


@bp.route("/enrollments/<int:enrollment_id>/place", methods=["GET", "POST"])
@require(Action.MANAGE_PLACEMENTS)
def place(enrollment_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    existing = placement_service.placement_of(db.session, enrollment.id)
    if existing is not None:
        return redirect(url_for("admin.placement", placement_id=existing.id))
    form = _place_form(enrollment)
    missing = placement_service.missing_tiers(db.session, enrollment, form.role.data or enrollment.target_role.value)
    if form.validate_on_submit():
        name = enrollment.trainee.name
        outcome = commit_or_report(lambda: placement_service.place(
            db.session, current_user, enrollment, form.data, settings().coach_capacity), form)
        if outcome.ok:
            flash(_("%(name)s is placed; the buffer period starts on %(day)s.", name=name,
                    day=outcome.result.start_date.isoformat()), "success")
            return redirect(url_for("admin.placement", placement_id=outcome.result.id))
        enrollment = _enrollment_or_404(enrollment_id)
        return render_template("admin/placements/place.html", enrollment=enrollment, form=form,
                               missing=missing), outcome.status
    return render_template("admin/placements/place.html", enrollment=enrollment, form=form, missing=missing), (
        400 if form.errors else 200)


@bp.route("/enrollments/<int:enrollment_id>/outcome", methods=["GET", "POST"])
@require(Action.MANAGE_PLACEMENTS)
def training_outcome(enrollment_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    placed = placement_service.placement_of(db.session, enrollment.id)
    if not may_record_training_outcome(current_user, placed):  # placed: the buffer outcome is theirs
        if placed is None:
            abort(403)
        flash(_("%(name)s is placed: record the outcome at the end of the buffer period.",
                name=enrollment.trainee.name), "info")
        return redirect(url_for("admin.placement", placement_id=placed.id))
    row = db.session.scalar(sa.select(TrainingOutcome).where(TrainingOutcome.enrollment_id == enrollment.id))
    form = TrainingOutcomeForm(obj=row, on=row.on if row else _today())
    if form.validate_on_submit():
        name = enrollment.trainee.name
        if commit_or_report(lambda: placement_service.record_training_outcome(
                db.session, current_user, enrollment, form.kind.data, form.reason.data, form.note.data,
                form.on.data), form).ok:
            flash(_("The outcome of %(name)s is recorded.", name=name), "success")
            return redirect(url_for("admin.placements"))
    return render_template("admin/placements/training_outcome.html", enrollment=enrollment, form=form), (
        400 if form.errors else 200)


@bp.route("/placements/<int:placement_id>", methods=["GET", "POST"])
@require(Action.MANAGE_PLACEMENTS)
def placement(placement_id: int):
    placement = _placement_or_404(placement_id)
    form = BufferOutcomeForm(on=_today())
    status = 200
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: placement_service.record_buffer_outcome(
            db.session, current_user, placement, form.outcome.data, form.reason.data, form.note.data,
            form.on.data, form.new_end.data, today=_today()), form)
        if outcome.ok:
            flash(_("Buffer outcome recorded."), "success")
            return redirect(url_for("admin.placement", placement_id=placement_id))
        placement, status = _placement_or_404(placement_id), outcome.status
    elif form.errors:
        status = 400
    view = buffer_pages.placement_view(db.session, placement, _today(), settings())
    return render_template("admin/placements/detail.html", view=view, form=form,
                           show_pay=may_see_pay_band(current_user),
                           private=may_see_checkin_private(current_user, placement)), status


@bp.route("/coaches/<int:coach_id>/capacity", methods=["POST"])
@require(Action.MANAGE_PLACEMENTS)
def coach_capacity(coach_id: int):
    coach = db.session.get(User, coach_id)
    if coach is None or coach.role != Role.MENTOR:
        abort(404)
    form = CapacityForm()
    if form.validate_on_submit():
        name = coach.name
        if commit_or_report(lambda: placement_service.set_coach_capacity(
                db.session, current_user, coach, form.capacity.data, settings().coach_capacity)).ok:
            flash(_("Buffer capacity of %(name)s saved.", name=name), "success")
    else:
        flash(_("Enter a whole number from 0 to 200."), "danger")
    return redirect(url_for("admin.placements") + "#coaches")


@bp.route("/agents", methods=["GET", "POST"])
@require(Action.MANAGE_PLACEMENTS)
def agents():
    form = AgentForm()
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: placement_service.create_agent(db.session, current_user, form.data), form)
        if outcome.ok:
            flash(_("Agent %(name)s added.", name=form.name.data.strip()), "success")
            return redirect(url_for("admin.agents"))
    return render_template("admin/placements/agents.html", agents=buffer_pages.agents(db.session), form=form), (
        400 if form.errors else 200)


@bp.route("/handoffs", methods=["GET", "POST"])
@require(Action.MANAGE_PLACEMENTS)
def handoff_import():
    form = EnrollCsvForm()
    upload = imports.receive(form, handoffs.COLUMNS)  # an uncertain encoding, an unknown column: previewed
    if upload is None or upload.source is None:
        return render_template("admin/placements/handoffs.html", form=form, upload=upload, report=None,
                               columns=handoffs.COLUMNS, required=handoffs.REQUIRED, zone=settings().hours.timezone), (
            400 if (upload or form.errors) else 200)
    try:
        report = handoffs.import_events(db.session, current_user, upload.source, settings(),
                                        apply=upload.confirmed)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("admin.handoff_import"))
    if not report.ok or not upload.confirmed:
        db.session.rollback()
        return render_template("admin/placements/handoffs.html", form=form, upload=upload, report=report,
                               columns=handoffs.COLUMNS, required=handoffs.REQUIRED,
                               zone=settings().hours.timezone), 200 if report.ok else 400
    db.session.commit()
    flash(_("Hand-off events imported: %(c)d new, %(u)d updated, %(n)d unchanged.", c=report.created,
            u=report.updated, n=report.unchanged), "success")
    return redirect(url_for("admin.placements"))


@bp.route("/calendar", methods=["GET", "POST"])
@require(Action.MANAGE_PLACEMENTS)
def business_calendar():
    form = OverrideForm()
    if form.validate_on_submit():
        kind = None if form.kind.data == "remove" else form.kind.data
        day = form.day.data
        if not clock.in_range(day):
            form.day.errors.append(_("Enter a date."))
        else:
            calendar_service.set_override(db.session, current_user, day, kind, form.note.data or "")
            changed = handoffs.retime(db.session, settings())
            db.session.commit()
            flash(_("Saved; %(n)d hand-off events were timed again.", n=changed), "success")
            return redirect(url_for("admin.business_calendar"))
    rows = db.session.scalars(sa.select(CalendarOverride).order_by(CalendarOverride.day.desc())).all()
    years = calendar_service.package_years()
    hours = settings().hours  # opening hours of a working day, not moments: no time zone to convert
    return render_template("admin/placements/calendar.html", form=form, rows=rows, first=years.start,
                           last=years.stop - 1, settings=settings(), opens=hours.start.isoformat("minutes"),
                           closes=hours.end.isoformat("minutes")), 400 if form.errors else 200

