"""Receiving team leads: read-only pages on the people placed in their team."""

from flask import Blueprint

bp = Blueprint("lead", __name__, url_prefix="/lead")

from lms.lead import routes  # noqa: E402,F401
