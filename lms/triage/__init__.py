"""The intelligent-operations team's defect triage: the board, one defect's moves, screenshots."""

from flask import Blueprint

bp = Blueprint("triage", __name__, url_prefix="/triage")

from lms.triage import responsibility_routes, routes  # noqa: E402,F401
