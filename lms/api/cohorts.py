"""Cohorts: the list, one cohort's figures, its trainees' progress, and enrollment (the CSV
import's rules: all rows good or nothing written, each bad row named)."""

import functools

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from sqlalchemy.orm import joinedload

from lms import invitation_links
from lms.api import bp
from lms.api.auth import holder
from lms.api.errors import domain_problem, problem, rows_problem
from lms.api.paging import fetch, keyset
from lms.api.schemas import ApiSchema, Bool, Choice, Items, Moment, Obj, PageArgs, Text, TraineeRef, page_schema
from lms.extensions import db
from lms.models import (
    Cohort,
    Competency,
    Enrollment,
    EnrollmentStatus,
    Invitation,
    Program,
    TargetRole,
    TokenScope,
    User,
)
from lms.permissions import Action, require_token
from lms.services import clock, cohort_kpis, dashboards, invitations
from lms.services import cohorts as cohort_service
from lms.services.grading import attainment
from lms.services.import_files import MAX_ROWS
from lms.transactions import commit_or_report


def today():
    return clock.today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def cohort_or_404(cohort_id: int):
    return db.session.get(Cohort, cohort_id, options=[joinedload(Cohort.program)])


# --- schemas ------------------------------------------------------------------------


class HeadCounts(ApiSchema):
    active = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    lacking_mentor = fields.Integer(required=True, metadata={"description": _l(
        "Active trainees without a current AI mentor, business mentor or both.")})


class CohortItem(ApiSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    program = fields.String(required=True, metadata={"description": _l("The program's code.")})
    start_date = fields.Date(required=True)
    closed_at = Moment(required=True, allow_none=True)
    counts = fields.Nested(HeadCounts, required=True)


CohortPage = page_schema(CohortItem, "CohortPage")


class EnrollmentFigures(ApiSchema):
    enrolled = fields.Integer(required=True)
    active = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    lacking_mentor = fields.Integer(required=True)


class PlacementFigures(ApiSchema):
    placed = fields.Integer(required=True)
    placed_by_week_14 = fields.Integer(required=True, metadata={"description": _l(
        "Placed by the end of program week 14, counted once the cohort is past week 14 (0 before).")})
    placed_by_week_14_of = fields.Integer(required=True, metadata={"description": _l(
        "Enrolled in cohorts past week 14: the base of the rate (0 while the cohort has not reached it).")})
    placed_by_week_14_rate = fields.Float(required=True, allow_none=True, metadata={"description": _l(
        "Placed by week 14 over placed_by_week_14_of; null until the cohort is past week 14.")})
    in_training = fields.Integer(required=True, metadata={"description": _l(
        "Not withdrawn, not placed, no final training outcome (an extension is training still).")})
    in_buffer = fields.Integer(required=True, metadata={"description": _l(
        "Placed, the buffer period not closed (no outcome yet, or extended).")})
    finished = fields.Integer(required=True, metadata={"description": _l(
        "Given a final outcome: buffer completed, redeployed, returned or left.")})
    buffer_outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True, metadata={
        "description": _l("Placed people per recorded buffer outcome (completed, extended, redeployed, left).")})
    not_placed = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True, metadata={
        "description": _l("Trainees not placed, per recorded outcome (extended_training, redeployed, returned, "
                          "left).")})


class TransitionSuccess(ApiSchema):
    completed = fields.Integer(required=True)
    settled = fields.Integer(required=True, metadata={"description": _l(
        "Enrolled minus those still in training or in a running buffer period.")})
    rate = fields.Float(required=True, allow_none=True)
    reference = fields.Float(required=True, metadata={"description": _l("The source program's 83%.")})


class ContributionFigures(ApiSchema):
    total = fields.Integer(required=True)
    adopted = fields.Integer(required=True)
    awarded = fields.Integer(required=True)
    amount = fields.Integer(required=True, metadata={"description": _l("Award bands approved, in CNY.")})
    rate = fields.Float(required=True, allow_none=True, metadata={"description": _l("Adopted over total.")})


class Kpis(ApiSchema):
    phase = fields.String(required=True, validate=validate.OneOf([p.value for p in clock.Phase]))
    week = fields.Integer(required=True, metadata={"description": _l("Program week today (0: intake).")})
    enrollment = fields.Nested(EnrollmentFigures, required=True)
    placement = fields.Nested(PlacementFigures, required=True)
    transition_success = fields.Nested(TransitionSuccess, required=True)
    contributions = fields.Nested(ContributionFigures, required=True)


class CohortDetail(CohortItem):
    kpis = fields.Nested(Kpis, required=True)


class Lessons(ApiSchema):
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    percent = fields.Integer(required=True)


