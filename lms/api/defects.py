"""Agent defects: a placed person logs their agent's defects with their own token (or an admin's
write token logs one for them); the same masking and rules as the log form
(lms/services/defects.py). Listing: one's own defects, or every defect for triage."""

import functools

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from lms.api import bp
from lms.api.auth import holder
from lms.api.errors import domain_problem, problem
from lms.api.paging import fetch, keyset
from lms.api.schemas import ApiSchema, Choice, Int, Moment, PageArgs, Text, page_schema, record_id
from lms.extensions import db
from lms.models import Agent, AgentDefect, DefectReport, DefectState, DefectType, TokenScope
from lms.permissions import Action, may_log_defect_for, may_read_report, may_triage, require_token
from lms.services import defect_pages
from lms.services import defects as defect_service
from lms.services import placement as placement_service
from lms.services.auth import normalize_email
from lms.services.defect_rules import DefectSettings
from lms.services.people import find_by_email
from lms.transactions import commit_or_report

_MASKED = _l("Phone numbers, addresses and names are masked before the defect is stored.")


class DefectIn(ApiSchema):
    type = Choice(DefectType, required=True)
    intent = Text(120, required=True, blank=False, metadata={"description": _l(
        "What the customer wanted, in a few words.")})
    severity = Text(32, required=True, blank=False, metadata={"description": _l(
        "A level code of the program's defect_severity scale (e.g. high).")})
    excerpt = Text(5000, required=True, blank=False, metadata={"description": _MASKED})
    agent_said = Text(2000, required=True, blank=False)
    should_say = Text(2000, required=True, blank=False)
    platform = Text(120, load_default="", metadata={"description": _l("Empty: the agent's platform.")})
    sku = Text(120, load_default="")
    kb_entry = Text(120, load_default="")
    reach = Int(load_default=None, allow_none=True, validate=validate.Range(
        min=0, max=1_000_000, error=_l("must be between {min} and {max}")))
    seen_at = Moment(load_default=None, allow_none=True, metadata={"description": _l("Empty: now.")})
    item_id = record_id(load_default=None, allow_none=True, metadata={
        "description": _l("An item of the agent's responsibility list.")})
    reporter = Text(254, load_default=None, allow_none=True, metadata={"description": _l(
        "The placed person's e-mail when an admin's write token logs the defect for them; "
        "leave out with a placed person's own token.")})


class AgentRef(ApiSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class DefectOut(ApiSchema):
    id = fields.Integer(required=True)
    agent = fields.Nested(AgentRef, required=True)
    reporter_id = fields.Integer(required=True)
    cohort_id = fields.Integer(required=True)
    type = Choice(DefectType, required=True)
    intent = fields.String(required=True)
    severity = fields.String(required=True)
    complex = fields.Boolean(required=True)
    state = Choice(DefectState, required=True)
    platform = fields.String(required=True)
    sku = fields.String(required=True, allow_none=True)
    kb_entry = fields.String(required=True, allow_none=True)
    reach = fields.Integer(required=True, allow_none=True)
    excerpt = fields.String(required=True, allow_none=True, metadata={"description": _l(
        "Masked; null unless the token's holder wrote it or triages defects.")})
    agent_said = fields.String(required=True)
    should_say = fields.String(required=True)
    seen_at = Moment(required=True)
    created_at = Moment(required=True)
    first_response_at = Moment(required=True, allow_none=True)
    closed_at = Moment(required=True, allow_none=True)
    verified_at = Moment(required=True, allow_none=True)
    duplicate_of_id = fields.Integer(required=True, allow_none=True)
    recurrence_of_id = fields.Integer(required=True, allow_none=True)


DefectPage = page_schema(DefectOut, "DefectPage")


class DefectArgs(PageArgs):
    state = Choice(DefectState, load_default=None)
    cohort_id = record_id(load_default=None)


_COLUMNS = (AgentDefect.id, AgentDefect.agent_id, Agent.code.label("agent_code"), Agent.name.label("agent_name"),
            AgentDefect.reporter_id, AgentDefect.cohort_id, AgentDefect.type, AgentDefect.intent,
            AgentDefect.severity, AgentDefect.complex, AgentDefect.state, AgentDefect.platform, AgentDefect.sku,
            AgentDefect.kb_entry, AgentDefect.reach, AgentDefect.excerpt, AgentDefect.agent_said,
            AgentDefect.should_say, AgentDefect.seen_at, AgentDefect.created_at, AgentDefect.first_response_at,
            AgentDefect.closed_at, AgentDefect.verified_at, AgentDefect.duplicate_of_id,
            AgentDefect.recurrence_of_id)


@functools.lru_cache(maxsize=8)
def _listing(own: bool, by_state: bool, by_cohort: bool) -> sa.Select:
    """Built once per filter combination (own: reported or co-reported by the parameter `user_id`)."""
    query = sa.select(*_COLUMNS).join(Agent, Agent.id == AgentDefect.agent_id)
    if own:
        user = sa.bindparam("user_id", type_=sa.Integer)
        query = query.where(sa.or_(AgentDefect.reporter_id == user, AgentDefect.id.in_(
            sa.select(DefectReport.defect_id).where(DefectReport.user_id == user))))
    if by_state:
        query = query.where(AgentDefect.state == sa.bindparam("state"))
    if by_cohort:
        query = query.where(AgentDefect.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer))
    return keyset(query, AgentDefect.id)


