"""Program admin pages."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from lms.admin import cohort_routes, invitation_routes, people_routes, placement_routes, routes  # noqa: E402,F401
