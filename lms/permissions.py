"""Who may do what: the one permission table, and how views declare their action.

Every view declares an action with `@require(Action.X)` or `@public`. A request
hook (`enforce`) checks it before the view runs; an endpoint that declares
nothing is refused (fail closed), and `tests/test_route_permissions.py` walks
`app.url_map` so such a route cannot ship unnoticed.
"""

import enum
from collections.abc import Callable
from typing import Optional

from flask import abort, current_app, request
from flask_login import current_user

from lms.extensions import login_manager
from lms.models import Role


class Action(enum.StrEnum):
    USE_ACCOUNT = "use_account"  # own home, password, language
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT = "view_audit"
    TRAINEE_HOME = "trainee_home"
    MENTOR_HOME = "mentor_home"
    ADMIN_HOME = "admin_home"
    LEARN = "learn"  # read lessons, track own progress
    BROWSE_CATALOG = "browse_catalog"  # the whole catalogue as loaded, with rubrics
    SYNC_CATALOG = "sync_catalog"
    MANAGE_COHORTS = "manage_cohorts"  # cohorts, enrollment, mentor assignment
    RATE_BASELINE = "rate_baseline"  # intake ratings (mentors: their own trainees)
    SUBMIT_WORK = "submit_work"  # answer assessments
    GRADE = "grade"  # grading queue and rubric grading (only trainees one coaches)
    VIEW_TRAINEE = "view_trainee"  # a trainee's record: attainment, attempts (mentors: their own)


PUBLIC = "public"

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        {
            Action.USE_ACCOUNT,
            Action.MANAGE_PEOPLE,
            Action.VIEW_AUDIT,
            Action.ADMIN_HOME,
            Action.BROWSE_CATALOG,
            Action.SYNC_CATALOG,
            Action.MANAGE_COHORTS,
            Action.RATE_BASELINE,
            Action.VIEW_TRAINEE,
        }
    ),
    Role.MENTOR: frozenset(
        {
            Action.USE_ACCOUNT,
            Action.MENTOR_HOME,
            Action.BROWSE_CATALOG,
            Action.RATE_BASELINE,
            Action.GRADE,
            Action.VIEW_TRAINEE,
        }
    ),
    Role.TRAINEE: frozenset({Action.USE_ACCOUNT, Action.TRAINEE_HOME, Action.LEARN, Action.SUBMIT_WORK}),
}

# Endpoints served by extensions, not by our views.
EXTENSION_PUBLIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def can(user, action: Action) -> bool:
    """True when an authenticated, active user's role allows `action`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def coaches(user, enrollment) -> bool:
    """Object-level rule: admins see every enrollment; a mentor only those they coach now."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MENTOR and any(
        a.mentor_id == user.id and a.ended_at is None for a in enrollment.assignments
    )


def may_see_work_of(user, trainee_id: int, coaching_mentor_ids: set[int]) -> bool:
    """Object-level rule for a trainee's submissions and files: the trainee, the
    mentors coaching them now (`coaching_mentor_ids`), and admins."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return user.role == Role.ADMIN or user.id == trainee_id or user.id in coaching_mentor_ids


def require(action: Action) -> Callable:
    """Declare the action a view needs; `enforce` checks it."""

    def decorate(view):
        view.required_action = action
        return view

    return decorate


def public(view):
    view.required_action = PUBLIC
    return view


def required_action(endpoint: Optional[str]):
    """The action an endpoint declares, PUBLIC, or None when it declares nothing."""
    if endpoint is None:
        return None
    if endpoint in EXTENSION_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "required_action", None)


def enforce():
    """`before_request` hook: the single place access is decided."""
    if request.endpoint is None:  # 404 / 405: nothing to protect
        return None
    action = required_action(request.endpoint)
    if action is None:
        current_app.logger.error("endpoint %s declares no permission", request.endpoint)
        abort(403)
    if action == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can(current_user, action):
        abort(403)
    return None
