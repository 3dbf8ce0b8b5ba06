"""Landing, language switch and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from lms.main import routes  # noqa: E402,F401