class TraineeProgressItem(ApiSchema):
    id = fields.Integer(required=True, metadata={"description": _l("The enrollment's id.")})
    trainee = fields.Nested(TraineeRef, required=True)
    target_role = fields.String(required=True, validate=validate.OneOf([r.value for r in TargetRole]))
    source_role = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in EnrollmentStatus]))
    lessons = fields.Nested(Lessons, required=True)
    due_this_week = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    waiting_for_grade = fields.Integer(required=True)
    last_activity = Moment(required=True, allow_none=True)
    attainment = fields.Dict(keys=fields.String(validate=validate.OneOf([c.value for c in Competency])),
                             values=fields.Float(allow_none=True), required=True, metadata={"description": _l(
                                 "Weighted rubric score per competency, %; null: nothing graded on it yet.")})


TraineeProgressPage = page_schema(TraineeProgressItem, "TraineeProgressPage")


class TraineeArgs(PageArgs):
    status = Choice(EnrollmentStatus, load_default=None, metadata={"description": _l("Only this status.")})


class EnrollRow(ApiSchema):
    email = Text(254, required=True)
    name = Text(120, load_default="", metadata={"description": _l(
        "Needed for a new account; an existing account keeps its name.")})
    target_role = Text(60, required=True, metadata={"description": _l(
        "Code, label or synonym, as in the CSV import (e.g. collab_cs, 人机协同客服).")})
    source_role = Text(60, load_default="", metadata={"description": _l("Code, label or synonym (e.g. 客服).")})


class EnrollBody(ApiSchema):
    trainees = Items(Obj(EnrollRow), required=True, validate=validate.Length(
        min=1, max=MAX_ROWS, error=_l("must hold between {min} and {max} items")))
    dry_run = Bool(load_default=False, metadata={"description": _l("Check every row, write nothing.")})


class EnrollResult(ApiSchema):
    dry_run = fields.Boolean(required=True)
    checked = fields.Integer(required=True)
    enrolled = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    accounts_created = fields.Integer(required=True, metadata={"description": _l(
        "New trainee accounts; each gets a set-password invitation (e-mailed when mail is set up, "
        "and listed under People → Invitations).")})
    invitations_emailed = fields.Integer(required=True)


# --- views --------------------------------------------------------------------------

_COHORT_PAGE = keyset(
    sa.select(Cohort.id, Cohort.code, Cohort.name, Program.code.label("program"), Cohort.start_date,
              Cohort.closed_at).join(Program, Program.id == Cohort.program_id), Cohort.id)
_HEAD_COUNTS = (
    sa.select(Enrollment.cohort_id,
              sa.func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.ACTIVE),
              sa.func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.WITHDRAWN),
              sa.func.count(Enrollment.id).filter(dashboards._lacking_mentor()))
    .where(Enrollment.cohort_id.in_(sa.bindparam("cohort_ids", expanding=True))).group_by(Enrollment.cohort_id))


@bp.route("/cohorts")
@require_token(Action.MANAGE_COHORTS, scope=TokenScope.READ)
@bp.arguments(PageArgs, location="query")
@bp.response(200, CohortPage, description=_l("A page of cohorts."))
@bp.doc(summary=_l("List cohorts"), description=_l("Every cohort, oldest first, with its head counts."),
        tags=["cohorts"])
def list_cohorts(args):
    rows, cursor = fetch(db.session, _COHORT_PAGE, args)
    counts = {}
    if rows:
        counts = {cohort_id: {"active": a, "withdrawn": w, "lacking_mentor": m} for cohort_id, a, w, m in
                  db.session.execute(_HEAD_COUNTS, {"cohort_ids": [r.id for r in rows]})}
    empty = {"active": 0, "withdrawn": 0, "lacking_mentor": 0}
    return {"items": [{**r._asdict(), "counts": counts.get(r.id, empty)} for r in rows], "next_cursor": cursor}


@bp.route("/cohorts/<int:cohort_id>")
@require_token(Action.MANAGE_COHORTS, scope=TokenScope.READ)
@bp.response(200, CohortDetail, description=_l("The cohort and its figures."))
@bp.doc(summary=_l("A cohort's figures"), description=_l(
    "Head counts, placement and outcomes, transition success (the source program reported 83%), contributions."),
    tags=["cohorts"])