def _out(row, reader) -> dict:
    data = row._asdict()
    data["agent"] = {"id": data.pop("agent_id"), "code": data.pop("agent_code"), "name": data.pop("agent_name")}
    if not may_read_report(reader, row, row.reporter_id):
        data["excerpt"] = None
    return data


@bp.route("/defects")
@require_token(Action.LOG_DEFECTS, Action.TRIAGE_DEFECTS, scope=TokenScope.READ)
@bp.arguments(DefectArgs, location="query")
@bp.response(200, DefectPage, description=_l("A page of defects."))
@bp.doc(summary=_l("List agent defects"), description=_l(
    "A placed person's token: the defects they reported or co-reported. A token of the operations team "
    "(admins): every defect. Oldest first."), tags=["defects"])
def list_defects(args):
    reader = holder()
    own = not may_triage(reader)
    query = _listing(own, args["state"] is not None, args["cohort_id"] is not None)
    rows, cursor = fetch(db.session, query, args,
                         {"user_id": reader.id, "state": args["state"], "cohort_id": args["cohort_id"]})
    return {"items": [_out(r, reader) for r in rows], "next_cursor": cursor}


@bp.route("/defects", methods=["POST"])
@require_token(Action.LOG_DEFECTS, Action.MANAGE_PLACEMENTS, scope=TokenScope.WRITE)
@bp.arguments(DefectIn)
@bp.response(201, DefectOut, description=_l("The defect as stored (masked)."))
@bp.doc(summary=_l("Log an agent defect"), description=_l(
    "A defect of the agent the placed person is paired with, while their buffer period runs. "
    "The same rules as the log form: masked before it is stored, severity from the program's scale, "
    "a recurrence of a verified fix is linked."), tags=["defects"])
def log_defect(body):
    actor = holder()
    reporter = actor
    if not body["reporter"] and actor.is_admin:
        # an admin has no buffer period of their own: the defect is always someone else's
        return problem(422, _l("Name the placed person the defect is logged for."),
                       {"reporter": [_l("required for an admin's token")]}, "validation")
    if body["reporter"] and not actor.is_admin and normalize_email(body["reporter"]) != actor.email:
        # decided before the lookup: a placed person's token learns nothing about other e-mails
        return problem(403, _l("Only the placed person's own token, or an admin's, may log a defect for them."),
                       kind="insufficient-scope")
    if body["reporter"]:
        reporter = find_by_email(db.session, body["reporter"])
        if reporter is None:
            return problem(422, _l("No account has this e-mail."), {"reporter": [_l("is not a placed person")]},
                           "validation")
    placement = placement_service.current_placement(db.session, reporter.id)
    if not may_log_defect_for(actor, reporter, placement):
        detail = (_l("Only the placed person's own token, or an admin's, may log a defect for them.")
                  if reporter.id != actor.id and placement is not None else
                  _l("This person has no running buffer period to log a defect in."))
        return problem(403, detail, kind="insufficient-scope")
    values = {name: body[name] for name in ("type", "intent", "severity", "excerpt", "agent_said", "should_say",
                                            "platform", "sku", "kb_entry", "reach", "seen_at", "item_id")}
    values["type"] = values["type"].value
    scale = defect_pages.scale_for(db.session, placement)
    settings = DefectSettings.from_config(current_app.config)
    outcome = commit_or_report(lambda: defect_service.log_defect(
        db.session, actor, placement, values, scale, settings, reporter=reporter), quiet=True)
    if not outcome.ok:
        return domain_problem(outcome.error)
    defect = outcome.result
    row = db.session.execute(_listing(False, False, False).where(AgentDefect.id == defect.id),
                             {"after": 0, "limit": 1}).one()
    return _out(row, actor)
