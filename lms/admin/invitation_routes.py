"""Admin: set-password links of people who have not set a password yet (copy, CSV, resend, revoke)."""

import csv
import io
from typing import Optional

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms import invitation_links
from lms.admin import bp
from lms.admin.forms import ConfirmForm
from lms.converters import page_number
from lms.export_files import neutralise
from lms.extensions import db
from lms.models import Cohort, Invitation, LinkState, User
from lms.permissions import Action, require
from lms.safe_redirect import safe_next
from lms.services import invitations
from lms.transactions import commit_or_report


def mail_and_report(items: list[Invitation]) -> None:
    """E-mail these links when mail is set up, commit what happened, and tell the admin
    which could not be sent (their links still work: copy them instead)."""
    if not items or not invitation_links.mail_enabled():
        return
    failed = invitation_links.send(items)
    names = [item.user.name for item in failed]
    db.session.commit()
    if names:
        flash(ngettext("The link of %(num)d person could not be e-mailed (%(names)s); copy it from the "
                       "invitations page and send it another way.",
                       "The links of %(num)d people could not be e-mailed (%(names)s); copy them from the "
                       "invitations page and send them another way.", len(names), names="、".join(names)),
              "warning")
    else:
        flash(ngettext("%(num)d link was e-mailed.", "%(num)d links were e-mailed.", len(items)), "info")


def new_invitations(first: int) -> list[Invitation]:
    """The invitations this admin made in this request (ids from `first`, taken before)."""
    return list(db.session.scalars(sa.select(Invitation).where(
        Invitation.id >= first, Invitation.created_by_id == current_user.id)
        .options(selectinload(Invitation.user)).order_by(Invitation.id)))


def _filters() -> dict:
    """The page's selection from its query string: a cohort, or one import's id range."""
    cohort_id = request.args.get("cohort", type=page_number)  # junk or out of INTEGER's range: ignored
    first, last = request.args.get("from", type=page_number), request.args.get("to", type=page_number)
    return {"cohort": cohort_id, "from": first, "to": last}


def _rows(f: dict) -> list[tuple[Invitation, User]]:
    ids = (f["from"], f["to"]) if f["from"] is not None and f["to"] is not None else None
    stmt = invitations.not_accepted(cohort_id=f["cohort"], ids=ids,
                                    created_by_id=current_user.id if ids else None)
    return list(db.session.execute(stmt).tuples())


@bp.route("/invitations")
@require(Action.MANAGE_PEOPLE)
def invitations_page():
    f = _filters()
    cohort: Optional[Cohort] = db.session.get(Cohort, f["cohort"]) if f["cohort"] else None
    if f["cohort"] and cohort is None:
        abort(404)
    lifetimes = invitation_links.lifetimes()
    rows = [(inv, user, inv.state(lifetimes.invite), invitation_links.link_for(inv),
             inv.expires_at(lifetimes.invite)) for inv, user in _rows(f)]
    return render_template("admin/invitations.html", rows=rows, cohort=cohort, filters=f,
                           imported=f["from"] is not None, confirm_form=ConfirmForm(formdata=None),
                           pending=LinkState.PENDING)


@bp.route("/invitations.csv")
@require(Action.MANAGE_PEOPLE)
def invitations_csv():
    """The links still usable, one row per person, as UTF-8 with a BOM (Excel reads it as
    UTF-8) for sending through WeCom or DingTalk."""
    f = _filters()
    lifetimes = invitation_links.lifetimes()
    locale = current_user.locale
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Email"), _("Set-password link"), _("Valid until")])
    for inv, user in _rows(f):
        if inv.state(lifetimes.invite) == LinkState.PENDING:
            writer.writerow([_csv_cell(user.name), user.email, invitation_links.link_for(inv),
                             invitation_links.local_text(inv.expires_at(lifetimes.invite), locale)])
    name = f"invitations-{f['cohort']}.csv" if f["cohort"] else "invitations.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def _csv_cell(text: str) -> str:
    """A cell Excel will not run as a formula (the exports' one rule)."""
    return neutralise(text)


def _back(user: User):
    """To `next` (the invitations page) when given, else the person's page."""
    return redirect(safe_next(request.args.get("next"), url_for("admin.person_edit", user_id=user.id)))


@bp.route("/people/<int:user_id>/invitation/resend", methods=["POST"])
@require(Action.MANAGE_PEOPLE)
def invitation_resend(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.password_hash is not None or not user.active:
        flash(_("%(name)s does not need an invitation: they have a password or are deactivated.",
                name=user.name), "warning")
        return _back(user)
    outcome = commit_or_report(lambda: invitations.resend(db.session, current_user, user))
    if outcome.ok:
        flash(_("A new link for %(name)s is ready; the old one no longer works.", name=user.name), "success")
        mail_and_report([outcome.result])
    return _back(user)


@bp.route("/people/<int:user_id>/invitation/revoke", methods=["POST"])
@require(Action.MANAGE_PEOPLE)
def invitation_revoke(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = commit_or_report(lambda: invitations.revoke(db.session, current_user, user))
    if outcome.ok:
        flash(_("The link of %(name)s no longer works.", name=user.name) if outcome.result
              else _("%(name)s has no open invitation.", name=user.name), "success")
    return _back(user)
