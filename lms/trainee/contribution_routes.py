"""The placed person's contributions: what they contributed, adoptions, awards, and a suggestion form."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.defect_forms import SuggestionForm
from lms.extensions import db
from lms.permissions import Action, may_log_defect, require
from lms.services import contribution_pages, contributions
from lms.services import placement as placement_service
from lms.trainee import bp
from lms.transactions import commit_or_report


@bp.route("/contributions", methods=["GET", "POST"])
@require(Action.LOG_DEFECTS)
def contributions_mine():
    placement = placement_service.current_placement(db.session, current_user.id)
    form = SuggestionForm() if may_log_defect(current_user, placement) else None
    if form is not None and form.validate_on_submit():
        outcome = commit_or_report(lambda: contributions.suggest(db.session, current_user, placement,
                                                                 form.category.data, form.title.data,
                                                                 form.description.data), form=form)
        if outcome.ok:
            flash(_("Suggestion submitted. The operations team decides whether to adopt it."), "success")
            return redirect(url_for("trainee.contributions_mine"))
    status = 400 if form is not None and form.errors else 200
    return render_template("defects/contributions.html", form=form,
                           rows=contribution_pages.all_rows(db.session, current_user.id),
                           summary=contributions.summary(db.session, contributor_id=current_user.id)), status
