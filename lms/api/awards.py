"""Contribution awards (Agent迭代贡献奖): approved bands, points and payout, for HR's payroll."""

import functools

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from lms.api import bp
from lms.api.paging import fetch, keyset
from lms.api.schemas import ApiSchema, Choice, Moment, PageArgs, TraineeRef, page_schema, record_id
from lms.extensions import db
from lms.models import Contribution, ContributionCategory, ContributionState, Payout, TokenScope, User
from lms.permissions import Action, require_token


class AwardOut(ApiSchema):
    id = fields.Integer(required=True, metadata={"description": _l("The contribution's id.")})
    contributor = fields.Nested(TraineeRef, required=True)
    cohort_id = fields.Integer(required=True)
    category = Choice(ContributionCategory, required=True)
    title = fields.String(required=True)
    defect_id = fields.Integer(required=True, allow_none=True)
    band_cny = fields.Integer(required=True)
    points = fields.Integer(required=True, allow_none=True)
    approved_at = Moment(required=True)
    payout = Choice(Payout, required=True)
    paid_at = Moment(required=True, allow_none=True)


AwardPage = page_schema(AwardOut, "AwardPage")


class AwardArgs(PageArgs):
    cohort_id = record_id(load_default=None)
    payout = Choice(Payout, load_default=None, metadata={"description": _l("approved (not paid yet) or paid.")})


@functools.lru_cache(maxsize=4)
def _listing(by_cohort: bool, by_payout: bool) -> sa.Select:
    query = (sa.select(Contribution.id, Contribution.contributor_id, User.name, User.email, Contribution.cohort_id,
                       Contribution.category, Contribution.title, Contribution.defect_id, Contribution.band_cny,
                       Contribution.points, Contribution.approved_at, Contribution.payout, Contribution.paid_at)
             .join(User, User.id == Contribution.contributor_id)
             .where(Contribution.state == ContributionState.AWARDED))
    if by_cohort:
        query = query.where(Contribution.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer))
    if by_payout:
        query = query.where(Contribution.payout == sa.bindparam("payout"))
    return keyset(query, Contribution.id)


@bp.route("/awards")
@require_token(Action.APPROVE_AWARDS, scope=TokenScope.READ)
@bp.arguments(AwardArgs, location="query")
@bp.response(200, AwardPage, description=_l("A page of awards."))
@bp.doc(summary=_l("List contribution awards"), description=_l(
    "Approved awards (band in CNY, promotion points) and whether they are paid, oldest first."), tags=["awards"])
def list_awards(args):
    rows, cursor = fetch(db.session, _listing(args["cohort_id"] is not None, args["payout"] is not None), args,
                         {"cohort_id": args["cohort_id"], "payout": args["payout"]})
    items = []
    for r in rows:
        item = r._asdict()
        item["contributor"] = {"id": item.pop("contributor_id"), "name": item.pop("name"), "email": item.pop("email")}
        items.append(item)
    return {"items": items, "next_cursor": cursor}
