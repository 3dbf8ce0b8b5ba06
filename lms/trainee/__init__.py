"""Trainee pages."""

from flask import Blueprint

bp = Blueprint("trainee", __name__, url_prefix="/me")

from lms.trainee import (  # noqa: E402,F401
    assessment_routes,
    buffer_routes,
    capstone_routes,
    contribution_routes,
    defect_routes,
    diagnostic_routes,
    routes,
    token_routes,
)
