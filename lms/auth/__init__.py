"""Login, logout, change password; set a password through a link; forgot password."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from lms.auth import link_routes, routes  # noqa: E402,F401
