"""Placements: who was placed where, paired with which agent, coached by whom, and how the
buffer period ended."""

import functools
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from sqlalchemy.orm import aliased

from lms.api import bp
from lms.api.auth import holder
from lms.api.paging import fetch, keyset
from lms.api.schemas import ApiSchema, Choice, PageArgs, TraineeRef, page_schema, record_id
from lms.extensions import db
from lms.models import Agent, BufferOutcome, Enrollment, Placement, ReasonCode, TargetRole, TokenScope, User
from lms.permissions import Action, may_see_pay_band, require_token


class PlacementOut(ApiSchema):
    id = fields.Integer(required=True)
    enrollment_id = fields.Integer(required=True)
    cohort_id = fields.Integer(required=True)
    trainee = fields.Nested(TraineeRef, required=True)
    role = Choice(TargetRole, required=True)
    team = fields.String(required=True)
    lead_name = fields.String(required=True)
    lead_email = fields.String(required=True, allow_none=True)
    agent_code = fields.String(required=True)
    coach_name = fields.String(required=True)
    start_date = fields.Date(required=True)
    buffer_last_day = fields.Date(required=True, metadata={"description": _l(
        "The buffer period's last day (90 days from the start unless extended).")})
    outcome = Choice(BufferOutcome, required=True, allow_none=True)
    outcome_reason = Choice(ReasonCode, required=True, allow_none=True)
    outcome_on = fields.Date(required=True, allow_none=True)
    pay_band_before = fields.String(allow_none=True, metadata={"description": _l("Admins' tokens only.")})
    pay_band_after = fields.String(allow_none=True, metadata={"description": _l("Admins' tokens only.")})


PlacementPage = page_schema(PlacementOut, "PlacementPage")


class PlacementArgs(PageArgs):
    cohort_id = record_id(load_default=None)


@functools.lru_cache(maxsize=2)
def _listing(by_cohort: bool) -> sa.Select:
    coach = aliased(User)
    query = (sa.select(Placement.id, Placement.enrollment_id, Enrollment.cohort_id, Placement.trainee_id,
                       User.name, User.email, Placement.role, Placement.team, Placement.lead_name,
                       Placement.lead_email, Agent.code.label("agent_code"), coach.name.label("coach_name"),
                       Placement.start_date, Placement.buffer_end, Placement.outcome, Placement.outcome_reason,
                       Placement.outcome_on, Placement.pay_band_before, Placement.pay_band_after)
             .join(Enrollment, Enrollment.id == Placement.enrollment_id)
             .join(User, User.id == Placement.trainee_id).join(coach, coach.id == Placement.coach_id)
             .join(Agent, Agent.id == Placement.agent_id))
    if by_cohort:
        query = query.where(Enrollment.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer))
    return keyset(query, Placement.id)


@bp.route("/placements")
@require_token(Action.MANAGE_PLACEMENTS, scope=TokenScope.READ)
@bp.arguments(PlacementArgs, location="query")
@bp.response(200, PlacementPage, description=_l("A page of placements."))
@bp.doc(summary=_l("List placements"), description=_l("Every placement, oldest first; ?cohort_id= for one cohort."),
        tags=["placements"])
def list_placements(args):
    bands = may_see_pay_band(holder())
    rows, cursor = fetch(db.session, _listing(args["cohort_id"] is not None), args, {"cohort_id": args["cohort_id"]})
    items = []
    for r in rows:
        item = r._asdict()
        item["trainee"] = {"id": item.pop("trainee_id"), "name": item.pop("name"), "email": item.pop("email")}
        item["buffer_last_day"] = item.pop("buffer_end") - timedelta(days=1)  # Placement.last_day: end is exclusive
        if not bands:
            item.pop("pay_band_before"), item.pop("pay_band_after")
        items.append(item)
    return {"items": items, "next_cursor": cursor}
