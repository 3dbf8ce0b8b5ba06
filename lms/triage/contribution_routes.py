"""Contributions for the operations team: the list with the adoption rate per cohort,
one contribution's adopt / measure / award / paid steps."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.defect_forms import AwardForm, MeasureForm, StepForm
from lms.extensions import db
from lms.models import Contribution
from lms.permissions import Action, can, require
from lms.services import contribution_pages, contributions
from lms.services.award_rules import BANDS, AwardSettings, suggested_band
from lms.transactions import commit_or_report
from lms.triage import bp


@bp.route("/contributions")
@require(Action.TRIAGE_DEFECTS)
def contributions_list():
    return render_template("triage/contributions.html", rows=contribution_pages.all_rows(db.session),
                           cohorts=contribution_pages.per_cohort(db.session))


def _load(contribution_id: int) -> Contribution:
    row = db.session.get(Contribution, contribution_id)
    if row is None:
        abort(404)
    return row


def _page(row: Contribution, measure_form=None, status=200):
    award_form = AwardForm(formdata=None)
    award_form.band_cny.choices = [(b[2], _("%(cny)d CNY, %(points)d points", cny=b[2], points=b[3])) for b in BANDS]
    if row.result:
        award_form.band_cny.data = suggested_band(contribution_pages.effect(row), row.after_samples or 0)[0]
    return render_template("triage/contribution.html", c=row, step_form=StepForm(formdata=None),
                           measure_form=measure_form or MeasureForm(formdata=None), award_form=award_form,
                           may_approve=can(current_user, Action.APPROVE_AWARDS) and contributions.may_approve(
                               current_user, row), settings=AwardSettings.from_config(current_app.config)), status


@bp.route("/contributions/<int:contribution_id>")
@require(Action.TRIAGE_DEFECTS)
def contribution(contribution_id: int):
    return _page(_load(contribution_id))


@bp.route("/contributions/<int:contribution_id>/adopt", methods=["POST"])
@require(Action.TRIAGE_DEFECTS)
def contribution_adopt(contribution_id: int):
    row = _load(contribution_id)
    if StepForm().validate_on_submit():
        adopted = request.args.get("to") != "decline"
        commit_or_report(lambda: contributions.adopt(db.session, current_user, row, adopted))
    return redirect(url_for("triage.contribution", contribution_id=row.id))


@bp.route("/contributions/<int:contribution_id>/measure", methods=["POST"])
@require(Action.TRIAGE_DEFECTS)
def contribution_measure(contribution_id: int):
    row = _load(contribution_id)
    form = MeasureForm()
    if not form.validate_on_submit():
        return _page(row, form, 400)
    values = {name: getattr(form, name).data for name in (
        "release_on", "window_days", "before_samples", "after_samples", "efficiency_before", "efficiency_after",
        "efficiency_higher_better", "error_before", "error_after")}
    outcome = commit_or_report(lambda: contributions.measure(
        db.session, current_user, row, values, AwardSettings.from_config(current_app.config)), form=form)
    if not outcome.ok:
        return _page(_load(contribution_id), form, outcome.status)
    flash(_("Effect recorded."), "success")
    return redirect(url_for("triage.contribution", contribution_id=row.id))


@bp.route("/contributions/<int:contribution_id>/award", methods=["POST"])
@require(Action.APPROVE_AWARDS)
def contribution_award(contribution_id: int):
    row = _load(contribution_id)
    form = AwardForm()
    form.band_cny.choices = [(b[2], str(b[2])) for b in BANDS]
    if form.validate_on_submit():
        if commit_or_report(lambda: contributions.approve_award(db.session, current_user, row,
                                                                form.band_cny.data)).ok:
            flash(_("Award approved."), "success")
    return redirect(url_for("triage.contribution", contribution_id=row.id))


@bp.route("/contributions/<int:contribution_id>/paid", methods=["POST"])
@require(Action.APPROVE_AWARDS)
def contribution_paid(contribution_id: int):
    row = _load(contribution_id)
    if StepForm().validate_on_submit() and commit_or_report(
            lambda: contributions.mark_paid(db.session, current_user, row)).ok:
        flash(_("Marked paid."), "success")
    return redirect(url_for("triage.contribution", contribution_id=row.id))
