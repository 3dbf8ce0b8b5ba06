"""Admin: people list, create, edit, deactivate, set password, CSV import."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import invitation_links
from lms.admin import bp, imports
from lms.admin.forms import ConfirmForm, ImportPeopleForm, NewPersonForm, PersonForm, SetPasswordForm
from lms.admin.invitation_routes import mail_and_report, new_invitations
from lms.converters import page_number
from lms.extensions import db
from lms.list_filters import past_the_end
from lms.models import Role, User
from lms.permissions import Action, require
from lms.services import invitations
from lms.services import people as people_service
from lms.services.mentoring import open_assignments_of
from lms.transactions import commit_or_report


def _person_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _invitation(user: User) -> dict:
    """The person page's invitation card: the open invitation, its link, state and expiry."""
    invitation = invitations.open_invitation(db.session, user.id) if user.password_hash is None else None
    if invitation is None:
        return {"invitation": None}
    lifetime = invitation_links.lifetimes().invite
    return {"invitation": invitation, "invitation_link": invitation_links.link_for(invitation),
            "invitation_state": invitation.state(lifetime), "invitation_expires": invitation.expires_at(lifetime)}


def _form_values(form) -> dict:
    return {
        "name": form.name.data,
        "role": form.role.data,
        "mentor_kind": form.mentor_kind.data or None,
        "capacity": form.capacity.data,
        "locale": form.locale.data,
    }


@bp.route("/people")
@require(Action.MANAGE_PEOPLE)
def people():
    q = request.args.get("q", "").strip()
    role = request.args.get("role") or None
    status = request.args.get("status", "active")
    active = {"active": True, "inactive": False, "invited": True}.get(status)
    sort = request.args.get("sort", "role")
    sort = sort if sort in people_service.PEOPLE_SORTS else "role"
    query = people_service.search_people(db.session, q, role, active, sort)
    if status == "invited":  # not accepted their invitation: no password yet
        query = query.where(User.password_hash.is_(None))
    page = db.paginate(
        query,
        page=request.args.get("page", 1, type=page_number),
        per_page=current_app.config["PEOPLE_PER_PAGE"],
        error_out=False,
    )
    if last := past_the_end(page):
        return redirect(last)
    return render_template(
        "admin/people.html", page=page, q=q, role=role, status=status, roles=list(Role), sort=sort,
        not_accepted=db.session.scalar(people_service.count_without_password()),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@require(Action.MANAGE_PEOPLE)
def person_new():
    form = NewPersonForm()
    first = invitations.last_id(db.session) + 1
    if form.validate_on_submit():
        outcome = commit_or_report(lambda: people_service.create_person(
            db.session, current_user, {**_form_values(form), "email": form.email.data},
            password=form.password.data or None, hash_method=current_app.config["PASSWORD_HASH_METHOD"],
        ), form)
        if outcome.ok:
            flash(_("%(name)s was added.", name=outcome.result.name), "success")
            if not form.password.data:
                flash(_("Send %(name)s their link to set a password (below).", name=outcome.result.name), "info")
                mail_and_report(new_invitations(first))
            return redirect(url_for("admin.person_edit", user_id=outcome.result.id))
    return render_template("admin/person_new.html", form=form), 400 if form.errors else 200


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@require(Action.MANAGE_PEOPLE)
def person_edit(user_id: int):
    user = _person_or_404(user_id)
    form = PersonForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.mentor_kind.data = user.mentor_kind.value if user.mentor_kind else ""
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: people_service.update_person(db.session, current_user, user, _form_values(form)), form)
        if outcome.ok:
            flash(_("Saved.") if outcome.result else _("Nothing changed."), "success")
            return redirect(url_for("admin.person_edit", user_id=user.id))
    return render_template(
        "admin/person_edit.html",
        form=form,
        user=user,
        password_form=SetPasswordForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        coaching=open_assignments_of(db.session, user.id) if user.role == Role.MENTOR else [],
        **_invitation(user),
    ), 400 if form.errors else 200


@bp.route("/people/<int:user_id>/active", methods=["POST"])
@require(Action.MANAGE_PEOPLE)
def person_set_active(user_id: int):
    user = _person_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    activate = request.args.get("to") == "on"
    # Names are read before the commit expires the objects.
    outcome = commit_or_report(lambda: [f"{e.trainee.name} ({e.cohort.code})" for e in
                                        people_service.set_active(db.session, current_user, user, activate)])
    if outcome.ok:
        names = outcome.result
        flash(
            _("%(name)s is active again.", name=user.name)
            if activate
            else _("%(name)s is deactivated and can no longer log in.", name=user.name),
            "success",
        )
        if names:
            flash(_("These trainees lost a mentor and need a new one: %(names)s", names="、".join(names)),
                  "warning")
    return redirect(url_for("admin.person_edit", user_id=user.id))


@bp.route("/people/<int:user_id>/reviewer", methods=["POST"])
@require(Action.MANAGE_PEOPLE)
def person_set_reviewer(user_id: int):
    """Give or take the reviewer capability (defect triage); audited."""
    user = _person_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if commit_or_report(lambda: people_service.set_reviewer(db.session, current_user, user,
                                                            request.args.get("to") == "on")).ok:
        flash(_("Saved."), "success")
    return redirect(url_for("admin.person_edit", user_id=user.id))


@bp.route("/people/<int:user_id>/password", methods=["POST"])
@require(Action.MANAGE_PEOPLE)
def person_set_password(user_id: int):
    user = _person_or_404(user_id)
    form = SetPasswordForm()
    form.password_context = (user.email, user.name)
    if form.validate_on_submit():
        people_service.set_password(
            db.session, current_user, user, form.password.data,
            current_app.config["PASSWORD_HASH_METHOD"],
        )
        db.session.commit()
        flash(_("The password of %(name)s is set.", name=user.name), "success")
        return redirect(url_for("admin.person_edit", user_id=user.id))
    return render_template(
        "admin/person_edit.html",
        form=PersonForm(obj=user, formdata=None),
        user=user,
        password_form=form,
        confirm_form=ConfirmForm(formdata=None),
        coaching=[],
        **_invitation(user),
    ), 400


@bp.route("/people/import", methods=["GET", "POST"])
@require(Action.MANAGE_PEOPLE)
def people_import():
    form = ImportPeopleForm()
    report = None
    first = invitations.last_id(db.session) + 1
    upload = imports.receive(form, people_service.IMPORT_COLUMNS)  # uncertain encoding, unknown column: previewed
    if upload is not None and upload.source is not None:
        report = people_service.import_people(db.session, current_user, upload.source, apply=upload.confirmed)
        if report.ok and upload.confirmed:
            db.session.commit()
            flash(
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                  created=report.created, updated=report.updated, unchanged=report.unchanged),
                "success",
            )
            created = new_invitations(first)
            if created:  # a page of this import's links to copy or download
                mail_and_report(created)
                return redirect(url_for("admin.invitations_page", **{"from": first, "to": created[-1].id}))
            return redirect(url_for("admin.people"))
        db.session.rollback()
    failed = bool(form.errors or (report and report.errors) or (upload and upload.failed))
    return render_template("admin/people_import.html", form=form, report=report, upload=upload), (
        400 if failed else 200
    )
