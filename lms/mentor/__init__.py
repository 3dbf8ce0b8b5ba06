"""Mentor pages."""

from flask import Blueprint

bp = Blueprint("mentor", __name__, url_prefix="/mentor")

from lms.mentor import buffer_routes, grading_routes, routes  # noqa: E402,F401
