"""Triage pages: views parse, call lms/services/defects.py, and render."""


from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.defect_forms import DuplicatesForm, InterimNoteForm, MoveForm
from lms.downloads import send_stored
from lms.extensions import db
from lms.models import AgentDefect, DefectFile, DefectState, DefectType
from lms.models.base import utcnow
from lms.permissions import Action, may_open_defect_file, require
from lms.services import defect_pages
from lms.services import defects as defect_service
from lms.services.defect_rules import ALLOWED, DefectSettings
from lms.transactions import commit_or_report
from lms.triage import bp


def _settings() -> DefectSettings:
    return DefectSettings.from_config(current_app.config)


@bp.route("/")
@require(Action.TRIAGE_DEFECTS)
def board():
    filters = defect_pages.BoardFilters.from_args(request.args)
    settings = _settings()
    rows = defect_pages.board(db.session, filters, utcnow(), settings)
    agents, cohorts = defect_pages.filter_options(db.session)
    return render_template("triage/board.html", rows=rows, filters=filters, settings=settings, agents=agents,
                           cohorts=cohorts, scale=defect_pages.scale_for(db.session), types=list(DefectType),
                           states=list(DefectState), rates=defect_service.recurrence_rates(db.session),
                           dup_form=DuplicatesForm(formdata=None), limit=defect_pages.BOARD_LIMIT)


def _load(defect_id: int) -> AgentDefect:
    row = defect_pages.load(db.session, defect_id)
    if row is None:
        abort(404)
    return row


def _page(row: AgentDefect, form: MoveForm, status: int = 200, note_form: InterimNoteForm | None = None):
    settings = _settings()
    return render_template("triage/defect.html", defect=row, form=form, triage=True, moves=sorted(ALLOWED[row.state]),
                           scale=defect_pages.scale_for(db.session), settings=settings,
                           clock=defect_pages.clocks(db.session, row, utcnow(), settings),
                           note_form=note_form or InterimNoteForm(formdata=None)), status


@bp.route("/defects/<int:defect_id>")
@require(Action.TRIAGE_DEFECTS)
def defect(defect_id: int):
    return _page(_load(defect_id), MoveForm(formdata=None))


@bp.route("/defects/<int:defect_id>/move", methods=["POST"])
@require(Action.TRIAGE_DEFECTS)
def move(defect_id: int):
    row = _load(defect_id)
    form = MoveForm()
    if not form.validate_on_submit() or form.target.data not in {s.value for s in DefectState}:
        return _page(row, form, 400)
    original = None
    if form.target.data == DefectState.DUPLICATE.value and form.duplicate_of.data:
        original = db.session.get(AgentDefect, form.duplicate_of.data)
    outcome = commit_or_report(lambda: defect_service.transition(
        db.session, current_user, row, form.target.data, form.note.data, duplicate_of=original,
        expected=form.expected.data or None), form=form)
    if not outcome.ok:
        return _page(_load(defect_id), form, outcome.status)
    flash(_("Defect #%(id)d is now: %(state)s.", id=row.id, state=_state_name(row.state)), "success")
    return redirect(url_for("triage.defect", defect_id=row.id))


@bp.route("/defects/<int:defect_id>/interim-note", methods=["POST"])
@require(Action.TRIAGE_DEFECTS)
def interim_note(defect_id: int):
    """The interim note of an escalated defect (lms/jobs/defects.py escalates)."""
    row = _load(defect_id)
    form = InterimNoteForm()
    if not form.validate_on_submit():
        return _page(row, MoveForm(formdata=None), 400, form)
    outcome = commit_or_report(lambda: defect_service.write_interim_note(db.session, current_user, row,
                                                                         form.note.data), form=form)
    if not outcome.ok:
        return _page(_load(defect_id), MoveForm(formdata=None), outcome.status, form)
    flash(_("The interim note is saved; the defect can move again."), "success")
    return redirect(url_for("triage.defect", defect_id=row.id))


def _state_name(state) -> str:
    from lms import labels

    return str(labels.DEFECT_STATES[state.value])


@bp.route("/duplicates", methods=["POST"])
@require(Action.TRIAGE_DEFECTS)
def duplicates():
    form = DuplicatesForm()
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    if not form.validate_on_submit() or not ids:
        flash(_("Select defects and give the number of the original."), "danger")
        return redirect(url_for("triage.board"))
    outcome = commit_or_report(lambda: defect_service.mark_duplicates(db.session, current_user, ids,
                                                                      form.original.data))
    if outcome.ok:
        flash(ngettext("%(num)d defect marked as a duplicate of #%(id)d.",
                       "%(num)d defects marked as duplicates of #%(id)d.", outcome.result, id=form.original.data),
              "success")
    return redirect(url_for("triage.board"))


@bp.route("/files/<int:file_id>")
@require(Action.OPEN_DEFECT_FILE)
def defect_file(file_id: int):
    stored = db.session.get(DefectFile, file_id)
    if stored is None or not may_open_defect_file(current_user, stored):
        abort(404)
    return send_stored(stored)
