"""Program admin pages."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from lms.admin import (  # noqa: E402,F401
    capstone_routes,
    cohort_routes,
    invitation_routes,
    job_routes,
    people_routes,
    placement_routes,
    report_routes,
    routes,
    token_routes,
)
