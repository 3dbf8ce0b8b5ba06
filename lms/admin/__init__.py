"""Program admin pages."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from lms.admin import capstone_routes, cohort_routes, invitation_routes, people_routes, routes  # noqa: E402,F401
