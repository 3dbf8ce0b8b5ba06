"""The program clock: weeks, phases and due dates follow from the start date alone."""

from datetime import date, timedelta

import pytest
import time_machine

from lms.services import clock
from lms.services.clock import Phase

START = date(2026, 9, 7)  # a Monday


def day(n: int) -> date:
    return START + timedelta(days=n)


@pytest.mark.parametrize(("offset", "week"), [
    (-1, -1), (0, 0), (6, 0), (7, 1), (13, 1), (14, 2), (97, 13), (98, 14),
])
def test_week_boundaries(offset, week):
    assert clock.week_of(START, day(offset)) == week


@pytest.mark.parametrize(("offset", "phase"), [
    (-10, Phase.INTAKE),
    (0, Phase.INTAKE),
    (6, Phase.INTAKE),
    (7, Phase.TRAINING),
    (97, Phase.TRAINING),   # last day of week 13
    (98, Phase.PLACEMENT),  # week 14
    (104, Phase.PLACEMENT),
    (105, Phase.BUFFER),
    (105 + 89, Phase.BUFFER),
    (105 + 90, Phase.CLOSED),  # the 90-day buffer period is over
])
def test_phase_follows_the_start_date(offset, phase):
    assert clock.phase(START, day(offset)) == phase


def test_closing_a_cohort_wins_over_the_clock():
    assert clock.phase(START, day(30), closed=True) == Phase.CLOSED


def test_due_date_is_the_last_day_of_the_tracks_end_week():
    due = clock.due_for_week(START, 2)
    assert due.date == day(20) and due.week == 2


@pytest.mark.parametrize(("offset", "status"), [
    (6, "later"), (13, "later"), (14, "this_week"), (20, "this_week"), (21, "overdue"),
])
def test_due_status_at_week_boundaries(offset, status):
    assert clock.due_for_week(START, 2).status(day(offset)) == status


def test_today_uses_the_programs_timezone():
    # 20:00 UTC on 1 Oct is already 2 Oct in Shanghai.
    with time_machine.travel("2026-10-01 20:00:00+00:00", tick=False):
        assert clock.today_in("Asia/Shanghai") == date(2026, 10, 2)
        assert clock.today_in("UTC") == date(2026, 10, 1)


@pytest.mark.parametrize(("when", "week_text"), [
    ("2026-09-08 04:00:00+00:00", "Week 0 (intake)"),
    ("2026-09-14 04:00:00+00:00", "Week 1 of 13"),
    ("2026-12-13 04:00:00+00:00", "Week 13 of 13"),  # its last day
    ("2026-12-14 04:00:00+00:00", "After week 13"),
])
def test_trainee_home_shows_the_week_for_frozen_dates(app, make_cohort, client, when, week_text):
    from lms.extensions import db
    from lms.models import Enrollment
    from tests.conftest import login

    _, (enrollment_id,) = make_cohort(trainees=1, start=START)
    with app.app_context():
        trainee = db.session.get(Enrollment, enrollment_id).trainee
    with time_machine.travel(when, tick=False):  # the signed session cookie must be made "then" too
        login(client, trainee)
        html = client.get("/me/").get_data(as_text=True)
    assert week_text in html
