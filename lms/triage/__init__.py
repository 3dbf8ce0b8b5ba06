"""The intelligent-operations team's defect triage: the board, one defect's moves, screenshots."""

from flask import Blueprint

bp = Blueprint("triage", __name__, url_prefix="/triage")

from lms.triage import contribution_routes, responsibility_routes, routes  # noqa: E402,F401
