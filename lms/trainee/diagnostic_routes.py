"""Trainee: the intake diagnostic (week 0), one page with every item and one submission,
then the result per competency."""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.extensions import db
from lms.models import Competency
from lms.permissions import Action, require
from lms.services import diagnostic as diagnostic_service
from lms.services.cohorts import current_enrollment
from lms.trainee import bp
from lms.trainee.assessment_forms import answer_form, answers_from, mark_failed_checks
from lms.transactions import commit_or_report


@dataclass
class _Fields:
    """What the answer form builder reads: the fields of every item, on one page."""

    fields: list[dict]


@bp.route("/diagnostic", methods=["GET", "POST"])
@require(Action.TAKE_DIAGNOSTIC)
def diagnostic():
    enrollment = current_enrollment(db.session, current_user.id)
    state = diagnostic_service.diagnostic_state(db.session, current_user, enrollment)
    if state.result is not None:
        return redirect(url_for("trainee.diagnostic_result"))
    if not state.open:
        flash(_("The intake diagnostic is not open for you: your baseline has been recorded by your mentor, "
                "or you are not enrolled in a cohort."), "info")
        return redirect(url_for("trainee.home"))
    d = state.diagnostic
    fields = _Fields(diagnostic_service.all_fields(d))
    form = answer_form(fields, formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        answers = answers_from(form, fields)
        # Every problem at once: a missing answer is reported with a malformed one, not after it.
        failed = [r.as_dict() for r in diagnostic_service.blocking_failures(d, answers)
                  if not form[f"f_{r.field}"].errors]
        mark_failed_checks(form, failed)
        if not valid or failed:
            status = 400
        else:
            outcome = commit_or_report(lambda: diagnostic_service.submit(db.session, current_user, enrollment, d,
                                                                        answers))
            if outcome.ok:
                flash(_("Your intake diagnostic is in: this is your starting point."), "success")
                return redirect(url_for("trainee.diagnostic_result"))
            status = outcome.status
    return render_template("trainee/diagnostic.html", diagnostic=d, form=form), status


@bp.route("/diagnostic/result")
@require(Action.TAKE_DIAGNOSTIC)
def diagnostic_result():
    enrollment = current_enrollment(db.session, current_user.id)
    result = diagnostic_service.result_of(db.session, enrollment.id) if enrollment else None
    if result is None:
        return redirect(url_for("trainee.diagnostic") if diagnostic_service.diagnostic_state(
            db.session, current_user, enrollment).open else url_for("trainee.home"))
    points: dict[str, list[int]] = {}  # competency → [earned, total]
    for item in result.items:
        got = points.setdefault(item["competency"], [0, 0])
        got[0] += item["earned"]
        got[1] += item["points"]
    baselines = diagnostic_service.baselines_of(db.session, enrollment.id)
    return render_template("trainee/diagnostic_result.html", result=result, points=points, baselines=baselines,
                           competencies=[c.value for c in Competency],
                           threshold=enrollment.cohort.program.attainment_threshold)
