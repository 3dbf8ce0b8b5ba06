"""The agent's responsibility list, kept by the intelligent-operations team: the list as it
stands (with defect counts and recurrences per item), adding items, new versions, history."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.defect_forms import ItemChangeForm, ItemForm
from lms.extensions import db
from lms.models import Agent, ResponsibilityItem
from lms.permissions import Action, require
from lms.services import responsibility
from lms.transactions import commit_or_report
from lms.triage import bp


def _values(form) -> dict:
    return {name: getattr(form, name).data for name in responsibility.FIELDS}


def _page(agent: Agent, form: ItemForm, status: int = 200):
    versions = responsibility.history(db.session, agent.id)
    return render_template("triage/responsibility.html", agent=agent, rows=responsibility.current_list(
        db.session, agent.id), versions=versions, moves=responsibility.moves(versions), form=form,
        change_form=ItemChangeForm(formdata=None)), status


@bp.route("/agents/<int:agent_id>/responsibilities", methods=["GET", "POST"])
@require(Action.TRIAGE_DEFECTS)
def responsibilities(agent_id: int):
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        abort(404)
    form = ItemForm()
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: responsibility.add_item(
            db.session, current_user, agent.id, form.title.data, _values(form), form.why.data), form=form)
        if outcome.ok:
            flash(_("Item added to the list."), "success")
            return redirect(url_for("triage.responsibilities", agent_id=agent.id))
    return _page(agent, form, 400 if form.errors else 200)


@bp.route("/responsibilities/<int:item_id>", methods=["POST"])
@require(Action.TRIAGE_DEFECTS)
def responsibility_change(item_id: int):
    item = db.session.get(ResponsibilityItem, item_id)
    if item is None:
        abort(404)
    form = ItemChangeForm()
    if not form.validate_on_submit():
        flash(_("Not saved: give the owner, approver, review date and why."), "danger")
    else:
        outcome = commit_or_report(lambda: responsibility.change_item(db.session, current_user, item,
                                                                      _values(form), form.why.data))
        if outcome.ok:
            flash(_("A new version is saved.") if outcome.result else _("Nothing changed."), "success")
    return redirect(url_for("triage.responsibilities", agent_id=item.agent_id) + f"#item-{item_id}")
