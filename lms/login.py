"""Flask-Login wiring."""

import time

import sqlalchemy as sa
from flask import g
from flask_babel import lazy_gettext as _l

from lms.extensions import db
from lms.models import CapstoneMember, Placement, User
from lms.services.notifications import unread_count, unread_count_of

# Built once: every signed-in request runs it, and building a select costs more than running
# this one. What the navbar needs comes with the user (see `navbar_facts`): the unread count,
# and for trainees whether they were placed and whether they are in a capstone group (their
# "Buffer period" and "Capstone" links show only then), so no page asks again.
_PLACED = sa.exists().where(Placement.trainee_id == User.id)
_GROUPED = sa.exists().where(CapstoneMember.trainee_id == User.id)
USER_BY_TOKEN = (sa.select(User, unread_count_of(User.id), _PLACED, _GROUPED)
                 .where(User.session_token == sa.bindparam("token", type_=sa.String)))


def init_login(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    # The session and remember cookie hold "<User.session_token>.<issued at>" (see
    # `User.get_id`): a rotated token matches nobody, so old cookies log nobody in,
    # and a login older than REMEMBER_COOKIE_DURATION ends however it is carried.
    @login_manager.user_loader
    def load_user(value: str):
        token, _, issued = (value or "").partition(".")
        if not token or len(token) > 64 or not issued.isdigit():
            return None
        max_age = app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
        if not 0 <= time.time() - int(issued) <= max_age:
            return None
        row = db.session.execute(USER_BY_TOKEN, {"token": token}).first()
        if row is None:
            return None
        user, unread, placed, grouped = row
        g.lms_navbar = (user.id, {"unread_count": unread, "placed": bool(placed), "grouped": bool(grouped)})
        return user


def navbar_facts(user) -> dict:
    """unread_count, placed, grouped for the signed-in user: as loaded with them for this
    request, else asked (a user logged in during this request)."""
    loaded = g.get("lms_navbar")
    if loaded is not None and loaded[0] == user.id:
        return loaded[1]
    return {"unread_count": unread_count(db.session, user.id),
            "placed": bool(db.session.scalar(sa.select(sa.exists().where(Placement.trainee_id == user.id)))),
            "grouped": bool(db.session.scalar(sa.select(sa.exists().where(CapstoneMember.trainee_id == user.id))))}
