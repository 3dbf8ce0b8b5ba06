from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.admin.cohort_forms import baseline_form
from lms.converters import page_number
from lms.extensions import db
from lms.list_filters import ListFilter, paginate_rows, past_the_end
from lms.loaders import load_enrollment
from lms.mentor import bp
from lms.models import Competency
from lms.permissions import Action, require
from lms.services import clock, dashboards
from lms.services.baselines import rate_baseline
from lms.services.diagnostic import diagnostic_state
from lms.transactions import commit_or_report


@bp.route("/")
@require(Action.MENTOR_HOME)
def home():
    today = clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    cohorts = dashboards.mentor_cohorts(db.session, current_user)
    listed = ListFilter.from_args(request.args, ("all",), dashboards.MENTOR_SORTS)
    cohort_id = request.args.get("cohort", type=int)
    cohort_id = cohort_id if cohort_id in {c.id for c in cohorts} else None
    select, params = dashboards.mentor_trainees(current_user, listed.find, cohort_id, listed.sort)
    page = paginate_rows(db.session, select, page=request.args.get("page", 1, type=page_number),
                         per_page=current_app.config["ROSTER_PER_PAGE"], params=params)
    if last := past_the_end(page):
        return redirect(last)
    groups = dashboards.mentor_home(db.session, current_user, today, current_app.config["BABEL_DEFAULT_TIMEZONE"],
                                   page.items, cohorts)
    # translated once, formatted per row (a `_()` per row of a 50-row page costs more than the rest of the row)
    lessons_of = _("%(done)d of %(total)d lessons")  # no variables: the translation, not formatted
    return render_template("mentor/home.html", groups=groups, page=page, listed=listed, cohorts=cohorts,
                           cohort_id=cohort_id, lessons_of=lessons_of)


@bp.route("/trainees/<int:enrollment_id>/baseline", methods=["GET", "POST"])
@require(Action.RATE_BASELINE)
def baseline(enrollment_id: int):
    """Rate the intake baseline, or adjust the diagnostic's scores: always with a reason."""
    enrollment = load_enrollment(enrollment_id)
    current = {b.competency.value: b.score for b in enrollment.baselines}
    form = baseline_form(current, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        scores = {c.value: form[c.value].data for c in Competency}
        outcome = commit_or_report(
            lambda: rate_baseline(db.session, current_user, enrollment, scores, form.reason.data), form)
        if outcome.ok:
            if outcome.result:
                flash(_("Baseline saved for %(name)s.", name=enrollment.trainee.name), "success")
            else:
                flash(_("Nothing changed: the levels are the same as before."), "info")
            return redirect(url_for("admin.cohort", cohort_id=enrollment.cohort_id) if current_user.is_admin
                            else url_for("mentor.trainee", enrollment_id=enrollment.id) + "#baseline")
    state = diagnostic_state(db.session, enrollment.trainee, enrollment)
    return render_template("mentor/baseline.html", enrollment=enrollment, form=form, diagnostic=state,
                           baselines={b.competency.value: b for b in enrollment.baselines},
                           threshold=enrollment.cohort.program.attainment_threshold,
                           competencies=[c.value for c in Competency]), 400 if form.errors else 200
