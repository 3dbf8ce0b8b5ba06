"""Login, logout, change password."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from lms.auth import routes  # noqa: E402,F401
