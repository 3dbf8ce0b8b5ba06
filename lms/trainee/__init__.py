"""Trainee pages."""

from flask import Blueprint

bp = Blueprint("trainee", __name__, url_prefix="/me")

from lms.trainee import assessment_routes, buffer_routes, routes  # noqa: E402,F401
