"""Scheduled jobs: what ran when, with what outcome, and what runs next; each program's webhook."""

from flask import abort, current_app, render_template
from flask_login import current_user

from lms.admin import bp
from lms.admin.job_forms import WebhookForm
from lms.extensions import db
from lms.jobs import status
from lms.models import Program, ProgramWebhook
from lms.models.base import utcnow
from lms.permissions import Action, require
from lms.services import webhooks
from lms.services.progress import live
from lms.transactions import commit_or_report


@bp.route("/jobs")
@require(Action.MANAGE_JOBS)
def jobs():
    now = utcnow()
    return render_template("admin/jobs.html", rows=status.statuses(db.session, now,
                                                                   current_app.config["BABEL_DEFAULT_TIMEZONE"]),
                           outbox=status.outbox(db.session, now), mail=bool(current_app.config.get("MAIL_SERVER")),
                           tick=current_app.config["SCHEDULER_TICK_SECONDS"])


def _programs() -> list[tuple[Program, ProgramWebhook | None]]:
    programs = live(db.session.scalars(db.select(Program).order_by(Program.id)).all())
    hooks = {h.program_id: h for h in db.session.scalars(db.select(ProgramWebhook))}
    return [(p, hooks.get(p.id)) for p in programs]


def _page(forms: dict, status_code: int = 200, shown_secret: str | None = None, saved: int | None = None):
    return render_template("admin/webhooks.html", programs=_programs(), forms=forms, shown_secret=shown_secret,
                           saved=saved, shown_url=webhooks.shown_url, masked=webhooks.shown_secret), status_code


def _form_for(hook: ProgramWebhook | None) -> WebhookForm:
    form = WebhookForm(formdata=None)
    form.url.data = webhooks.shown_url(hook.url) if hook else ""
    form.active.data = hook.active if hook else True
    return form


@bp.route("/webhooks")
@require(Action.MANAGE_JOBS)
def webhooks_page():
    return _page({p.id: _form_for(h) for p, h in _programs()})


@bp.route("/webhooks/<int:program_id>", methods=["POST"])
@require(Action.MANAGE_JOBS)
def webhook_save(program_id: int):
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    form = WebhookForm()
    forms = {p.id: _form_for(h) for p, h in _programs()}
    forms[program.id] = form
    hook = db.session.get(ProgramWebhook, program.id)
    if hook is not None and form.url.data == webhooks.shown_url(hook.url):
        form.url.data = hook.url  # the page shows the address with its key hidden: unchanged means keep it
    if not form.validate_on_submit():
        return _page(forms, 400)
    outcome = commit_or_report(lambda: webhooks.save(db.session, current_user, program, form.url.data,
                                                     form.active.data, form.secret.data, form.new_secret.data),
                               form=form)
    if not outcome.ok:
        return _page(forms, outcome.status)
    forms[program.id] = _form_for(db.session.get(ProgramWebhook, program.id))
    # rendered, not redirected: a made secret is shown this once and never put in a cookie or a URL
    return _page(forms, shown_secret=outcome.result, saved=program.id)

