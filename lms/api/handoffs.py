"""Hand-off events from the customer-service platform, in batches: the rules of the file import
(lms/services/handoffs.py): all events good or nothing written, the same event ID again changes
nothing, a changed one is updated."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from lms.api import bp
from lms.api.auth import holder
from lms.api.errors import domain_problem, rows_problem
from lms.api.schemas import ApiSchema, Bool, CountsSchema, Items, Obj, Text
from lms.extensions import db
from lms.models import TokenScope
from lms.permissions import Action, require_token
from lms.services import handoffs
from lms.services.buffer_clock import BufferSettings
from lms.services.import_files import MAX_ROWS
from lms.transactions import commit_or_report

_TIME = _l("ISO 8601, e.g. 2026-03-02T09:30:00+08:00; without an offset, the program's time zone.")


class HandoffEventIn(ApiSchema):
    external_id = Text(100, required=True, blank=False, metadata={"description": _l(
        "The platform's ID of the event: sending it again updates or leaves it.")})
    trainee = Text(254, required=True, blank=False, metadata={"description": _l("The placed person's e-mail.")})
    agent = Text(120, required=True, blank=False, metadata={"description": _l(
        "The agent's ID on the platform (or a name no other agent has).")})
    flagged_at = Text(40, required=True, blank=False, metadata={"description": _TIME})
    responded_at = Text(40, load_default=None, allow_none=True, metadata={"description": _TIME})
    closed_at = Text(40, load_default=None, allow_none=True, metadata={"description": _TIME})
    complex = Bool(required=True)
    cross_team = Bool(required=True)
    category = Text(100, load_default="")


class HandoffBatch(ApiSchema):
    events = Items(Obj(HandoffEventIn), required=True, validate=validate.Length(
        min=1, max=MAX_ROWS, error=_l("must hold between {min} and {max} items")))


@bp.route("/handoff-events", methods=["POST"])
@require_token(Action.MANAGE_PLACEMENTS, scope=TokenScope.WRITE)
@bp.arguments(HandoffBatch)
@bp.response(200, CountsSchema, description=_l("Every event was good: how many were new, changed or the same."))
@bp.doc(summary=_l("Send hand-off events"), description=_l(
    "Up to 2,000 events a request. All good or nothing written: 422 names each bad event as "
    "events.index.field. Response and close times are worked out when stored, for the buffer-period "
    "collaboration metrics."), tags=["buffer"])
def post_handoffs(body):
    settings = BufferSettings.from_config(current_app.config)
    actor = holder()
    outcome = commit_or_report(lambda: handoffs.ingest(db.session, actor, body["events"], settings), quiet=True)
    if not outcome.ok:
        return domain_problem(outcome.error)
    report = outcome.result
    if not report.ok:
        return rows_problem(report.errors, "events", first_line=1)
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
