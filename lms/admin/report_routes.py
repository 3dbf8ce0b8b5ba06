"""Reports for program admins: the cohort dashboard (one cohort, or all with filters), the
gradebook, exports (CSV and XLSX) and trainee dossiers (a printable page, a zip per cohort)."""

import io
import zipfile
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort, current_app, redirect, render_template, request, stream_with_context, url_for
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from lms.admin import bp, report_charts
from lms.admin.audit_forms import AuditFilterForm
from lms.converters import page_number, record_id
from lms.export_files import CSV_MIMETYPE, XLSX_MIMETYPE, csv_chunks, xlsx_bytes
from lms.extensions import db
from lms.i18n import request_language
from lms.list_filters import paginate_list, past_the_end
from lms.models import Cohort, Enrollment, SourceRole, TargetRole, User
from lms.models.base import utcnow
from lms.permissions import Action, require
from lms.services import (
    audit_log,
    clock,
    dashboard,
    defect_pages,
    dossier,
    exports,
    gradebook,
    progress,
    report_cache,
)
from lms.services.buffer_clock import BufferSettings
from lms.services.defect_rules import DefectSettings
from lms.services.report_scope import Scope

_COHORT_EXISTS = sa.select(Cohort.id).where(Cohort.id == sa.bindparam("id", type_=sa.Integer))
_COHORT_CHOICES = sa.select(Cohort.id, Cohort.code, Cohort.name).order_by(Cohort.start_date.desc(), Cohort.id)


def _zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _today():
    return clock.today_in(_zone())


def _cohort_or_404(cohort_id: int) -> Cohort:
    return db.session.get(Cohort, cohort_id, options=[joinedload(Cohort.program)]) or abort(404)


def _scope(cohort_id=None) -> Scope:
    """The filters from the query string; an unknown role means "every role" (an old link still
    opens), but a cohort asked for must exist: 404 rather than every cohort's figures under its name."""
    source, target = request.args.get("source") or None, request.args.get("target") or None
    if cohort_id is None and request.args.get("cohort"):
        cohort_id = record_id(request.args["cohort"]) or abort(404)
        if db.session.scalar(_COHORT_EXISTS, {"id": cohort_id}) is None:
            abort(404)
    return Scope(cohort_id=cohort_id, source_role=source if source in set(SourceRole) else None,
                 target_role=target if target in set(TargetRole) else None)


def _dashboard(scope: Scope, cohort=None):
    """The figures as a snapshot at most REPORT_CACHE_SECONDS old (computed again on `?fresh=1`)."""
    now = utcnow()

    def body() -> str:
        data = dashboard.build(db.session, scope, _today(), now, BufferSettings.from_config(current_app.config),
                               DefectSettings.from_config(current_app.config))
        choices = db.session.execute(_COHORT_CHOICES).all() if cohort is None else []
        program = cohort.program if cohort is not None else progress.current_program(db.session)
        return render_template("admin/reports/_dashboard_body.html", d=data, charts=report_charts.build(data),
                               cohort=cohort, cohort_choices=choices, program=program,
                               source_roles=list(SourceRole), target_roles=list(program.roles) if program else [])

    key = f"dashboard:{scope.cohort_id}:{scope.source_role}:{scope.target_role}:{request_language()}"
    html, computed_at = _snapshot(key, now, body)
    fresh_url = url_for(request.endpoint, **(request.view_args or {}), **{**request.args.to_dict(), "fresh": "1"})
    return render_template("admin/reports/dashboard.html", body=Markup(html), computed_at=computed_at,  # nosec B704
                           cohort=cohort, fresh_url=fresh_url)


def _snapshot(key: str, now, build) -> tuple[str, object]:
    """The report under `key`: its snapshot when fresh; else computed by this request (the one that
    claims it; others meanwhile serve the older snapshot); always computed on `?fresh=1`."""
    max_age = current_app.config["REPORT_CACHE_SECONDS"]
    if max_age <= 0:
        return build(), now
    snapshot = None if request.args.get("fresh") == "1" else report_cache.read(db.session, key)
    if snapshot is not None:
        if snapshot.fresh(now, max_age):
            return snapshot.html, snapshot.computed_at
        claimed = report_cache.claim(db.session, key, now)
        db.session.commit()  # the claim is seen by every worker before the long computation
        if not claimed:
            return snapshot.html, snapshot.computed_at
    html = build()
    report_cache.store(db.session, key, html, now)
    db.session.commit()
    return html, now