def get_cohort(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if cohort is None:
        return problem(404, _l("There is no cohort %(id)d.", id=cohort_id))
    figures = cohort_kpis.kpis(db.session, cohort, today())
    enrollment = figures["enrollment"]
    return {"id": cohort.id, "code": cohort.code, "name": cohort.name, "program": cohort.program.code,
            "start_date": cohort.start_date, "closed_at": cohort.closed_at,
            "counts": {k: enrollment[k] for k in ("active", "withdrawn", "lacking_mentor")}, "kpis": figures}


@functools.lru_cache(maxsize=len(EnrollmentStatus) + 1)
def _roster(by_status: bool) -> sa.Select:
    query = (sa.select(Enrollment.id, Enrollment.trainee_id, Enrollment.cohort_id, Enrollment.target_role,
                       Enrollment.source_role, Enrollment.status, Enrollment.created_at, User.name, User.email)
             .join(User, User.id == Enrollment.trainee_id)
             .where(Enrollment.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer)))
    if by_status:
        query = query.where(Enrollment.status == sa.bindparam("status"))
    return keyset(query, Enrollment.id)


@bp.route("/cohorts/<int:cohort_id>/trainees")
@require_token(Action.MANAGE_COHORTS, scope=TokenScope.READ)
@bp.arguments(TraineeArgs, location="query")
@bp.response(200, TraineeProgressPage, description=_l("A page of the cohort's trainees."))
@bp.doc(summary=_l("A cohort's trainees and their progress"), description=_l(
    "Per enrollment: lessons done of the target role's, work due this week, overdue and waiting for a grade, "
    "last activity and attainment per competency."), tags=["cohorts"])
def cohort_trainees(args, cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if cohort is None:
        return problem(404, _l("There is no cohort %(id)d.", id=cohort_id))
    status = args["status"]
    rows, cursor = fetch(db.session, _roster(status is not None), args, {"cohort_id": cohort.id, "status": status})
    if not rows:
        return {"items": [], "next_cursor": cursor}
    # The mentor home's progress rows, for this page of the roster (a fixed number of statements).
    groups = dashboards.mentor_home(db.session, None, today(), current_app.config["BABEL_DEFAULT_TIMEZONE"],
                                    trainees=rows, cohorts=[cohort])
    progress = {row.enrollment_id: row for group in groups for row in group.rows}
    scores = attainment(db.session, [r.trainee_id for r in rows])
    items = []
    for r in rows:
        p = progress[r.id]
        items.append({
            "id": r.id, "trainee": {"id": r.trainee_id, "name": r.name, "email": r.email},
            "target_role": r.target_role.value, "source_role": r.source_role.value if r.source_role else None,
            "status": r.status.value,
            "lessons": {"done": p.progress.done, "total": p.progress.total, "percent": p.progress.percent},
            "due_this_week": p.due_now, "overdue": p.overdue, "waiting_for_grade": p.waiting,
            "last_activity": p.last_activity,
            "attainment": {c.value: v for c, v in scores.get(r.trainee_id, {}).items()},
        })
    return {"items": items, "next_cursor": cursor}


HEADER = ["email", "name", "target_role", "source_role"]


@bp.route("/cohorts/<int:cohort_id>/enrollments", methods=["POST"])
@require_token(Action.MANAGE_COHORTS, scope=TokenScope.WRITE)
@bp.arguments(EnrollBody)
@bp.response(200, EnrollResult, description=_l("Every row was good: what was written."))
@bp.doc(summary=_l("Enroll trainees"), description=_l(
    "The rules of the CSV enrollment import: roles as codes, labels or synonyms; missing trainee accounts "
    "are created; all rows good or nothing written (422 names each bad row as trainees.index.field); the same "
    "rows again change nothing."), tags=["cohorts"])
def enroll(body, cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if cohort is None:
        return problem(404, _l("There is no cohort %(id)d.", id=cohort_id))
    actor = holder()
    table = [HEADER] + [[row["email"], row["name"], row["target_role"], row["source_role"]]
                        for row in body["trainees"]]
    first = invitations.last_id(db.session) + 1
    outcome = commit_or_report(lambda: cohort_service.import_enrollments(
        db.session, actor, cohort, table, apply=not body["dry_run"]), quiet=True)
    if not outcome.ok:
        return domain_problem(outcome.error)
    report = outcome.result
    if not report.ok:
        return rows_problem(report.errors, "trainees", first_line=2)
    emailed = 0
    if report.accounts_created and invitation_links.mail_enabled():
        created = list(db.session.scalars(sa.select(Invitation).where(
            Invitation.id >= first, Invitation.created_by_id == actor.id).order_by(Invitation.id)))
        emailed = len(created) - len(invitation_links.send(created))
        db.session.commit()
    return {"dry_run": body["dry_run"], "checked": len(report.rows), "enrolled": report.enrolled,
            "updated": report.updated, "unchanged": report.unchanged, "accounts_created": report.accounts_created,
            "invitations_emailed": emailed}
