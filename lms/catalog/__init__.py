"""The catalogue as loaded from courses/: browsing for staff, sync for admins."""

from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

from lms.catalog import routes  # noqa: E402,F401
