"""The placed person's agent defects: the quick log form (similar open defects first,
redacted), their own defects, one defect in full (their own) or redacted (a colleague's
of the same agent, with "add my excerpt")."""

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.defect_forms import MAX_SCREENSHOTS, SCREENSHOT_TYPES, CoReportForm, DefectForm
from lms.extensions import db
from lms.models.base import utcnow
from lms.permissions import Action, may_co_report, may_log_defect, may_read_defect, require
from lms.services import DomainError, defect_pages, responsibility
from lms.services import defects as defect_service
from lms.services import placement as placement_service
from lms.services.business_calendar import UTC
from lms.services.defect_rules import DefectSettings
from lms.services.uploads import discard_uploads, store_upload
from lms.storage import current_storage
from lms.templating import localized
from lms.trainee import bp
from lms.transactions import commit_or_report


def _placement():
    """The current user's running placement, or 404 (nothing to log against)."""
    found = placement_service.current_placement(db.session, current_user.id)
    if found is None or not may_log_defect(current_user, found):
        abort(404)
    return found


def _settings() -> DefectSettings:
    return DefectSettings.from_config(current_app.config)


def _form(scale: list[dict], placement) -> DefectForm:
    form = DefectForm()
    form.severity.choices = [(lv["code"], f"{localized(lv['title'])} — {localized(lv['meaning'])}") for lv in scale]
    items = responsibility.current_list(db.session, placement.agent_id)
    form.item_id.choices = [("", "—")] + [(str(r.item.id), r.item.title) for r in items]
    if not form.is_submitted():
        form.platform.data = placement.agent.platform
    return form


def _seen_at(value):
    """The local time typed in the form as naive UTC (None: now)."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


@bp.route("/buffer/defects")
@require(Action.LOG_DEFECTS)
def defects():
    rows = defect_pages.mine(db.session, current_user.id)
    # The link to the form only when the form's own policy lets the user in (placement running).
    placement = placement_service.current_placement(db.session, current_user.id)
    return render_template("defects/mine.html", rows=rows, scale=defect_pages.scale_for(db.session),
                           can_log=may_log_defect(current_user, placement))


@bp.route("/buffer/defects/new", methods=["GET", "POST"])
@require(Action.LOG_DEFECTS)
def defect_new():
    placement = _placement()
    scale = defect_pages.scale_for(db.session, placement)
    form = _form(scale, placement)
    similar = []
    if not form.validate_on_submit():
        return render_template("defects/log.html", form=form, placement=placement, similar=similar, scale=scale), (
            400 if form.is_submitted() else 200)
    settings = _settings()
    if form.checked.data != "1":
        similar = defect_service.similar(db.session, placement.agent_id, form.type.data, form.intent.data, utcnow(),
                                  settings)
        if similar:
            form.checked.data = "1"
            # "Add my excerpt" only where the co-report policy allows it (not on one's own defect).
            rows = defect_pages.load_many(db.session, [s.id for s in similar])
            joinable = {s.id for s in similar if s.id in rows and may_co_report(current_user, rows[s.id], placement)}
            return render_template("defects/log.html", form=form, placement=placement, similar=similar, scale=scale,
                                   joinable=joinable, co_form=CoReportForm(formdata=None, excerpt=form.excerpt.data))
    storage = current_storage()
    uploads = []
    files = [f for f in (form.screenshots.data or []) if getattr(f, "filename", "")]
    if len(files) > MAX_SCREENSHOTS:
        form.screenshots.errors = [_("Up to three screenshots.")]
    for upload in files[:MAX_SCREENSHOTS]:
        try:
            uploads.append(store_upload(storage, upload.stream, upload.filename, SCREENSHOT_TYPES))
        except DomainError as error:
            form.screenshots.errors = [error.message]
    if form.screenshots.errors:
        discard_uploads(storage, uploads)
        return render_template("defects/log.html", form=form, placement=placement, similar=[], scale=scale), 400
    values = {name: getattr(form, name).data for name in
              ("type", "intent", "platform", "sku", "kb_entry", "excerpt", "agent_said", "should_say", "reach",
               "severity", "item_id")}
    values["seen_at"] = _seen_at(form.seen_at.data)
    outcome = commit_or_report(lambda: defect_service.log_defect(db.session, current_user, placement, values, scale,
                                                          settings, files=uploads), form=form)
    if not outcome.ok:
        discard_uploads(storage, uploads)
        return render_template("defects/log.html", form=form, placement=placement, similar=[], scale=scale), 400
    flash(_("Defect logged. The operations team answers within %(minutes)d minutes.",
            minutes=settings.response_minutes), "success")
    return redirect(url_for("trainee.defect", defect_id=outcome.result.id))


@bp.route("/buffer/defects/<int:defect_id>")
@require(Action.LOG_DEFECTS)
def defect(defect_id: int):
    row = defect_pages.load(db.session, defect_id)
    if row is None:
        abort(404)
    scale = defect_pages.scale_for(db.session)
    if may_read_defect(current_user, row):
        return render_template("defects/detail.html", defect=row, scale=scale, triage=False)
    placement = placement_service.current_placement(db.session, current_user.id)
    if placement is None or placement.agent_id != row.agent_id:
        abort(404)  # another agent's defect: not even redacted
    return render_template("defects/redacted.html", defect=row, scale=scale,
                           co_form=CoReportForm() if may_co_report(current_user, row, placement) else None)


@bp.route("/buffer/defects/<int:defect_id>/join", methods=["POST"])
@require(Action.LOG_DEFECTS)
def defect_join(defect_id: int):
    row = defect_pages.load(db.session, defect_id)
    placement = placement_service.current_placement(db.session, current_user.id)
    if row is None or placement is None or row.agent_id != placement.agent_id:
        abort(404)
    form = CoReportForm()
    if not form.validate_on_submit():
        flash(_("Add your excerpt first."), "danger")
        return redirect(url_for("trainee.defect", defect_id=row.id))
    if not may_co_report(current_user, row, placement):
        flash(_("You cannot add yourself to this defect."), "danger")
        return redirect(url_for("trainee.defect", defect_id=row.id))
    if commit_or_report(lambda: defect_service.co_report(db.session, current_user, row, form.excerpt.data)).ok:
        flash(_("You are a co-reporter of this defect now."), "success")
    return redirect(url_for("trainee.defect", defect_id=row.id))
