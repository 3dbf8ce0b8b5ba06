"""The trainee's navbar links only to what applies to them: the buffer period once placed,
the capstone once in a group. What it needs comes with the user in one statement."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import User
from tests.conftest import login
from tests.demo_data import load_demo


def _nav(client, email):
    with client.application.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.expunge(user)
    login(client, user)
    html = client.get("/me/").get_data(as_text=True)
    nav = html.split("</nav>")[0]
    return 'href="/me/buffer"' in nav, 'href="/me/capstone"' in nav


def test_a_trainee_sees_the_buffer_link_only_once_placed_and_the_capstone_only_in_a_group(app, client):
    load_demo(app)
    assert _nav(client, "trainee7@example.com") == (True, False)  # placed (older demo cohort)
    assert _nav(client, "trainee3@example.com") == (False, True)  # in the demo capstone group
    assert _nav(client, "trainee1@example.com") == (False, False)  # in training, no group


def test_the_navbar_facts_cost_no_statement_of_their_own(app, client, count_queries):
    load_demo(app)
    _nav(client, "trainee7@example.com")
    with count_queries() as placed:
        client.get("/auth/password")
    _nav(client, "trainee1@example.com")
    with count_queries() as training:
        client.get("/auth/password")
    assert len(placed.statements) == len(training.statements) == 1  # the user, with what the navbar needs


def test_the_admin_finds_the_programs_machinery_under_one_system_menu(client, make_user):
    login(client, make_user("admin"))
    nav = client.get("/admin/").get_data(as_text=True).split("</nav>")[0]
    menu = nav.split('id="nav-system"')[1].split("</ul>")[0]
    for href in ("/admin/audit", "/admin/jobs", "/admin/webhooks", "/admin/api-tokens"):
        assert f'href="{href}"' in menu
    assert "System" in nav and 'title="Admin' in nav  # the name, cut short on narrow windows, in full on hover
