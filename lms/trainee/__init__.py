"""Trainee pages."""

from flask import Blueprint

bp = Blueprint("trainee", __name__, url_prefix="/me")

from lms.trainee import routes  # noqa: E402,F401