@bp.route("/reports")
@require(Action.VIEW_REPORTS)
def reports():
    """Every cohort, filtered by cohort, source role and target role."""
    return _dashboard(_scope())


@bp.route("/cohorts/<int:cohort_id>/dashboard")
@require(Action.VIEW_REPORTS)
def cohort_dashboard(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    return _dashboard(_scope(cohort.id), cohort)


@bp.route("/cohorts/<int:cohort_id>/gradebook")
@require(Action.VIEW_REPORTS)
def cohort_gradebook(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    tiers = progress.load_outline(db.session, cohort.program)
    tracks = gradebook.tracks(tiers)
    track_id = request.args.get("track", type=int)
    track = next((t for _tier, t in tracks if t.id == track_id), None)
    cols = gradebook.columns(tiers, cohort.program, cohort.start_date, track.id if track else None)
    sort = request.args.get("sort", "name")
    sort = sort if sort in gradebook.SORTS else "name"
    column = request.args.get("col", type=int)
    if sort == "score" and column not in {c.assessment.id for c in cols}:
        sort, column = "name", None
    descending = request.args.get("dir") == "desc"
    params = {"cohort_id": cohort.id, "assessment_id": column,
              "roles": sorted(cols[0].roles) if track and cols else []}
    rows = db.session.execute(gradebook.rows_select(track is not None, sort == "score"), params).all()
    page = paginate_list(gradebook.sort_rows(rows, sort, descending),
                         request.args.get("page", 1, type=page_number), current_app.config["ROSTER_PER_PAGE"])
    last = past_the_end(page)
    if last:
        return redirect(last)
    cells = gradebook.cells(db.session, page.items, cols, _today(), _zone())
    shown = gradebook.taken(cols, page.items, cells, column if sort == "score" else None)
    args = {k: v for k, v in (("track", track.id if track else None), ("sort", sort if sort != "name" else None),
                              ("col", column), ("dir", "desc" if descending else None)) if v}
    return render_template("admin/reports/gradebook.html", cohort=cohort, tracks=tracks, track=track, cols=shown,
                           not_taken=len(cols) - len(shown), page=page, cells=cells, sort=sort, column=column,
                           descending=descending, args=args, states={r.id: gradebook.state(r) for r in page.items})


# --- exports --------------------------------------------------------------------------------


def _send(export: exports.Export, fmt: str) -> Response:
    """CSV streamed as its rows come (UTF-8 with a BOM), or one XLSX workbook."""
    name = export.name
    if fmt == "csv":
        response = Response(stream_with_context(csv_chunks(export.header, export.rows)), content_type=CSV_MIMETYPE)
    else:
        response = Response(xlsx_bytes(export.title, export.header, export.rows), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = attachment(f"{name}.{fmt}")
    return response


FORMATS = ("csv", "xlsx")


@bp.route("/cohorts/<int:cohort_id>/export/<kind>.<fmt>")
@require(Action.VIEW_REPORTS)
def cohort_export(cohort_id: int, kind: str, fmt: str):
    """A cohort's roster, gradebook, defects or contributions, as CSV or XLSX."""
    if kind not in ("roster", "gradebook", "defects", "contributions") or fmt not in FORMATS:
        abort(404)
    cohort = _cohort_or_404(cohort_id)
    if kind == "roster":
        export = exports.roster(db.session, cohort, _today(), utcnow(), _zone())
    elif kind == "gradebook":
        export = exports.gradebook_export(db.session, cohort, _today(), _zone())
    elif kind == "defects":
        export = exports.defects(db.session, cohort, defect_pages.scale_for(db.session), _zone())
    else:
        export = exports.contributions(db.session, cohort, _zone())
    return _send(export, fmt)


@bp.route("/export/<kind>.<fmt>")
@require(Action.VIEW_REPORTS)
def program_export(kind: str, fmt: str):
    """Every cohort's defects, or contributions and awards."""
    if kind not in ("defects", "contributions") or fmt not in FORMATS:
        abort(404)
    if kind == "defects":
        return _send(exports.defects(db.session, None, defect_pages.scale_for(db.session), _zone()), fmt)
    return _send(exports.contributions(db.session, None, _zone()), fmt)


@bp.route("/audit/export")
@require(Action.VIEW_AUDIT)
def audit_export():
    """The audit log as filtered on its page, `format` csv (default) or xlsx (an invalid filter
    exports nothing rather than everything)."""
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(404)
    form = AuditFilterForm(request.args)
    form.actor.choices = [("", "")] + [(u.id, u.name) for u in audit_log.actors(db.session)]
    form.action.choices = [("", "")] + audit_log.action_choices()
    form.subject_type.choices = [("", "")] + list(audit_log.SUBJECT_TYPES.items())
    if not form.validate():
        abort(400)
    filters = audit_log.AuditFilter(form.actor.data, form.action.data or None, form.subject_type.data or None,
                                    form.since.data, form.until.data, _zone())
    return _send(exports.audit(db.session, filters, defect_pages.scale_for(db.session)), fmt)


# --- dossiers -------------------------------------------------------------------------------


def _settings() -> BufferSettings:
    return BufferSettings.from_config(current_app.config)


@bp.route("/enrollments/<int:enrollment_id>/dossier")
@require(Action.VIEW_REPORTS)
def dossier_page(enrollment_id: int):
    found = dossier.dossiers(db.session, [enrollment_id], _settings())
    if not found:
        abort(404)
    return render_template("admin/reports/dossier.html", d=found[0], standalone=False, today=_today())


DOSSIER_BATCH = 50


@bp.route("/cohorts/<int:cohort_id>/dossiers.zip")
@require(Action.VIEW_REPORTS)
def cohort_dossiers(cohort_id: int):
    """One HTML page per trainee (readable offline and printable), loaded in batches."""
    cohort = _cohort_or_404(cohort_id)
    ids = dossier.cohort_enrollment_ids(db.session, cohort.id)
    folder = _file_name(cohort.code) if _file_name(cohort.code) != "trainee" else f"cohort-{cohort.id}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(ids), DOSSIER_BATCH):
            for d in dossier.dossiers(db.session, ids[start:start + DOSSIER_BATCH], _settings()):
                html = render_template("admin/reports/dossier_file.html", d=d, standalone=True, today=_today())
                archive.writestr(f"{folder}/{d.enrollment.id:05d}-{_file_name(d.enrollment.trainee.email)}.html",
                                 html)
        archive.writestr(f"{folder}/index.html", render_template(
            "admin/reports/dossier_index.html", cohort=cohort, rows=db.session.execute(
                sa.select(Enrollment.id, Enrollment.trainee_id).where(Enrollment.cohort_id == cohort.id)
                .order_by(Enrollment.id)).all(), names=_names(cohort.id), file_name=_file_name))
    response = Response(out.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = attachment(f"dossiers-{cohort.code}.zip")
    return response


def attachment(name: str) -> str:
    """A Content-Disposition for a download named from user data (a cohort code may be Chinese
    or hold quotes): an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    stem, dot, ext = name.rpartition(".")
    fallback = f"{_file_name(stem)}.{ext}" if dot else _file_name(name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _file_name(email: str) -> str:
    """An e-mail's local part (or any text) as a safe file name (ASCII letters, digits, . _ -)."""
    local = email.split("@", 1)[0]
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in local)[:40] or "trainee"


def _names(cohort_id: int) -> dict:
    return {r.id: (r.name, r.email) for r in db.session.execute(
        sa.select(User.id, User.name, User.email).join(Enrollment, Enrollment.trainee_id == User.id)
        .where(Enrollment.cohort_id == cohort_id))}

