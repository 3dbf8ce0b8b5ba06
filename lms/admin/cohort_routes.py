"""Admin: cohorts, enrollment, withdrawal and mentor assignment."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from lms import labels
from lms.admin import bp, imports
from lms.admin.cohort_forms import AssignForm, CohortForm, EnrollCsvForm, EnrollForm, WithdrawForm
from lms.admin.forms import ConfirmForm
from lms.admin.invitation_routes import mail_and_report, new_invitations
from lms.converters import page_number
from lms.extensions import db
from lms.list_filters import ListFilter, paginate_rows, past_the_end
from lms.models import Cohort, Enrollment, EnrollmentStatus, MentorAssignment, Role, User
from lms.permissions import Action, may_record_training_outcome, require
from lms.services import admin_pages, clock, dashboards, invitations, mentoring
from lms.services import cohorts as cohort_service
from lms.services import contributions as contribution_service
from lms.services import placement as placement_service
from lms.services.placement import cohort_buffer_until
from lms.services.progress import current_program
from lms.templating import localized
from lms.transactions import commit_or_report


def _today():
    return clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _cohort_or_404(cohort_id: int) -> Cohort:
    # the program joined in: every cohort page reads its weeks and roles
    return db.session.get(Cohort, cohort_id, options=[joinedload(Cohort.program)]) or abort(404)


def _enrollment_or_404(enrollment_id: int) -> Enrollment:
    return db.session.scalar(
        sa.select(Enrollment).where(Enrollment.id == enrollment_id)
        .options(selectinload(Enrollment.assignments).selectinload(MentorAssignment.mentor))
    ) or abort(404)


@bp.route("/cohorts")
@require(Action.MANAGE_COHORTS)
def cohorts():
    return render_template("admin/cohorts/list.html", summaries=dashboards.cohort_summaries(db.session, _today()))


@bp.route("/cohorts/new", methods=["GET", "POST"])
@require(Action.MANAGE_COHORTS)
def cohort_new():
    program = current_program(db.session)
    if program is None:
        flash(_("Load the course catalogue first."), "warning")
        return redirect(url_for("catalog.index"))
    form = CohortForm()
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: cohort_service.create_cohort(db.session, current_user, program,
                                                                        form.data), form)
        if outcome.ok:
            cohort = outcome.result
            flash(_("Cohort %(code)s created.", code=cohort.code), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    return render_template("admin/cohorts/form.html", form=form, cohort=None), 400 if form.errors else 200


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@require(Action.MANAGE_COHORTS)
def cohort_edit(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        if commit_or_report(lambda: cohort_service.update_cohort(db.session, current_user, cohort, form.data),
                            form).ok:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    return render_template("admin/cohorts/form.html", form=form, cohort=cohort), 400 if form.errors else 200


@bp.route("/cohorts/<int:cohort_id>/close", methods=["POST"])
@require(Action.MANAGE_COHORTS)
def cohort_close(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cohort_service.close_cohort(db.session, current_user, cohort)
    db.session.commit()
    flash(_("Cohort %(code)s is closed.", code=cohort.code), "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort.id))


def _enroll_form(cohort: Cohort, formdata=None) -> EnrollForm:
    kwargs = {} if formdata is None else {"formdata": formdata}
    form = EnrollForm(**kwargs)
    form.target_role.choices = [SelectChoice(code, localized(role["title"]))
                                for code, role in cohort.program.roles.items()]
    return form


def _cohort_page(cohort: Cohort, enroll_form=None, csv_form=None, report=None, upload=None, status=200):
    today = _today()
    roster_filter = ListFilter.from_args(request.args, dashboards.ROSTER_STATUSES, dashboards.ROSTER_SORTS)
    select, params = dashboards.cohort_roster(cohort, roster_filter.find, roster_filter.status, roster_filter.sort)
    roster = paginate_rows(db.session, select, request.args.get("page", 1, type=page_number),
                           current_app.config["ROSTER_PER_PAGE"], params)
    if (last := past_the_end(roster)) and request.method == "GET":
        return redirect(last)
    q = request.args.get("q", "").strip()
    return render_template(
        "admin/cohorts/detail.html", cohort=cohort, roster=roster, roster_filter=roster_filter,
        week=clock.week_of(cohort.start_date, today),
        days_to_start=clock.days_to_start(cohort.start_date, today),
        phase=clock.phase(cohort.start_date, today, cohort.closed_at is not None, cohort.program.weeks,
                          cohort_buffer_until(db.session, cohort.id)),
        missing=dashboards.missing_mentors(db.session, cohort), q=q,
        contributions=contribution_service.summary(db.session, cohort_id=cohort.id),
        candidates=admin_pages.enrollment_candidates(db.session, cohort, q),
        enroll_form=enroll_form or _enroll_form(cohort, formdata=None),
        csv_form=csv_form or EnrollCsvForm(formdata=None), report=report, upload=upload,
        confirm_form=ConfirmForm(formdata=None),
        schedule=admin_pages.cohort_schedule(db.session, cohort),
    ), status


@bp.route("/cohorts/<int:cohort_id>")
@require(Action.MANAGE_COHORTS)
def cohort(cohort_id: int):
    return _cohort_page(_cohort_or_404(cohort_id))


@bp.route("/cohorts/<int:cohort_id>/enroll", methods=["POST"])
@require(Action.MANAGE_COHORTS)
def cohort_enroll(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = _enroll_form(cohort, formdata=request.form)
    if form.validate_on_submit():
        trainee = db.session.get(User, form.trainee_id.data)
        if trainee is None:
            form.trainee_id.errors.append(_("Choose a trainee from the search results."))
            return _cohort_page(cohort, enroll_form=form, status=400)
        name = trainee.name  # a rollback expires loaded rows
        outcome = commit_or_report(lambda: cohort_service.enroll(
            db.session, current_user, cohort, trainee, form.target_role.data, form.source_role.data or None))
        if outcome.status == 409:  # in another cohort, or enrolled by someone else just now
            return _cohort_page(cohort, status=409)
        if outcome.ok:
            flash(_("%(name)s is enrolled.", name=name), "success")
        return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    return _cohort_page(cohort, enroll_form=form, status=400)


@bp.route("/cohorts/<int:cohort_id>/import", methods=["POST"])
@require(Action.MANAGE_COHORTS)
def cohort_import(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = EnrollCsvForm()
    upload = imports.receive(form, cohort_service.IMPORT_COLUMNS)  # uncertain encoding, unknown column: previewed
    if upload is None or upload.source is None:
        return _cohort_page(cohort, csv_form=form, upload=upload, status=400)
    # The service writes nothing when any row is bad; a row checked fine, then another
    # request enrolled that trainee: a Conflict, answered 409 with its message.
    first = invitations.last_id(db.session) + 1
    outcome = commit_or_report(lambda: cohort_service.import_enrollments(
        db.session, current_user, cohort, upload.source, apply=upload.confirmed))
    if not outcome.ok:
        return _cohort_page(cohort, csv_form=form, upload=upload, status=outcome.status)
    report = outcome.result
    if not report.ok:
        return _cohort_page(cohort, csv_form=form, report=report, upload=upload, status=400)
    if not upload.confirmed:
        return _cohort_page(cohort, csv_form=form, report=report, upload=upload)
    flash(_("Enrollment imported: %(e)d enrolled (%(a)d new accounts), %(u)d updated, %(n)d unchanged.",
            e=report.enrolled, a=report.accounts_created, u=report.updated, n=report.unchanged), "success")
    created = new_invitations(first)
    if created:  # new accounts: a page of their set-password links
        mail_and_report(created)
        return redirect(url_for("admin.invitations_page", **{"from": first, "to": created[-1].id}))
    return redirect(url_for("admin.cohort", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/auto-assign", methods=["POST"])
@require(Action.MANAGE_COHORTS)
def cohort_auto_assign(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    report = mentoring.auto_assign(db.session, current_user, cohort)
    db.session.commit()
    flash(_("Auto-assign: %(n)d trainees got their mentors.", n=report.assigned), "success")
    needed = {k for _, missing in report.unassigned for k in missing}
    for kind in report.unavailable:
        if kind in needed:
            flash(_("No %(kind)s is available: none is active with an accepted invitation. Invite one (or ask "
                    "an invited one to accept), then run auto-assign again.", kind=labels.mentor_kind(kind)),
                  "warning")
    if report.not_accepted:
        flash(ngettext("%(num)d mentor was not picked: they have not accepted their invitation yet.",
                       "%(num)d mentors were not picked: they have not accepted their invitation yet.",
                       report.not_accepted), "info")
    if report.full_kinds:
        kinds = sorted(labels.mentor_kind(k) for k in report.full_kinds)
        flash(_("%(n)d trainees are still without a full mentor pair: no %(kinds)s has free capacity. "
                "Raise a mentor's capacity or add mentors, then run auto-assign again.",
                n=len(report.unassigned), kinds=" / ".join(kinds)), "warning")
    return redirect(url_for("admin.cohort", cohort_id=cohort.id))


def _outcome_links(enrollment) -> dict:
    """The placement (if any) and whether the not-placed outcome applies (the same policy as its view)."""
    placement = placement_service.placement_of(db.session, enrollment.id)
    return {"placement": placement, "may_record_outcome": may_record_training_outcome(current_user, placement)}


@bp.route("/enrollments/<int:enrollment_id>", methods=["GET", "POST"])
@require(Action.MANAGE_COHORTS)
def enrollment(enrollment_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    form = AssignForm()
    mentors = db.session.scalars(
        sa.select(User).where(User.role == Role.MENTOR, User.active.is_(True)).order_by(User.mentor_kind, User.name)
    ).all()
    form.mentor_id.choices = [
        SelectChoice(m.id, f"{m.name} · {labels.mentor_kind(m.mentor_kind)} · {m.mentor_load}/{m.capacity}")
        for m in mentors]
    status = 200
    if form.validate_on_submit():
        mentor = db.session.get(User, form.mentor_id.data) or abort(400)
        outcome = commit_or_report(
            lambda: mentoring.assign(db.session, current_user, enrollment, mentor, form.reason.data), form)
        if outcome.ok:
            flash(_("%(name)s is now the mentor.", name=mentor.name), "success")
            return redirect(url_for("admin.enrollment", enrollment_id=enrollment.id))
        enrollment = _enrollment_or_404(enrollment_id)  # as it is now, after whoever won
        status = 409 if outcome.status == 409 else status
    return render_template(
        "admin/cohorts/enrollment.html", enrollment=enrollment, form=form,
        withdraw_form=WithdrawForm(formdata=None, on=_today()), status_active=EnrollmentStatus.ACTIVE,
        **_outcome_links(enrollment)), 400 if form.errors else status


@bp.route("/enrollments/<int:enrollment_id>/withdraw", methods=["POST"])
@require(Action.MANAGE_COHORTS)
def enrollment_withdraw(enrollment_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        name = enrollment.trainee.name
        if commit_or_report(lambda: cohort_service.withdraw(db.session, current_user, enrollment,
                                                            form.reason.data, form.on.data)).ok:
            flash(_("%(name)s is withdrawn; their mentors' seats are free again.", name=name), "success")
        return redirect(url_for("admin.enrollment", enrollment_id=enrollment.id))
    assign_form = AssignForm(formdata=None)
    assign_form.mentor_id.choices = []
    return render_template("admin/cohorts/enrollment.html", enrollment=enrollment, form=assign_form,
                           withdraw_form=form, status_active=EnrollmentStatus.ACTIVE, **_outcome_links(enrollment)), 400
