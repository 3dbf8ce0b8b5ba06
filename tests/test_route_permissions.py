"""Every route × every role: the permission table decides, and nothing is undeclared."""

import re

import pytest
from flask import Flask

from lms.models import Role
from lms.permissions import CAPABILITY_ACTIONS, PUBLIC, ROLE_ACTIONS, Action, TokenRule, can, public, require
from tests.conftest import login

DUMMY_ARGS = {"int": "1", "default": "x", "string": "x", "path": "x/y"}


def _undeclared(app: Flask) -> list[str]:
    with app.test_request_context():
        from lms.permissions import required_action

        return sorted(
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if required_action(rule.endpoint) is None
        )


def _url(rule) -> str:
    def fill(match):
        converter = match.group(1) or "default"
        return DUMMY_ARGS.get(converter, "1")

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", fill, rule.rule)


def test_every_route_declares_a_permission(app):
    assert _undeclared(app) == []


def test_an_undeclared_route_is_caught_and_refused(app):
    from lms import create_app

    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert _undeclared(other) == ["forgotten"]
    assert other.test_client().get("/forgotten").status_code == 403


def _expected(action, role, reviewer: bool = False) -> set[int]:
    if action == PUBLIC:
        return {"allowed"}
    if isinstance(action, TokenRule):  # the HR API: a bearer token or nothing, whoever is logged in
        return {"token_required"}
    if role is None:
        return {"login"}
    capable = reviewer and action in CAPABILITY_ACTIONS["reviewer"]
    return {"allowed"} if action in ROLE_ACTIONS[role] or capable else {"forbidden"}


def _outcome(response) -> str:
    if (response.status_code == 401 and response.content_type == "application/problem+json"
            and response.headers.get("WWW-Authenticate", "").startswith("Bearer")):
        return "token_required"
    # Flask-Login's redirect carries ?next=; logout's own redirect to login does not.
    location = response.headers.get("Location", "")
    if response.status_code in (401, 302) and "/auth/login?next=" in location:
        return "login"
    if response.status_code == 403:
        return "forbidden"
    return "allowed"


@pytest.mark.parametrize("role,reviewer", [(None, False), (Role.TRAINEE, False), (Role.MENTOR, False),
                                           (Role.MENTOR, True), (Role.ADMIN, False), (Role.LEAD, False)])
def test_route_access_matches_the_permission_table(app, client, make_user, role, reviewer):
    if role is not None:
        login(client, make_user(role.value, reviewer=reviewer))
    token = client.csrf_token()
    from lms.permissions import required_action

    checked = 0
    for rule in app.url_map.iter_rules():
        with app.test_request_context():
            action = required_action(rule.endpoint)
        url = _url(rule)
        if "GET" in rule.methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert _outcome(response) in _expected(action, role, reviewer), (
            f"{rule.endpoint} {url} as {role}: {response.status_code}"
        )
        checked += 1
        if role is not None and rule.endpoint == "auth.logout":
            login(client, make_user(role.value, reviewer=reviewer))  # the walk logged us out; carry on
            client._token = None  # logging out dropped the CSRF secret
            token = client.csrf_token()
    assert checked == len(list(app.url_map.iter_rules()))


def test_policy_is_testable_without_http(make_user):
    trainee, admin = make_user("trainee"), make_user("admin")
    assert can(admin, Action.MANAGE_PEOPLE)
    assert not can(trainee, Action.MANAGE_PEOPLE)
    assert not can(None, Action.USE_ACCOUNT)
    admin.active = False
    assert not can(admin, Action.MANAGE_PEOPLE)


def test_decorators_mark_views():
    @require(Action.MANAGE_PEOPLE)
    def a():
        pass

    @public
    def b():
        pass

    assert a.required_action == Action.MANAGE_PEOPLE and b.required_action == PUBLIC


def test_trainee_cannot_open_admin_people(login_as):
    client, _ = login_as("trainee")
    assert client.get("/admin/people").status_code == 403


def test_mentor_cannot_open_trainee_home(login_as):
    client, _ = login_as("mentor")
    assert client.get("/me/").status_code == 403


def test_the_reviewer_capability_adds_triage_to_a_mentor_only(make_user):
    mentor, reviewer = make_user("mentor"), make_user("mentor", reviewer=True)
    assert not can(mentor, Action.TRIAGE_DEFECTS)
    assert can(reviewer, Action.TRIAGE_DEFECTS) and not can(reviewer, Action.APPROVE_AWARDS)
    assert can(make_user("admin"), Action.TRIAGE_DEFECTS)
